"""The console as a service module of a process: its routes, no workers."""

from __future__ import annotations

from services.console import routes
from shared.runtime.service import ServiceModule

SERVICE = ServiceModule(name="console", routers=[routes.router])
