"""The composition root of allocation."""

from datetime import UTC, datetime

from fastapi import FastAPI

from runtime.registry import all_events
from runtime.wiring import standard_parts
from services.allocation.application.digest import DailyDigest
from services.allocation.application.inbound import INBOUND
from services.allocation.application.outbound import to_integration
from services.allocation.application.scheduler import Scheduler
from services.allocation.application.service import AllocationService
from services.allocation.config import AllocationSettings
from services.allocation.contracts import contract
from services.allocation.domain.decider import make_decider
from services.allocation.domain.events import registry
from services.allocation.entrypoints import api, imports
from shared.adapters.infrastructure import Infrastructure
from shared.adapters.notify import LogNotifier, Notifier, SmtpNotifier
from shared.kernel.decider import CommandHandler
from shared.kernel.records import Recorder
from shared.rules.calendar import WorkingCalendar
from shared.rules.policy import load_policies
from shared.rules.scheduler import Rules
from shared.rules.units import UnitRegistry
from shared.settings import ServiceSettings
from shared.web.app import Parts, Worker, create_app

TITLE = "Allocation: 交办 to lead and co-units, internal allocation, deadlines"


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    policies, working = load_policies(settings.policy_dir), WorkingCalendar.load(settings.calendar_dir)
    decider = make_decider(policies, working)
    units = UnitRegistry.load(settings.units_file)
    recorder = Recorder(infra.events, settings.service_name, INBOUND.contract)
    service = AllocationService(CommandHandler(infra.events, registry, decider), units, recorder)
    parts = standard_parts(
        settings,
        infra,
        routers=[imports.router, api.router],
        publishes=(registry, to_integration, contract),
        consumes=(INBOUND, service),
        provides=(service,),
    )
    config = settings if isinstance(settings, AllocationSettings) else AllocationSettings()
    scheduler = Scheduler(
        infra.events,
        all_events(),
        policies,
        working,
        notifier_of(config),
        clock=lambda: datetime.now(UTC),
        rules=Rules(config.reminder_working_days, config.escalate_after_working_days),
    )
    parts.workers.append(Worker("scheduler", lambda: scheduler.run(config.scheduler_interval_seconds)))
    digest = DailyDigest(
        infra.events,
        all_events(),
        policies,
        working,
        scheduler.notifier,
        scheduler.clock,
        config.digest_due_soon_working_days,
    )
    parts.workers.append(Worker("digest", lambda: digest.run(config.scheduler_interval_seconds)))
    return parts


def notifier_of(config: AllocationSettings) -> Notifier:
    if not config.smtp_host:
        return LogNotifier()
    return SmtpNotifier(config.smtp_host, config.smtp_port, config.notify_sender)


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(settings or AllocationSettings(), build, title=TITLE, infrastructure=infrastructure)
