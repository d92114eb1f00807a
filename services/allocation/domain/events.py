"""The private domain events of allocation, by their stored type names."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.kernel.events import Event, EventRegistry

registry = EventRegistry()

Kind = Literal["proposal", "suggestion"]
Mode = Literal["独办", "主办+协办", "分办"]


class Routing(BaseModel):
    """Who handles one item: the lead unit and its co-units."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    item: int
    lead: str
    co_units: list[str] = Field(default_factory=list)


class InternalTask(BaseModel):
    """内部交办 of one item: 责任科室, 责任领导, 责任人, 完成时限, and the 办理措施 when given."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    item: int
    section: str
    leader: str
    person: str
    deadline: date
    measure: str = ""


@registry.register("allocation.case-opened.v1")
class CaseOpened(Event):
    proposal_id: str
    number: str
    title: str
    kind: Kind
    jurisdiction: str
    items: list[int]
    opened_at: datetime


@registry.register("allocation.case-closed.v1")
class CaseClosed(Event):
    proposal_id: str
    outcome: str
    reason: str = ""
    closed_at: datetime


@registry.register("allocation.case-allocated.v1")
class ProposalAllocated(Event):
    """交办: the whole routing, and the deadlines counted from it."""

    proposal_id: str
    number: str
    title: str
    kind: Kind
    jurisdiction: str
    mode: Mode
    routing: list[Routing]
    allocated_at: datetime
    reply_due: date
    co_opinion_due: date
    adjustment_until: date
    calendar_version: str | None = Field(default=None, exclude_if=lambda v: v is None)
    """The working-day calendar `adjustment_until` was counted on (absent in events stored before it)."""


@registry.register("allocation.assignment-acknowledged.v1")
class AssignmentAcknowledged(Event):
    """签收."""

    proposal_id: str
    unit: str
    by: str
    acknowledged_at: datetime


@registry.register("allocation.adjustment-requested.v1")
class AdjustmentRequested(Event):
    """申请调整: the unit asks the office to give its part to another unit."""

    proposal_id: str
    unit: str
    reason: str
    requested_at: datetime


@registry.register("allocation.adjustment-refused.v1")
class AdjustmentRefused(Event):
    proposal_id: str
    unit: str
    reason: str = ""
    decided_at: datetime


@registry.register("allocation.case-reallocated.v1")
class ProposalReallocated(Event):
    """An adjustment approved: `replaced_unit`'s part goes to `replacement`; the whole new routing."""

    proposal_id: str
    revision: int
    replaced_unit: str
    replacement: str
    number: str
    title: str
    kind: Kind
    jurisdiction: str
    mode: Mode
    routing: list[Routing]
    reallocated_at: datetime
    reply_due: date
    co_opinion_due: date
    adjustment_until: date
    """The replacement's own window for asking for another unit."""
    calendar_version: str | None = Field(default=None, exclude_if=lambda v: v is None)


@registry.register("allocation.internally-allocated.v1")
class InternallyAllocated(Event):
    """内部交办: each item of the unit to a section, a leader and a person, with a deadline."""

    proposal_id: str
    unit: str
    tasks: list[InternalTask]
    allocated_at: datetime


@registry.register("allocation.extension-requested.v1")
class ExtensionRequested(Event):
    proposal_id: str
    unit: str
    reply_due: date
    reason: str
    requested_at: datetime


@registry.register("allocation.extension-granted.v1")
class ExtensionGranted(Event):
    proposal_id: str
    unit: str
    reply_due: date
    decided_at: datetime


@registry.register("allocation.extension-refused.v1")
class ExtensionRefused(Event):
    proposal_id: str
    unit: str
    reason: str = ""
    decided_at: datetime


@registry.register("allocation.key-item-designated.v1")
class KeyItemDesignated(Event):
    """重点提案 / 重点督办建议, supervised by `leader` (`leader_title`, e.g. 市政协副主席)."""

    proposal_id: str
    leader: str
    leader_title: str
    reason: str = ""
    designated_at: datetime


@registry.register("allocation.supervision-recorded.v1")
class SupervisionRecorded(Event):
    """督办 of a key item: a meeting, visit or call held on `held_on` by `by`."""

    proposal_id: str
    kind: Literal["meeting", "visit", "call"]
    held_on: date
    notes: str
    by: str
    recorded_at: datetime


@registry.register("allocation.unit-urged.v1")
class UnitUrged(Event):
    """催办: the office pressed `unit`, for `reason`."""

    proposal_id: str
    unit: str
    reason: str
    by: str
    urged_at: datetime


# The scheduler's events, in the streams `allocation-schedule-<proposal_id>`.


@registry.register("allocation.reminder-due.v1")
class ReminderDue(Event):
    """`threshold` working days (or fewer) are left before `party`'s deadline."""

    proposal_id: str
    party: str
    deadline: str
    round: int
    due: date
    threshold: int
    working_days_left: int
    as_of: date
    calendar_version: str


@registry.register("allocation.deadline-missed.v1")
class DeadlineMissed(Event):
    proposal_id: str
    party: str
    deadline: str
    round: int
    due: date
    as_of: date
    calendar_version: str


@registry.register("allocation.deadline-escalated.v1")
class DeadlineEscalated(Event):
    """A missed deadline still open `working_days_overdue` working days later goes to the office."""

    proposal_id: str
    party: str
    deadline: str
    round: int
    due: date
    working_days_overdue: int
    as_of: date
    calendar_version: str


# The daily digest, in the streams `allocation-digest-<unit>`.


@registry.register("allocation.digest-sent.v1")
class DigestSent(Event):
    """The daily digest of `unit` for `day`: recorded before it is sent, so a day sends it once."""

    unit: str
    day: date
    open_items: int
    due_soon: int
    overdue: int
    calendar_version: str
