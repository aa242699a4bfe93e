"""The weights of the duplicate score's evidence (data, written by
bench/fit_duplicates.py from the tuning part of bench/data/duplicate_pairs.jsonl; do
not edit by hand)."""

WEIGHTS: dict[str, float] = {
    "bias": -2.0614,
    "things": 3.6990,
    "kinds": 2.7294,
    "kind_clash": -0.6200,
    "kind_apart": -2.3072,
    "things_apart": -3.0212,
    "characters": 5.0452,
    "agreements": 1.4640,
    "conflicts": -6.1275,
    "party": 0.2636,
}
