"""Messages from other services, each turned into one local command."""

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from services.allocation.contracts import ProposalAllocatedV1
from services.feedback.contracts import RehandlingRequestedV1
from services.intake.contracts import ProposalRegisteredV1
from services.reply.application.service import ReplyService
from services.reply.domain.commands import ItemRouting, OpenRound, Proposer, TakeAllocation, TakeRegistration
from shared.adapters.bus import Malformed
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.decider import CommandMeta
from shared.kernel.inbound import EventHandler

ACTOR = "system:reply"
M = TypeVar("M", bound=BaseModel)


def handlers(service: ReplyService) -> dict[str, EventHandler]:
    async def on_allocated(event: CloudEvent) -> None:
        allocated = _parse(ProposalAllocatedV1, event)
        classes = service.result_classes(allocated.jurisdiction, allocated.kind)
        if classes is None:
            raise Malformed(f"no policy for jurisdiction {allocated.jurisdiction!r} ({allocated.kind})")
        await service.handle(take_allocation(allocated, classes), _meta(event))

    async def on_rehandling(event: CloudEvent) -> None:
        await service.handle(open_round(_parse(RehandlingRequestedV1, event), event), _meta(event))

    async def on_registered(event: CloudEvent) -> None:
        await service.handle(take_registration(_parse(ProposalRegisteredV1, event)), _meta(event))

    return {
        ProposalRegisteredV1.type_name: on_registered,
        ProposalAllocatedV1.type_name: on_allocated,
        RehandlingRequestedV1.type_name: on_rehandling,
    }


def take_registration(e: ProposalRegisteredV1) -> TakeRegistration:
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


def _parse(model: type[M], event: CloudEvent) -> M:
    try:
        return model.model_validate(event.data)
    except ValidationError as error:
        raise Malformed(f"{event.type} {event.id} does not fit its contract: {error}") from error


def _meta(event: CloudEvent) -> CommandMeta:
    return CommandMeta(
        command_id=event.id, actor=ACTOR, correlation_id=event.correlationid, causation_id=event.id
    )
