"""What the query API of the views answers: the shapes of `services.views.application.queries`.

Values read from the views are the strings the projection wrote (dates and times in ISO 8601)."""

from datetime import date

from shared.web.schemas import Schema, Sparse


class Feedback(Schema):
    """A proposer's answer to the feedback form; `satisfaction` is empty while it is awaited."""

    proposer_id: str
    name: str
    round: int
    satisfaction: str
    as_written: str


class Assignment(Schema):
    proposal_id: str
    number: str
    title: str
    kind: str
    role: str
    """lead or co."""
    state: str
    proposal_state: str
    deadline: str | None
    working_days_left: int | None
    overdue: bool
    done: bool
    result_class: str
    key_item: bool
    urges: int
    co_opinions_awaited: list[str]
    feedback_awaited: list[str]
    satisfaction: list[Feedback]


class AssignmentCounts(Schema):
    lead: int
    co: int
    open: int
    overdue: int


class UnitView(Schema):
    unit: str
    today: date
    assignments: list[Assignment]
    counts: AssignmentCounts


class CoOpinion(Schema):
    round: int
    signer: str
    at: str
    text: str


class UnitPart(Sparse):
    """One unit's part in a proposal, with what it has done so far."""

    unit: str
    role: str
    """lead, co, or former after an adjustment."""
    co_opinion: CoOpinion | None
    state: str | None = None
    reply_due: str | None = None
    acknowledged_at: str | None = None
    adjustment_requested: str | None = None
    internally_allocated_at: str | None = None
    extension_requested: str | None = None
    extended_due: str | None = None
    urges: str | None = None
    opinion_at: str | None = None
    consultations: str | None = None
    result_class: str | None = None
    document_no: str | None = None
    replied_round: str | None = None
    last_replied_at: str | None = None
    replied_at: str | None = None


class KeyItem(Schema):
    """重点提案 or 重点督办建议, and the leader who supervises it."""

    label: str
    leader: str
    leader_title: str
    reason: str
    designated_at: str


class Supervision(Schema):
    kind: str
    label: str
    held_on: str
    notes: str
    by: str
    at: str


class Urge(Schema):
    unit: str
    reason: str
    by: str
    at: str


class TimelineEntry(Schema):
    at: str
    service: str
    what: str
    actor: str
    type: str


class ProposalView(Schema):
    proposal_id: str
    number: str
    title: str
    kind: str
    session: str
    category: str
    jurisdiction: str
    proposers: list[str]
    state: str
    intake_state: str
    mode: str
    lead_units: list[str]
    co_units: list[str]
    reply_due: str
    co_opinion_due: str
    co_opinions_awaited: list[str]
    consultations: int
    reply_round: int
    result_class: str
    office_class: str
    feedback_round: int
    feedback: list[Feedback]
    dates: dict[str, str]
    units: list[UnitPart]
    key_item: KeyItem | None
    supervision: list[Supervision]
    urges: list[Urge]
    timeline: list[TimelineEntry]


class UnitFigures(Schema):
    unit: str
    lead: int
    co: int
    closed: int
    closed_rate: float | None
    replied: int
    on_time: int
    on_time_rate: float | None
    consulted: int
    consultation_rate: float | None
    answered: int
    satisfied: int
    satisfaction_rate: float | None
    classes: dict[str, int]
    adjustment_requests: int
    adjustment_rate: float | None
    overdue: int


class KeyItemState(Sparse):
    """A key item with its state, its reply deadline and how it has been supervised."""

    proposal_id: str
    number: str
    title: str
    kind: str
    state: str
    label: str | None = None
    leader: str | None = None
    leader_title: str | None = None
    reason: str | None = None
    designated_at: str | None = None
    lead_units: list[str]
    reply_due: str
    working_days_left: int | None
    overdue: bool
    supervisions: int
    last_supervised_on: str
    urges: int


class Overview(Schema):
    today: date
    total: int
    by_state: dict[str, int]
    units: list[UnitFigures]
    by_session: dict[str, int]
    by_category: dict[str, int]
    key_items: list[KeyItemState]


class Activity(Schema):
    """Counts of the events recorded, by type, service and day, and the last of each."""

    by_type: dict[str, str]
    by_service: dict[str, str]
    by_day: dict[str, str]
    last: dict[str, str]
