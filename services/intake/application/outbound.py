"""What intake announces: each domain event that others may know, as its public integration event."""

from services.intake import contracts as public
from services.intake.domain import events as domain
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.events import Event


def to_integration(event: Event) -> IntegrationEvent | None:
    """The public event announcing a domain event, or None for a private one."""
    match event:
        case domain.ProposalSubmitted() as e:
            return public.ProposalSubmittedV1(
                proposal_id=e.proposal_id,
                jurisdiction=e.jurisdiction,
                kind=e.kind,
                session=e.session,
                title=e.title,
                items=items(e.items),
                proposers=names(e.proposers),
                channel=e.channel,
                submitted_at=e.at,
            )
        case domain.ReviewStarted() as e:
            return public.ReviewStartedV1(proposal_id=e.proposal_id, by=e.by, started_at=e.at)
        case domain.ProposalReturnedForRevision() as e:
            return public.ProposalReturnedV1(
                proposal_id=e.proposal_id, reason=e.reason, by=e.by, returned_at=e.at
            )
        case domain.ProposalResubmitted() as e:
            return public.ProposalResubmittedV1(
                proposal_id=e.proposal_id, title=e.title, items=items(e.items), by=e.by, resubmitted_at=e.at
            )
        case domain.ProposalRegistered() as e:
            return public.ProposalRegisteredV2(
                proposal_id=e.proposal_id,
                jurisdiction=e.jurisdiction,
                kind=e.kind,
                session=e.session,
                number=e.number,
                title=e.title,
                category=e.category,
                items=items(e.items),
                proposers=[public.ProposerV1(**p.model_dump()) for p in e.proposers],
                by=e.by,
                registered_at=e.at,
            )
        case domain.ProposalMergedIn() as e:
            return public.ProposalMergedInV1(
                proposal_id=e.proposal_id,
                merged_from=e.merged_from,
                proposers=names(e.proposers),
                by=e.by,
                merged_at=e.at,
            )
        case domain.ProposalNotRegistered() as e:
            return public.ProposalEndedAtIntakeV2(
                proposal_id=e.proposal_id,
                outcome="not_registered",
                reason=e.reason,
                reason_label=e.reason_label,
                by=e.by,
                ended_at=e.at,
            )
        case domain.ProposalMerged() as e:
            return public.ProposalEndedAtIntakeV2(
                proposal_id=e.proposal_id, outcome="merged", merged_into=e.into, by=e.by, ended_at=e.at
            )
        case domain.ProposalWithdrawn() as e:
            return public.ProposalEndedAtIntakeV2(
                proposal_id=e.proposal_id, outcome="withdrawn", reason=e.reason, by=e.by, ended_at=e.at
            )
    return None


def items(values: tuple[domain.Item, ...]) -> list[public.ItemV1]:
    return [public.ItemV1(number=i.number, text=i.text) for i in values]


def names(proposers: tuple[domain.Proposer, ...]) -> list[public.ProposerV1]:
    """The proposers without their phones: those go with the 立案 only."""
    return [public.ProposerV1(id=p.id, name=p.name, unit=p.unit, role=p.role) for p in proposers]
