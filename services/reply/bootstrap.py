"""The composition root of reply."""

from fastapi import FastAPI

from runtime.wiring import standard_parts
from services.reply.application.inbound import INBOUND
from services.reply.application.outbound import to_integration
from services.reply.application.service import ReplyService
from services.reply.config import ReplySettings
from services.reply.contracts import contract
from services.reply.domain.events import registry
from services.reply.entrypoints import api
from shared.adapters.infrastructure import Infrastructure
from shared.documents.settings import load_all
from shared.rules.policy import load_policies
from shared.rules.units import UnitRegistry
from shared.settings import ServiceSettings
from shared.web.app import Parts, create_app

TITLE = "Reply: co-unit opinions, consultations (面商), replies"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    units = UnitRegistry.load(settings.units_file)
    documents = load_all(settings.policy_dir, {u.id: u.name for u in units.all()})
    service = ReplyService(infra.events, load_policies(settings.policy_dir), documents, units)
    return standard_parts(
        settings,
        infra,
        routers=[api.router],
        publishes=(registry, to_integration, contract),
        consumes=(INBOUND, service),
        provides=(service,),
    )


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or ReplySettings(), build, title=TITLE, infrastructure=infrastructure)
