"""What feedback consumes, declared once: the 立案 records the proposers, each reply sends the forms."""

from services.feedback.application.service import FeedbackService
from services.intake import contracts as intake
from services.reply import contracts as reply
from shared.kernel.inbound import Inbound

INBOUND: Inbound[FeedbackService] = Inbound(
    {
        intake.ProposalRegisteredV2: FeedbackService.on_proposal_registered,
        reply.ReplyIssuedV1: FeedbackService.on_reply_issued,
    },
    [intake.contract, reply.contract],
)
