"""A local stand-in for the outside world notify talks to (development and tests only)."""
