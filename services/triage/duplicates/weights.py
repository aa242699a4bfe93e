"""The weights of the duplicate score's evidence (data, written by
bench/fit_duplicates.py from the tuning part of bench/data/duplicate_pairs.jsonl; do
not edit by hand)."""

WEIGHTS: dict[str, float] = {
    "bias": -0.5653,
    "things": 1.8875,
    "kinds": 2.4982,
    "kind_clash": -1.1613,
    "kind_apart": -0.4491,
    "things_apart": -2.6885,
    "act_clash": -1.9298,
    "act_apart": -0.0660,
    "object_apart": -2.6904,
    "characters": 4.7112,
    "differences": 5.2278,
    "title_cover": 2.2000,
    "title_things": -0.5957,
    "agreements": 0.8676,
    "conflicts": -5.8617,
    "party": 0.3601,
}
