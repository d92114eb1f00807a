"""The public integration events of intake: the proposal from its submission to its 立案 or its end."""

from datetime import datetime
from typing import Any, Literal

from shared.kernel.contracts import IntegrationEvent, Kind, Part
from shared.kernel.events import EventRegistry

contract = EventRegistry()


class ProposerV1(Part):
    id: str
    name: str
    unit: str = ""
    phone: str = ""
    """Given with the 立案 only, for the units that must contact the member; empty elsewhere."""
    role: Literal["领衔", "联名"] = "领衔"


class ItemV1(Part):
    number: int
    text: str


@contract.register("intake.proposal-submitted.v1")
class ProposalSubmittedV1(IntegrationEvent):
    """A 提案 or 建议 is submitted (or entered by the office) and awaits review."""

    proposal_id: str
    jurisdiction: str
    kind: Kind
    session: str
    title: str
    items: list[ItemV1]
    proposers: list[ProposerV1]
    channel: str
    submitted_at: datetime


@contract.register("intake.review-started.v1")
class ReviewStartedV1(IntegrationEvent):
    """The office starts reviewing a submitted proposal (审查)."""

    proposal_id: str
    by: str
    started_at: datetime


@contract.register("intake.proposal-returned.v1")
class ProposalReturnedV1(IntegrationEvent):
    """The office returns the proposal to its proposers for revision, with the reason."""

    proposal_id: str
    reason: str
    by: str
    returned_at: datetime


@contract.register("intake.proposal-resubmitted.v1")
class ProposalResubmittedV1(IntegrationEvent):
    """The lead proposer sends a returned proposal back, possibly with a new title or items."""

    proposal_id: str
    title: str
    items: list[ItemV1]
    by: str
    resubmitted_at: datetime


@contract.register("intake.proposal-registered.v2")
class ProposalRegisteredV2(IntegrationEvent):
    """立案: the proposal is registered with a number and goes on to allocation and feedback."""

    proposal_id: str
    jurisdiction: str
    kind: Kind
    session: str
    number: str
    title: str
    category: str
    items: list[ItemV1]
    proposers: list[ProposerV1]
    by: str
    """Who registered it (v2)."""
    registered_at: datetime


@contract.register("intake.proposal-registered.v1")
class ProposalRegisteredV1(IntegrationEvent):
    """立案 (superseded by v2, which adds `by`; published beside it while consumers move)."""

    proposal_id: str
    jurisdiction: str
    kind: Kind
    session: str
    number: str
    title: str
    category: str
    items: list[ItemV1]
    proposers: list[ProposerV1]
    registered_at: datetime


@contract.upcast("intake.proposal-registered.v1", "intake.proposal-registered.v2")
def _registered_by_nobody_named(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "by": ""}


@contract.downcast("intake.proposal-registered.v2", "intake.proposal-registered.v1")
def _registered_without_by(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "by"}


@contract.register("intake.proposal-merged-in.v1")
class ProposalMergedInV1(IntegrationEvent):
    """并案: another proposal was merged into this one; its proposers join this one's."""

    proposal_id: str
    merged_from: str
    proposers: list[ProposerV1]
    by: str
    merged_at: datetime


@contract.register("intake.proposal-ended.v2")
class ProposalEndedAtIntakeV2(IntegrationEvent):
    """The proposal will not be handled: not registered, merged into another, or withdrawn."""

    proposal_id: str
    outcome: Literal["not_registered", "merged", "withdrawn"]
    reason: str = ""
    reason_label: str = ""
    """The reason as the member reads it, for 不予立案 (v2)."""
    merged_into: str | None = None
    by: str = ""
    """Who ended it (v2)."""
    ended_at: datetime | None = None
    """When it ended (v2; absent from messages of v1)."""


@contract.register("intake.proposal-ended.v1")
class ProposalEndedAtIntakeV1(IntegrationEvent):
    """The proposal will not be handled (superseded by v2, which adds `reason_label`, `by` and
    `ended_at`; published beside it while consumers move)."""

    proposal_id: str
    outcome: Literal["not_registered", "merged", "withdrawn"]
    reason: str = ""
    merged_into: str | None = None


@contract.upcast("intake.proposal-ended.v1", "intake.proposal-ended.v2")
def _ended_reason_as_written(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "reason_label": data.get("reason", "")}


@contract.downcast("intake.proposal-ended.v2", "intake.proposal-ended.v1")
def _ended_as_in_v1(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in ProposalEndedAtIntakeV1.model_fields}
