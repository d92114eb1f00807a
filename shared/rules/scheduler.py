"""From open deadlines and today's date to reminders, missed deadlines and escalations: pure.

The scheduler's worker turns these signals into events with the ids made here, so running it again,
or after a restart, appends nothing new: at most one reminder per deadline and threshold, ever.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

from shared.kernel.ids import derived_id
from shared.rules.calendar import WorkingCalendar

DeadlineKind = Literal[
    "acknowledgement",  # 签收 (and the window for asking for another unit)
    "adjustment_decision",  # the office answers a 申请调整
    "co_opinion",  # a co-unit's opinion to the lead
    "reply",  # the lead unit's reply (moved by an approved extension)
    "feedback_return",  # the member returns the feedback form
    "rehandling",  # the reply of a new round after 不满意
    "publication",  # publishing the reply
]
SignalKind = Literal["reminder", "missed", "escalation"]


@dataclass(frozen=True)
class OpenDeadline:
    """Something `party` (a unit id, `office` or `proposer:<id>`) still owes on a proposal by `due`."""

    proposal_id: str
    party: str
    kind: DeadlineKind
    due: date
    round: int = 1
    calendar_version: str = ""

    @property
    def item(self) -> str:
        """What reminders are counted per: the kind, and the round after the first."""
        return self.kind if self.round == 1 else f"{self.kind}@round-{self.round}"


@dataclass(frozen=True)
class Rules:
    reminders: tuple[int, ...] = (5, 1)
    """Remind when this many working days (or fewer) are left."""
    escalate_after: int = 3
    """Escalate to the office this many working days after a missed deadline."""


@dataclass(frozen=True)
class Signal:
    id: UUID
    kind: SignalKind
    deadline: OpenDeadline
    as_of: date
    working_days_left: int
    """Negative once the deadline has passed: the working days overdue."""
    threshold: int | None = None


def signal_id(kind: SignalKind, d: OpenDeadline, threshold: int | None = None) -> UUID:
    """The id of a signal: a reminder is one per deadline item and threshold, whatever the due date
    (an extension does not remind again); a missed deadline or an escalation is one per due date."""
    last: object = threshold if kind == "reminder" else d.due
    return derived_id(kind, d.proposal_id, d.party, d.item, last)


def signals(
    deadlines: Iterable[OpenDeadline], today: date, working: WorkingCalendar, rules: Rules
) -> list[Signal]:
    return [s for d in deadlines for s in signals_of(d, today, working, rules)]


def signals_of(d: OpenDeadline, today: date, working: WorkingCalendar, rules: Rules) -> list[Signal]:
    left = working.working_days_between(today, d.due)
    if today <= d.due:
        threshold = min((t for t in rules.reminders if left <= t), default=None)
        if threshold is None:
            return []
        return [Signal(signal_id("reminder", d, threshold), "reminder", d, today, left, threshold)]
    missed = Signal(signal_id("missed", d), "missed", d, today, left)
    if -left < rules.escalate_after:
        return [missed]
    return [missed, Signal(signal_id("escalation", d), "escalation", d, today, left)]
