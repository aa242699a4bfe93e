"""The weights of the duplicate score's evidence (data, written by
bench/fit_duplicates.py from the tuning part of bench/data/duplicate_pairs.jsonl; do
not edit by hand)."""

WEIGHTS: dict[str, float] = {
    "bias": -0.6279,
    "things": 3.0641,
    "kinds": 2.6429,
    "kind_clash": -0.8288,
    "kind_apart": -1.1048,
    "things_apart": -3.1041,
    "act_clash": -1.7869,
    "act_apart": -0.3758,
    "object_apart": -2.8825,
    "characters": 4.6816,
    "agreements": 1.0240,
    "conflicts": -5.9836,
    "party": 0.9784,
}
