"""晋城 第254号 through 2025 on a simulated clock: the history, the scheduler, a notifier that records.

Allocation learns the history the way the service does: its own domain events in its proposal
stream, and the public events of reply and feedback through its inbound handlers, which record them
in its own store.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from services.allocation.application.deadline_view import Deadlines, deadlines
from services.allocation.application.scheduler import Scheduler
from services.allocation.domain import events as a
from services.allocation.domain.commands import Allocate, OpenCase
from services.allocation.domain.decider import make_decider
from services.allocation.domain.events import registry
from services.allocation.domain.schedule import SIGNALS
from services.feedback import contracts as feedback
from services.reply import contracts as reply
from shared.adapters.eventstore import EventStore, NewEvent
from shared.adapters.notify import Notification
from shared.adapters.readstore import ReadStore
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.decider import CommandHandler
from shared.kernel.events import Event
from shared.kernel.ids import derived_id
from shared.rules.calendar import WorkingCalendar
from shared.rules.deadlines import add_months
from shared.rules.policy import load_policies
from shared.rules.scheduler import Rules
from shared.settings import DEPLOY
from tests.unit.allocation.examples import allocation_service, deliver

POLICIES = load_policies(DEPLOY / "policy")
CALENDAR = WorkingCalendar.load(DEPLOY / "calendar")
PID = "jincheng-2025-254"
TITLE = "关于加快发展居家社区养老服务的提案"
ANSWER = "持续增加社区养老服务设施供给，提供多层次多元化养老服务。"


def at(day: date, hour: int = 1) -> datetime:
    """`hour` o'clock UTC on `day`: 9:00 in 晋城 for the default."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def allocated_on(day: date) -> a.ProposalAllocated:
    """交办 by the real decider: 市民政局 leads, 市商务局 gives a co-opinion."""
    decider = make_decider(POLICIES, CALENDAR)
    opened = OpenCase(PID, "254", TITLE, "proposal", "jincheng", (1,), at(day))
    state = decider.fold(decider.decide(opened, decider.initial))
    events = decider.decide(Allocate("主办+协办", at(day), "minzheng", ("shangwu",)), state)
    allocated = events[0]
    assert isinstance(allocated, a.ProposalAllocated)
    return allocated


def history() -> dict[date, list[Event]]:
    """What happens on each day of 2025: allocation's own events and the public events it receives."""
    allocated = allocated_on(date(2025, 1, 22))
    feedback_due = CALENDAR.add_working_days(date(2025, 7, 15), 20)
    days: dict[date, list[Event]] = {
        date(2025, 1, 22): [allocated],
        date(2025, 1, 23): [
            a.AdjustmentRequested(
                proposal_id=PID, unit="shangwu", reason="非本单位职责", requested_at=at(date(2025, 1, 23))
            )
        ],
        date(2025, 2, 5): [
            a.AdjustmentRefused(
                proposal_id=PID, unit="shangwu", reason="属商务职责", decided_at=at(date(2025, 2, 5))
            )
        ],
        date(2025, 2, 7): [
            a.AssignmentAcknowledged(
                proposal_id=PID, unit="minzheng", by="孙雪斌", acknowledged_at=at(date(2025, 2, 7))
            )
        ],
        date(2025, 2, 21): [
            reply.CoOpinionSubmittedV1(
                proposal_id=PID,
                round=1,
                co_unit="shangwu",
                text="同意",
                signer="李明",
                submitted_at=at(date(2025, 2, 21)),
            )
        ],
        date(2025, 4, 16): [
            a.ExtensionGranted(
                proposal_id=PID,
                unit="minzheng",
                reply_due=date(2025, 7, 22),
                decided_at=at(date(2025, 4, 16)),
            )
        ],
        date(2025, 7, 15): [
            reply_issued(date(2025, 7, 15)),
            feedback.FeedbackRequestedV1(
                proposal_id=PID,
                round=1,
                proposer_id="ru-juxia",
                proposer_name="茹菊霞",
                due=feedback_due.date,
                requested_at=at(date(2025, 7, 15)),
                calendar_version=feedback_due.calendar_version,
            ),
        ],
        date(2025, 9, 10): [
            feedback.FeedbackAnsweredV1(
                proposal_id=PID,
                round=1,
                proposer_id="ru-juxia",
                satisfaction="不满意",
                satisfaction_as_written="不满意",
                channel="paper",
                answered_at=at(date(2025, 9, 10)),
            ),
            feedback.RehandlingRequestedV1(
                proposal_id=PID,
                round=2,
                lead_units=["minzheng"],
                due=add_months(date(2025, 9, 10), 1),
                opinions=["社区食堂未落实"],
            ),
        ],
        date(2025, 10, 20): [reply_issued(date(2025, 10, 20), round_=2, result_class="A")],
    }
    return days


def reply_issued(day: date, round_: int = 1, result_class: str = "B") -> reply.ReplyIssuedV1:
    """市民政局's reply to 茹菊霞 (seed 004), as reply announces it."""
    return reply.ReplyIssuedV1(
        proposal_id=PID,
        round=round_,
        lead_unit="minzheng",
        lead_units=["minzheng"],
        document_no=f"晋民函〔2025〕{253 + round_}号",
        result_class=result_class,
        answers=[reply.AnswerV1(item=1, text=ANSWER)],
        signer="分管副局长",
        contact_person="孙雪斌",
        contact_phone="2566249",
        issued_at=at(day),
    )


@dataclass
class RecordingNotifier:
    sent: list[Notification] = field(default_factory=list)
    fail_next: bool = False

    async def send(self, notification: Notification) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the process was killed before the mail left")
        self.sent.append(notification)


@dataclass
class SimulatedClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


async def record(store: EventStore, day: date, day_events: list[Event]) -> None:
    """Allocation's own events appended to its proposal stream; the others delivered to its inbound
    handlers as CloudEvents sent on `day`, with ids derived from their content."""
    for event in day_events:
        if isinstance(event, IntegrationEvent):
            await deliver(allocation_service(store), envelope(event, at(day)))
        else:
            await append(store, event)


async def append(store: EventStore, event: Event) -> None:
    stream = f"allocation-proposal-{PID}"
    version = len(await store.read_stream(stream))
    type_name, data = registry.encode(event)
    new = NewEvent(derived_id(stream, type_name, version), type_name, data)
    await store.append(stream, [new], expected_version=version)


def envelope(event: IntegrationEvent, sent_at: datetime) -> CloudEvent:
    data = event.model_dump(mode="json")
    source = event.type_name.split(".", 1)[0]
    return CloudEvent(
        id=str(derived_id(event.type_name, *sorted(data.items()))),
        source=f"/proposals/{source}",
        type=event.type_name,
        time=sent_at,
        data=data,
        correlationid=PID,
    )


def view_of(store: EventStore, views: ReadStore | None = None) -> Deadlines:
    """Allocation's deadlines view of `store`, in `views` (a fresh read store when not given)."""
    return deadlines(store, views or InMemoryReadStore(), POLICIES, CALENDAR)


def scheduler(store: EventStore, notifier: RecordingNotifier, clock: Callable[[], datetime]) -> Scheduler:
    return Scheduler(
        view_of(store),
        CommandHandler(store, registry, SIGNALS),
        CALENDAR,
        notifier,
        clock,
        Rules(reminders=(5, 1), escalate_after=3),
        address_of=lambda party: f"{party}@jincheng.example",
    )


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
