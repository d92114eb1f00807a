"""What can be asked of a proposal's feedback; times and tokens come from the edge."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from shared.kernel.contracts import Kind

Channel = Literal["online", "paper"]


@dataclass(frozen=True)
class Proposer:
    id: str
    name: str
    phone: str = ""
    """Printed on the paper 征询意见表."""


@dataclass(frozen=True)
class RecordProposal:
    proposal_id: str
    number: str
    title: str
    jurisdiction: str
    kind: Kind
    proposers: tuple[Proposer, ...]
    at: datetime


@dataclass(frozen=True)
class RecordReply:
    """One lead unit's reply; the last one of a round opens the feedback forms with these tokens."""

    proposal_id: str
    round: int
    lead_unit: str
    lead_units: tuple[str, ...]
    result_class: str
    promise: str
    issued_at: datetime
    tokens: Mapping[str, str] = field(default_factory=dict)
    """Proposer id → the token of that proposer's form for this round."""


@dataclass(frozen=True)
class AnswerFeedback:
    proposal_id: str
    proposer_id: str
    satisfaction: str
    opinion: str
    suggestions: str
    recommended_units: tuple[str, ...]
    channel: Channel
    at: datetime
    round: int | None = None
    """The round of the form answered (from the token); None on paper: the open round."""


Command = RecordProposal | RecordReply | AnswerFeedback
