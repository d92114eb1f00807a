"""晋城 第254号 through 2025 on a simulated clock: the history, the scheduler, a notifier that records."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from runtime.registry import all_events
from services.allocation.application.scheduler import Scheduler
from services.allocation.domain import events as a
from services.allocation.domain.commands import Allocate, OpenCase
from services.allocation.domain.decider import make_decider
from services.feedback.domain import events as f
from services.reply.domain import events as r
from shared.adapters.eventstore import EventStore, NewEvent
from shared.adapters.notify import Notification
from shared.kernel.events import Event
from shared.kernel.ids import derived_id
from shared.rules.calendar import WorkingCalendar
from shared.rules.deadlines import add_months
from shared.rules.policy import load_policies
from shared.rules.scheduler import Rules
from shared.settings import DEPLOY

POLICIES = load_policies(DEPLOY / "policy")
CALENDAR = WorkingCalendar.load(DEPLOY / "calendar")
REGISTRY = all_events()
PID = "jincheng-2025-254"
TITLE = "关于加快发展居家社区养老服务的提案"


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


def history() -> dict[date, list[tuple[str, Event]]]:
    """What happens on each day of 2025, stream by stream."""
    allocated = allocated_on(date(2025, 1, 22))
    feedback_due = CALENDAR.add_working_days(date(2025, 7, 15), 20)
    days: dict[date, list[tuple[str, Event]]] = {
        date(2025, 1, 22): [("allocation-proposal", allocated)],
        date(2025, 1, 23): [
            (
                "allocation-proposal",
                a.AdjustmentRequested(
                    proposal_id=PID, unit="shangwu", reason="非本单位职责", requested_at=at(date(2025, 1, 23))
                ),
            )
        ],
        date(2025, 2, 5): [
            (
                "allocation-proposal",
                a.AdjustmentRefused(
                    proposal_id=PID, unit="shangwu", reason="属商务职责", decided_at=at(date(2025, 2, 5))
                ),
            )
        ],
        date(2025, 2, 7): [
            (
                "allocation-proposal",
                a.AssignmentAcknowledged(
                    proposal_id=PID, unit="minzheng", by="孙雪斌", acknowledged_at=at(date(2025, 2, 7))
                ),
            )
        ],
        date(2025, 2, 21): [
            (
                "reply-proposal",
                r.CoOpinionSubmitted(
                    proposal_id=PID,
                    round=1,
                    co_unit="shangwu",
                    text="同意",
                    signer="李明",
                    submitted_at=at(date(2025, 2, 21)),
                ),
            )
        ],
        date(2025, 4, 16): [
            (
                "allocation-proposal",
                a.ExtensionGranted(
                    proposal_id=PID,
                    unit="minzheng",
                    reply_due=date(2025, 7, 22),
                    decided_at=at(date(2025, 4, 16)),
                ),
            )
        ],
        date(2025, 7, 15): [
            (
                "feedback-proposal",
                f.ProposalRecorded(
                    proposal_id=PID,
                    number="254",
                    title=TITLE,
                    jurisdiction="jincheng",
                    kind="proposal",
                    proposers=(f.ProposerRecord(id="ru-juxia", name="茹菊霞"),),
                    recorded_at=at(date(2025, 1, 10)),
                ),
            ),
            (
                "feedback-proposal",
                f.ReplyRecorded(
                    proposal_id=PID,
                    round=1,
                    lead_unit="minzheng",
                    lead_units=("minzheng",),
                    result_class="B",
                    promise="",
                    issued_at=at(date(2025, 7, 15)),
                ),
            ),
            (
                "feedback-proposal",
                f.FeedbackRequested(
                    proposal_id=PID,
                    round=1,
                    proposer_id="ru-juxia",
                    proposer_name="茹菊霞",
                    token="t" * 40,
                    due=feedback_due.date,
                    requested_at=at(date(2025, 7, 15)),
                    calendar_version=feedback_due.calendar_version,
                ),
            ),
        ],
        date(2025, 9, 10): [
            (
                "feedback-proposal",
                f.FeedbackAnswered(
                    proposal_id=PID,
                    round=1,
                    proposer_id="ru-juxia",
                    satisfaction="不满意",
                    satisfaction_as_written="不满意",
                    opinion="社区食堂未落实",
                    suggestions="",
                    recommended_units=(),
                    channel="paper",
                    answered_at=at(date(2025, 9, 10)),
                ),
            ),
            (
                "feedback-proposal",
                f.RehandlingRequested(
                    proposal_id=PID,
                    round=2,
                    lead_units=("minzheng",),
                    due=add_months(date(2025, 9, 10), 1),
                    opinions=("社区食堂未落实",),
                    requested_at=at(date(2025, 9, 10)),
                ),
            ),
        ],
        date(2025, 10, 20): [
            (
                "feedback-proposal",
                f.ReplyRecorded(
                    proposal_id=PID,
                    round=2,
                    lead_unit="minzheng",
                    lead_units=("minzheng",),
                    result_class="A",
                    promise="",
                    issued_at=at(date(2025, 10, 20)),
                ),
            )
        ],
    }
    return days


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


async def record(store: EventStore, day_events: list[tuple[str, Event]]) -> None:
    for category, event in day_events:
        stream = f"{category}-{PID}"
        version = len(await store.read_stream(stream))
        type_name, data = REGISTRY.encode(event)
        new = NewEvent(derived_id(stream, type_name, version), type_name, data)
        await store.append(stream, [new], expected_version=version)


def scheduler(store: EventStore, notifier: RecordingNotifier, clock: Callable[[], datetime]) -> Scheduler:
    return Scheduler(
        store,
        REGISTRY,
        POLICIES,
        CALENDAR,
        notifier,
        clock,
        Rules(reminders=(5, 1), escalate_after=3),
        address_of=lambda party: f"{party}@jincheng.example",
    )


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
