"""The composition root of feedback."""

from fastapi import FastAPI

from runtime.wiring import standard_parts
from services.feedback.application.forms import FormLinks
from services.feedback.application.inbound import INBOUND
from services.feedback.application.notices import MemberNotices
from services.feedback.application.outbound import to_integration
from services.feedback.application.service import FeedbackService
from services.feedback.config import FeedbackSettings
from services.feedback.contracts import contract
from services.feedback.domain.decider import feedback_decider
from services.feedback.domain.events import registry
from services.feedback.entrypoints import api
from shared.adapters.infrastructure import Infrastructure
from shared.adapters.notify import LogNotifier, Notifier, SmtpNotifier
from shared.documents.settings import load_all
from shared.kernel.decider import CommandHandler
from shared.kernel.projections import ProjectionRunner
from shared.rules.calendar import WorkingCalendar
from shared.rules.policy import load_policies
from shared.rules.units import UnitRegistry
from shared.settings import ServiceSettings
from shared.web.app import Parts, Worker, create_app

TITLE = "Feedback: satisfaction, re-handling, closing"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    config = settings if isinstance(settings, FeedbackSettings) else FeedbackSettings()
    policies = load_policies(settings.policy_dir)
    handler = CommandHandler(
        infra.events, registry, feedback_decider(policies, WorkingCalendar.load(settings.calendar_dir))
    )
    units = UnitRegistry.load(settings.units_file)
    service = FeedbackService(
        handler,
        infra.views,
        policies,
        units,
        config.form_link_secret.get_secret_value(),
        load_all(settings.policy_dir, {u.id: u.name for u in units.all()}),
    )
    parts = standard_parts(
        settings,
        infra,
        routers=[api.router],
        publishes=(registry, to_integration, contract),
        consumes=(INBOUND, service),
        provides=(service,),
    )
    links = ProjectionRunner(FormLinks(), infra.events, infra.views, registry)
    parts.workers.append(Worker(f"projection:{links.projection.name}", links.run))
    notifier: Notifier = (
        SmtpNotifier(config.smtp_host, config.smtp_port, config.notify_sender)
        if config.smtp_host
        else LogNotifier()
    )
    member_notices = MemberNotices(infra.events, infra.views, notifier)
    parts.workers.append(Worker("member-notices", member_notices.run))
    return parts


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or FeedbackSettings(), build, title=TITLE, infrastructure=infrastructure)
