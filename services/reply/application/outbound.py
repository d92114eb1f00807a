"""What reply announces: each domain event that others may know, as its public integration event."""

from services.reply import contracts as public
from services.reply.domain import events as domain
from shared.kernel.contracts import IntegrationEvent, announce
from shared.kernel.events import Event

ANNOUNCED: dict[type[Event], type[IntegrationEvent]] = {
    domain.RoundOpened: public.RoundOpenedV1,
    domain.CoOpinionSubmitted: public.CoOpinionSubmittedV1,
    domain.CoOpinionsOverridden: public.CoOpinionsOverriddenV1,
    domain.ConsultationRecorded: public.ConsultationRecordedV1,
    domain.ReplyIssued: public.ReplyIssuedV1,
    domain.ResultClassChanged: public.ResultClassChangedV1,
    domain.ReplyPublished: public.ReplyPublishedV1,
    domain.ReplyNotPublished: public.ReplyNotPublishedV1,
}
"""Each public domain event and its integration event, whose fields it carries by the same names
(the member's words and phone of a 面商, the letter's digest and the allocation reply took stay here)."""


def to_integration(event: Event) -> IntegrationEvent | None:
    """The public event announcing a domain event, or None for a private one."""
    public_type = ANNOUNCED.get(type(event))
    return None if public_type is None else announce(public_type, event)
