"""The command service of feedback: streams per proposal, inbound messages as local commands."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.feedback.application.forms import FormLink, find_link
from services.feedback.application.tokens import form_token
from services.feedback.domain.commands import Command, Proposer, RecordProposal, RecordReply
from services.feedback.domain.decider import NotRecorded, Recorded, State
from services.intake.contracts import ProposalRegisteredV2
from services.reply.contracts import ReplyIssuedV1
from shared.adapters.bus import Malformed
from shared.adapters.readstore import ReadStore
from shared.documents.settings import Documents
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.decider import CommandHandler, CommandMeta, InvalidField, NotFound, Outcome
from shared.rules.policy import Policies, Policy
from shared.rules.units import UnitRegistry

ACTOR = "system:feedback"


def stream(proposal_id: str) -> str:
    return f"feedback-proposal-{proposal_id}"


@dataclass(frozen=True)
class FeedbackService:
    handler: CommandHandler[Command, State]
    views: ReadStore
    policies: Policies
    units: UnitRegistry
    form_link_secret: str
    documents: Mapping[str, Documents] = field(default_factory=dict)
    """The `[documents]` settings of each jurisdiction: what the paper form prints."""

    async def handle(self, command: Command, meta: CommandMeta) -> Outcome[State]:
        return await self.handler.handle(stream(command.proposal_id), command, meta)

    async def state(self, proposal_id: str) -> Recorded:
        state, _ = await self.handler.load(stream(proposal_id))
        if isinstance(state, NotRecorded):
            raise NotFound(f"no proposal {proposal_id} in feedback")
        return state

    def policy(self, jurisdiction: str, kind: str) -> Policy:
        return self.policies[(jurisdiction, kind)]

    async def link(self, token: str) -> FormLink:
        link = await find_link(self.views, token)
        if link is None:
            raise NotFound("no feedback form has this link")
        return link

    async def on_proposal_registered(self, message: ProposalRegisteredV2, event: CloudEvent) -> None:
        proposers = tuple(Proposer(p.id, p.name, p.phone) for p in message.proposers)
        command = RecordProposal(
            proposal_id=message.proposal_id,
            number=message.number,
            title=message.title,
            jurisdiction=message.jurisdiction,
            kind=message.kind,
            proposers=proposers,
            at=message.registered_at,
        )
        await self.handle_message(command, event)

    async def on_reply_issued(self, message: ReplyIssuedV1, event: CloudEvent) -> None:
        state, _ = await self.handler.load(stream(message.proposal_id))
        if isinstance(state, NotRecorded):
            # The reply overtook the 立案 (another queue, a restart): its forms need the proposers,
            # so the message goes back and comes again later.
            raise ArrivedEarly(f"message {event.id}: proposal {message.proposal_id} is not recorded yet")
        tokens = {
            p.id: form_token(self.form_link_secret, message.proposal_id, message.round, p.id)
            for p in proposers_of(state)
        }
        command = RecordReply(
            proposal_id=message.proposal_id,
            round=message.round,
            lead_unit=message.lead_unit,
            lead_units=tuple(message.lead_units),
            result_class=message.result_class,
            promise=message.promise,
            issued_at=message.issued_at,
            tokens=tokens,
        )
        await self.handle_message(command, event)

    async def handle_message(self, command: Command, event: CloudEvent) -> None:
        """A message breaking a rule can never succeed: dead-lettered at once. One arriving in the
        wrong state (a reply before its proposal) is retried."""
        meta = CommandMeta(
            command_id=event.id, actor=ACTOR, correlation_id=event.correlationid, causation_id=event.id
        )
        try:
            await self.handle(command, meta)
        except InvalidField as error:
            raise Malformed(f"message {event.id}: {error.detail}") from error


class ArrivedEarly(Exception):
    """A message that needs another one first: failing, it is given back to be delivered again."""


def proposers_of(state: State) -> tuple[Proposer, ...]:
    return () if isinstance(state, NotRecorded) else state.proposal.proposers
