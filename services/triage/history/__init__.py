"""The parties' and places' history (docs/repeats.md): which cases each party key and each
grid had, and when. ``tables.py``, ``fold.py`` (rows from events), ``projection.py``,
``queries.py``, ``schemas.py`` (what the party routes answer). It holds party keys, never a
phone or ID number."""
