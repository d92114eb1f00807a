"""Key items, supervision and urges in the views, and working days left on the Chinese calendar."""

from datetime import date

from services.views.application import queries
from services.views.application.projections import load_units
from services.views.entrypoints import pages
from shared.rules.calendar import WorkingCalendar
from shared.settings import ServiceSettings
from tests.unit.views.lifecycle import (
    PID,
    TITLE,
    allocated_to_minzheng_with_renshe,
    key_item_supervised_and_urged,
    submitted_and_registered,
)
from tests.unit.views.test_proposals_projection import projected

CALENDAR = WorkingCalendar.load(ServiceSettings().calendar_dir)
story = [*submitted_and_registered(), *allocated_to_minzheng_with_renshe(), *key_item_supervised_and_urged()]


async def test_the_proposal_view_shows_254_as_a_key_item_with_its_visit_and_urge() -> None:
    store = await projected(story)

    view = await queries.proposal_view(store, PID)

    assert view is not None
    assert view["key_item"] == {
        "label": "重点提案",
        "leader": "王志强",
        "leader_title": "市政协副主席",
        "reason": "养老服务民生重点",
        "designated_at": "2025-04-03T02:00:00+00:00",
    }
    assert [(s["label"], s["held_on"], s["by"]) for s in view["supervision"]] == [
        ("实地督办", "2025-05-20", "王志强")
    ]
    assert [(u["unit"], u["reason"]) for u in view["urges"]] == [("renshe", "协办意见尚未提交")]
    assert [t["what"] for t in view["timeline"][-3:]] == [
        "列为重点提案，由市政协副主席 王志强 督办",
        "实地督办（2025-05-20，王志强）：到市民政局调研社区养老服务体系建设",
        "催办 市人社局：协办意见尚未提交",
    ]


async def test_the_office_overview_lists_the_key_item_with_its_state_and_days_left() -> None:
    store = await projected(story)

    overview = await queries.office_overview(store, date(2025, 7, 10), CALENDAR)

    [item] = overview["key_items"]
    assert (item["number"], item["title"], item["state"]) == ("254", TITLE, "ALLOCATED")
    assert (item["leader_title"], item["leader"], item["lead_units"]) == (
        "市政协副主席",
        "王志强",
        ["minzheng"],
    )
    assert (item["reply_due"], item["working_days_left"], item["overdue"]) == ("2025-07-15", 3, False)
    assert (item["supervisions"], item["last_supervised_on"], item["urges"]) == (1, "2025-05-20", 1)


async def test_a_key_item_past_its_reply_date_is_listed_overdue() -> None:
    store = await projected(story)

    [item] = (await queries.office_overview(store, date(2025, 7, 17), CALENDAR))["key_items"]

    assert (item["overdue"], item["working_days_left"]) == (True, -2)


async def test_a_proposal_that_is_not_a_key_item_shows_none() -> None:
    store = await projected([*submitted_and_registered(), *allocated_to_minzheng_with_renshe()])

    view = await queries.proposal_view(store, PID)

    assert view is not None and (view["key_item"], view["supervision"], view["urges"]) == (None, [], [])
    assert (await queries.office_overview(store, date(2025, 7, 10)))["key_items"] == []


async def test_the_proposal_page_shows_the_leader_the_visit_and_the_urge() -> None:
    view = await queries.proposal_view(await projected(story), PID)

    names = pages.UnitNames(load_units()).for_templates()
    html = pages.templates.env.get_template("proposal.html").render(p=view, me=None, **names)

    assert "市政协副主席 王志强" in html and "到市民政局调研社区养老服务体系建设" in html
    assert "市人社局" in html and "协办意见尚未提交" in html


def test_working_days_across_the_2025_national_day_skip_the_holiday_and_count_the_buban_days() -> None:
    friday_before, monday_after = date(2025, 9, 26), date(2025, 10, 13)

    assert queries.working_days_left(friday_before, monday_after, CALENDAR) == 7  # 9-28 and 10-11 补班
    assert queries.working_days_left(friday_before, monday_after) == 11  # Monday to Friday only
    assert queries.working_days_left(monday_after, friday_before, CALENDAR) == -7


async def test_a_unit_sees_its_reply_deadline_counted_on_the_chinese_calendar() -> None:
    store = await projected(story)

    work = await queries.unit_view(store, "minzheng", date(2025, 4, 30), CALENDAR)

    [mine] = work["assignments"]
    # 2025-04-30 to 07-15: 劳动节 5-1..5-5 and 端午 6-2 off; Monday to Friday would count 54.
    assert mine["working_days_left"] == 54 - 4 and mine["key_item"] is True
