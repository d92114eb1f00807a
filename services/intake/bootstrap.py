"""The composition root of intake."""

from pathlib import Path
from typing import get_args

from fastapi import FastAPI

from runtime.wiring import standard_parts
from services.intake.application.service import ProposalService
from services.intake.config import IntakeSettings
from services.intake.contracts import to_integration
from services.intake.domain.decider import Rules, intake_decider
from services.intake.domain.events import registry
from services.intake.entrypoints import api
from shared.adapters.infrastructure import Infrastructure
from shared.kernel.contracts import Kind
from shared.kernel.decider import CommandHandler
from shared.rules.policy import DEFAULT_FILE, load_policy
from shared.settings import ServiceSettings
from shared.web.app import Parts, create_app

TITLE = "Intake: proposals in, review, registration (立案)"
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def load_rules(directory: Path = DEPLOY / "policy") -> Rules:
    """The policy of every jurisdiction with a file in `directory`, for both kinds."""
    jurisdictions = [p.stem for p in sorted(directory.glob("*.toml")) if p.name != DEFAULT_FILE]
    kinds: tuple[Kind, ...] = get_args(Kind)
    return Rules({(j, k): load_policy(directory, j, k) for j in jurisdictions for k in kinds})


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    handler = CommandHandler(infra.events, registry, intake_decider(load_rules()))
    return standard_parts(
        settings,
        infra,
        registry=registry,
        translate=to_integration,
        routers=[api.router],
        context={"service": ProposalService(handler)},
    )


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or IntakeSettings(), build, title=TITLE, infrastructure=infrastructure)
