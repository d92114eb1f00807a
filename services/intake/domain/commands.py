"""What intake is asked to do. Ids and times are made at the edge and come in with the command."""

from dataclasses import dataclass
from datetime import datetime

from services.intake.domain.events import ConvertedTo, Item, Proposer
from shared.kernel.contracts import Kind


@dataclass(frozen=True)
class SubmitProposal:
    proposal_id: str
    jurisdiction: str
    kind: Kind
    session: str
    title: str
    items: tuple[Item, ...]
    proposers: tuple[Proposer, ...]
    channel: str
    submitted_by: str
    at: datetime


@dataclass(frozen=True)
class StartReview:
    by: str
    at: datetime


@dataclass(frozen=True)
class Register:
    number: str
    category: str
    by: str
    at: datetime


@dataclass(frozen=True)
class NotRegister:
    reason: str
    converted_to: ConvertedTo
    by: str
    at: datetime


@dataclass(frozen=True)
class Target:
    """What the merge needs to know of the proposal merged into, read by the service beforehand."""

    proposal_id: str
    state: str
    jurisdiction: str = ""
    kind: Kind = "proposal"


@dataclass(frozen=True)
class MergeInto:
    target: Target
    by: str
    at: datetime


@dataclass(frozen=True)
class TakeInMerged:
    """The second half of a merge, on the target: keep the proposers of the merged proposal."""

    merged_from: str
    proposers: tuple[Proposer, ...]
    by: str
    at: datetime


@dataclass(frozen=True)
class ReturnForRevision:
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Resubmit:
    title: str | None
    items: tuple[Item, ...] | None
    by: str
    at: datetime


@dataclass(frozen=True)
class Withdraw:
    reason: str
    signed_by: frozenset[str]
    by: str
    at: datetime


Command = (
    SubmitProposal
    | StartReview
    | Register
    | NotRegister
    | MergeInto
    | TakeInMerged
    | ReturnForRevision
    | Resubmit
    | Withdraw
)
