"""``python -m services.triage classify FILE`` or ``python -m services.triage serve``."""

from services.triage.cli import main

raise SystemExit(main())
