"""The views built from the public contract on the real stack: the five services as processes on
PostgreSQL, RabbitMQ and Redis, each on its own schema and keys.

The views service learns everything through the broker: it records each public event it consumes
once, in its own schema, and projects the read models from that record. An agency's private facts
(the 责任科室 of an internal allocation) never reach it, and a rebuild from its record gives the
read models it serves.
"""

import uuid
from collections.abc import Iterator

import httpx
import pytest

from services.views.application.inbound import INBOUND
from services.views.application.projections import projections
from shared.adapters.eventstore.postgres import PostgresEventStore
from shared.adapters.readstore import ReadStore
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.adapters.readstore.redis import RedisReadStore
from shared.kernel.projections import ProjectionRunner
from shared.testing.waiting import eventually
from tests.servers import require_postgres, require_rabbitmq, require_redis
from tools.demo.client import Platform
from tools.demo.stories import story_jincheng_254
from tools.simulation.stack import Stack, StackConfig

PRIVATE_SECTION = "养老服务科"
"""The section 市民政局 gives 第254号 to inside (its 内部交办): the unit's own business."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    config = StackConfig(
        postgres_url=require_postgres(),
        redis_url=require_redis(),
        rabbitmq_url=require_rabbitmq(),
        name=f"views_{uuid.uuid4().hex[:10]}",
        workdir=tmp_path_factory.mktemp("views-from-the-broker"),
    )
    with Stack(config) as running:
        yield running


@pytest.mark.timeout(180)
async def test_the_views_learn_jincheng_254_from_the_broker_alone_and_rebuild_the_same(stack: Stack) -> None:
    platform = Platform(stack.urls, stack.config.signing_key)
    try:
        assert story_jincheng_254(platform, lambda _: None) == "CLOSED"
    finally:
        platform.close()
    config = stack.config
    record = await PostgresEventStore.open(config.postgres_url, schema=config.schema("views"))
    live = RedisReadStore.from_url(config.redis_url, config.key_prefix("views"))
    office = {"Authorization": f"Bearer {stack.token('office')}"}
    try:
        async with httpx.AsyncClient(base_url=stack.urls["views"], headers=office) as views:
            proposal = await the_one_proposal(record)

            async def closed_in_the_views() -> bool:
                answer = await views.get(f"/api/proposals/{proposal}")
                return answer.status_code == 200 and answer.json()["state"] == "CLOSED"

            await eventually(closed_in_the_views, timeout=60, interval=0.2)
            shown = (await views.get(f"/api/proposals/{proposal}")).json()
        events = await record.read_all(0, 10_000)

        assert all(e.stream.startswith(f"views-received-{proposal}-") for e in events)
        assert {e.type for e in events} <= set(INBOUND.contract.type_names)
        messages = [e.metadata["causation_id"] for e in events]
        assert len(messages) == len(set(messages)), "a message recorded twice"
        assert {e.metadata["source"] for e in events} == {
            "/proposals/intake",
            "/proposals/allocation",
            "/proposals/reply",
            "/proposals/feedback",
        }
        assert PRIVATE_SECTION not in str([e.data for e in events])
        assert PRIVATE_SECTION not in str(shown)
        assert shown["number"] == "254" and shown["lead_units"] == ["minzheng"]
        assert await rebuilt_from(record) == await proposals_keys(live)
    finally:
        await record.close()
        await live.close()


async def the_one_proposal(record: PostgresEventStore) -> str:
    async def recorded() -> bool:
        return bool(await record.read_all(0, 1))

    await eventually(recorded, timeout=30, interval=0.2)
    first = (await record.read_all(0, 1))[0]
    proposal = first.data["proposal_id"]
    assert isinstance(proposal, str)
    return proposal


async def rebuilt_from(record: PostgresEventStore) -> dict[str, object]:
    """The `proposals` read models built again in memory from the views' record alone."""
    rebuilt = InMemoryReadStore()
    for projection in projections():
        await ProjectionRunner(projection, record, rebuilt, INBOUND.contract).catch_up()
    return await proposals_keys(rebuilt)


async def proposals_keys(store: ReadStore) -> dict[str, object]:
    return {key: await value_of(store, key) for key in sorted(await store.keys("proposals:*"))}


async def value_of(store: ReadStore, key: str) -> object:
    match await store.kind(key):
        case "hash":
            return await store.hgetall(key)
        case "set":
            return sorted(await store.smembers(key))
        case "list":
            return await store.lrange(key)
        case "string":
            return await store.get(key)
        case other:
            return other
