"""The composition root of reply."""

from fastapi import FastAPI

from services.reply.config import ReplySettings
from services.reply.contracts import to_integration
from services.reply.domain.events import registry
from services.reply.entrypoints import api
from shared.gateway import Gateway
from shared.infrastructure import Infrastructure
from shared.service import Parts, Worker, create_app
from shared.settings import ServiceSettings

TITLE = "Reply: co-unit opinions, consultations (面商), replies"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    gateway = Gateway(settings.service_name, infra.events, infra.bus, infra.views, registry, to_integration)
    return Parts(
        routers=[api.router],
        workers=[Worker("gateway", gateway.run)],
        context={"gateway": gateway},
    )


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or ReplySettings(), build, title=TITLE, infrastructure=infrastructure)
