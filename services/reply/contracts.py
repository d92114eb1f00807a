"""The public integration events of reply."""

from datetime import datetime

from services.reply.domain.events import ReplyIssued, ResultClassChanged
from shared.kernel.contracts import IntegrationEvent, Part
from shared.kernel.events import Event


class AnswerV1(Part):
    item: int
    text: str


class ReplyIssuedV1(IntegrationEvent):
    """A lead unit's reply to the proposer (答复函), for one round of handling."""

    type_name = "reply.reply-issued.v1"
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


class ResultClassChangedV1(IntegrationEvent):
    """The office changed the result class a unit chose; the change is kept with its reason."""

    type_name = "reply.result-class-changed.v1"
    proposal_id: str
    round: int
    lead_unit: str
    old_class: str
    new_class: str
    reason: str


def to_integration(event: Event) -> IntegrationEvent | None:
    """The public event announcing a domain event, or None for a private one."""
    match event:
        case ReplyIssued():
            return ReplyIssuedV1(
                proposal_id=event.proposal_id,
                round=event.round,
                lead_unit=event.lead_unit,
                lead_units=list(event.lead_units),
                document_no=event.document_no,
                result_class=event.result_class,
                answers=[AnswerV1(item=a.item, text=a.text) for a in event.answers],
                signer=event.signer,
                contact_person=event.contact_person,
                contact_phone=event.contact_phone,
                promise=event.promise,
                issued_at=event.issued_at,
            )
        case ResultClassChanged():
            return ResultClassChangedV1(
                proposal_id=event.proposal_id,
                round=event.round,
                lead_unit=event.lead_unit,
                old_class=event.old_class,
                new_class=event.new_class,
                reason=event.reason,
            )
    return None
