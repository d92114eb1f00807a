"""The projection runner: views move with their checkpoint, never ahead of or behind it."""

from uuid import uuid4

import pytest

from services.views.application.activity import ActivityProjection
from shared.adapters.eventstore import NewEvent, RecordedEvent
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.readstore import Changes
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.kernel.errors import UnknownEventType
from shared.kernel.events import Event, EventRegistry
from shared.kernel.projections import ProjectionRunner, View, rebuild

registry = EventRegistry()


@registry.register("test.proposal-submitted.v1")
class ProposalSubmitted(Event):
    number: str
    title: str


@registry.register("test.proposal-registered.v1")
class ProposalRegistered(Event):
    number: str


class ProposalList:
    """Counts each event it applies, so a repeat shows up as a count of 2."""

    name = "proposals"

    def __init__(self, fail_on: str | None = None) -> None:
        self.fail_on = fail_on

    async def apply(self, event: Event, recorded: RecordedEvent, view: View) -> None:
        match event:
            case ProposalSubmitted(number=number, title=title):
                if number == self.fail_on:
                    raise RuntimeError(f"cannot project {number}")
                view.changes.hset(f"proposals:{number}", {"title": title, "state": "submitted"})
            case ProposalRegistered(number=number):
                before = await view.hgetall(f"proposals:{number}")
                view.changes.hset(f"proposals:{number}", {"state": f"registered after {before['state']}"})
        view.changes.hincrby("proposals:applied", str(recorded.id))


TITLES = {
    "60": "关于加快发展家政服务业的提案",
    "254": "关于加快推进社区居家养老服务的提案",
    "87": "关于推进医养结合发展的提案",
}


async def given_submitted(store: InMemoryEventStore, *numbers: str) -> None:
    for number in numbers:
        event = ProposalSubmitted(number=number, title=TITLES[number])
        type_name, data = registry.encode(event)
        await store.append(f"intake-proposal-{number}", [NewEvent(uuid4(), type_name, data)], 0)


async def test_a_batch_is_applied_with_its_checkpoint() -> None:
    store, views = InMemoryEventStore(), InMemoryReadStore()
    await given_submitted(store, "60", "254")
    runner = ProjectionRunner(ProposalList(), store, views, registry)
    assert await runner.catch_up() == 2
    assert (await views.hgetall("proposals:60"))["title"] == "关于加快发展家政服务业的提案"
    assert await views.checkpoint("proposals") == 2


async def test_reads_in_a_batch_see_the_writes_of_the_same_batch() -> None:
    store, views = InMemoryEventStore(), InMemoryReadStore()
    await given_submitted(store, "60")
    type_name, data = registry.encode(ProposalRegistered(number="60"))
    await store.append("intake-proposal-60", [NewEvent(uuid4(), type_name, data)], 1)
    await ProjectionRunner(ProposalList(), store, views, registry).catch_up()
    assert (await views.hgetall("proposals:60"))["state"] == "registered after submitted"


async def test_a_failing_event_commits_nothing_of_its_batch_and_a_restart_repeats_nothing() -> None:
    store, views = InMemoryEventStore(), InMemoryReadStore()
    await given_submitted(store, "60", "254", "87")
    with pytest.raises(RuntimeError, match="254"):
        await ProjectionRunner(ProposalList(fail_on="254"), store, views, registry).catch_up()
    assert await views.checkpoint("proposals") == 0
    assert await views.hgetall("proposals:60") == {}
    await ProjectionRunner(ProposalList(), store, views, registry, batch_size=1).catch_up()
    applied = await views.hgetall("proposals:applied")
    assert sorted(applied.values()) == ["1", "1", "1"]
    assert await views.checkpoint("proposals") == 3


async def test_an_unknown_event_type_stops_the_runner_naming_the_type() -> None:
    store, views = InMemoryEventStore(), InMemoryReadStore()
    await given_submitted(store, "60")
    await store.append("intake-proposal-61", [NewEvent(uuid4(), "intake.mystery.v9", {})], 0)
    with pytest.raises(UnknownEventType, match=r"intake\.mystery\.v9"):
        await ProjectionRunner(ProposalList(), store, views, registry, batch_size=1).catch_up()
    assert await views.checkpoint("proposals") == 1


async def test_a_rebuild_gives_the_view_the_live_runner_built() -> None:
    store, views = InMemoryEventStore(), InMemoryReadStore()
    await given_submitted(store, "60", "254", "87")
    runner = ProjectionRunner(ActivityProjection(), store, views, registry, batch_size=2)
    await runner.catch_up()
    live = {key: await views.hgetall(key) for key in await views.keys("activity:*")}
    report = await rebuild(runner, show_progress=False)
    rebuilt = {key: await views.hgetall(key) for key in await views.keys("activity:*")}
    assert rebuilt == live
    assert live["activity:by-type"] == {"test.proposal-submitted.v1": "3"}
    assert report.events == 3


async def test_reads_in_a_batch_of_a_hash_written_earlier_in_it_see_the_hash() -> None:
    store, views = InMemoryEventStore(), InMemoryReadStore()
    await given_submitted(store, "254")
    runner = ProjectionRunner(ProposalList(), store, views, registry)
    await runner.catch_up()
    type_name, data = registry.encode(ProposalRegistered(number="254"))
    twice = [NewEvent(uuid4(), type_name, data), NewEvent(uuid4(), type_name, data)]
    await store.append("intake-proposal-254", twice, 1)
    await runner.catch_up()
    state = (await views.hgetall("proposals:254"))["state"]
    assert state == "registered after registered after submitted"


async def test_one_field_of_a_hash_reads_the_batchs_last_write_of_it_else_the_committed_value() -> None:
    views = InMemoryReadStore()
    committed = Changes()
    committed.hset("titles", {"60": TITLES["60"], "254": TITLES["254"]})
    committed.hset("counts", {"87": "1"})
    await views.commit(committed)
    view = View(views)
    view.changes.hset("titles", {"60": "关于加快发展家政服务业的建议"})
    view.changes.hset("titles", {"60": TITLES["60"] + "（修改稿）"})
    view.changes.hdel("titles", "254")
    view.changes.hincrby("counts", "87", 2)

    assert await view.hget("titles", "60") == "关于加快发展家政服务业的提案（修改稿）"
    assert await view.hget("titles", "254") is None
    assert await view.hget("titles", "87") is None
    assert await view.hget("counts", "87") == "3"
    assert await View(views).hget("titles", "254") == TITLES["254"]
