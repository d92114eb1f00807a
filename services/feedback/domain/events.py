"""The private domain events of feedback, by their stored type names."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.kernel.contracts import Kind
from shared.kernel.events import Event, EventRegistry

registry = EventRegistry()


class ProposerRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    phone: str = ""
    """Printed on the paper 征询意见表; empty in events stored before it was kept."""


@registry.register("feedback.proposal-recorded.v1")
class ProposalRecorded(Event):
    """The registered proposal whose proposers will be asked for their satisfaction."""

    proposal_id: str
    number: str
    title: str
    jurisdiction: str
    kind: Kind
    proposers: tuple[ProposerRecord, ...]
    recorded_at: datetime


@registry.register("feedback.reply-recorded.v1")
class ReplyRecorded(Event):
    """A lead unit replied to the proposer for one round."""

    proposal_id: str
    round: int
    lead_unit: str
    lead_units: tuple[str, ...]
    result_class: str
    promise: str
    issued_at: datetime


@registry.register("feedback.feedback-requested.v1")
class FeedbackRequested(Event):
    """The feedback form (征询意见表) was opened for one proposer; the token is the link's credential."""

    proposal_id: str
    round: int
    proposer_id: str
    proposer_name: str
    token: str
    due: date
    requested_at: datetime
    calendar_version: str | None = Field(default=None, exclude_if=lambda v: v is None)
    """The working-day calendar `due` was counted on (absent in events stored before it)."""


@registry.register("feedback.feedback-answered.v1")
class FeedbackAnswered(Event):
    """A proposer answered the form, online through the link or on paper entered by the office."""

    proposal_id: str
    round: int
    proposer_id: str
    satisfaction: str
    """The canonical label: 满意, 基本满意 or 不满意."""
    satisfaction_as_written: str
    opinion: str
    suggestions: str
    recommended_units: tuple[str, ...]
    channel: Literal["online", "paper"]
    answered_at: datetime


@registry.register("feedback.rehandling-requested.v1")
class RehandlingRequested(Event):
    """不满意: the lead units handle the proposal again in a new round."""

    proposal_id: str
    round: int
    lead_units: tuple[str, ...]
    due: date
    opinions: tuple[str, ...]
    requested_at: datetime


@registry.register("feedback.proposal-closed.v1")
class ProposalClosed(Event):
    """办结, or 跟踪办理 (tracking) when a class B or C reply promised more."""

    proposal_id: str
    round: int
    outcome: Literal["closed", "tracking"]
    closed_at: datetime


@registry.register("feedback.member-notified.v1")
class MemberNotified(Event):
    """The member was told of a reply or sent the link to the feedback form; recorded before sending."""

    proposal_id: str
    round: int
    proposer_id: str
    what: Literal["reply", "feedback-request"]
    subject: str
    link: str = ""
