"""The parties' and places' history (docs/repeats.md): which cases each party key and each
grid had, and when. ``schemas.py`` (tables), ``fold.py`` (rows from events),
``projection.py``, ``queries.py``. It holds party keys, never a phone or ID number."""
