"""The triage service: classify every report and amendment; fold duplicate reports of one
incident (合并工单); tier overrides over REST; the parties' and places' history (a read model)
that the repeat rule and a party's case list read."""

from __future__ import annotations

from services.triage import api, parties_api
from services.triage.config import DuplicatesSettings, TriageSettings
from services.triage.duplicates import api as duplicates_api
from services.triage.duplicates import proposals as proposals_api
from services.triage.duplicates.folding import Folding
from services.triage.duplicates.index import DuplicateIndex
from services.triage.handlers import TriageReactor
from services.triage.history.projection import CaseHistoryProjection
from services.triage.history.queries import HistoryLookup
from services.triage.ruleset import load_ruleset
from shared.config import PartySettings
from shared.consumers.projection import ProjectionRunner
from shared.consumers.reactor import ReactorRunner
from shared.runtime.context import AppContext
from shared.runtime.service import ServiceModule, Worker


def workers(context: AppContext) -> list[tuple[str, Worker]]:
    ruleset, matcher = load_ruleset(TriageSettings().ruleset)  # refuses a bad file at start
    party = PartySettings()
    history = HistoryLookup(
        context.engine,
        secret=party.secret,
        months=party.repeat_months,
        by_place=party.repeat_by_place,
    )
    duplicates = DuplicatesSettings()
    index = context.runtimes.put(DuplicateIndex(context.engine, duplicates))
    folding = (
        Folding(log=context.log, index=index, tree=context.tree, secret=party.secret)
        if duplicates.enabled
        else None
    )
    reactor = TriageReactor(
        log=context.log, ruleset=ruleset, matcher=matcher, history=history, folding=folding
    )
    runner = ReactorRunner(
        log=context.log,
        engine=context.engine,
        reactor=reactor,
        max_attempts=context.settings.reactor_max_attempts,
    )
    projection = ProjectionRunner(
        log=context.log,
        engine=context.engine,
        projection=CaseHistoryProjection(secret=party.secret),
        linger_seconds=context.settings.read_model_linger_ms / 1000,
    )
    return [("triage", runner.run), (CaseHistoryProjection.group, projection.run)]


SERVICE = ServiceModule(
    name="triage",
    routers=[api.router, parties_api.router, duplicates_api.router, proposals_api.router],
    workers=workers,
    settings=[TriageSettings, PartySettings, DuplicatesSettings],
)
