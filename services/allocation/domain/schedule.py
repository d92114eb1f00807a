"""What the scheduler and the daily digest record: each signal, and each unit's digest of a day, once.

A schedule stream (`allocation-schedule-<proposal_id>`) holds the reminders, missed deadlines and
escalations of one proposal; recording a signal whose id (deadline, item, and threshold or due date)
is already there decides nothing. A digest stream (`allocation-digest-<unit>`) holds a unit's daily
digests; a second digest of a day decides nothing. The command handler already answers a repeated
command id with its first answer; these rules hold as well for records made under any other id.
"""

from datetime import date
from typing import cast
from uuid import UUID

from services.allocation.domain import events as e
from shared.kernel.decider import Decider
from shared.kernel.events import Event
from shared.rules.scheduler import DeadlineKind, OpenDeadline, Signal, signal_id

SignalIds = frozenset[UUID]
DigestDays = frozenset[date]
SignalEvent = e.ReminderDue | e.DeadlineMissed | e.DeadlineEscalated


def event_of(signal: Signal) -> SignalEvent:
    d = signal.deadline
    common = {
        "proposal_id": d.proposal_id,
        "party": d.party,
        "deadline": d.kind,
        "round": d.round,
        "due": d.due,
        "as_of": signal.as_of,
        "calendar_version": d.calendar_version,
    }
    match signal.kind:
        case "reminder":
            assert signal.threshold is not None
            return e.ReminderDue(
                **common, threshold=signal.threshold, working_days_left=signal.working_days_left
            )
        case "missed":
            return e.DeadlineMissed(**common)
        case "escalation":
            return e.DeadlineEscalated(**common, working_days_overdue=-signal.working_days_left)


def id_of(event: SignalEvent) -> UUID:
    """The id of the signal the event records, as `shared.rules.scheduler` made it."""
    kind = cast(DeadlineKind, event.deadline)
    deadline = OpenDeadline(event.proposal_id, event.party, kind, event.due, event.round)
    match event:
        case e.ReminderDue():
            return signal_id("reminder", deadline, event.threshold)
        case e.DeadlineMissed():
            return signal_id("missed", deadline)
        case e.DeadlineEscalated():
            return signal_id("escalation", deadline)


def decide_signal(signal: Signal, recorded: SignalIds) -> list[Event]:
    return [] if signal.id in recorded else [event_of(signal)]


def evolve_signals(recorded: SignalIds, event: Event) -> SignalIds:
    if isinstance(event, e.ReminderDue | e.DeadlineMissed | e.DeadlineEscalated):
        return recorded | {id_of(event)}
    return recorded


SIGNALS: Decider[Signal, SignalIds] = Decider(decide_signal, evolve_signals, frozenset())


def decide_digest(digest: e.DigestSent, days: DigestDays) -> list[Event]:
    return [] if digest.day in days else [digest]


def evolve_digests(days: DigestDays, event: Event) -> DigestDays:
    return days | {event.day} if isinstance(event, e.DigestSent) else days


DIGESTS: Decider[e.DigestSent, DigestDays] = Decider(decide_digest, evolve_digests, frozenset())
