"""The working-day calendar: 2025 and 2026 from deploy/calendar, weekends elsewhere, bad files refused."""

from datetime import date
from pathlib import Path

import pytest

from shared.rules.calendar import CalendarError, WorkingCalendar

CALENDAR = WorkingCalendar.load(Path(__file__).resolve().parents[2] / "deploy" / "calendar")


def test_the_spring_festival_is_off_and_its_buxiu_sundays_and_saturdays_are_working_days() -> None:
    assert not CALENDAR.is_working_day(date(2025, 1, 28))  # 除夕, a Tuesday
    assert CALENDAR.is_working_day(date(2025, 1, 26))  # a Sunday, 补班
    assert CALENDAR.is_working_day(date(2025, 2, 8))  # a Saturday, 补班
    assert CALENDAR.add_working_days(date(2025, 1, 24), 1).date == date(2025, 1, 26)
    assert CALENDAR.add_working_days(date(2025, 1, 27), 1).date == date(2025, 2, 5)


def test_national_day_and_mid_autumn_push_a_deadline_past_the_golden_week() -> None:
    assert CALENDAR.add_working_days(date(2025, 9, 26), 1).date == date(2025, 9, 28)  # Sunday 补班
    assert CALENDAR.add_working_days(date(2025, 9, 30), 1).date == date(2025, 10, 9)
    assert CALENDAR.add_working_days(date(2025, 10, 10), 1).date == date(2025, 10, 11)  # Saturday 补班
    assert CALENDAR.working_days_between(date(2025, 9, 30), date(2025, 10, 10)) == 2


def test_working_days_between_counts_backwards_with_a_minus_sign() -> None:
    assert CALENDAR.working_days_between(date(2025, 2, 5), date(2025, 1, 27)) == -1


def test_every_deadline_names_the_calendar_it_was_counted_on() -> None:
    assert CALENDAR.add_working_days(date(2025, 5, 20), 15) == CALENDAR.deadline(date(2025, 6, 11))
    assert CALENDAR.deadline(date(2025, 6, 11)).calendar_version == "2025-1"
    across = CALENDAR.add_working_days(date(2025, 12, 25), 10)
    assert (across.calendar_version, across.provisional) == ("2025-1+2026-1", False)


def test_2026_comes_from_the_chinesecalendar_package_with_its_spring_festival_buxiu() -> None:
    assert CALENDAR.years[2026].source.startswith("chinesecalendar")
    assert CALENDAR.is_working_day(date(2026, 2, 14))  # a Saturday, 补班
    assert not CALENDAR.is_working_day(date(2026, 2, 23))  # a Monday, 春节


def test_a_year_without_data_counts_weekends_only_and_is_provisional() -> None:
    deadline = CALENDAR.add_working_days(date(2027, 9, 30), 1)
    assert deadline.date == date(2027, 10, 1)
    assert (deadline.calendar_version, deadline.provisional) == ("2027-weekends", True)


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "2025.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_date_in_another_format_is_refused_with_the_file_and_line(tmp_path: Path) -> None:
    text = 'year = 2025\nversion = "2025-1"\nholidays = [\n  "2025-01-01",\n  "2025/01/28",\n]\n'
    with pytest.raises(CalendarError, match=r"2025\.toml:5: holidays: '2025/01/28' is not a date"):
        WorkingCalendar.load(write(tmp_path, text))


def test_a_day_listed_twice_is_refused_at_its_second_line(tmp_path: Path) -> None:
    text = 'year = 2025\nversion = "2025-1"\nworkdays = [\n  "2025-01-26",\n  "2025-02-08",\n'
    text += '  "2025-01-26",\n]\n'
    with pytest.raises(CalendarError, match=r"2025\.toml:6: workdays: 2025-01-26 is listed twice"):
        WorkingCalendar.load(write(tmp_path, text))


def test_a_date_of_another_year_is_refused(tmp_path: Path) -> None:
    text = 'year = 2025\nversion = "2025-1"\nholidays = [\n  "2025-10-01",\n  "2026-01-01",\n]\n'
    with pytest.raises(CalendarError, match=r"2025\.toml:5: holidays: 2026-01-01 is not in 2025"):
        WorkingCalendar.load(write(tmp_path, text))


def test_a_day_both_off_and_worked_is_refused(tmp_path: Path) -> None:
    text = 'year = 2025\nversion = "2025-1"\nholidays = ["2025-01-26"]\nworkdays = ["2025-01-26"]\n'
    with pytest.raises(CalendarError, match=r"2025\.toml:4: 2025-01-26 is both a holiday and a workday"):
        WorkingCalendar.load(write(tmp_path, text))
