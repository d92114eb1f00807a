"""Real proposals from the seeds, as the events and commands the tests start from."""

from datetime import UTC, date, datetime

from services.allocation.application.inbound import INBOUND
from services.allocation.application.service import AllocationService
from services.allocation.domain import events as e
from services.allocation.domain.decider import make_decider
from services.allocation.domain.events import registry
from shared.adapters.eventstore import EventStore
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.decider import CommandHandler
from shared.kernel.records import Recorder
from shared.rules.calendar import WorkingCalendar
from shared.rules.policy import load_policies
from shared.rules.units import UnitRegistry
from shared.settings import DEPLOY

POLICIES = load_policies(DEPLOY / "policy")
CALENDAR = WorkingCalendar.load(DEPLOY / "calendar")
decider = make_decider(POLICIES, CALENDAR)

# 乌海 第60号提案 刘建峰 (seed 001): 家政 → 市商务局 lead with 市民政局 and 市人社局.
WUHAI_60 = "wuhai-2025-60"
ALLOCATED_AT = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)  # a Monday
wuhai_60_opened = e.CaseOpened(
    proposal_id=WUHAI_60,
    number="60",
    title="关于推动家政服务业发展的提案",
    kind="proposal",
    jurisdiction="wuhai",
    items=[1],
    opened_at=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
)
wuhai_60_allocated = e.ProposalAllocated(
    proposal_id=WUHAI_60,
    number="60",
    title="关于推动家政服务业发展的提案",
    kind="proposal",
    jurisdiction="wuhai",
    mode="主办+协办",
    routing=[e.Routing(item=1, lead="shangwu", co_units=["minzheng", "renshe"])],
    allocated_at=ALLOCATED_AT,
    reply_due=date(2025, 6, 10),
    co_opinion_due=date(2025, 4, 10),
    adjustment_until=date(2025, 3, 19),
)


def counted(event: e.ProposalAllocated) -> e.ProposalAllocated:
    """The event as the decider makes it now: with the 2025 calendar its deadlines were counted on."""
    return event.model_copy(update={"calendar_version": "2025-1"})


def acknowledged(unit: str, at: datetime = ALLOCATED_AT) -> e.AssignmentAcknowledged:
    return e.AssignmentAcknowledged(proposal_id=WUHAI_60, unit=unit, by="王丽", acknowledged_at=at)


# 中卫 第87号提案 (seed 000): item 1 → 市扶贫办 with 市民政局;
# item 2 → 各县（区）人民政府 with 市委宣传部 and 市民政局.
ZHONGWEI_87 = "zhongwei-2021-87"
zhongwei_87_opened = e.CaseOpened(
    proposal_id=ZHONGWEI_87,
    number="87",
    title="关于进一步巩固脱贫攻坚成果，提高农民防风险能力的建议",
    kind="proposal",
    jurisdiction="zhongwei",
    items=[1, 2],
    opened_at=datetime(2021, 3, 1, 9, 0, tzinfo=UTC),
)


async def deliver(service: AllocationService, message: CloudEvent) -> None:
    """A message from the bus, as allocation's consumer hands it over."""
    await INBOUND.bind(service)[message.type](message)


def allocation_service(store: EventStore) -> AllocationService:
    """Allocation's command service on `store`, with the registry of units and its record of others' facts."""
    return AllocationService(
        CommandHandler(store, registry, decider),
        UnitRegistry.load(DEPLOY / "units.toml"),
        Recorder(store, "allocation", INBOUND.contract),
    )
