"""The public integration events of feedback."""

from datetime import date, datetime
from typing import Literal

from services.feedback.domain.events import ProposalClosed, RehandlingRequested
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.events import Event


class RehandlingRequestedV1(IntegrationEvent):
    """不满意: the proposal goes back to its lead units for a new round with its own deadline."""

    type_name = "feedback.rehandling-requested.v1"
    proposal_id: str
    round: int
    """The number of the new round (2 after the first 不满意)."""
    lead_units: list[str]
    due: date
    opinions: list[str]


class ProposalClosedV1(IntegrationEvent):
    """办结 (closed), or tracking (跟踪办理) when a class B or C reply promised more."""

    type_name = "feedback.proposal-closed.v1"
    proposal_id: str
    outcome: Literal["closed", "tracking"]
    closed_at: datetime


def to_integration(event: Event) -> IntegrationEvent | None:
    """The public event announcing a domain event, or None for a private one."""
    match event:
        case RehandlingRequested():
            return RehandlingRequestedV1(
                proposal_id=event.proposal_id,
                round=event.round,
                lead_units=list(event.lead_units),
                due=event.due,
                opinions=list(event.opinions),
            )
        case ProposalClosed():
            return ProposalClosedV1(
                proposal_id=event.proposal_id, outcome=event.outcome, closed_at=event.closed_at
            )
    return None
