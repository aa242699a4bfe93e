"""The 12345 practice rules on top of the ladder (RULES.md §3b), one file per rule."""
