"""The escalation ladder (四级闭环) as pure decisions: no clock, no I/O.

Every function here takes the case's ``LadderState`` and the instant ``now`` and returns
events; ``tests/deploy/test_import_rules.py`` keeps the folder free of I/O libraries.
``commands.py`` (what is asked), ``state.py`` + ``evolve.py`` (the state after each event),
``context.py`` (refusals, timer ids, the organisation path), ``decide.py`` (the table of
which rule answers which command or timer) and ``rules/``, one file per rule of RULES.md
§3, §3b and §4.
"""
