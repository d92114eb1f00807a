"""Deadlines: calendar months and working days, and the date in China of a moment.

Working days are Monday to Friday for now; the Chinese holiday calendar (holidays and 补班 days) is
the next step, and every caller goes through these functions so it will reach them all.
"""

import calendar
from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))


def local_date(at: datetime) -> date:
    """The date in China of a moment (a naive time is taken as already local)."""
    return at.astimezone(CHINA).date() if at.tzinfo else at.date()


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start`."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current
