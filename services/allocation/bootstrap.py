"""The composition root of allocation."""

from fastapi import FastAPI

from services.allocation.config import AllocationSettings
from services.allocation.contracts import to_integration
from services.allocation.domain.events import registry
from services.allocation.entrypoints import api
from services.wiring import standard_parts
from shared.infrastructure import Infrastructure
from shared.service import Parts, create_app
from shared.settings import ServiceSettings

TITLE = "Allocation: 交办 to lead and co-units, internal allocation, deadlines"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    return standard_parts(settings, infra, registry=registry, translate=to_integration, routers=[api.router])


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or AllocationSettings(), build, title=TITLE, infrastructure=infrastructure)
