"""The composition root of feedback."""

from fastapi import FastAPI

from services.feedback.config import FeedbackSettings
from services.feedback.contracts import to_integration
from services.feedback.domain.events import registry
from services.feedback.entrypoints import api
from shared.gateway import Gateway
from shared.infrastructure import Infrastructure
from shared.service import Parts, Worker, create_app
from shared.settings import ServiceSettings

TITLE = "Feedback: satisfaction, re-handling, closing"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    gateway = Gateway(settings.service_name, infra.events, infra.bus, infra.views, registry, to_integration)
    return Parts(
        routers=[api.router],
        workers=[Worker("gateway", gateway.run)],
        context={"gateway": gateway},
    )


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or FeedbackSettings(), build, title=TITLE, infrastructure=infrastructure)
