"""What allocation announces: each domain event that others may know, as its public integration event."""

from collections.abc import Iterable
from datetime import datetime

from services.allocation import contracts as public
from services.allocation.domain import events as domain
from shared.kernel.contracts import IntegrationEvent, announce
from shared.kernel.events import Event

ANNOUNCED: dict[type[Event], type[IntegrationEvent]] = {
    domain.AssignmentAcknowledged: public.AssignmentAcknowledgedV1,
    domain.AdjustmentRequested: public.AdjustmentRequestedV1,
    domain.AdjustmentRefused: public.AdjustmentRefusedV1,
    domain.ExtensionRequested: public.ExtensionRequestedV1,
    domain.ExtensionGranted: public.ExtensionGrantedV1,
    domain.ExtensionRefused: public.ExtensionRefusedV1,
    domain.KeyItemDesignated: public.KeyItemDesignatedV1,
    domain.SupervisionRecorded: public.SupervisionRecordedV1,
    domain.UnitUrged: public.UnitUrgedV1,
}
"""The domain events announced as they are, by the same field names."""


def to_integration(event: Event) -> IntegrationEvent | None:
    """The public event announcing a domain event, or None for a private one."""
    match event:
        case domain.ProposalAllocated():
            return allocated(event, 1, event.allocated_at)
        case domain.ProposalReallocated():
            return allocated(event, event.revision, event.reallocated_at)
        case domain.InternallyAllocated() as e:
            items = sorted({t.item for t in e.tasks})  # to whom stays with the unit
            return public.InternallyAllocatedV1(
                proposal_id=e.proposal_id, unit=e.unit, items=items, allocated_at=e.allocated_at
            )
    public_type = ANNOUNCED.get(type(event))
    return None if public_type is None else announce(public_type, event)


def allocated(
    event: domain.ProposalAllocated | domain.ProposalReallocated, revision: int, at: datetime
) -> IntegrationEvent:
    """交办 and every reallocation: the whole current routing."""
    return announce(
        public.ProposalAllocatedV1,
        event,
        revision=revision,
        lead_units=distinct(r.lead for r in event.routing),
        co_units=distinct(c for r in event.routing for c in r.co_units),
        allocated_at=at,
    )


def distinct(units: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(units))
