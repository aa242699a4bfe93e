"""Delivery channels: a small interface and a registry of the ones a deployment uses."""
