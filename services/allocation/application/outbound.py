"""What allocation announces: each domain event that others may know, as its public integration event."""

from collections.abc import Iterable
from datetime import datetime

from services.allocation import contracts as public
from services.allocation.domain import events as domain
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.events import Event


def to_integration(event: Event) -> IntegrationEvent | None:
    """The public event announcing a domain event, or None for a private one."""
    match event:
        case domain.ProposalAllocated():
            return announce(event, 1, event.allocated_at)
        case domain.ProposalReallocated():
            return announce(event, event.revision, event.reallocated_at)
        case domain.AssignmentAcknowledged() as e:
            return public.AssignmentAcknowledgedV1(
                proposal_id=e.proposal_id, unit=e.unit, by=e.by, acknowledged_at=e.acknowledged_at
            )
        case domain.AdjustmentRequested() as e:
            return public.AdjustmentRequestedV1(
                proposal_id=e.proposal_id, unit=e.unit, reason=e.reason, requested_at=e.requested_at
            )
        case domain.AdjustmentRefused() as e:
            return public.AdjustmentRefusedV1(
                proposal_id=e.proposal_id, unit=e.unit, reason=e.reason, decided_at=e.decided_at
            )
        case domain.InternallyAllocated() as e:
            return public.InternallyAllocatedV1(
                proposal_id=e.proposal_id,
                unit=e.unit,
                items=sorted({t.item for t in e.tasks}),
                allocated_at=e.allocated_at,
            )
        case _:
            return steps_of_the_office(event)


def steps_of_the_office(event: Event) -> IntegrationEvent | None:
    match event:
        case domain.ExtensionRequested() as e:
            return public.ExtensionRequestedV1(
                proposal_id=e.proposal_id,
                unit=e.unit,
                reply_due=e.reply_due,
                reason=e.reason,
                requested_at=e.requested_at,
            )
        case domain.ExtensionGranted() as e:
            return public.ExtensionGrantedV1(
                proposal_id=e.proposal_id, unit=e.unit, reply_due=e.reply_due, decided_at=e.decided_at
            )
        case domain.ExtensionRefused() as e:
            return public.ExtensionRefusedV1(
                proposal_id=e.proposal_id, unit=e.unit, reason=e.reason, decided_at=e.decided_at
            )
        case domain.KeyItemDesignated() as e:
            return public.KeyItemDesignatedV1(
                proposal_id=e.proposal_id,
                leader=e.leader,
                leader_title=e.leader_title,
                reason=e.reason,
                designated_at=e.designated_at,
            )
        case domain.SupervisionRecorded() as e:
            return public.SupervisionRecordedV1(
                proposal_id=e.proposal_id,
                kind=e.kind,
                held_on=e.held_on,
                notes=e.notes,
                by=e.by,
                recorded_at=e.recorded_at,
            )
        case domain.UnitUrged() as e:
            return public.UnitUrgedV1(
                proposal_id=e.proposal_id, unit=e.unit, reason=e.reason, by=e.by, urged_at=e.urged_at
            )
    return None


def announce(
    event: domain.ProposalAllocated | domain.ProposalReallocated, revision: int, allocated_at: datetime
) -> public.ProposalAllocatedV1:
    return public.ProposalAllocatedV1(
        proposal_id=event.proposal_id,
        revision=revision,
        number=event.number,
        title=event.title,
        kind=event.kind,
        jurisdiction=event.jurisdiction,
        mode=event.mode,
        lead_units=distinct(r.lead for r in event.routing),
        co_units=distinct(c for r in event.routing for c in r.co_units),
        routing=[
            public.ItemRoutingV1(item=r.item, lead=r.lead, co_units=list(r.co_units)) for r in event.routing
        ],
        allocated_at=allocated_at,
        reply_due=event.reply_due,
        co_opinion_due=event.co_opinion_due,
    )


def distinct(units: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(units))
