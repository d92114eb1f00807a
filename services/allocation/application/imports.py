"""Import of an allocation plan (分工方案) from a spreadsheet: all rows or none.

Two parties import the same kind of file, each for its own part:
- the office imports the 交办: per proposal, the lead and co-units of every item and the 完成时限 as
  the fixed reply date (one `Allocate` per proposal);
- a handling unit imports its own internal plan (seed 000 is 中卫市民政局's): for each proposal it has a
  part in, 签收 when not yet done and the 内部交办 of its items to 责任科室, 责任领导, 责任人 with the
  完成时限 and the 办理措施. Rows of items the unit does not handle are skipped.

The guarantee. Every row is read and every command is decided against the current state of its
proposal before anything is appended; one bad row, or one command the rules refuse, and the whole file
is refused with every bad row and its reason, and nothing is appended. Each command's id is derived
from the file's SHA-256, the importing party, the proposal and the step, so uploading the same file
again appends nothing that is already there: if the appends of an accepted file are interrupted (a
crash, a lost connection), uploading it again completes them. Commands already recorded are not
decided again. Between the check and the appends another writer may change a proposal; a command
refused then is reported, the appends before it stay, and a later upload of the same file completes
the rest once the conflict is resolved.
"""

import hashlib
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from services.allocation.application.plan import LABELS, PlanRow, RowError, read_plan
from services.allocation.application.service import AllocationService, stream
from services.allocation.domain import events as e
from services.allocation.domain.commands import (
    Acknowledge,
    Allocate,
    AllocateInternally,
    Command,
    Mode,
    Route,
    Task,
)
from services.allocation.domain.events import registry
from services.allocation.domain.state import Allocated, PendingReceipt, State
from shared.adapters.eventstore import EventStore
from shared.documents.spreadsheets import Sheet
from shared.kernel.decider import CommandMeta, Rejected
from shared.kernel.ids import derived_id, event_id
from shared.rules.units import UnknownUnit

Step = Literal["交办", "签收", "内部交办"]
_INDEX = re.compile(r"^(?:routing|tasks)\[(\d+)\]")


@dataclass(frozen=True)
class Importer:
    """Who imports: the office (交办), or one unit (its 签收 and 内部交办), with the name recorded."""

    unit: str | None
    by: str
    subject: str


@dataclass(frozen=True)
class Planned:
    """One command of the import and the rows it comes from."""

    number: str
    proposal_id: str
    step: Step
    command: Command
    command_id: str
    rows: tuple[int, ...]
    recorded: bool
    """Appended by an earlier upload of the same file."""

    def describe(self) -> dict[str, object]:
        return {
            "number": self.number,
            "proposal_id": self.proposal_id,
            "step": self.step,
            "rows": list(self.rows),
            "already_recorded": self.recorded,
            **command_summary(self.command),
        }


@dataclass
class Checked:
    digest: str
    planned: list[Planned] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    """Rows of items the importing unit does not handle."""


class PlanImports:
    def __init__(self, service: AllocationService) -> None:
        self.service = service

    async def check(
        self, data: bytes, sheet: Sheet, importer: Importer, jurisdiction: str, at: datetime
    ) -> Checked:
        """Read every row and decide every command on the current state; append nothing."""
        checked = Checked(hashlib.sha256(data).hexdigest())
        rows, checked.errors = read_plan(sheet)
        numbers = await self.numbers(jurisdiction)
        unreadable = {error.number for error in checked.errors}
        for number, group in grouped(rows).items():
            if number in unreadable:
                continue  # its bad rows are listed; deciding on the rest would only repeat them
            proposal_id = numbers.get(number)
            if proposal_id is None:
                checked.errors += [
                    RowError(r.row, LABELS["number"], f"no registered proposal {number} in {jurisdiction}")
                    for r in group
                ]
                continue
            await self.check_proposal(checked, number, proposal_id, group, importer, at)
        checked.errors.sort(key=lambda error: error.row)
        return checked

    async def numbers(self, jurisdiction: str) -> dict[str, str]:
        """Proposal number → id of the proposals registered in the jurisdiction (the latest wins)."""
        found: dict[str, str] = {}
        async for event in cases_opened(self.service.handler.store):
            if event.jurisdiction == jurisdiction:
                found[event.number] = event.proposal_id
        return found

    async def check_proposal(
        self,
        checked: Checked,
        number: str,
        proposal_id: str,
        group: list[PlanRow],
        importer: Importer,
        at: datetime,
    ) -> None:
        state, recorded = await self.service.handler.load(stream(proposal_id))
        ids = {r.id for r in recorded}
        steps, errors, skipped = self.commands_for(state, group, importer, at)
        checked.errors += errors
        checked.skipped += skipped
        if errors:
            return
        decider = self.service.handler.decider
        for step, command, rows in steps:
            command_id = str(
                derived_id("allocation-plan", checked.digest, importer.unit or "office", number, step)
            )
            done = event_id(f"{stream(proposal_id)}/{command_id}", 0) in ids
            if not done:
                try:
                    state = decider.fold(decider.decide(command, state), state)
                except Rejected as refused:
                    checked.errors += [
                        RowError(r, reason_field(refused), refused.detail) for r in rows_at(refused, rows)
                    ]
                    return
            checked.planned.append(Planned(number, proposal_id, step, command, command_id, rows, done))

    def commands_for(
        self, state: State, group: list[PlanRow], importer: Importer, at: datetime
    ) -> tuple[list[tuple[Step, Command, tuple[int, ...]]], list[RowError], list[int]]:
        if importer.unit is None:
            allocation, errors = self.allocation(group, at)
            return ([("交办", allocation, rows_of(group))] if allocation else []), errors, []
        return self.internal(state, group, importer, at)

    def allocation(self, group: list[PlanRow], at: datetime) -> tuple[Allocate | None, list[RowError]]:
        routing: list[Route] = []
        errors: list[RowError] = []
        for row in group:
            leads, lead_errors = self.units(row.row, LABELS["lead"], row.lead)
            co_units, co_errors = self.units(row.row, LABELS["co_units"], row.co_units)
            errors += lead_errors + co_errors
            if len(leads) > 1:
                errors.append(RowError(row.row, LABELS["lead"], "one 主办单位 per item"))
            errors += self.co_unit_errors(row.row, leads[:1], co_units)
            if leads and not errors:
                routing.append(Route(row.item, leads[0], tuple(co_units)))
        if errors:
            return None, errors
        dues = [row.due for row in group if row.due]
        return Allocate(mode_of(routing), at, routing=tuple(routing), reply_due=max(dues, default=None)), []

    def co_unit_errors(self, row: int, lead: list[str], co_units: list[str]) -> list[RowError]:
        """A unit named twice in the cell (also under two of its names), or the lead among co-units."""
        named = [*lead, *co_units]
        twice = [unit for i, unit in enumerate(named) if unit in named[:i]]
        return [RowError(row, LABELS["co_units"], f"{self.unit_name(unit)} is named twice") for unit in twice]

    def internal(
        self, state: State, group: list[PlanRow], importer: Importer, at: datetime
    ) -> tuple[list[tuple[Step, Command, tuple[int, ...]]], list[RowError], list[int]]:
        unit = importer.unit
        assert unit is not None
        assignment = state.assignment(unit) if isinstance(state, Allocated) else None
        if not isinstance(state, Allocated) or assignment is None:
            reason = f"{self.unit_name(unit)} has no assignment on proposal {group[0].number} (交办 first)"
            return [], [RowError(r.row, LABELS["number"], reason) for r in group], []
        mine = [row for row in group if row.item in assignment.items]
        errors = [error for row in mine for error in self.task_errors(row, state)]
        if errors:
            return [], errors, []
        tasks = tuple(
            Task(row.item, row.section, row.leader, row.person, row.due or state.reply_due, row.measure)
            for row in mine
        )
        steps: list[tuple[Step, Command, tuple[int, ...]]] = []
        if isinstance(assignment, PendingReceipt):
            steps.append(("签收", Acknowledge(unit, importer.by, at), rows_of(mine)))
        steps.append(("内部交办", AllocateInternally(unit, tasks, at), rows_of(mine)))
        return steps, [], [row.row for row in group if row not in mine]

    def task_errors(self, row: PlanRow, state: Allocated) -> list[RowError]:
        errors = [
            RowError(row.row, LABELS[name], "missing")
            for name in ("section", "leader", "person")
            if not getattr(row, name)
        ]
        route = next((r for r in state.routing if r.item == row.item), None)
        leads, lead_errors = self.units(row.row, LABELS["lead"], row.lead)
        co_units, co_errors = self.units(row.row, LABELS["co_units"], row.co_units)
        errors += lead_errors + co_errors
        if route and not lead_errors and leads[:1] != [route.lead]:
            named = self.unit_name(route.lead)
            errors.append(RowError(row.row, LABELS["lead"], f"item {row.item} was allocated to {named}"))
        if route and not co_errors and set(co_units) != set(route.co_units):
            named = "、".join(self.unit_name(u) for u in route.co_units) or "no co-unit"
            errors.append(
                RowError(row.row, LABELS["co_units"], f"item {row.item} was allocated with {named}")
            )
        return errors

    def units(self, row: int, column: str, written: Sequence[str]) -> tuple[list[str], list[RowError]]:
        """Unit ids for the names of one cell; a name broken over lines (市卫生健康 / 委) is joined."""
        ids: list[str] = []
        errors: list[RowError] = []
        i = 0
        while i < len(written):
            for j in range(i + 1, min(len(written), i + 3) + 1):
                try:
                    ids.append(self.service.units.resolve("".join(written[i:j])).id)
                    i = j
                    break
                except UnknownUnit:
                    continue
            else:
                errors.append(RowError(row, column, f"unknown unit {written[i]!r}"))
                i += 1
        return ids, errors

    def unit_name(self, unit: str) -> str:
        try:
            return self.service.units.get(unit).name
        except UnknownUnit:
            return unit

    async def apply(
        self, checked: Checked, importer: Importer, correlation_id: str
    ) -> list[dict[str, object]]:
        """Append what was checked, in order; each command once, whatever uploads came before."""
        done: list[dict[str, object]] = []
        for planned in checked.planned:
            meta = CommandMeta(
                command_id=planned.command_id,
                actor=importer.subject,
                correlation_id=correlation_id,
                extra={"import_sha256": checked.digest},
            )
            outcome = await self.service.handle(planned.proposal_id, planned.command, meta)
            done.append({**planned.describe(), "appended": not outcome.repeated and bool(outcome.events)})
        return done


async def cases_opened(store: EventStore) -> AsyncIterator[e.CaseOpened]:
    """Every case opened in allocation's own store, in order (read once per upload, not per tick)."""
    names = {e.CaseOpened.type_name, *registry.older_names(e.CaseOpened.type_name)}
    after = 0
    while batch := await store.read_all(after=after):
        for recorded in batch:
            if recorded.type in names:
                event = registry.decode_recorded(recorded)
                assert isinstance(event, e.CaseOpened)
                yield event
        after = batch[-1].position


def grouped(rows: list[PlanRow]) -> dict[str, list[PlanRow]]:
    groups: dict[str, list[PlanRow]] = {}
    for row in rows:
        groups.setdefault(row.number, []).append(row)
    return groups


def rows_of(group: Sequence[PlanRow]) -> tuple[int, ...]:
    return tuple(row.row for row in group)


def mode_of(routing: Sequence[Route]) -> Mode:
    if len({route.lead for route in routing}) > 1:
        return "分办"
    return "主办+协办" if any(route.co_units for route in routing) else "独办"


def reason_field(refused: Rejected) -> str:
    """The column a refusal of the rules is about, as far as the plan has one."""
    named = str(refused.extra.get("field") or "")
    if named.endswith(".item"):
        return LABELS["content"]
    if named.endswith("co_units") or ".co_units[" in named:
        return LABELS["co_units"]
    if named.startswith(("routing", "lead")) or named == "mode":
        return LABELS["lead"]
    if named == "reply_due":
        return LABELS["due"]
    if named.startswith("tasks"):
        return LABELS["section"]
    return LABELS["number"]


def rows_at(refused: Rejected, rows: tuple[int, ...]) -> tuple[int, ...]:
    """The one row a refusal names by index (routing[2], tasks[0]: commands list the rows in order),
    or every row of the command."""
    match = _INDEX.match(str(refused.extra.get("field") or ""))
    if match and int(match.group(1)) < len(rows):
        return (rows[int(match.group(1))],)
    return rows


def command_summary(command: Command) -> dict[str, object]:
    match command:
        case Allocate():
            return {
                "mode": command.mode,
                "routing": [
                    {"item": r.item, "lead": r.lead, "co_units": list(r.co_units)} for r in command.routing
                ],
                "reply_due": iso(command.reply_due),
            }
        case AllocateInternally():
            return {
                "unit": command.unit,
                "tasks": [
                    {
                        "item": t.item,
                        "section": t.section,
                        "leader": t.leader,
                        "person": t.person,
                        "deadline": t.deadline.isoformat(),
                        "measure": t.measure,
                    }
                    for t in command.tasks
                ],
            }
        case Acknowledge():
            return {"unit": command.unit, "by": command.by}
        case _:
            return {}


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
