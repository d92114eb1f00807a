"""The composition root of allocation."""

from datetime import UTC, datetime

from fastapi import FastAPI

from runtime.wiring import standard_parts
from services.allocation.application.deadline_view import deadlines
from services.allocation.application.digest import DailyDigest
from services.allocation.application.inbound import INBOUND
from services.allocation.application.outbound import to_integration
from services.allocation.application.scheduler import Scheduler
from services.allocation.application.service import AllocationService
from services.allocation.config import AllocationSettings
from services.allocation.contracts import contract
from services.allocation.domain.decider import make_decider
from services.allocation.domain.events import registry
from services.allocation.domain.schedule import DIGESTS, SIGNALS
from services.allocation.entrypoints import api, imports
from shared.adapters.infrastructure import Infrastructure
from shared.adapters.notify import LogNotifier, Notifier, SmtpNotifier
from shared.kernel.decider import CommandHandler
from shared.kernel.records import Recorder
from shared.rules.calendar import WorkingCalendar
from shared.rules.policy import Policies, load_policies
from shared.rules.scheduler import Rules
from shared.rules.units import UnitRegistry
from shared.settings import ServiceSettings
from shared.web.app import Parts, Worker, create_app
from shared.web.edge import Edge

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
    if settings.unit_id is None:  # the deadlines of every unit are the central instance's to watch
        parts.workers += clock_workers(config, infra, policies, working)
    return parts


def clock_workers(
    config: AllocationSettings, infra: Infrastructure, policies: Policies, working: WorkingCalendar
) -> list[Worker]:
    """The scheduler and the daily digest, both reading the deadlines view of allocation's own store."""
    view = deadlines(infra.events, infra.views, policies, working)
    notifier, clock = notifier_of(config), lambda: datetime.now(UTC)
    rules = Rules(config.reminder_working_days, config.escalate_after_working_days)
    scheduler = Scheduler(
        view, CommandHandler(infra.events, registry, SIGNALS), working, notifier, clock, rules
    )
    digest = DailyDigest(
        view,
        CommandHandler(infra.events, registry, DIGESTS),
        working,
        notifier,
        clock,
        config.digest_due_soon_working_days,
    )
    every = config.scheduler_interval_seconds
    return [Worker("scheduler", lambda: scheduler.run(every)), Worker("digest", lambda: digest.run(every))]


def notifier_of(config: AllocationSettings) -> Notifier:
    if not config.smtp_host:
        return LogNotifier()
    return SmtpNotifier(config.smtp_host, config.smtp_port, config.notify_sender)


def create(settings: ServiceSettings | None = None, infrastructure: Infrastructure | None = None) -> FastAPI:
    return create_app(
        settings or AllocationSettings(),
        build,
        title=TITLE,
        infrastructure=infrastructure,
        edge=Edge(body_limits={imports.PATH: imports.BODY_LIMIT}),
    )
