"""Deadlines: calendar months and working days, and the date in China of a moment.

Working days come from a `WorkingCalendar` (Chinese holidays and 补班 days, `shared/rules/calendar.py`),
passed in as plain data; without one, Monday to Friday count and the deadline is provisional.
"""

import calendar
from datetime import date, datetime, timedelta, timezone

from shared.rules.calendar import WEEKENDS_ONLY, Deadline, WorkingCalendar

__all__ = ["CHINA", "Deadline", "WorkingCalendar", "add_months", "add_working_days", "local_date"]

CHINA = timezone(timedelta(hours=8))


def local_date(at: datetime) -> date:
    """The date in China of a moment (a naive time is taken as already local)."""
    return at.astimezone(CHINA).date() if at.tzinfo else at.date()


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_working_days(start: date, days: int, working: WorkingCalendar = WEEKENDS_ONLY) -> date:
    """The `days`-th working day after `start` on the calendar `working` (weekends only without one)."""
    return working.add_working_days(start, days).date


def working_deadline(start: date, days: int, working: WorkingCalendar) -> Deadline:
    """The `days`-th working day after `start`, with the calendar version it was counted on."""
    return working.add_working_days(start, days)
