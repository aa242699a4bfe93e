"""Unit work queues (待办): ``fold.py`` (one row per case), ``projection.py``, ``queries.py``."""
