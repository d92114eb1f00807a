"""The composition root of allocation."""

from fastapi import FastAPI

from services.allocation.config import AllocationSettings
from services.allocation.contracts import to_integration
from services.allocation.domain.events import registry
from services.allocation.entrypoints import api
from shared.gateway import Gateway
from shared.infrastructure import Infrastructure
from shared.service import Parts, Worker, create_app
from shared.settings import ServiceSettings

TITLE = "Allocation: 交办 to lead and co-units, internal allocation, deadlines"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    gateway = Gateway(settings.service_name, infra.events, infra.bus, infra.views, registry, to_integration)
    return Parts(
        routers=[api.router],
        workers=[Worker("gateway", gateway.run)],
        context={"gateway": gateway},
    )


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or AllocationSettings(), build, title=TITLE, infrastructure=infrastructure)
