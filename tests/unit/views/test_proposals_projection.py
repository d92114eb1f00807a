"""The `proposals` projection and the queries over it, fed with 晋城 第254号 as the services record it."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from services.allocation.domain import events as allocation
from services.views.application import queries
from services.views.application.asof import replay_until
from services.views.application.inbound import public_contract
from services.views.application.projections import load_units
from services.views.application.read_models import ProposalsProjection
from shared.adapters.eventstore import RecordedEvent
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.kernel.events import Event
from shared.kernel.projections import ProjectionRunner
from tests.unit.views.lifecycle import (
    PID,
    TITLE,
    DatedEventStore,
    allocated_to_minzheng_with_renshe,
    at,
    co_opinion_consultation_and_reply,
    recorded,
    submitted_and_registered,
    whole_lifecycle,
)

PROJECTION = ProposalsProjection(load_units())
CONTRACT = public_contract()


async def projected(story: Sequence[tuple[str, Event]], batch_size: int = 500) -> InMemoryReadStore:
    store = InMemoryReadStore()
    runner = ProjectionRunner(
        ProposalsProjection(load_units()),
        DatedEventStore(recorded(story)),
        store,
        public_contract(),
        batch_size,
    )
    await runner.catch_up()
    return store


async def everything(store: InMemoryReadStore) -> dict[str, object]:
    return {
        key: (await store.hgetall(key), await store.smembers(key), await store.lrange(key))
        for key in await store.keys("proposals:*")
    }


async def test_the_proposal_view_shows_jincheng_254_across_its_units_with_its_timeline() -> None:
    store = await projected(whole_lifecycle())

    view = await queries.proposal_view(store, PID)

    assert view is not None
    assert (view["number"], view["title"], view["state"]) == ("254", TITLE, "CLOSED")
    assert (view["lead_units"], view["co_units"], view["mode"]) == (["minzheng"], ["renshe"], "主办+协办")
    assert (view["consultations"], view["reply_round"], view["result_class"]) == (1, 2, "A")
    assert view["proposers"] == ["茹菊霞"]
    assert view["feedback"] == [
        {
            "proposer_id": "jincheng-rujuxia",
            "name": "茹菊霞",
            "round": 2,
            "satisfaction": "基本满意",
            "as_written": "比较满意",
        }
    ]
    renshe = next(u for u in view["units"] if u["unit"] == "renshe")
    assert renshe["co_opinion"]["signer"] == "市人社局 分管领导"
    lines = [entry["what"] for entry in view["timeline"]]
    assert "市民政局 面商（2025-07-09，农业大厦630）" in lines
    assert lines[0] == "茹菊霞 提交《关于加强社区养老服务体系建设的建议》"
    assert lines[-1] == "办结"
    assert "茹菊霞 评价：比较满意（第2轮）" in lines


async def test_an_unknown_proposal_has_no_view() -> None:
    store = await projected(whole_lifecycle())

    assert await queries.proposal_view(store, "wuhai-60") is None


async def test_the_lead_unit_sees_its_deadline_and_the_co_opinion_it_awaits() -> None:
    store = await projected([*submitted_and_registered(), *allocated_to_minzheng_with_renshe()])

    view = await queries.unit_view(store, "minzheng", date(2025, 5, 12))

    [work] = view["assignments"]
    assert (work["number"], work["role"], work["state"]) == ("254", "lead", "internally_allocated")
    assert work["deadline"] == "2025-07-15"
    assert work["working_days_left"] == 46
    assert work["overdue"] is False
    assert work["co_opinions_awaited"] == ["renshe"]


async def test_a_lead_unit_that_has_not_replied_by_its_deadline_is_overdue() -> None:
    store = await projected([*submitted_and_registered(), *allocated_to_minzheng_with_renshe()])

    view = await queries.unit_view(store, "minzheng", date(2025, 7, 17))

    [work] = view["assignments"]
    assert (work["overdue"], work["working_days_left"]) == (True, -2)
    assert view["counts"]["overdue"] == 1


async def test_the_co_unit_sees_its_opinion_deadline_and_then_its_work_done() -> None:
    before = await projected([*submitted_and_registered(), *allocated_to_minzheng_with_renshe()])
    after = await projected(whole_lifecycle())

    [waiting] = (await queries.unit_view(before, "renshe", date(2025, 5, 12)))["assignments"]
    [done] = (await queries.unit_view(after, "renshe", date(2025, 8, 5)))["assignments"]

    assert (waiting["role"], waiting["deadline"], waiting["done"]) == ("co", "2025-06-01", False)
    assert (done["state"], done["done"], done["overdue"]) == ("opinion_submitted", True, False)


async def test_the_lead_unit_sees_the_feedback_awaited_after_its_reply() -> None:
    store = await projected(
        [
            *submitted_and_registered(),
            *allocated_to_minzheng_with_renshe(),
            *co_opinion_consultation_and_reply(),
        ]
    )

    [work] = (await queries.unit_view(store, "minzheng", date(2025, 7, 11)))["assignments"]

    assert (work["state"], work["done"], work["result_class"]) == ("replied", True, "A")
    assert work["feedback_awaited"] == ["茹菊霞"]
    assert work["co_opinions_awaited"] == []


async def test_the_office_overview_gives_minzheng_its_rates_for_254() -> None:
    store = await projected(whole_lifecycle())

    overview = await queries.office_overview(store, date(2025, 8, 5))

    assert overview["by_state"]["CLOSED"] == 1
    assert overview["by_session"] == {"市政协八届四次会议": 1}
    assert overview["by_category"] == {"社会事业": 1}
    minzheng = next(u for u in overview["units"] if u["unit"] == "minzheng")
    assert minzheng["closed_rate"] == 1.0
    assert minzheng["on_time_rate"] == 1.0
    assert minzheng["consultation_rate"] == 1.0
    assert minzheng["satisfaction_rate"] == 1.0
    assert minzheng["classes"] == {"A": 1}
    assert minzheng["adjustment_rate"] == 0.0
    assert overview["key_items"] == []


async def test_an_approved_adjustment_moves_the_co_units_part_and_keeps_it_sharing() -> None:
    adjustment = [
        (
            "allocation",
            allocation.AdjustmentRequested(
                proposal_id=PID,
                unit="renshe",
                reason="养老护理培训由市民政局负责",
                requested_at=at("2025-04-03"),
            ),
        ),
        (
            "allocation",
            allocation.ProposalReallocated(
                proposal_id=PID,
                revision=1,
                replaced_unit="renshe",
                replacement="weijian",
                number="254",
                title=TITLE,
                kind="proposal",
                jurisdiction="jincheng",
                mode="主办+协办",
                routing=[allocation.Routing(item=n, lead="minzheng", co_units=["weijian"]) for n in (1, 2)],
                reallocated_at=at("2025-04-07"),
                reply_due=date(2025, 7, 15),
                co_opinion_due=date(2025, 6, 1),
                adjustment_until=date(2025, 4, 14),
            ),
        ),
    ]
    store = await projected([*submitted_and_registered(), *allocated_to_minzheng_with_renshe(), *adjustment])

    assert await queries.units_sharing(store, PID) == {"minzheng", "renshe", "weijian"}
    assert (await queries.unit_view(store, "renshe", date(2025, 4, 8)))["assignments"] == []
    [weijian] = (await queries.unit_view(store, "weijian", date(2025, 4, 8)))["assignments"]
    assert (weijian["role"], weijian["state"]) == ("co", "allocated")
    overview = await queries.office_overview(store, date(2025, 4, 8))
    renshe = next(u for u in overview["units"] if u["unit"] == "renshe")
    assert (renshe["adjustment_requests"], renshe["adjustment_rate"]) == (1, 1.0)


async def test_the_views_are_the_same_whatever_the_batches_they_were_built_in() -> None:
    one_by_one = await projected(whole_lifecycle(), batch_size=1)
    all_at_once = await projected(whole_lifecycle(), batch_size=500)

    assert await everything(one_by_one) == await everything(all_at_once)


async def test_as_of_a_past_day_gives_the_picture_of_that_day() -> None:
    events = DatedEventStore(recorded(whole_lifecycle()))

    june = await replay_until(date(2025, 6, 30), events, PROJECTION, CONTRACT)
    august = await replay_until(
        date(2025, 8, 5), events, ProposalsProjection(load_units()), public_contract()
    )

    before = await queries.proposal_view(june, PID)
    assert before is not None
    assert (before["state"], before["reply_round"], before["consultations"]) == ("ALLOCATED", 1, 0)
    assert [u["state"] for u in before["units"]] == ["internally_allocated", "opinion_submitted"]
    after = await queries.proposal_view(august, PID)
    assert after is not None and after["state"] == "CLOSED"


async def test_as_of_a_day_before_the_proposal_it_is_unknown() -> None:
    events = DatedEventStore(recorded(whole_lifecycle()))

    february = await replay_until(
        date(2025, 2, 28), events, ProposalsProjection(load_units()), public_contract()
    )

    assert await queries.proposal_view(february, PID) is None


def test_working_days_are_counted_forward_and_backward_over_weekends() -> None:
    assert queries.working_days_left(date(2025, 7, 11), date(2025, 7, 15)) == 2
    assert queries.working_days_left(date(2025, 7, 15), date(2025, 7, 15)) == 0
    assert queries.working_days_left(date(2025, 7, 17), date(2025, 7, 15)) == -2


async def test_two_facts_recorded_the_other_way_round_show_the_same_proposal() -> None:
    """The views take several messages at once: any two neighbours of 第254号's history may be
    recorded in either order, and the proposal, its units and its timeline come out the same."""
    history = recorded(whole_lifecycle())
    expected = await shown(history)
    for i in range(len(history) - 1):
        swapped = [*history[:i], history[i + 1], history[i], *history[i + 2 :]]

        assert await shown(swapped) == expected, (history[i].type, history[i + 1].type)


async def test_a_reply_recorded_after_the_proposal_was_closed_leaves_it_closed() -> None:
    history = recorded(whole_lifecycle())
    last_reply = max(i for i, r in enumerate(history) if r.type == "reply.reply-issued.v1")
    late = [*history[:last_reply], *history[last_reply + 1 :], history[last_reply]]

    view = await queries.proposal_view(await projected_records(late), PID)

    assert view is not None and view["state"] == "CLOSED"
    minzheng = next(u for u in view["units"] if u["unit"] == "minzheng")
    assert (minzheng["state"], minzheng["replied_round"]) == ("replied", "2")


async def projected_records(history: Sequence[RecordedEvent]) -> InMemoryReadStore:
    store = InMemoryReadStore()
    in_order_recorded = [replace(r, position=n, version=n - 1) for n, r in enumerate(history, start=1)]
    await ProjectionRunner(PROJECTION, DatedEventStore(in_order_recorded), store, CONTRACT).catch_up()
    return store


async def shown(history: Sequence[RecordedEvent]) -> tuple[object, ...]:
    store = await projected_records(history)
    view = await queries.proposal_view(store, PID)
    assert view is not None
    timeline = sorted((entry["at"], entry["type"]) for entry in view.pop("timeline"))  # ties: any order
    units = await queries.unit_view(store, "minzheng", date(2025, 8, 5))
    return view, timeline, units
