"""What reply consumes, declared once: the 立案, the 交办 and each 不满意, each one local command."""

from services.allocation.contracts import ProposalAllocatedV1
from services.allocation.contracts import contract as allocation
from services.feedback.contracts import RehandlingRequestedV1
from services.feedback.contracts import contract as feedback
from services.intake.contracts import ProposalRegisteredV2
from services.intake.contracts import contract as intake
from services.reply.application.service import ReplyService
from services.reply.domain.commands import ItemRouting, OpenRound, Proposer, TakeAllocation, TakeRegistration
from shared.adapters.bus import Malformed
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.decider import CommandMeta
from shared.kernel.inbound import Inbound

ACTOR = "system:reply"


async def on_registered(service: ReplyService, event: ProposalRegisteredV2, envelope: CloudEvent) -> None:
    await service.handle(take_registration(event), _meta(envelope))


async def on_allocated(service: ReplyService, event: ProposalAllocatedV1, envelope: CloudEvent) -> None:
    classes = service.result_classes(event.jurisdiction, event.kind)
    if classes is None:
        raise Malformed(f"no policy for jurisdiction {event.jurisdiction!r} ({event.kind})")
    await service.handle(take_allocation(event, classes), _meta(envelope))


async def on_rehandling(service: ReplyService, event: RehandlingRequestedV1, envelope: CloudEvent) -> None:
    await service.handle(open_round(event, envelope), _meta(envelope))


INBOUND: Inbound[ReplyService] = Inbound(
    {
        ProposalRegisteredV2: on_registered,
        ProposalAllocatedV1: on_allocated,
        RehandlingRequestedV1: on_rehandling,
    },
    [intake, allocation, feedback],
)


def take_registration(e: ProposalRegisteredV2) -> TakeRegistration:
    return TakeRegistration(
        proposal_id=e.proposal_id,
        jurisdiction=e.jurisdiction,
        kind=e.kind,
        session=e.session,
        number=e.number,
        title=e.title,
        items=tuple((i.number, i.text) for i in e.items),
        proposers=tuple(Proposer(p.id, p.name, p.unit, p.phone, p.role) for p in e.proposers),
        at=e.registered_at,
    )


def take_allocation(e: ProposalAllocatedV1, result_classes: tuple[str, ...]) -> TakeAllocation:
    return TakeAllocation(
        proposal_id=e.proposal_id,
        revision=e.revision,
        number=e.number,
        title=e.title,
        kind=e.kind,
        jurisdiction=e.jurisdiction,
        lead_units=tuple(e.lead_units),
        co_units=tuple(e.co_units),
        routing=tuple(ItemRouting(r.item, r.lead, tuple(r.co_units)) for r in e.routing),
        reply_due=e.reply_due,
        co_opinion_due=e.co_opinion_due,
        result_classes=result_classes,
        at=e.allocated_at,
    )


def open_round(e: RehandlingRequestedV1, event: CloudEvent) -> OpenRound:
    return OpenRound(
        proposal_id=e.proposal_id,
        round=e.round,
        lead_units=tuple(e.lead_units),
        due=e.due,
        opinions=tuple(e.opinions),
        at=event.time,
    )


def _meta(event: CloudEvent) -> CommandMeta:
    return CommandMeta(
        command_id=event.id, actor=ACTOR, correlation_id=event.correlationid, causation_id=event.id
    )
