"""The daily digest: each unit's open items, those due soon and those overdue, once per unit and day.

The digest of a unit for a day is recorded as `allocation.digest-sent.v1` with the id
`derived_id("digest", unit, day)` in `allocation-digest-<unit>` before it is sent, so a second run
the same day (or a run after a restart) sends nothing.
"""

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from services.allocation.application.deadlines import OFFICE, open_deadlines
from services.allocation.domain import events as a
from shared.adapters.eventstore import EventStore
from shared.adapters.notify import Notification, Notifier
from shared.kernel.events import EventRegistry
from shared.kernel.ids import derived_id
from shared.kernel.once import append_once, history
from shared.rules.calendar import WorkingCalendar
from shared.rules.deadlines import local_date
from shared.rules.policy import Policies
from shared.rules.scheduler import OpenDeadline

ACTOR = "system:digest"


def digest_stream(unit: str) -> str:
    return f"allocation-digest-{unit}"


@dataclass(frozen=True)
class UnitDigest:
    unit: str
    day: date
    owed: tuple[tuple[OpenDeadline, int], ...]
    """Each open deadline with its working days left (negative: overdue)."""
    due_soon_within: int
    calendar_version: str

    @property
    def open_items(self) -> int:
        return len({d.proposal_id for d, _ in self.owed})

    @property
    def due_soon(self) -> list[tuple[OpenDeadline, int]]:
        return [(d, left) for d, left in self.owed if 0 <= left <= self.due_soon_within]

    @property
    def overdue(self) -> list[tuple[OpenDeadline, int]]:
        return [(d, left) for d, left in self.owed if left < 0]

    def event(self) -> a.DigestSent:
        return a.DigestSent(
            unit=self.unit,
            day=self.day,
            open_items=self.open_items,
            due_soon=len(self.due_soon),
            overdue=len(self.overdue),
            calendar_version=self.calendar_version,
        )

    def notification(self, to: str) -> Notification:
        subject = (
            f"每日办理提醒（{self.day}）：在办 {self.open_items} 件，"
            f"即将到期 {len(self.due_soon)} 项，逾期 {len(self.overdue)} 项"
        )
        lines = [f"提案 {d.proposal_id}：{d.kind}，期限 {d.due}，{left_text(left)}" for d, left in self.owed]
        return Notification(to, subject, "\n".join(lines))


def left_text(left: int) -> str:
    return f"逾期 {-left} 个工作日" if left < 0 else f"还有 {left} 个工作日"


def by_due(owed: tuple[OpenDeadline, int]) -> tuple[date, str]:
    return owed[0].due, owed[0].proposal_id


def digests(
    deadlines: Iterable[OpenDeadline], today: date, working: WorkingCalendar, due_soon_within: int
) -> list[UnitDigest]:
    """One digest per unit that owes something (not the office, not the members), in unit order."""
    by_unit: dict[str, list[tuple[OpenDeadline, int]]] = {}
    for d in deadlines:
        if d.party != OFFICE and not d.party.startswith("proposer:"):
            by_unit.setdefault(d.party, []).append((d, working.working_days_between(today, d.due)))
    version = working.deadline(today).calendar_version
    return [
        UnitDigest(
            unit,
            today,
            tuple(sorted(owed, key=lambda o: (o[0].due, o[0].proposal_id))),
            due_soon_within,
            version,
        )
        for unit, owed in sorted(by_unit.items())
    ]


@dataclass
class DailyDigest:
    store: EventStore
    registry: EventRegistry
    policies: Policies
    working: WorkingCalendar
    notifier: Notifier
    clock: Callable[[], datetime]
    due_soon_within: int = 5
    address_of: Callable[[str], str] = str

    async def tick(self) -> list[a.DigestSent]:
        """Send today's digest to every unit that has not had it yet; the digests sent now."""
        today = local_date(self.clock())
        deadlines = open_deadlines(await history(self.store, self.registry), self.policies, self.working)
        sent = []
        for digest in digests(deadlines, today, self.working, self.due_soon_within):
            event = digest.event()
            id_ = derived_id("digest", digest.unit, today)
            if await append_once(self.store, self.registry, digest_stream(digest.unit), id_, event, ACTOR):
                await self.notifier.send(digest.notification(self.address_of(digest.unit)))
                sent.append(event)
        return sent

    async def run(self, every: float = 3600.0) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(every)
