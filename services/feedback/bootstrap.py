"""The composition root of feedback."""

from pathlib import Path

from fastapi import FastAPI

from runtime.registry import all_events
from runtime.wiring import standard_parts
from services.feedback.application.forms import FormLinks
from services.feedback.application.notices import MemberNotices
from services.feedback.application.service import FeedbackService
from services.feedback.config import FeedbackSettings
from services.feedback.contracts import to_integration
from services.feedback.domain.decider import Policies, feedback_decider
from services.feedback.domain.events import registry
from services.feedback.entrypoints import api
from shared.adapters.infrastructure import Infrastructure
from shared.adapters.notify import LogNotifier, Notifier, SmtpNotifier
from shared.documents.settings import load_all
from shared.kernel.decider import CommandHandler
from shared.kernel.projections import ProjectionRunner
from shared.rules.calendar import WorkingCalendar
from shared.rules.policy import DEFAULT_FILE, KINDS, load_policy
from shared.rules.units import UnitRegistry
from shared.settings import ServiceSettings
from shared.web.app import Parts, Worker, create_app

TITLE = "Feedback: satisfaction, re-handling, closing"
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def load_policies(directory: Path = DEPLOY / "policy") -> Policies:
    """Every jurisdiction's rules for both kinds, by (jurisdiction, kind)."""
    jurisdictions = [p.stem for p in sorted(directory.glob("*.toml")) if p.name != DEFAULT_FILE]
    return {(j, kind): load_policy(directory, j, kind) for j in jurisdictions for kind in KINDS}


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    policies = load_policies()
    handler = CommandHandler(
        infra.events, registry, feedback_decider(policies, WorkingCalendar.load(DEPLOY / "calendar"))
    )
    units = UnitRegistry.load(DEPLOY / "units.toml")
    service = FeedbackService(
        handler,
        infra.views,
        policies,
        units,
        settings.token_secret.get_secret_value(),
        load_all(DEPLOY / "policy", {u.id: u.name for u in units.all()}),
    )
    parts = standard_parts(
        settings,
        infra,
        registry=registry,
        translate=to_integration,
        routers=[api.router],
        handlers={
            "intake.proposal-registered.v1": service.on_proposal_registered,
            "reply.reply-issued.v1": service.on_reply_issued,
        },
        context={"service": service},
    )
    links = ProjectionRunner(FormLinks(), infra.events, infra.views, all_events())
    parts.workers.append(Worker(f"projection:{links.projection.name}", links.run))
    config = settings if isinstance(settings, FeedbackSettings) else FeedbackSettings()
    notifier: Notifier = (
        SmtpNotifier(config.smtp_host, config.smtp_port, config.notify_sender)
        if config.smtp_host
        else LogNotifier()
    )
    member_notices = MemberNotices(infra.events, registry, notifier)
    parts.workers.append(
        Worker("member-notices", lambda: member_notices.run(config.notices_interval_seconds))
    )
    return parts


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or FeedbackSettings(), build, title=TITLE, infrastructure=infrastructure)
