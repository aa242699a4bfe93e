"""Structured logs (structlog), with personal data scrubbed from every value."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from shared.runtime.log_context import add_handled_event

# Mobile numbers, resident ID numbers (with a birth date inside, so unit codes stay
# readable) and landlines with an area code.
RESIDENT_ID = r"\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
MOBILE = r"1[3-9]\d{9}"
_PII = re.compile(rf"(?<!\d)({MOBILE}|{RESIDENT_ID}|0\d{{2,3}}-\d{{7,8}})(?![\dXx])")


def scrub(value: str) -> str:
    return _PII.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 3), value)


def _scrub_event(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event_dict.items()):
        if isinstance(value, str):
            event_dict[key] = scrub(value)
    return event_dict


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    """Resolve stderr at each use, so a redirected stream (tests, daemons) is honoured."""
    return structlog.PrintLogger(sys.stderr)


def configure_logging(*, json_logs: bool, level: str = "INFO") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            add_handled_event,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _scrub_event,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
