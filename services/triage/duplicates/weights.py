"""The weights of the duplicate score's evidence (data, written by
bench/fit_duplicates.py from the tuning part of bench/data/duplicate_pairs.jsonl; do
not edit by hand)."""

WEIGHTS: dict[str, float] = {
    "bias": -1.8682,
    "things": 4.1428,
    "kinds": 3.3113,
    "kind_clash": -1.4111,
    "kind_apart": -1.5387,
    "things_apart": -3.3219,
    "characters": 4.8697,
    "agreements": 1.5787,
    "conflicts": -6.5948,
    "party": 0.0593,
}
