"""What reply knows of one proposal: nothing before its allocation, then its rounds of handling.

In every round each lead unit is in one of three states: waiting for its co-units' opinions, ready
to reply, or replied. Only round 1 waits for co-unit opinions: in a re-handling round the opinions
already given stand (a co-unit may still send a new one), so the leads start READY.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar

from services.reply.domain.events import (
    ConsultationRecorded,
    CoOpinionSubmitted,
    RegistrationTaken,
    ReplyIssued,
    ReplyNotPublished,
    ReplyPublished,
    RoutedItem,
)
from shared.kernel.contracts import Kind


@dataclass(frozen=True)
class NotAllocated:
    registration: RegistrationTaken | None = None
    """立案 may be announced before or after the allocation: it is kept until the allocation comes."""
    name: ClassVar[str] = "NOT_ALLOCATED"


@dataclass(frozen=True)
class AwaitingCoOpinions:
    missing: tuple[str, ...]
    name: ClassVar[str] = "AWAITING_CO_OPINIONS"


@dataclass(frozen=True)
class Ready:
    name: ClassVar[str] = "READY"


@dataclass(frozen=True)
class Unpublished:
    """The office has not yet decided on publishing the reply."""

    name: ClassVar[str] = "UNPUBLISHED"


@dataclass(frozen=True)
class Published:
    publication: ReplyPublished
    name: ClassVar[str] = "PUBLISHED"


@dataclass(frozen=True)
class NotPublished:
    decision: ReplyNotPublished
    name: ClassVar[str] = "NOT_PUBLISHED"


Publication = Unpublished | Published | NotPublished


@dataclass(frozen=True)
class Replied:
    reply: ReplyIssued
    result_class: str
    """The class now in force: the unit's, or the office's after a change."""
    publication: Publication = Unpublished()
    name: ClassVar[str] = "REPLIED"


LeadState = AwaitingCoOpinions | Ready | Replied


@dataclass(frozen=True)
class Round:
    number: int
    due: date
    opinions: tuple[str, ...] = ()
    """What the member said when asking for re-handling (empty in round 1)."""
    co_opinions: tuple[CoOpinionSubmitted, ...] = ()
    overridden: bool = False
    leads: Mapping[str, LeadState] = field(default_factory=dict)
    former: Mapping[str, Replied] = field(default_factory=dict)
    """Replies of units that no longer lead in this round: a unit given its part back does not
    answer the same round twice."""

    @property
    def state_name(self) -> str:
        """The least advanced state of any lead unit of the round."""
        for state in (AwaitingCoOpinions, Ready, Replied):
            if any(isinstance(lead, state) for lead in self.leads.values()):
                return state.name
        return Ready.name

    def submitted_by(self, unit: str) -> bool:
        return any(o.co_unit == unit for o in self.co_opinions)


@dataclass(frozen=True)
class Allocated:
    proposal_id: str
    revision: int
    number: str
    title: str
    kind: Kind
    jurisdiction: str
    lead_units: tuple[str, ...]
    co_units: tuple[str, ...]
    routing: tuple[RoutedItem, ...]
    reply_due: date
    co_opinion_due: date
    result_classes: tuple[str, ...]
    rounds: tuple[Round, ...]
    consultations: tuple[ConsultationRecorded, ...] = ()
    registration: RegistrationTaken | None = None
    """The session, items and proposers, once intake's 立案 has reached reply."""

    name: ClassVar[str] = "ALLOCATED"

    @property
    def current(self) -> Round:
        return self.rounds[-1]

    def with_current(self, round_: Round) -> "Allocated":
        return replace(self, rounds=(*self.rounds[:-1], round_))

    def is_co_unit(self, unit: str) -> bool:
        return unit in self.co_units or any(unit in r.co_units for r in self.routing)

    def items_led_by(self, unit: str) -> tuple[int, ...]:
        return tuple(r.item for r in self.routing if r.lead == unit)

    def co_units_of(self, lead: str) -> tuple[str, ...]:
        """The co-units whose opinions `lead` waits for: those named on the items it leads, or,
        when the routing names no co-unit on any item, every co-unit of the proposal."""
        if not any(r.co_units for r in self.routing):
            return self.co_units
        named = [unit for r in self.routing if r.lead == lead for unit in r.co_units]
        return tuple(dict.fromkeys(named))


State = NotAllocated | Allocated


def lead_state(allocated: Allocated, round_: Round, lead: str) -> LeadState:
    """The state of a lead unit that has not replied in this round."""
    if round_.number > 1 or round_.overridden:
        return Ready()
    missing = tuple(u for u in allocated.co_units_of(lead) if not round_.submitted_by(u))
    return AwaitingCoOpinions(missing) if missing else Ready()


def refreshed(allocated: Allocated, round_: Round, leads: tuple[str, ...]) -> Round:
    """`round_` with the state of each of `leads`; a reply already issued stays, also while its unit
    is away from the proposal."""
    replied = {**round_.former, **{u: s for u, s in round_.leads.items() if isinstance(s, Replied)}}
    states: dict[str, LeadState] = {}
    for lead in leads:
        states[lead] = replied.get(lead) or lead_state(allocated, round_, lead)
    former = {unit: reply for unit, reply in replied.items() if unit not in leads}
    return replace(round_, leads=states, former=former)
