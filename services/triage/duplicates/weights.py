"""The weights of the duplicate score's evidence (data, written by
bench/fit_duplicates.py from the tuning part of bench/data/duplicate_pairs.jsonl; do
not edit by hand)."""

WEIGHTS: dict[str, float] = {
    "bias": -0.5954,
    "things": 3.0191,
    "kinds": 2.6293,
    "kind_clash": -0.8495,
    "kind_apart": -1.0758,
    "things_apart": -3.1467,
    "act_clash": -1.7890,
    "act_apart": -0.3717,
    "object_apart": -2.8916,
    "characters": 4.6990,
    "agreements": 1.0238,
    "conflicts": -5.9825,
    "party": 0.4797,
}
