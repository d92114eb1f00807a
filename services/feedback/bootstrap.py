"""The composition root of feedback."""

from fastapi import FastAPI

from services.feedback.config import FeedbackSettings
from services.feedback.contracts import to_integration
from services.feedback.domain.events import registry
from services.feedback.entrypoints import api
from services.wiring import standard_parts
from shared.infrastructure import Infrastructure
from shared.service import Parts, create_app
from shared.settings import ServiceSettings

TITLE = "Feedback: satisfaction, re-handling, closing"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    return standard_parts(settings, infra, registry=registry, translate=to_integration, routers=[api.router])


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or FeedbackSettings(), build, title=TITLE, infrastructure=infrastructure)
