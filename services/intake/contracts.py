"""The public integration events of intake."""

from datetime import datetime
from typing import Literal

from services.intake.domain import events as domain
from shared.kernel.contracts import IntegrationEvent, Kind, Part
from shared.kernel.events import Event


class ProposerV1(Part):
    id: str
    name: str
    unit: str = ""
    phone: str = ""
    role: Literal["领衔", "联名"] = "领衔"


class ItemV1(Part):
    number: int
    text: str


class ProposalRegisteredV1(IntegrationEvent):
    """立案: the proposal is registered with a number and goes on to allocation and feedback."""

    type_name = "intake.proposal-registered.v1"
    proposal_id: str
    jurisdiction: str
    kind: Kind
    session: str
    number: str
    title: str
    category: str
    items: list[ItemV1]
    proposers: list[ProposerV1]
    registered_at: datetime


class ProposalEndedAtIntakeV1(IntegrationEvent):
    """The proposal will not be handled: not registered, merged into another, or withdrawn."""

    type_name = "intake.proposal-ended.v1"
    proposal_id: str
    outcome: Literal["not_registered", "merged", "withdrawn"]
    reason: str = ""
    merged_into: str | None = None


def to_integration(event: Event) -> IntegrationEvent | None:
    """The public event announcing a domain event, or None for a private one."""
    match event:
        case domain.ProposalRegistered() as e:
            return ProposalRegisteredV1(
                proposal_id=e.proposal_id,
                jurisdiction=e.jurisdiction,
                kind=e.kind,
                session=e.session,
                number=e.number,
                title=e.title,
                category=e.category,
                items=[ItemV1(number=i.number, text=i.text) for i in e.items],
                proposers=[ProposerV1(**p.model_dump()) for p in e.proposers],
                registered_at=e.at,
            )
        case domain.ProposalNotRegistered() as e:
            return ProposalEndedAtIntakeV1(
                proposal_id=e.proposal_id, outcome="not_registered", reason=e.reason
            )
        case domain.ProposalMerged() as e:
            return ProposalEndedAtIntakeV1(proposal_id=e.proposal_id, outcome="merged", merged_into=e.into)
        case domain.ProposalWithdrawn() as e:
            return ProposalEndedAtIntakeV1(proposal_id=e.proposal_id, outcome="withdrawn", reason=e.reason)
    return None
