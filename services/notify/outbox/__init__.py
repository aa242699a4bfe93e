"""The delivery outbox: ``fold.py`` (one delivery's history from its case stream) and
``projection.py`` (the ``deliveries`` table the dispatcher works from)."""
