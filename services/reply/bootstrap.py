"""The composition root of reply."""

from fastapi import FastAPI

from services.reply.config import ReplySettings
from services.reply.contracts import to_integration
from services.reply.domain.events import registry
from services.reply.entrypoints import api
from services.wiring import standard_parts
from shared.infrastructure import Infrastructure
from shared.service import Parts, create_app
from shared.settings import ServiceSettings

TITLE = "Reply: co-unit opinions, consultations (面商), replies"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    return standard_parts(settings, infra, registry=registry, translate=to_integration, routers=[api.router])


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or ReplySettings(), build, title=TITLE, infrastructure=infrastructure)
