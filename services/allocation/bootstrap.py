"""The composition root of allocation."""

from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from runtime.registry import all_events
from runtime.wiring import standard_parts
from services.allocation.application.digest import DailyDigest
from services.allocation.application.scheduler import Scheduler
from services.allocation.application.service import AllocationService
from services.allocation.config import AllocationSettings
from services.allocation.contracts import to_integration
from services.allocation.domain.decider import Policies, make_decider
from services.allocation.domain.events import registry
from services.allocation.entrypoints import api, imports
from shared.adapters.infrastructure import Infrastructure
from shared.adapters.notify import LogNotifier, Notifier, SmtpNotifier
from shared.kernel.decider import CommandHandler
from shared.rules.calendar import WorkingCalendar
from shared.rules.policy import DEFAULT_FILE, KINDS, load_policy
from shared.rules.scheduler import Rules
from shared.rules.units import UnitRegistry
from shared.settings import ServiceSettings
from shared.web.app import Parts, Worker, create_app

TITLE = "Allocation: 交办 to lead and co-units, internal allocation, deadlines"
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def load_policies(directory: Path) -> Policies:
    """The rules of every jurisdiction that has a file in `deploy/policy`, for both kinds."""
    jurisdictions = [p.stem for p in sorted(directory.glob("*.toml")) if p.name != DEFAULT_FILE]
    return {(j, kind): load_policy(directory, j, kind) for j in jurisdictions for kind in KINDS}


def build(settings: ServiceSettings, infra: Infrastructure) -> Parts:
    policies, working = load_policies(DEPLOY / "policy"), WorkingCalendar.load(DEPLOY / "calendar")
    decider = make_decider(policies, working)
    units = UnitRegistry.load(DEPLOY / "units.toml")
    service = AllocationService(CommandHandler(infra.events, registry, decider), units)
    parts = standard_parts(
        settings,
        infra,
        registry=registry,
        translate=to_integration,
        routers=[imports.router, api.router],
        handlers={
            "intake.proposal-registered.v1": service.on_proposal_registered,
            "intake.proposal-ended.v1": service.on_proposal_ended,
        },
        context={"service": service},
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
