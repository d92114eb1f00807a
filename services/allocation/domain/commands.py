"""What can be asked of an allocation: imperative, plain values made at the edge (ids, time, units)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Kind = Literal["proposal", "suggestion"]
Mode = Literal["独办", "主办+协办", "分办"]


@dataclass(frozen=True)
class OpenCase:
    proposal_id: str
    number: str
    title: str
    kind: Kind
    jurisdiction: str
    items: tuple[int, ...]
    at: datetime


@dataclass(frozen=True)
class CloseCase:
    proposal_id: str
    outcome: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class Route:
    """Who handles one item: a lead unit and its co-units (unit ids)."""

    item: int
    lead: str
    co_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class Allocate:
    """交办: either one `lead` (with `co_units`) for every item, or a `routing` item by item."""

    mode: Mode
    at: datetime
    lead: str | None = None
    co_units: tuple[str, ...] = ()
    routing: tuple[Route, ...] = ()
    reply_due: date | None = None
    """A fixed date from the allocation notice; overrides the policy."""


@dataclass(frozen=True)
class Acknowledge:
    unit: str
    by: str
    at: datetime


@dataclass(frozen=True)
class RequestAdjustment:
    unit: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class DecideAdjustment:
    unit: str
    approve: bool
    at: datetime
    replacement: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Task:
    """内部交办 of one item: 责任科室, 责任领导, 责任人, the internal deadline and the 办理措施."""

    item: int
    section: str
    leader: str
    person: str
    deadline: date
    measure: str = ""


@dataclass(frozen=True)
class AllocateInternally:
    unit: str
    tasks: tuple[Task, ...]
    at: datetime


@dataclass(frozen=True)
class RequestExtension:
    unit: str
    reply_due: date
    reason: str
    at: datetime


@dataclass(frozen=True)
class DecideExtension:
    unit: str
    grant: bool
    at: datetime
    reason: str = ""


SupervisionKind = Literal["meeting", "visit", "call"]


@dataclass(frozen=True)
class DesignateKeyItem:
    """重点提案 / 重点督办建议: the office names the leader who supervises it, e.g. a 市政协副主席."""

    leader: str
    leader_title: str
    at: datetime
    reason: str = ""


@dataclass(frozen=True)
class RecordSupervision:
    """督办: a meeting, visit or call on a key item, on the day it was held, by whom, with notes."""

    kind: SupervisionKind
    held_on: date
    notes: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Urge:
    """催办: the office presses one handling unit, with the reason."""

    unit: str
    reason: str
    by: str
    at: datetime


Command = (
    OpenCase
    | CloseCase
    | Allocate
    | Acknowledge
    | RequestAdjustment
    | DecideAdjustment
    | AllocateInternally
    | RequestExtension
    | DecideExtension
    | DesignateKeyItem
    | RecordSupervision
    | Urge
)
