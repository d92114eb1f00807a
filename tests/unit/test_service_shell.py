"""Every service answers health and readiness, and readiness names a dependency that is down."""

import time

import pytest
from fastapi.testclient import TestClient

from runtime.catalog import CATALOG
from shared.adapters.bus import Message
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.testing.infrastructure import in_memory_infrastructure

QUEUE = "proposals.events.allocation"


class UnreachableReadStore(InMemoryReadStore):
    async def ping(self) -> None:
        raise ConnectionError("Redis at 127.0.0.1:6379 refused the connection")


@pytest.mark.parametrize("name", list(CATALOG))
def test_each_service_is_healthy_and_ready_on_the_embedded_adapters(name: str) -> None:
    entry = CATALOG[name]
    with TestClient(entry.create(entry.settings(), in_memory_infrastructure())) as client:
        assert client.get("/health").json() == {"status": "ok", "service": name}
        ready = client.get("/ready")
        assert ready.status_code == 200
        body = ready.json()
        assert body["dependencies"] == {"eventstore": "ok", "bus": "ok", "readstore": "ok"}
        assert body["workers"] and set(body["workers"].values()) == {"running"}


@pytest.mark.parametrize("name", list(CATALOG))
def test_readiness_names_the_dependency_that_is_down(name: str) -> None:
    entry = CATALOG[name]
    infra = in_memory_infrastructure()
    infra.views = UnreachableReadStore()
    with TestClient(entry.create(entry.settings(), infra)) as client:
        ready = client.get("/ready")
        assert ready.status_code == 503
        dependencies = ready.json()["dependencies"]
        assert dependencies["readstore"].startswith("error: ConnectionError: Redis at 127.0.0.1:6379")
        assert dependencies["eventstore"] == "ok"


def test_readiness_counts_the_messages_kept_in_the_dead_letter_queue() -> None:
    entry = CATALOG["allocation"]
    infra = in_memory_infrastructure()
    malformed = Message(id="not-a-cloudevent", routing_key="intake.proposal-registered.v2", body=b"{")
    with TestClient(entry.create(entry.settings(), infra)) as client:
        assert client.portal is not None
        client.portal.call(infra.bus.publish, malformed)
        deadline = time.monotonic() + 5
        while (ready := client.get("/ready").json()).get("dead_letters", {}).get(QUEUE) != 1:
            assert time.monotonic() < deadline, ready
        assert ready["dead_letters"] == {QUEUE: 1}
