"""The weights of the duplicate score's evidence (data, written by
bench/fit_duplicates.py from the tuning part of bench/data/duplicate_pairs.jsonl; do
not edit by hand)."""

WEIGHTS: dict[str, float] = {
    "bias": -1.9644,
    "things": 4.0664,
    "kinds": 2.9457,
    "kind_clash": -0.6149,
    "kind_apart": -2.1487,
    "things_apart": -3.3418,
    "characters": 4.8734,
    "agreements": 1.6887,
    "conflicts": -6.5661,
    "party": 0.1653,
}
