"""What allocation consumes, declared once: the 立案 and the ends from intake open and close a case;
the facts of reply and feedback that move deadlines are recorded for its deadlines view."""

from services.allocation.application.service import AllocationService
from services.feedback import contracts as feedback
from services.intake import contracts as intake
from services.reply import contracts as reply
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.inbound import Handle, Inbound


async def record(service: AllocationService, event: IntegrationEvent, envelope: CloudEvent) -> None:
    await service.recorder.record(event, envelope)


DEADLINE_FACTS: tuple[type[IntegrationEvent], ...] = (
    reply.CoOpinionSubmittedV1,
    reply.CoOpinionsOverriddenV1,
    reply.ReplyIssuedV1,
    reply.ReplyPublishedV1,
    reply.ReplyNotPublishedV1,
    feedback.FeedbackRequestedV1,
    feedback.FeedbackAnsweredV1,
    feedback.RehandlingRequestedV1,
    feedback.ProposalClosedV1,
)
"""What others do that opens or closes a deadline allocation watches."""

HANDLERS: dict[type[IntegrationEvent], Handle[AllocationService]] = {
    intake.ProposalRegisteredV2: AllocationService.on_proposal_registered,
    intake.ProposalEndedAtIntakeV2: AllocationService.on_proposal_ended,
    **dict.fromkeys(DEADLINE_FACTS, record),
}

INBOUND: Inbound[AllocationService] = Inbound(
    HANDLERS, [intake.contract, reply.contract, feedback.contract], recognises_repeats=True
)
