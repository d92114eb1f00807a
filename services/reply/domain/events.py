"""The private domain events of reply, by their stored type names."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.kernel.contracts import Kind
from shared.kernel.events import Event, EventRegistry

registry = EventRegistry()


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RoutedItem(_Part):
    item: int
    lead: str
    co_units: tuple[str, ...] = ()


class AnsweredItem(_Part):
    item: int
    text: str


class Proposer(_Part):
    id: str
    name: str
    unit: str = ""
    phone: str = ""
    role: Literal["领衔", "联名"] = "领衔"


class ProposalItem(_Part):
    number: int
    text: str


class LetterDigest(_Part):
    """What identifies the 答复函 rendered from a reply: the template's version and each file's sha256."""

    template: str
    pdf_sha256: str
    docx_sha256: str


@registry.register("reply.registration-taken.v1")
class RegistrationTaken(Event):
    """立案 as intake announced it: the session, the items and the proposers, which the 答复函 and the
    面商记录表 print."""

    proposal_id: str
    jurisdiction: str
    kind: Kind
    session: str
    number: str
    title: str
    items: tuple[ProposalItem, ...]
    proposers: tuple[Proposer, ...]
    taken_at: datetime


@registry.register("reply.allocation-taken.v1")
class AllocationTaken(Event):
    """The first allocation opens round 1; a later revision replaces who leads and who helps."""

    proposal_id: str
    revision: int
    number: str
    title: str
    kind: Kind
    jurisdiction: str
    lead_units: tuple[str, ...]
    co_units: tuple[str, ...]
    routing: tuple[RoutedItem, ...]
    reply_due: date
    co_opinion_due: date
    result_classes: tuple[str, ...]
    """The codes of the jurisdiction's result classes in force when the proposal was allocated."""
    taken_at: datetime


@registry.register("reply.round-opened.v1")
class RoundOpened(Event):
    proposal_id: str
    round: int
    lead_units: tuple[str, ...]
    due: date
    opinions: tuple[str, ...]
    opened_at: datetime


@registry.register("reply.co-opinion-submitted.v1")
class CoOpinionSubmitted(Event):
    proposal_id: str
    round: int
    co_unit: str
    text: str
    signer: str
    submitted_at: datetime


@registry.register("reply.consultation-recorded.v1")
class ConsultationRecorded(Event):
    """面商记录: when, where, who of the unit, what the member said, and the unit's phone."""

    proposal_id: str
    round: int
    lead_unit: str
    held_on: date
    place: str
    staff: tuple[str, ...]
    member_opinion: str
    contact_phone: str
    recorded_at: datetime
    channel: Literal["online", "paper"] = "online"
    """paper: entered from a 面商记录表 the member signed; events stored before the field are online."""


@registry.register("reply.co-opinions-overridden.v1")
class CoOpinionsOverridden(Event):
    proposal_id: str
    round: int
    reason: str
    missing_co_units: tuple[str, ...]
    overridden_at: datetime


@registry.register("reply.reply-issued.v1")
class ReplyIssued(Event):
    proposal_id: str
    round: int
    lead_unit: str
    lead_units: tuple[str, ...]
    document_no: str
    result_class: str
    answers: tuple[AnsweredItem, ...]
    signer: str
    contact_person: str
    contact_phone: str
    promise: str
    issued_at: datetime
    letter: LetterDigest | None = None
    """The 答复函 rendered from this reply; None in replies recorded before letters were rendered."""


@registry.register("reply.result-class-changed.v1")
class ResultClassChanged(Event):
    proposal_id: str
    round: int
    lead_unit: str
    old_class: str
    new_class: str
    reason: str
    changed_at: datetime


@registry.register("reply.reply-published.v1")
class ReplyPublished(Event):
    """The office published a lead unit's reply: what the public reads, contact details removed."""

    proposal_id: str
    round: int
    lead_unit: str
    document_no: str
    form: str
    """摘要 (a summary) or 全文 (the full text)."""
    text: str
    published_at: datetime


@registry.register("reply.reply-not-published.v1")
class ReplyNotPublished(Event):
    """The office decided not to publish a lead unit's reply, and why (涉及个人隐私 …)."""

    proposal_id: str
    round: int
    lead_unit: str
    reason: str
    decided_at: datetime
