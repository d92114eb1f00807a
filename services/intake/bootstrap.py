"""The composition root of intake."""

from fastapi import FastAPI

from runtime.wiring import standard_parts
from services.intake.application.outbound import to_integration
from services.intake.application.service import ProposalService
from services.intake.config import IntakeSettings
from services.intake.contracts import contract
from services.intake.domain.decider import Rules, intake_decider
from services.intake.domain.events import registry
from services.intake.entrypoints import api
from shared.adapters.infrastructure import Infrastructure
from shared.kernel.decider import CommandHandler
from shared.rules.policy import load_policies
from shared.settings import ServiceSettings
from shared.web.app import Parts, create_app

TITLE = "Intake: proposals in, review, registration (立案)"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    rules = Rules(load_policies(settings.policy_dir))
    handler = CommandHandler(infra.events, registry, intake_decider(rules))
    return standard_parts(
        settings,
        infra,
        routers=[api.router],
        publishes=(registry, to_integration, contract),
        provides=(ProposalService(handler),),
    )


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or IntakeSettings(), build, title=TITLE, infrastructure=infrastructure)
