"""The weights of the duplicate score's evidence (data, written by
bench/fit_duplicates.py from the tuning part of bench/data/duplicate_pairs.jsonl; do
not edit by hand)."""

WEIGHTS: dict[str, float] = {
    "bias": -2.0509,
    "things": 3.6910,
    "kinds": 2.6612,
    "kind_clash": -0.8020,
    "kind_apart": -1.8965,
    "things_apart": -3.0224,
    "characters": 5.0954,
    "agreements": 1.4378,
    "conflicts": -6.1523,
    "party": 0.2222,
}
