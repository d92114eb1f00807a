"""The composition root of the views service: it consumes every public event, records each once in
its own store and projects the read models from that record."""

from fastapi import FastAPI

from runtime.wiring import standard_parts
from services.views.application.asof import Replay
from services.views.application.inbound import INBOUND
from services.views.application.projections import LiveProjections, load_units, projections
from services.views.application.read_models import ProposalsProjection
from services.views.config import ViewsSettings
from services.views.entrypoints import api, exports, keys, pages
from services.views.entrypoints.metrics import ProjectionFigures
from shared.adapters.infrastructure import Infrastructure
from shared.kernel.projections import ProjectionRunner
from shared.kernel.records import Recorder
from shared.rules.calendar import WorkingCalendar
from shared.settings import ServiceSettings
from shared.web.app import Parts, Worker, create_app

TITLE = "Views: read models across agencies"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    registry = INBOUND.contract
    units = load_units(settings)
    calendar = WorkingCalendar.load(settings.calendar_dir)
    recorder = Recorder(infra.events, settings.service_name, registry)
    runners = [ProjectionRunner(p, infra.events, infra.views, registry) for p in projections(units)]
    replay = Replay(infra.events, ProposalsProjection(units), registry)
    parts = standard_parts(
        settings,
        infra,
        routers=[api.router, exports.router, pages.router, keys.router],
        consumes=(INBOUND, recorder),
        provides=(units, calendar, replay, LiveProjections(tuple(runners)), settings.signing_key()),
    )
    parts.workers += [Worker(f"projection:{r.projection.name}", r.run) for r in runners]
    parts.metrics.append(ProjectionFigures(runners, infra.events.head))
    return parts


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or ViewsSettings(), build, title=TITLE, infrastructure=infrastructure)
