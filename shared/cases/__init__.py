"""The case: what every service knows about a case, in one place.

``catalogue/`` holds the event payloads the services publish to each other (the contract on
the wire), ``fold.py`` the case read model as a pure fold over a case's events (``row.py``
names its columns), ``access.py`` who sees a case and who acts on it, ``presenter.py`` and
``schemas.py`` how a case and its history are served.
"""
