"""The daily digest: each unit's open items, those due soon and those overdue, once per unit and day.

The deadlines come from allocation's deadlines view (`deadline_view`). The digest of a unit for a
day is recorded as `allocation.digest-sent.v1` in `allocation-digest-<unit>` through the one command
handler, with `derived_id("digest", unit, day)` as the command id, before it is sent, so a second
run the same day (or a run after a restart) sends nothing.
"""

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from services.allocation.application.deadline_view import Deadlines
from services.allocation.application.deadlines import OFFICE
from services.allocation.domain import events as a
from services.allocation.domain.schedule import DigestDays
from shared.adapters.notify import Notification, Notifier
from shared.kernel.decider import CommandHandler, CommandMeta
from shared.kernel.ids import derived_id
from shared.rules.calendar import WorkingCalendar
from shared.rules.deadlines import local_date
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
    deadlines: Deadlines
    handler: CommandHandler[a.DigestSent, DigestDays]
    """Over the digest streams, with `domain.schedule.DIGESTS`."""
    working: WorkingCalendar
    notifier: Notifier
    clock: Callable[[], datetime]
    due_soon_within: int = 5
    address_of: Callable[[str], str] = str

    async def tick(self) -> list[a.DigestSent]:
        """Send today's digest to every unit that has not had it yet; the digests sent now."""
        today = local_date(self.clock())
        sent = []
        for digest in digests(await self.deadlines.open(), today, self.working, self.due_soon_within):
            if await self.record(digest):
                await self.notifier.send(digest.notification(self.address_of(digest.unit)))
                sent.append(digest.event())
        return sent

    async def record(self, digest: UnitDigest) -> bool:
        """Record the digest; False when the unit had that day's before."""
        meta = CommandMeta(command_id=derived_id("digest", digest.unit, digest.day), actor=ACTOR)
        outcome = await self.handler.handle(digest_stream(digest.unit), digest.event(), meta)
        return bool(outcome.events) and not outcome.repeated

    async def run(self, every: float = 3600.0) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(every)
