"""Deadlines count Monday to Friday, and months end on the month's last day when shorter."""

from datetime import UTC, date, datetime

from shared.rules.deadlines import add_months, add_working_days, local_date


def test_working_days_skip_the_weekend() -> None:
    assert add_working_days(date(2025, 6, 6), 1) == date(2025, 6, 9)  # Friday → Monday
    assert add_working_days(date(2025, 5, 20), 15) == date(2025, 6, 10)


def test_a_month_after_the_31st_of_january_is_the_last_day_of_february() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 2) == date(2026, 1, 15)


def test_the_date_of_a_moment_is_its_date_in_china() -> None:
    assert local_date(datetime(2025, 6, 10, 20, 0, tzinfo=UTC)) == date(2025, 6, 11)
