"""The weights of the duplicate score's evidence (data, written by
bench/fit_duplicates.py from the tuning part of bench/data/duplicate_pairs.jsonl; do
not edit by hand)."""

WEIGHTS: dict[str, float] = {
    "bias": -0.6106,
    "things": 2.0173,
    "kinds": 2.5678,
    "kind_clash": -1.0325,
    "kind_apart": -0.4705,
    "things_apart": -3.0527,
    "act_clash": -1.8780,
    "act_apart": -0.2452,
    "object_apart": -2.9179,
    "characters": 4.4975,
    "title_cover": 2.1481,
    "title_things": -0.6066,
    "agreements": 0.8308,
    "conflicts": -5.8647,
    "party": 0.4007,
}
