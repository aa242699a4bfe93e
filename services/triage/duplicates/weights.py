"""The weights of the duplicate score's evidence (data, written by
bench/fit_duplicates.py from the tuning part of bench/data/duplicate_pairs.jsonl; do
not edit by hand)."""

WEIGHTS: dict[str, float] = {
    "bias": -1.9424,
    "things": 4.0700,
    "kinds": 2.9319,
    "kind_clash": -0.6410,
    "kind_apart": -2.1312,
    "things_apart": -3.1406,
    "characters": 4.7663,
    "agreements": 1.6500,
    "conflicts": -6.2867,
    "party": 0.1903,
}
