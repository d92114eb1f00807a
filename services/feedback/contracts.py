"""The public integration events of feedback: the forms sent and answered, re-handling and closing.

The link of a member's form is the member's credential: it never leaves feedback.
"""

from datetime import date, datetime
from typing import Literal

from shared.kernel.contracts import IntegrationEvent
from shared.kernel.events import EventRegistry

contract = EventRegistry()


@contract.register("feedback.feedback-requested.v1")
class FeedbackRequestedV1(IntegrationEvent):
    """A proposer is asked for the 征询意见表 of a round, to return by `due`."""

    proposal_id: str
    round: int
    proposer_id: str
    proposer_name: str
    due: date
    requested_at: datetime
    calendar_version: str = ""


@contract.register("feedback.feedback-answered.v1")
class FeedbackAnsweredV1(IntegrationEvent):
    """A proposer answered the form, online or on paper: 满意, 基本满意 or 不满意 (as written, too)."""

    proposal_id: str
    round: int
    proposer_id: str
    satisfaction: str
    satisfaction_as_written: str
    channel: Literal["online", "paper"]
    answered_at: datetime


@contract.register("feedback.rehandling-requested.v1")
class RehandlingRequestedV1(IntegrationEvent):
    """不满意: the proposal goes back to its lead units for a new round with its own deadline."""

    proposal_id: str
    round: int
    """The number of the new round (2 after the first 不满意)."""
    lead_units: list[str]
    due: date
    opinions: list[str]


@contract.register("feedback.proposal-closed.v1")
class ProposalClosedV1(IntegrationEvent):
    """办结 (closed), or tracking (跟踪办理) when a class B or C reply promised more."""

    proposal_id: str
    outcome: Literal["closed", "tracking"]
    closed_at: datetime
