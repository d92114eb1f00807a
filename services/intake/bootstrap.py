"""The composition root of intake."""

from fastapi import FastAPI

from services.intake.config import IntakeSettings
from services.intake.contracts import to_integration
from services.intake.domain.events import registry
from services.intake.entrypoints import api
from shared.gateway import Gateway
from shared.infrastructure import Infrastructure
from shared.service import Parts, Worker, create_app
from shared.settings import ServiceSettings

TITLE = "Intake: proposals in, review, registration (立案)"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    gateway = Gateway(settings.service_name, infra.events, infra.bus, infra.views, registry, to_integration)
    return Parts(
        routers=[api.router],
        workers=[Worker("gateway", gateway.run)],
        context={"gateway": gateway},
    )


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or IntakeSettings(), build, title=TITLE, infrastructure=infrastructure)
