"""The states of an allocation and of each unit's assignment on it: distinct frozen types."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Literal

from services.allocation.domain.commands import Kind, Mode, Route, Task

Role = Literal["lead", "co"]


@dataclass(frozen=True)
class Case:
    proposal_id: str
    number: str
    title: str
    kind: Kind
    jurisdiction: str
    items: tuple[int, ...]


@dataclass(frozen=True)
class Assignment:
    """One unit's part of the proposal: its role, its items, and until when it may ask for another unit."""

    name: ClassVar[str]
    unit: str
    role: Role
    items: tuple[int, ...]
    adjustment_until: date


@dataclass(frozen=True)
class PendingReceipt(Assignment):
    name = "PENDING_RECEIPT"


@dataclass(frozen=True)
class Received(Assignment):
    name = "RECEIVED"


@dataclass(frozen=True)
class AdjustmentRequested(Assignment):
    name = "ADJUSTMENT_REQUESTED"
    reason: str = ""


@dataclass(frozen=True)
class InProgress(Assignment):
    name = "IN_PROGRESS"
    tasks: tuple[Task, ...] = ()


@dataclass(frozen=True)
class PendingExtension:
    unit: str
    reply_due: date
    reason: str


@dataclass(frozen=True)
class KeyItem:
    """重点提案: the leader supervising it and how often the office has supervised and urged."""

    leader: str
    leader_title: str
    supervisions: int = 0


@dataclass(frozen=True)
class Unopened:
    name: ClassVar[str] = "UNOPENED"


@dataclass(frozen=True)
class AwaitingAllocation:
    name: ClassVar[str] = "AWAITING_ALLOCATION"
    case: Case
    key_item: KeyItem | None = None


@dataclass(frozen=True)
class Allocated:
    name: ClassVar[str] = "ALLOCATED"
    case: Case
    mode: Mode
    routing: tuple[Route, ...]
    assignments: tuple[Assignment, ...]
    revision: int
    allocated_at: datetime
    reply_due: date
    co_opinion_due: date
    extension: PendingExtension | None = None
    key_item: KeyItem | None = None
    urges: int = 0

    def assignment(self, unit: str) -> Assignment | None:
        return next((a for a in self.assignments if a.unit == unit), None)


@dataclass(frozen=True)
class Closed:
    name: ClassVar[str] = "CLOSED"
    case: Case
    outcome: str


State = Unopened | AwaitingAllocation | Allocated | Closed


def parts(routing: tuple[Route, ...]) -> list[tuple[str, Role, tuple[int, ...]]]:
    """Each unit named in the routing with its role (lead if it leads any item) and its items."""
    units: dict[str, tuple[Role, list[int]]] = {}
    for route in routing:
        for unit in (route.lead, *route.co_units):
            role, items = units.get(unit, ("co", []))
            units[unit] = ("lead" if unit == route.lead else role, [*items, route.item])
    return [(unit, role, tuple(items)) for unit, (role, items) in units.items()]
