"""The weights of the duplicate score's evidence (data, written by
bench/fit_duplicates.py from the tuning part of bench/data/duplicate_pairs.jsonl; do
not edit by hand)."""

WEIGHTS: dict[str, float] = {
    "bias": -0.6426,
    "things": 2.9810,
    "kinds": 2.6879,
    "kind_clash": -0.8972,
    "kind_apart": -0.9784,
    "things_apart": -3.1876,
    "act_clash": -1.8226,
    "act_apart": -0.4872,
    "object_apart": -2.7201,
    "characters": 4.7512,
    "agreements": 0.9515,
    "conflicts": -5.9226,
    "party": 0.7173,
}
