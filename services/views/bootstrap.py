"""The composition root of the views service."""

from fastapi import FastAPI

from services.contracts_doc import platform_contract
from services.registry import all_events
from services.views import pages
from services.views.config import ViewsSettings
from services.views.entrypoints import api, exports
from services.views.projections import DEPLOY, load_units, projections
from services.views.read_models import ProposalsProjection
from shared import asyncapi
from shared.calendar import WorkingCalendar
from shared.infrastructure import Infrastructure
from shared.projections import ProjectionRunner
from shared.service import Parts, Worker, create_app
from shared.settings import ServiceSettings

TITLE = "Views: read models across agencies"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    registry = all_events()
    units = load_units()
    calendar = WorkingCalendar.load(DEPLOY / "calendar")
    runners = [ProjectionRunner(p, infra.events, infra.views, registry) for p in projections(units)]
    return Parts(
        routers=[api.router, exports.router, pages.router, asyncapi.router(platform_contract())],
        workers=[Worker(f"projection:{r.projection.name}", r.run) for r in runners],
        context={
            "runners": runners,
            "units": units,
            "registry": registry,
            "proposals": ProposalsProjection(units),
            "calendar": calendar,
        },
    )


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or ViewsSettings(), build, title=TITLE, infrastructure=infrastructure)
