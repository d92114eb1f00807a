"""The composition root of reply."""

from pathlib import Path

from fastapi import FastAPI

from runtime.wiring import standard_parts
from services.reply.application import inbound
from services.reply.application.service import Policies, ReplyService
from services.reply.config import ReplySettings
from services.reply.contracts import to_integration
from services.reply.domain.events import registry
from services.reply.entrypoints import api
from shared.adapters.infrastructure import Infrastructure
from shared.documents.settings import load_all
from shared.rules.policy import DEFAULT_FILE, KINDS, load_policy
from shared.rules.units import UnitRegistry
from shared.settings import ServiceSettings
from shared.web.app import Parts, create_app

TITLE = "Reply: co-unit opinions, consultations (面商), replies"
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def load_policies(directory: Path) -> Policies:
    """Every jurisdiction's policy for both kinds, from `deploy/policy/*.toml`."""
    jurisdictions = [p.stem for p in sorted(directory.glob("*.toml")) if p.name != DEFAULT_FILE]
    return {(j, kind): load_policy(directory, j, kind) for j in jurisdictions for kind in KINDS}


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    policies = DEPLOY / "policy"
    units = UnitRegistry.load(DEPLOY / "units.toml")
    documents = load_all(policies, {u.id: u.name for u in units.all()})
    service = ReplyService(infra.events, load_policies(policies), documents, units)
    return standard_parts(
        settings,
        infra,
        registry=registry,
        translate=to_integration,
        routers=[api.router],
        handlers=inbound.handlers(service),
        context={"service": service},
    )


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or ReplySettings(), build, title=TITLE, infrastructure=infrastructure)
