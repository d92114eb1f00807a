"""What feedback announces: each domain event that others may know, as its public integration event."""

from services.feedback import contracts as public
from services.feedback.domain import events as domain
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.events import Event


def to_integration(event: Event) -> IntegrationEvent | None:
    """The public event announcing a domain event, or None for a private one."""
    match event:
        case domain.FeedbackRequested() as e:
            return public.FeedbackRequestedV1(
                proposal_id=e.proposal_id,
                round=e.round,
                proposer_id=e.proposer_id,
                proposer_name=e.proposer_name,
                due=e.due,
                requested_at=e.requested_at,
                calendar_version=e.calendar_version or "",
            )
        case domain.FeedbackAnswered() as e:
            return public.FeedbackAnsweredV1(
                proposal_id=e.proposal_id,
                round=e.round,
                proposer_id=e.proposer_id,
                satisfaction=e.satisfaction,
                satisfaction_as_written=e.satisfaction_as_written,
                channel=e.channel,
                answered_at=e.answered_at,
            )
        case domain.RehandlingRequested() as e:
            return public.RehandlingRequestedV1(
                proposal_id=e.proposal_id,
                round=e.round,
                lead_units=list(e.lead_units),
                due=e.due,
                opinions=list(e.opinions),
            )
        case domain.ProposalClosed() as e:
            return public.ProposalClosedV1(
                proposal_id=e.proposal_id, outcome=e.outcome, closed_at=e.closed_at
            )
    return None
