"""What can be asked of a reply: each command carries its time and who acts, made at the edge."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from shared.kernel.contracts import Kind

Channel = Literal["online", "paper"]


@dataclass(frozen=True)
class ItemRouting:
    """Who leads one numbered suggestion item of the proposal, and who helps."""

    item: int
    lead: str
    co_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    item: int
    text: str


@dataclass(frozen=True)
class Proposer:
    id: str
    name: str
    unit: str = ""
    phone: str = ""
    role: Literal["领衔", "联名"] = "领衔"


@dataclass(frozen=True)
class TakeRegistration:
    """立案 as intake announced it: what the documents print of the proposal and its proposers."""

    proposal_id: str
    jurisdiction: str
    kind: Kind
    session: str
    number: str
    title: str
    items: tuple[tuple[int, str], ...]
    proposers: tuple[Proposer, ...]
    at: datetime


@dataclass(frozen=True)
class TakeAllocation:
    """交办 (or a later reallocation) as allocation announced it, with the result classes of the
    jurisdiction's policy in force at that moment."""

    proposal_id: str
    revision: int
    number: str
    title: str
    kind: Kind
    jurisdiction: str
    lead_units: tuple[str, ...]
    co_units: tuple[str, ...]
    routing: tuple[ItemRouting, ...]
    reply_due: date
    co_opinion_due: date
    result_classes: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class OpenRound:
    """不满意: the lead units answer again, by `due`."""

    proposal_id: str
    round: int
    lead_units: tuple[str, ...]
    due: date
    opinions: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class SubmitCoOpinion:
    proposal_id: str
    unit: str
    text: str
    signer: str
    at: datetime


@dataclass(frozen=True)
class RecordConsultation:
    """面商: the lead unit met the member."""

    proposal_id: str
    unit: str
    held_on: date
    place: str
    staff: tuple[str, ...]
    member_opinion: str
    contact_phone: str
    at: datetime
    channel: Channel = "online"
    """paper: entered by the unit from the 面商记录表 the member signed."""


@dataclass(frozen=True)
class OverrideCoOpinions:
    """The office lets the leads reply without the co-unit opinions still missing in this round."""

    proposal_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class IssueReply:
    proposal_id: str
    unit: str
    document_no: str
    result_class: str
    answers: tuple[Answer, ...]
    signer: str
    contact_person: str
    contact_phone: str
    promise: str
    at: datetime


@dataclass(frozen=True)
class ChangeResultClass:
    """The office changes the class a lead unit chose for its reply of the current round."""

    proposal_id: str
    lead_unit: str
    new_class: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class PublishReply:
    """The office publishes a lead unit's reply as 摘要 or 全文. `text` is the summary for 摘要; for
    全文 it is the office's edited text, or empty for the reply's answers. `round` None: the current one."""

    proposal_id: str
    lead_unit: str
    round: int | None
    form: str
    text: str
    at: datetime


@dataclass(frozen=True)
class DecideNotToPublish:
    """The office keeps a lead unit's reply from the public, with the reason recorded."""

    proposal_id: str
    lead_unit: str
    round: int | None
    reason: str
    at: datetime


Command = (
    TakeRegistration
    | TakeAllocation
    | OpenRound
    | SubmitCoOpinion
    | RecordConsultation
    | OverrideCoOpinions
    | IssueReply
    | ChangeResultClass
    | PublishReply
    | DecideNotToPublish
)
