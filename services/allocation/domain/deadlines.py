"""Deadlines counted from 交办: calendar months, and working days (Mon–Fri for now; the Chinese
holiday calendar comes later)."""

import calendar
from datetime import date, timedelta


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start`."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current
