"""What feedback announces: each domain event that others may know, as its public integration event."""

from services.feedback import contracts as public
from services.feedback.domain import events as domain
from shared.kernel.contracts import IntegrationEvent, announce
from shared.kernel.events import Event


def to_integration(event: Event) -> IntegrationEvent | None:
    """The public event announcing a domain event, or None for a private one. A form's link (its
    token) and the member's own words stay in feedback."""
    match event:
        case domain.FeedbackRequested() as e:
            return announce(public.FeedbackRequestedV1, e, calendar_version=e.calendar_version or "")
        case domain.FeedbackAnswered() as e:
            return announce(public.FeedbackAnsweredV1, e)
        case domain.RehandlingRequested() as e:
            return announce(public.RehandlingRequestedV1, e)
        case domain.ProposalClosed() as e:
            return announce(public.ProposalClosedV1, e)
    return None
