"""Hotspots (研判, RULES.md §5): ``fold.py`` (one row per case: its units, category, time),
``projection.py``, ``rule.py`` (the pure rule), ``decide.py`` (the pure decider of
``HotspotDetected``), ``reactor.py`` (the detector), ``queries.py``, ``schemas.py``,
``api.py`` (``GET /v1/hotspots``) and ``config.py`` (``FQ_HOTSPOT_*``)."""
