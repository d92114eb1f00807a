"""The public integration events of allocation."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from services.allocation.domain.events import ProposalAllocated, ProposalReallocated, Routing
from shared.kernel.contracts import IntegrationEvent, Kind, Part
from shared.kernel.events import Event

Mode = Literal["独办", "主办+协办", "分办"]


class ItemRoutingV1(Part):
    item: int
    lead: str
    co_units: list[str] = Field(default_factory=list)


class ProposalAllocatedV1(IntegrationEvent):
    """交办, and every later change of who handles it: always the whole current routing."""

    type_name = "allocation.proposal-allocated.v1"
    proposal_id: str
    revision: int
    """1 for the first allocation, then one more for each reallocation."""
    number: str
    title: str
    kind: Kind
    jurisdiction: str
    mode: Mode
    lead_units: list[str]
    co_units: list[str]
    routing: list[ItemRoutingV1]
    allocated_at: datetime
    reply_due: date
    co_opinion_due: date


def to_integration(event: Event) -> IntegrationEvent | None:
    """The public event announcing a domain event, or None for a private one."""
    match event:
        case ProposalAllocated():
            return announce(event, 1, event.allocated_at)
        case ProposalReallocated():
            return announce(event, event.revision, event.reallocated_at)
    return None


def announce(
    event: ProposalAllocated | ProposalReallocated, revision: int, allocated_at: datetime
) -> ProposalAllocatedV1:
    return ProposalAllocatedV1(
        proposal_id=event.proposal_id,
        revision=revision,
        number=event.number,
        title=event.title,
        kind=event.kind,
        jurisdiction=event.jurisdiction,
        mode=event.mode,
        lead_units=distinct(r.lead for r in event.routing),
        co_units=distinct(c for r in event.routing for c in r.co_units),
        routing=[routing_v1(r) for r in event.routing],
        allocated_at=allocated_at,
        reply_due=event.reply_due,
        co_opinion_due=event.co_opinion_due,
    )


def routing_v1(routing: Routing) -> ItemRoutingV1:
    return ItemRoutingV1(item=routing.item, lead=routing.lead, co_units=list(routing.co_units))


def distinct(units: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(units))
