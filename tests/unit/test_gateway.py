"""The gateway publishes a service's integration events from the store, and survives being killed."""

import asyncio
import json
from collections import Counter
from datetime import datetime
from uuid import UUID

import pytest

from shared.adapters.bus import Message
from shared.adapters.bus.inbox import InMemoryInbox
from shared.adapters.bus.inprocess import InProcessBus
from shared.adapters.eventstore import NewEvent
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.readstore import Changes
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.events import Event, EventRegistry
from shared.kernel.gateway import Gateway
from shared.kernel.ids import event_id
from shared.kernel.signatures import Issuer
from shared.testing.waiting import eventually

registry = EventRegistry()
INTAKE = Issuer.development("intake")


@registry.register("intake.proposal-registered.v1")
class ProposalRegistered(Event):
    number: str
    title: str


@registry.register("intake.review-note-added.v1")
class ReviewNoteAdded(Event):
    note: str


class ProposalRegisteredV1(IntegrationEvent):
    type_name = "intake.proposal-registered.v1"
    number: str
    title: str


def translate(event: Event) -> IntegrationEvent | None:
    if isinstance(event, ProposalRegistered):
        return ProposalRegisteredV1(number=event.number, title=event.title)
    return None


async def given_registered(store: InMemoryEventStore, count: int) -> list[UUID]:
    ids = []
    for n in range(count):
        command_id = f"register-{n}"
        events = [
            ProposalRegistered(number=str(60 + n), title="关于加快发展家政服务业的提案"),
            ReviewNoteAdded(note="材料齐全"),
        ]
        new = [
            NewEvent(
                event_id(command_id, i),
                *registry.encode(e),
                metadata={"correlation_id": f"corr-{n}", "causation_id": command_id},
            )
            for i, e in enumerate(events)
        ]
        await store.append(f"intake-proposal-{60 + n}", new, 0)
        ids.append(new[0].id)
    return ids


class Downstream:
    """A consuming service: counts the effect of each message it processes."""

    def __init__(self) -> None:
        self.effects: Counter[str] = Counter()
        self.bodies: dict[str, dict[str, object]] = {}

    async def handle(self, message: Message) -> None:
        self.effects[message.id] += 1
        self.bodies[message.id] = json.loads(message.body)


async def wired(bus: InProcessBus) -> Downstream:
    downstream = Downstream()
    await bus.declare_queue("allocation", ["intake.#"])
    await bus.consume("allocation", downstream.handle, InMemoryInbox())
    return downstream


async def test_integration_events_go_out_as_cloudevents_with_the_event_id() -> None:
    store, bus, checkpoints = InMemoryEventStore(), InProcessBus(), InMemoryReadStore()
    downstream = await wired(bus)
    await store.append("allocation-assignment-1", [NewEvent(event_id("x", 0), "allocation.other.v1", {})], 0)
    [registered_id] = await given_registered(store, 1)
    gateway = Gateway("intake", store, bus, checkpoints, registry, translate, issuer=INTAKE)
    running = asyncio.create_task(gateway.run())
    await eventually(lambda: downstream.effects[str(registered_id)] == 1)
    await eventually(lambda: gateway.stats.position == 3)
    running.cancel()

    body = downstream.bodies[str(registered_id)]
    assert body["specversion"] == "1.0"
    assert body["id"] == str(registered_id)
    assert body["type"] == "intake.proposal-registered.v1"
    assert body["source"] == "/proposals/intake"
    assert body["subject"] == "intake-proposal-60"
    assert datetime.fromisoformat(str(body["time"]))
    assert body["data"] == {"number": "60", "title": "关于加快发展家政服务业的提案"}
    assert body["correlationid"] == "corr-0"
    assert body["causationid"] == "register-0"
    assert list(downstream.effects) == [str(registered_id)]
    assert await checkpoints.checkpoint("gateway-intake") == 3


class Killed(Exception):
    pass


class DyingBus(InProcessBus):
    """Dies after it has published `lives` messages."""

    def __init__(self, lives: int) -> None:
        super().__init__()
        self.lives = lives

    async def publish(self, message: Message) -> None:
        if self.lives == 0:
            raise Killed("killed before publishing")
        self.lives -= 1
        await super().publish(message)


class DyingCheckpoints(InMemoryReadStore):
    """Dies when it is asked to store a checkpoint for the `lives`-th time."""

    def __init__(self, lives: int) -> None:
        super().__init__()
        self.lives = lives

    async def commit(self, changes: Changes, checkpoint: tuple[str, int] | None = None) -> None:
        if self.lives == 0:
            raise Killed("killed before the checkpoint")
        self.lives -= 1
        await super().commit(changes, checkpoint)


async def run_until_dead(gateway: Gateway) -> None:
    with pytest.raises(Killed):
        await asyncio.wait_for(gateway.run(), 5)


@pytest.mark.parametrize("lives", range(5))
async def test_a_gateway_killed_while_publishing_loses_nothing_and_repeats_no_effect(lives: int) -> None:
    store, bus, checkpoints = InMemoryEventStore(), DyingBus(lives), InMemoryReadStore()
    downstream = await wired(bus)
    ids = await given_registered(store, 5)
    await run_until_dead(
        Gateway("intake", store, bus, checkpoints, registry, translate, batch_size=2, issuer=INTAKE)
    )
    bus.lives = -1
    restarted = asyncio.create_task(
        Gateway("intake", store, bus, checkpoints, registry, translate, batch_size=2, issuer=INTAKE).run()
    )
    await eventually(lambda: set(downstream.effects) == {str(i) for i in ids})
    restarted.cancel()
    assert set(downstream.effects.values()) == {1}


@pytest.mark.parametrize("lives", range(3))
async def test_a_gateway_killed_before_its_checkpoint_republishes_and_nothing_repeats(lives: int) -> None:
    store, bus, checkpoints = InMemoryEventStore(), InProcessBus(), DyingCheckpoints(lives)
    downstream = await wired(bus)
    ids = await given_registered(store, 5)
    await run_until_dead(
        Gateway("intake", store, bus, checkpoints, registry, translate, batch_size=2, issuer=INTAKE)
    )
    checkpoints.lives = -1
    restarted = asyncio.create_task(
        Gateway("intake", store, bus, checkpoints, registry, translate, batch_size=2, issuer=INTAKE).run()
    )
    await eventually(lambda: set(downstream.effects) == {str(i) for i in ids})
    await eventually(lambda: checkpoints.checkpoint("gateway-intake"), timeout=5)
    restarted.cancel()
    assert set(downstream.effects.values()) == {1}


async def test_an_event_nobody_listens_to_is_counted_and_the_gateway_goes_on() -> None:
    store, bus, checkpoints = InMemoryEventStore(), InProcessBus(), InMemoryReadStore()
    await given_registered(store, 2)
    gateway = Gateway("intake", store, bus, checkpoints, registry, translate, issuer=INTAKE)
    running = asyncio.create_task(gateway.run())
    await eventually(lambda: gateway.stats.position == 4)
    running.cancel()
    assert gateway.stats.unrouted == 2
    assert gateway.stats.published == 0
