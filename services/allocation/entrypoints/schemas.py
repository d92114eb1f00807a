"""What the allocation endpoints answer: a command's outcome, the allocation as it stands, and an
import of an allocation plan."""

from datetime import date

from pydantic import Field

from services.allocation.application.imports import Step
from services.allocation.domain.commands import Mode, Route, Task
from services.allocation.domain.state import Case, KeyItem, PendingExtension, Role
from shared.web.schemas import Schema, Sparse


class CommandResult(Sparse):
    proposal_id: str
    state: str
    version: int
    assignment: str | None = None
    """After a unit's step on an allocated proposal: the state of its assignment (null when the unit
    has none any more)."""


class AssignmentView(Sparse):
    state: str
    unit: str
    role: Role
    items: list[int]
    adjustment_until: date
    reason: str | None = None
    """Why the unit asks for another unit (ADJUSTMENT_REQUESTED)."""
    tasks: list[Task] | None = None
    """Its 内部交办 (IN_PROGRESS)."""


class AllocationView(Sparse):
    """Every state has its case; awaiting allocation adds the key item, allocated adds the rest."""

    proposal_id: str
    version: int
    state: str
    case: Case
    key_item: KeyItem | None = None
    mode: Mode | None = None
    revision: int | None = None
    routing: list[Route] | None = None
    assignments: list[AssignmentView] | None = None
    allocated_at: str | None = Field(None, description="ISO 8601 date and time")
    reply_due: date | None = None
    co_opinion_due: date | None = None
    extension_requested: PendingExtension | None = None
    urges: int | None = None


class PlannedCommand(Sparse):
    """One command of an import, the rows it comes from, and what it does."""

    number: str
    proposal_id: str
    step: Step
    rows: list[int]
    already_recorded: bool
    mode: Mode | None = None
    routing: list[Route] | None = None
    reply_due: date | None = None
    unit: str | None = None
    tasks: list[Task] | None = None
    by: str | None = None
    appended: bool | None = None
    """Whether this upload appended it (absent on a dry run)."""


class ImportResult(Schema):
    file_sha256: str
    jurisdiction: str
    dry_run: bool
    skipped_rows: list[int]
    commands: list[PlannedCommand]
