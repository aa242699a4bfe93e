"""The weights of the duplicate score's evidence (data, written by
bench/fit_duplicates.py from the tuning part of bench/data/duplicate_pairs.jsonl; do
not edit by hand)."""

WEIGHTS: dict[str, float] = {
    "bias": -2.4226,
    "things": 4.3628,
    "kinds": 1.5898,
    "kind_clash": -1.6546,
    "kind_apart": -0.9193,
    "things_apart": -1.2831,
    "characters": 4.0391,
    "agreements": 1.7055,
    "conflicts": -5.6374,
    "party": 0.2166,
}
