"""The triage service: classify every report and amendment; tier overrides over REST."""

from __future__ import annotations

from services.triage import api
from services.triage.config import DuplicatesSettings, TriageSettings
from services.triage.duplicates import api as duplicates_api
from services.triage.duplicates.folding import Folding
from services.triage.duplicates.index import DuplicateIndex
from services.triage.handlers import TriageReactor
from services.triage.ruleset import load_ruleset
from shared.consumers.reactor import ReactorRunner
from shared.runtime.context import AppContext
from shared.runtime.service import ServiceModule, Worker


def workers(context: AppContext) -> list[tuple[str, Worker]]:
    ruleset, matcher = load_ruleset(TriageSettings().ruleset)  # refuses a bad file at start
    duplicates = DuplicatesSettings()
    index = context.runtimes.put(DuplicateIndex(context.engine, duplicates))
    folding = (
        Folding(log=context.log, index=index, tree=context.tree) if duplicates.enabled else None
    )
    reactor = TriageReactor(log=context.log, ruleset=ruleset, matcher=matcher, folding=folding)
    runner = ReactorRunner(
        log=context.log,
        engine=context.engine,
        reactor=reactor,
        max_attempts=context.settings.reactor_max_attempts,
    )
    return [("triage", runner.run)]


SERVICE = ServiceModule(
    name="triage",
    routers=[api.router, duplicates_api.router],
    workers=workers,
    settings=[TriageSettings, DuplicatesSettings],
)
