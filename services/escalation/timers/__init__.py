"""The timer index: ``projection.py`` (each timer with its partition; the scheduler reads
it)."""
