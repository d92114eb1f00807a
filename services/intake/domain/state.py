"""The states of a proposal at intake, each its own type."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from services.intake.domain.events import ConvertedTo, Item, Proposer
from shared.kernel.contracts import Kind


@dataclass(frozen=True)
class Proposal:
    """What was submitted, as it stands now."""

    proposal_id: str
    jurisdiction: str
    kind: Kind
    session: str
    title: str
    items: tuple[Item, ...]
    proposers: tuple[Proposer, ...]
    channel: str
    submitted_by: str
    submitted_at: datetime

    def is_proposer(self, subject: str) -> bool:
        return any(p.id == subject for p in self.proposers)

    def is_lead(self, subject: str) -> bool:
        return any(p.id == subject and p.role == "领衔" for p in self.proposers)

    def revised(self, title: str, items: tuple[Item, ...]) -> "Proposal":
        return replace(self, title=title, items=items)

    def joined_by(self, proposers: tuple[Proposer, ...]) -> "Proposal":
        return replace(self, proposers=self.proposers + proposers)


@dataclass(frozen=True)
class NoProposal:
    name: ClassVar[str] = "NONE"


@dataclass(frozen=True)
class Submitted:
    proposal: Proposal
    name: ClassVar[str] = "SUBMITTED"


@dataclass(frozen=True)
class UnderReview:
    proposal: Proposal
    name: ClassVar[str] = "UNDER_REVIEW"


@dataclass(frozen=True)
class ReturnedForRevision:
    proposal: Proposal
    reason: str
    name: ClassVar[str] = "RETURNED_FOR_REVISION"


@dataclass(frozen=True)
class Registered:
    proposal: Proposal
    number: str
    category: str
    name: ClassVar[str] = "REGISTERED"


@dataclass(frozen=True)
class NotRegistered:
    proposal: Proposal
    reason: str
    converted_to: ConvertedTo
    name: ClassVar[str] = "NOT_REGISTERED"


@dataclass(frozen=True)
class Merged:
    proposal: Proposal
    into: str
    name: ClassVar[str] = "MERGED"


@dataclass(frozen=True)
class Withdrawn:
    proposal: Proposal
    reason: str
    name: ClassVar[str] = "WITHDRAWN"


InReview = Submitted | UnderReview | ReturnedForRevision
"""Not yet decided: a proposal may still be merged into one of these, or withdrawn."""
Existing = InReview | Registered | NotRegistered | Merged | Withdrawn
State = NoProposal | Existing

IN_REVIEW = {Submitted.name, UnderReview.name, ReturnedForRevision.name}
