"""The composition root of intake."""

from fastapi import FastAPI

from services.intake.config import IntakeSettings
from services.intake.contracts import to_integration
from services.intake.domain.events import registry
from services.intake.entrypoints import api
from services.wiring import standard_parts
from shared.infrastructure import Infrastructure
from shared.service import Parts, create_app
from shared.settings import ServiceSettings

TITLE = "Intake: proposals in, review, registration (立案)"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    return standard_parts(settings, infra, registry=registry, translate=to_integration, routers=[api.router])


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or IntakeSettings(), build, title=TITLE, infrastructure=infrastructure)
