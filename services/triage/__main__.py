"""``python -m services.triage classify FILE``: classify reports offline (the service itself
runs as ``python -m services.processes triage``)."""

from services.triage.cli import main

raise SystemExit(main())
