"""Notify: dispatch orders (派单), notices and 12345 feedback, delivered once, never lost."""
