"""The case list read model: ``projection.py`` (the fold is ``shared/cases/fold.py``) and
``queries.py``."""
