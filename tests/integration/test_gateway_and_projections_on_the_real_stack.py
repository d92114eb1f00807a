"""Gateway and projections on PostgreSQL, RabbitMQ and Redis, stopped and restarted mid-way."""

import asyncio
from collections import Counter

from services.views.application.activity import ActivityProjection
from shared.adapters.bus import Message
from shared.adapters.eventstore import NewEvent
from shared.kernel.events import EventRegistry
from shared.kernel.gateway import Gateway
from shared.kernel.ids import event_id
from shared.kernel.projections import ProjectionRunner, rebuild
from shared.testing.waiting import eventually
from tests.integration.conftest import Stack
from tests.unit.test_gateway import INTAKE, ProposalRegistered, registry, translate

TITLES = ["关于推动家政服务业发展的提案", "关于加强社区养老服务体系建设的建议", "关于推进医养结合发展的提案"]


async def append_registrations(stack: Stack, count: int, start: int = 0) -> list[str]:
    ids = []
    for n in range(start, start + count):
        event = ProposalRegistered(number=str(n), title=TITLES[n % 3])
        new = NewEvent(event_id(f"register-{n}", 0), *registry.encode(event))
        await stack.events.append(f"intake-proposal-{n}", [new], 0)
        ids.append(str(new.id))
    return ids


async def test_a_gateway_stopped_at_any_point_loses_nothing_and_repeats_no_effect(stack: Stack) -> None:
    effects: Counter[str] = Counter()

    async def allocation_handles(message: Message) -> None:
        effects[message.id] += 1

    queue = f"{stack.name}.allocation"
    await stack.bus.declare_queue(queue, ["intake.#"])
    await stack.bus.consume(queue, allocation_handles, stack.infra.inbox)
    expected: set[str] = set()

    def gateway() -> Gateway:
        return Gateway(
            "intake", stack.events, stack.bus, stack.views, registry, translate, batch_size=7, issuer=INTAKE
        )

    for round_, stop_after in enumerate((1, 5, 12)):
        expected |= set(await append_registrations(stack, 15, start=round_ * 15))
        stopped = gateway()
        running = asyncio.create_task(stopped.run())
        await eventually(lambda: stopped.stats.published >= stop_after, timeout=10)  # noqa: B023
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    expected |= set(await append_registrations(stack, 10, start=45))
    last = gateway()
    running = asyncio.create_task(last.run())
    await eventually(lambda: set(effects) == expected, timeout=20)
    running.cancel()
    assert set(effects.values()) == {1}


async def test_a_projection_stopped_and_restarted_ends_equal_to_a_rebuild(stack: Stack) -> None:
    everything = EventRegistry()
    everything.include(registry)

    def runner() -> ProjectionRunner:
        return ProjectionRunner(ActivityProjection(), stack.events, stack.views, everything, batch_size=5)

    await append_registrations(stack, 30)
    first = runner()
    running = asyncio.create_task(first.run())
    await eventually(lambda: first.stats.applied >= 10, timeout=10)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    await append_registrations(stack, 20, start=30)
    second = runner()
    running = asyncio.create_task(second.run())
    head = await stack.events.head()
    await eventually(lambda: second.stats.position == head, timeout=10)
    running.cancel()

    live = {key: await stack.views.hgetall(key) for key in await stack.views.keys("activity:*")}
    assert live["activity:by-type"] == {"intake.proposal-registered.v1": "50"}
    report = await rebuild(runner(), show_progress=False)
    rebuilt = {key: await stack.views.hgetall(key) for key in await stack.views.keys("activity:*")}
    assert rebuilt == live
    assert report.events == 50


async def test_an_event_the_registry_does_not_know_stops_the_projection_loudly(stack: Stack) -> None:
    await append_registrations(stack, 2)
    await stack.events.append(
        "intake-proposal-x", [NewEvent(event_id("x", 0), "intake.unheard-of.v1", {})], 0
    )
    everything = EventRegistry()
    everything.include(registry)
    failing = ProjectionRunner(ActivityProjection(), stack.events, stack.views, everything, batch_size=1)
    try:
        await asyncio.wait_for(failing.run(), 10)
    except Exception as error:
        assert "intake.unheard-of.v1" in str(error)
    else:
        raise AssertionError("the runner went past an unknown event type")
    assert await stack.views.checkpoint("activity") == 2
