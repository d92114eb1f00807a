"""The composition root of the views service."""

from fastapi import FastAPI

from runtime.contract import platform_contract
from runtime.registry import all_events
from services.views.application.projections import DEPLOY, load_units, projections
from services.views.application.read_models import ProposalsProjection
from services.views.config import ViewsSettings
from services.views.entrypoints import api, exports, pages
from shared.adapters.infrastructure import Infrastructure
from shared.kernel.projections import ProjectionRunner
from shared.rules.calendar import WorkingCalendar
from shared.settings import ServiceSettings
from shared.web import asyncapi
from shared.web.app import Parts, Worker, create_app

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
