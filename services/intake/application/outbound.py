"""What intake announces: each domain event that others may know, as its public integration event."""

from services.intake import contracts as public
from services.intake.domain import events as domain
from shared.kernel.contracts import IntegrationEvent, announce
from shared.kernel.events import Event


def to_integration(event: Event) -> IntegrationEvent | None:
    """The public event announcing a domain event, or None for a private one."""
    match event:
        case domain.ProposalSubmitted() as e:
            return announce(public.ProposalSubmittedV1, e, proposers=names(e.proposers), submitted_at=e.at)
        case domain.ReviewStarted() as e:
            return announce(public.ReviewStartedV1, e, started_at=e.at)
        case domain.ProposalReturnedForRevision() as e:
            return announce(public.ProposalReturnedV1, e, returned_at=e.at)
        case domain.ProposalResubmitted() as e:
            return announce(public.ProposalResubmittedV1, e, resubmitted_at=e.at)
        case domain.ProposalRegistered() as e:
            return announce(public.ProposalRegisteredV2, e, registered_at=e.at)
        case domain.ProposalMergedIn() as e:
            return announce(public.ProposalMergedInV1, e, proposers=names(e.proposers), merged_at=e.at)
        case domain.ProposalNotRegistered() as e:
            return announce(public.ProposalEndedAtIntakeV2, e, outcome="not_registered", ended_at=e.at)
        case domain.ProposalMerged() as e:
            return announce(
                public.ProposalEndedAtIntakeV2, e, outcome="merged", merged_into=e.into, ended_at=e.at
            )
        case domain.ProposalWithdrawn() as e:
            return announce(public.ProposalEndedAtIntakeV2, e, outcome="withdrawn", ended_at=e.at)
    return None


def names(proposers: tuple[domain.Proposer, ...]) -> list[public.ProposerV1]:
    """The proposers without their phones: those go with the 立案 only."""
    return [public.ProposerV1(id=p.id, name=p.name, unit=p.unit, role=p.role) for p in proposers]
