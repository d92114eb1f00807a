"""晋城 第254号 (茹菊霞, 社区养老) through its whole lifecycle, as the services record it, with dates,
and as the views service records what they announce of it.

市民政局 leads and 市人社局 helps; 面商 2025年7月9日 农业大厦630 孙雪斌; class A; the member is first
不满意, then 比较满意 (基本满意) in the second round, and the proposal is closed.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import NAMESPACE_URL, uuid5

from services.allocation.application.outbound import to_integration as allocation_announces
from services.allocation.domain import events as allocation
from services.feedback.application.outbound import to_integration as feedback_announces
from services.feedback.domain import events as feedback
from services.intake.application.outbound import to_integration as intake_announces
from services.intake.domain import events as intake
from services.reply.application.outbound import to_integration as reply_announces
from services.reply.domain import events as reply
from services.views.application.inbound import public_contract
from shared.adapters.eventstore import NewEvent, RecordedEvent
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.events import Event
from shared.kernel.gateway import Translate
from shared.kernel.records import OCCURRED_AT, SOURCE

Json = dict[str, object]

PID = "jincheng-254"
ITEMS = (
    intake.Item(number=1, text="加大社区养老服务设施建设投入"),
    intake.Item(number=2, text="培育专业化养老服务队伍"),
)
RUJUXIA = intake.Proposer(id="jincheng-rujuxia", name="茹菊霞", phone="15834218688", role="领衔")
TITLE = "关于加强社区养老服务体系建设的建议"
SESSION = "市政协八届四次会议"


def at(day: str, hour: int = 10) -> datetime:
    """A moment of a day in China (UTC+8), as a UTC time."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00").astimezone(UTC)


def submitted_and_registered() -> list[tuple[str, Event]]:
    return [
        (
            "intake",
            intake.ProposalSubmitted(
                proposal_id=PID,
                jurisdiction="jincheng",
                kind="proposal",
                session=SESSION,
                title=TITLE,
                items=ITEMS,
                proposers=(RUJUXIA,),
                channel="online",
                submitted_by="jincheng-rujuxia",
                at=at("2025-03-01"),
            ),
        ),
        ("intake", intake.ReviewStarted(proposal_id=PID, by="政协提案委", at=at("2025-03-03"))),
        (
            "intake",
            intake.ProposalRegistered(
                proposal_id=PID,
                number="254",
                category="社会事业",
                jurisdiction="jincheng",
                kind="proposal",
                session=SESSION,
                title=TITLE,
                items=ITEMS,
                proposers=(RUJUXIA,),
                by="政协提案委",
                at=at("2025-03-05"),
            ),
        ),
    ]


def allocated_to_minzheng_with_renshe() -> list[tuple[str, Event]]:
    routing = [allocation.Routing(item=n, lead="minzheng", co_units=["renshe"]) for n in (1, 2)]
    return [
        (
            "allocation",
            allocation.ProposalAllocated(
                proposal_id=PID,
                number="254",
                title=TITLE,
                kind="proposal",
                jurisdiction="jincheng",
                mode="主办+协办",
                routing=routing,
                allocated_at=at("2025-04-01"),
                reply_due=date(2025, 7, 15),
                co_opinion_due=date(2025, 6, 1),
                adjustment_until=date(2025, 4, 8),
            ),
        ),
        (
            "allocation",
            allocation.AssignmentAcknowledged(
                proposal_id=PID,
                unit="minzheng",
                by="孙雪斌",
                acknowledged_at=at("2025-04-02"),
            ),
        ),
        (
            "allocation",
            allocation.AssignmentAcknowledged(
                proposal_id=PID,
                unit="renshe",
                by="renshe-staff",
                acknowledged_at=at("2025-04-02"),
            ),
        ),
        (
            "allocation",
            allocation.InternallyAllocated(
                proposal_id=PID,
                unit="minzheng",
                allocated_at=at("2025-04-03"),
                tasks=[
                    allocation.InternalTask(
                        item=n,
                        section="养老服务科",
                        leader="分管副局长",
                        person="孙雪斌",
                        deadline=date(2025, 6, 30),
                    )
                    for n in (1, 2)
                ],
            ),
        ),
        (
            "reply",
            reply.RoundOpened(
                proposal_id=PID,
                round=1,
                lead_units=("minzheng",),
                due=date(2025, 7, 15),
                opinions=(),
                opened_at=at("2025-04-01"),
            ),
        ),
    ]


def co_opinion_consultation_and_reply() -> list[tuple[str, Event]]:
    return [
        (
            "reply",
            reply.CoOpinionSubmitted(
                proposal_id=PID,
                round=1,
                co_unit="renshe",
                signer="市人社局 分管领导",
                text="依托职业院校开展订单式养老护理培训，畅通养老护理从业人员职业发展通道。",
                submitted_at=at("2025-05-20"),
            ),
        ),
        (
            "reply",
            reply.ConsultationRecorded(
                proposal_id=PID,
                round=1,
                lead_unit="minzheng",
                held_on=date(2025, 7, 9),
                place="农业大厦630",
                staff=("孙雪斌",),
                member_opinion="同意答复意见要点",
                contact_phone="2516244",
                recorded_at=at("2025-07-09", 16),
            ),
        ),
        (
            "reply",
            reply.ReplyIssued(
                proposal_id=PID,
                round=1,
                lead_unit="minzheng",
                lead_units=("minzheng",),
                document_no="晋民函〔2025〕254号",
                result_class="A",
                answers=(reply.AnsweredItem(item=1, text="已纳入年度民生实事"),),
                signer="分管副局长",
                contact_person="孙雪斌",
                contact_phone="2516244",
                promise="",
                issued_at=at("2025-07-10"),
            ),
        ),
        (
            "feedback",
            feedback.FeedbackRequested(
                proposal_id=PID,
                round=1,
                proposer_id="jincheng-rujuxia",
                proposer_name="茹菊霞",
                token="t-254-1",
                due=date(2025, 8, 10),
                requested_at=at("2025-07-10", 11),
            ),
        ),
    ]


def unsatisfied_then_satisfied() -> list[tuple[str, Event]]:
    return [
        (
            "feedback",
            feedback.FeedbackAnswered(
                proposal_id=PID,
                round=1,
                proposer_id="jincheng-rujuxia",
                satisfaction="不满意",
                satisfaction_as_written="不满意",
                opinion="资金投入渠道的答复不够具体",
                suggestions="",
                recommended_units=(),
                channel="online",
                answered_at=at("2025-07-14"),
            ),
        ),
        (
            "feedback",
            feedback.RehandlingRequested(
                proposal_id=PID,
                round=2,
                lead_units=("minzheng",),
                due=date(2025, 8, 14),
                opinions=("资金投入渠道的答复不够具体",),
                requested_at=at("2025-07-14", 11),
            ),
        ),
        (
            "reply",
            reply.RoundOpened(
                proposal_id=PID,
                round=2,
                lead_units=("minzheng",),
                due=date(2025, 8, 14),
                opinions=("资金投入渠道的答复不够具体",),
                opened_at=at("2025-07-14", 12),
            ),
        ),
        (
            "reply",
            reply.ReplyIssued(
                proposal_id=PID,
                round=2,
                lead_unit="minzheng",
                lead_units=("minzheng",),
                document_no="晋民函〔2025〕255号",
                result_class="A",
                answers=(reply.AnsweredItem(item=1, text="市财政安排专项资金"),),
                signer="分管副局长",
                contact_person="孙雪斌",
                contact_phone="2516244",
                promise="",
                issued_at=at("2025-07-28"),
            ),
        ),
        (
            "feedback",
            feedback.FeedbackRequested(
                proposal_id=PID,
                round=2,
                proposer_id="jincheng-rujuxia",
                proposer_name="茹菊霞",
                token="t-254-2",
                due=date(2025, 8, 28),
                requested_at=at("2025-07-28", 11),
            ),
        ),
        (
            "feedback",
            feedback.FeedbackAnswered(
                proposal_id=PID,
                round=2,
                proposer_id="jincheng-rujuxia",
                satisfaction="基本满意",
                satisfaction_as_written="比较满意",
                opinion="",
                suggestions="",
                recommended_units=(),
                channel="online",
                answered_at=at("2025-08-01"),
            ),
        ),
        (
            "feedback",
            feedback.ProposalClosed(
                proposal_id=PID,
                round=2,
                outcome="closed",
                closed_at=at("2025-08-01", 11),
            ),
        ),
    ]


def whole_lifecycle() -> list[tuple[str, Event]]:
    return [
        *submitted_and_registered(),
        *allocated_to_minzheng_with_renshe(),
        *co_opinion_consultation_and_reply(),
        *unsatisfied_then_satisfied(),
    ]


ANNOUNCES: dict[str, Translate] = {
    "intake": intake_announces,
    "allocation": allocation_announces,
    "reply": reply_announces,
    "feedback": feedback_announces,
}
STREAM = f"views-received-{PID}"
"""Where the views service records what the services announce of 第254号."""


def moment_of(event: Event) -> datetime:
    return next(v for v in event.model_dump().values() if isinstance(v, datetime))


def published(story: Sequence[tuple[str, Event]]) -> list[tuple[str, IntegrationEvent, datetime]]:
    """What the services announce of the story: (service, public event, when it happened)."""
    out = []
    for service, event in story:
        public = ANNOUNCES[service](event)
        if public is not None:
            out.append((service, public, moment_of(event)))
    return out


def received(
    service: str, public: IntegrationEvent, moment: datetime
) -> tuple[str, dict[str, object], dict[str, object]]:
    """The type, data and metadata the views service records for one announced event."""
    type_name, data = public_contract().encode(public)
    metadata: Json = {
        "actor": "system:views",
        SOURCE: f"/proposals/{service}",
        OCCURRED_AT: moment.isoformat(),
    }
    return type_name, data, metadata


def new_events(story: Sequence[tuple[str, Event]], at: datetime) -> list[NewEvent]:
    """The story as the views service's record, to append to `STREAM`, as if the services had
    recorded all of it at `at`."""
    out = []
    for service, public, _ in published(story):
        type_name, data, metadata = received(service, public, at)
        out.append(NewEvent(uuid5(NAMESPACE_URL, f"{type_name}{data}"), type_name, data, metadata))
    return out


def recorded(
    story: Sequence[tuple[str, Event]], lag: timedelta = timedelta(seconds=1)
) -> list[RecordedEvent]:
    """The views' record of the story, each event recorded at its source `lag` after its own time."""
    out = []
    for position, (service, public, moment) in enumerate(published(story), start=1):
        type_name, data, metadata = received(service, public, moment + lag)
        out.append(
            RecordedEvent(
                id=uuid5(NAMESPACE_URL, f"{position}"),
                stream=STREAM,
                version=position - 1,
                position=position,
                type=type_name,
                data=data,
                metadata=metadata,
                recorded_at=moment + lag,
            )
        )
    return out


class DatedEventStore(InMemoryEventStore):
    """A store read from events recorded at chosen times (the in-memory store stamps `now`)."""

    def __init__(self, events: list[RecordedEvent]) -> None:
        super().__init__()
        self.events = events

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return [e for e in self.events if e.position > after][:limit]

    async def head(self) -> int:
        return self.events[-1].position if self.events else 0


def key_item_supervised_and_urged() -> list[tuple[str, Event]]:
    """The office makes 第254号 a key item, a vice-chairman visits 市民政局, and 市人社局 is urged."""
    return [
        (
            "allocation",
            allocation.KeyItemDesignated(
                proposal_id=PID,
                leader="王志强",
                leader_title="市政协副主席",
                reason="养老服务民生重点",
                designated_at=at("2025-04-03"),
            ),
        ),
        (
            "allocation",
            allocation.SupervisionRecorded(
                proposal_id=PID,
                kind="visit",
                held_on=date(2025, 5, 20),
                notes="到市民政局调研社区养老服务体系建设",
                by="王志强",
                recorded_at=at("2025-05-20"),
            ),
        ),
        (
            "allocation",
            allocation.UnitUrged(
                proposal_id=PID,
                unit="renshe",
                reason="协办意见尚未提交",
                by="政协提案委",
                urged_at=at("2025-05-26"),
            ),
        ),
    ]
