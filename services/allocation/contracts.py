"""The public integration events of allocation."""

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from shared.contracts import IntegrationEvent, Kind, Part
from shared.events import Event

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
    return None
