"""The facts behind the measures (考核): ``fold.py`` (per case and per assignment),
``projection.py``, ``queries.py`` (the measures), ``schemas.py`` (the served bodies)."""
