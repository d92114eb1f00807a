"""The private domain events of intake, by their stored type names.

They live in the stream `intake-proposal-<proposal_id>`. The public announcements of some of them
(`intake.proposal-registered.v1`, `intake.proposal-ended.v1`) are other types, in `contracts.py`.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.kernel.contracts import Kind
from shared.kernel.events import Event, EventRegistry

registry = EventRegistry()

Role = Literal["领衔", "联名"]
"""领衔: the one who leads a joint proposal; 联名: a co-signer."""

ConvertedTo = Literal["意见建议", "委员来信", "none"]
"""What a proposal not registered (不予立案) is handled as instead."""


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Proposer(_Value):
    id: str
    name: str
    unit: str = ""
    phone: str = ""
    role: Role = "领衔"


class Item(_Value):
    """One numbered suggestion (建议内容) of a proposal."""

    number: int
    text: str


@registry.register("intake.submitted.v1")
class ProposalSubmitted(Event):
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


@registry.register("intake.review-started.v1")
class ReviewStarted(Event):
    proposal_id: str
    by: str
    at: datetime


@registry.register("intake.registered.v1")
class ProposalRegistered(Event):
    """立案. Carries the proposal as registered, so its public announcement needs nothing else."""

    proposal_id: str
    number: str
    category: str
    jurisdiction: str
    kind: Kind
    session: str
    title: str
    items: tuple[Item, ...]
    proposers: tuple[Proposer, ...]
    by: str
    at: datetime


@registry.register("intake.not-registered.v1")
class ProposalNotRegistered(Event):
    """不予立案, with a reason from the jurisdiction's policy."""

    proposal_id: str
    reason: str
    reason_label: str
    converted_to: ConvertedTo
    by: str
    at: datetime


@registry.register("intake.merged.v1")
class ProposalMerged(Event):
    """并案: this proposal ends; its proposers are kept on the proposal it was merged into."""

    proposal_id: str
    into: str
    proposers_kept: tuple[Proposer, ...]
    by: str
    at: datetime


@registry.register("intake.merged-in.v1")
class ProposalMergedIn(Event):
    """Recorded on the target of a 并案: the proposers of the merged proposal join it as 联名."""

    proposal_id: str
    merged_from: str
    proposers: tuple[Proposer, ...]
    by: str
    at: datetime


@registry.register("intake.returned-for-revision.v1")
class ProposalReturnedForRevision(Event):
    proposal_id: str
    reason: str
    by: str
    at: datetime


@registry.register("intake.resubmitted.v1")
class ProposalResubmitted(Event):
    """The lead proposer sends a returned proposal back, possibly with a new title or items."""

    proposal_id: str
    title: str
    items: tuple[Item, ...]
    by: str
    at: datetime


@registry.register("intake.withdrawn.v1")
class ProposalWithdrawn(Event):
    """撤案, signed by every proposer."""

    proposal_id: str
    reason: str
    signed_by: tuple[str, ...]
    by: str
    at: datetime
