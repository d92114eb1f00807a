"""The Chinese working-day calendar: public holidays and adjusted working days (补班), as data.

One file per year in `deploy/calendar/<year>.toml` (`year`, `version`, `holidays`, `workdays`, and an
optional `source`). A year without a file counts Monday to Friday only, and a deadline computed over
such a year is provisional. Every computed deadline names the calendar version(s) it used.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
KEYS = {"year", "version", "source", "holidays", "workdays"}


class CalendarError(ValueError):
    """A calendar file is malformed; the message names the file and the line."""


@dataclass(frozen=True)
class Year:
    """The published days of one year: days off on weekdays and working weekend days."""

    year: int
    version: str
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""


@dataclass(frozen=True)
class Deadline:
    date: date
    calendar_version: str
    """The version of every year's data the count crossed, e.g. `2025-1` or `2025-1+2026-1`."""
    provisional: bool
    """True when some year crossed had no data and counted weekends only."""


@dataclass(frozen=True)
class WorkingCalendar:
    years: Mapping[int, Year] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: str | Path) -> WorkingCalendar:
        years = [read_year(path) for path in sorted(Path(directory).glob("*.toml"))]
        return cls({y.year: y for y in years})

    def is_working_day(self, day: date) -> bool:
        data = self.years.get(day.year)
        if data is not None and day in data.holidays:
            return False
        if data is not None and day in data.workdays:
            return True
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> Deadline:
        """The `days`-th working day after `start` (`start` itself when `days` is 0)."""
        current = start
        while days > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                days -= 1
        return self.deadline(current, range(start.year, current.year + 1))

    def working_days_between(self, start: date, end: date) -> int:
        """The working days after `start` up to and including `end`; negative when `end` is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(self.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))

    def deadline(self, day: date, years: Iterable[int] = ()) -> Deadline:
        """`day` as a deadline, with the version of every year in `years` (and of `day`'s year)."""
        crossed = sorted({*years, day.year})
        return Deadline(day, self.version(crossed), any(y not in self.years for y in crossed))

    def version(self, years: Iterable[int]) -> str:
        return "+".join(self.years[y].version if y in self.years else f"{y}-weekends" for y in years)


WEEKENDS_ONLY = WorkingCalendar()
"""No holiday data at all: Monday to Friday, every deadline provisional."""


def read_year(path: Path) -> Year:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CalendarError(f"{path}: not valid TOML: {error}") from error
    unknown = set(data) - KEYS
    if unknown:
        raise CalendarError(f"{path}: unknown field(s) {sorted(unknown)}, expected {sorted(KEYS)}")
    year, version = data.get("year"), data.get("version")
    if not isinstance(year, int):
        raise CalendarError(f"{path}:{line_of(text, 'year')}: field 'year' must be a number such as 2025")
    if not isinstance(version, str) or not version.strip():
        raise CalendarError(
            f"{path}:{line_of(text, 'version')}: field 'version' must be a text such as \"{year}-1\""
        )
    holidays = days_of(path, text, data, "holidays", year)
    workdays = days_of(path, text, data, "workdays", year)
    both = sorted(holidays & workdays)
    if both:
        raise CalendarError(
            f"{path}:{line_of(text, both[0].isoformat(), 2)}: {both[0]} is both a holiday and a workday"
        )
    return Year(year, version, frozenset(holidays), frozenset(workdays), str(data.get("source", "")))


def days_of(path: Path, text: str, data: dict[str, Any], key: str, year: int) -> set[date]:
    values = data.get(key, [])
    if not isinstance(values, list):
        raise CalendarError(f"{path}:{line_of(text, key)}: field {key!r} must be a list of dates")
    days: set[date] = set()
    for value in values:
        written = value.isoformat() if isinstance(value, date) else str(value)
        day = parsed(written)
        if day is None:
            raise CalendarError(
                f"{path}:{line_of(text, written)}: {key}: {written!r} is not a date as YYYY-MM-DD"
            )
        if day in days:
            line = line_of(text, written, occurrence=2)
            raise CalendarError(f"{path}:{line}: {key}: {written} is listed twice")
        if day.year != year:
            line = line_of(text, written)
            raise CalendarError(f"{path}:{line}: {key}: {written} is not in {year}, the year of this file")
        days.add(day)
    return days


def parsed(written: str) -> date | None:
    if not DATE.fullmatch(written):
        return None
    try:
        return date.fromisoformat(written)
    except ValueError:
        return None


def line_of(text: str, token: str, occurrence: int = 1) -> int:
    """The line number (from 1) of the `occurrence`-th line that holds `token`, or 0 when none does."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        seen += line.split("#", 1)[0].count(token)
        if seen >= occurrence:
            return number
    return 0
