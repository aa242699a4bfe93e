"""The weights of the duplicate score's evidence (data, written by
bench/fit_duplicates.py from the tuning part of bench/data/duplicate_pairs.jsonl; do
not edit by hand)."""

WEIGHTS: dict[str, float] = {
    "bias": -1.2081,
    "things": 3.0154,
    "kinds": 2.7397,
    "kind_clash": -0.7126,
    "kind_apart": -1.3837,
    "things_apart": -3.2169,
    "act_clash": -1.6419,
    "act_apart": -0.4825,
    "object_apart": -3.1570,
    "characters": 4.7394,
    "agreements": 1.1333,
    "conflicts": -5.9378,
    "party": 0.9675,
}
