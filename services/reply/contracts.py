"""The public integration events of reply: rounds, co-unit opinions, 面商, replies and their publication."""

from datetime import date, datetime
from typing import Literal

from shared.kernel.contracts import IntegrationEvent, Part
from shared.kernel.events import EventRegistry

contract = EventRegistry()


class AnswerV1(Part):
    item: int
    text: str


@contract.register("reply.round-opened.v1")
class RoundOpenedV1(IntegrationEvent):
    """A round of handling opens: the first at 交办, another after each 不满意."""

    proposal_id: str
    round: int
    lead_units: list[str]
    due: date
    opened_at: datetime


@contract.register("reply.co-opinion-submitted.v1")
class CoOpinionSubmittedV1(IntegrationEvent):
    """A co-unit (协办) sends its written opinion to the lead units."""

    proposal_id: str
    round: int
    co_unit: str
    text: str
    signer: str
    submitted_at: datetime

    def routing_key(self) -> str:
        return f"{self.type_name}.{self.co_unit}"


@contract.register("reply.co-opinions-overridden.v1")
class CoOpinionsOverriddenV1(IntegrationEvent):
    """The office lets the leads reply without the co-unit opinions still missing."""

    proposal_id: str
    round: int
    reason: str
    missing_co_units: list[str]
    overridden_at: datetime


@contract.register("reply.consultation-recorded.v1")
class ConsultationRecordedV1(IntegrationEvent):
    """A lead unit met the member (面商): when, where, and whether the record came on paper."""

    proposal_id: str
    round: int
    lead_unit: str
    held_on: date
    place: str
    channel: Literal["online", "paper"] = "online"
    recorded_at: datetime

    def routing_key(self) -> str:
        return f"{self.type_name}.{self.lead_unit}"


@contract.register("reply.reply-issued.v1")
class ReplyIssuedV1(IntegrationEvent):
    """A lead unit's reply to the proposer (答复函), for one round of handling."""

    proposal_id: str
    round: int
    lead_unit: str
    lead_units: list[str]
    """Every lead unit of the proposal: under 分办 each sends its own reply."""
    document_no: str
    result_class: str
    answers: list[AnswerV1]
    signer: str
    contact_person: str
    contact_phone: str
    promise: str = ""
    """What the unit promised to do, for class B or C; empty otherwise."""
    issued_at: datetime

    def routing_key(self) -> str:
        return f"{self.type_name}.{self.lead_unit}"


@contract.register("reply.result-class-changed.v1")
class ResultClassChangedV1(IntegrationEvent):
    """The office changed the result class a unit chose; the change is kept with its reason."""

    proposal_id: str
    round: int
    lead_unit: str
    old_class: str
    new_class: str
    reason: str


@contract.register("reply.reply-published.v1")
class ReplyPublishedV1(IntegrationEvent):
    """The office published a reply (摘要 or 全文), without the contact details."""

    proposal_id: str
    round: int
    lead_unit: str
    document_no: str
    form: str
    text: str
    published_at: datetime


@contract.register("reply.reply-not-published.v1")
class ReplyNotPublishedV1(IntegrationEvent):
    """The office decided not to publish a reply, with its reason."""

    proposal_id: str
    round: int
    lead_unit: str
    reason: str
    decided_at: datetime
