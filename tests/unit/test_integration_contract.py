"""The integration contract: a JSON Schema per integration event and the AsyncAPI document, committed
in docs/integration/, served by each service, and met by every message the gateways publish.

After an intended change of an integration event or of the topology, run `make contracts` and commit
the diff of docs/integration/.
"""

import asyncio
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]  # no stubs in the lock

from runtime.catalog import CATALOG
from runtime.contract import DOCS, documents, platform_contract
from runtime.topology import CONSUMES, PUBLISHERS
from shared.adapters.bus import Message
from shared.adapters.bus.inprocess import InProcessBus
from shared.adapters.eventstore.sqlite import SqliteEventStore
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.events import EventRegistry
from shared.kernel.gateway import Gateway, Translate
from shared.kernel.signatures import Issuer, Issuers, TrustedKeys, Verifier
from shared.testing.infrastructure import in_memory_infrastructure
from shared.testing.waiting import eventually
from shared.web.asyncapi import envelope_schema
from shared.web.keys import SigningKey
from tests.processes import free_port_block, running, wait_healthy
from tools.demo.client import Platform
from tools.demo.stories import story_jincheng_254, story_wuhai_60

COMMAND_SERVICES = ["intake", "allocation", "reply", "feedback"]
EMBEDDED = {
    "EVENTSTORE_URL": "sqlite:///var/{service}.sqlite3",
    "BUS_URL": "inprocess://",
    "READSTORE_URL": "memory://",
}


def platform_events() -> set[str]:
    """Every integration event defined in a service's contracts module."""
    for service in PUBLISHERS:
        importlib.import_module(f"services.{service}.contracts")
    return {cls.type_name for cls in _subclasses(IntegrationEvent) if cls.__module__.startswith("services.")}


def _subclasses(cls: type[IntegrationEvent]) -> list[type[IntegrationEvent]]:
    return [c for sub in cls.__subclasses__() for c in [sub, *_subclasses(sub)]]


def test_the_committed_documents_are_what_the_event_models_generate_now() -> None:
    expected = documents(platform_contract())
    committed = {
        str(path.relative_to(DOCS)): path.read_text(encoding="utf-8")
        for path in DOCS.rglob("*")
        if path.is_file()
    }
    assert sorted(committed) == sorted(expected), "docs/integration/ is out of date: run `make contracts`"
    for name, text in expected.items():
        assert committed[name] == text, f"docs/integration/{name} is out of date: run `make contracts`"


def test_every_integration_event_has_a_json_schema_named_by_its_versioned_type() -> None:
    schemas = platform_contract().schemas
    assert set(schemas) == platform_events()
    assert "reply.reply-issued.v1" in schemas
    for type_name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == type_name
        assert schema["additionalProperties"] is False


def test_the_asyncapi_document_has_a_channel_per_event_and_every_consumer_of_the_topology() -> None:
    document = platform_contract().document
    assert document["asyncapi"] == "3.0.0"
    assert set(document["channels"]) == platform_events()
    operations = document["operations"]
    for service, types in CONSUMES.items():
        for type_name in types:
            receive = operations[f"{service}.receive.{type_name}"]
            assert receive["action"] == "receive"
            assert receive["channel"] == {"$ref": f"#/channels/{type_name}"}
    sent = {op["channel"]["$ref"] for op in operations.values() if op["action"] == "send"}
    assert sent == {f"#/channels/{name}" for name in platform_events()}
    for channel in document["channels"].values():
        exchange = channel["bindings"]["amqp"]["exchange"]
        assert (exchange["name"], exchange["type"], exchange["durable"]) == (
            "proposals.events",
            "topic",
            True,
        )


def test_a_reply_is_routed_to_the_unit_that_issued_it_and_a_registration_by_its_type_alone() -> None:
    channels = platform_contract().document["channels"]
    reply = channels["reply.reply-issued.v1"]
    assert reply["address"] == "reply.reply-issued.v1.{unit}"
    assert reply["parameters"]["unit"]["location"] == "$message.payload#/data/lead_unit"
    assert channels["intake.proposal-registered.v1"]["address"] == "intake.proposal-registered.v1"
    assert "parameters" not in channels["intake.proposal-registered.v1"]


def test_every_reference_of_the_asyncapi_document_resolves_within_it() -> None:
    document = platform_contract().document
    references = [r for r in _references(document) if r.startswith("#/")]
    assert references
    for reference in references:
        node: Any = document
        for step in reference.removeprefix("#/").split("/"):
            assert step in node, f"{reference} does not resolve"
            node = node[step]


@pytest.mark.parametrize("name", COMMAND_SERVICES)
def test_each_service_serves_the_asyncapi_document_and_the_schema_of_each_event(name: str) -> None:
    entry = CATALOG[name]
    infra = in_memory_infrastructure()
    with TestClient(entry.create(entry.settings(), infra)) as client:
        document = client.get("/asyncapi.json")
        schema = client.get("/schemas/reply.reply-issued.v1")
        unknown = client.get("/schemas/reply.reply-issued.v9")
    assert document.status_code == 200 and document.json() == platform_contract().document
    assert schema.status_code == 200 and schema.json()["$id"] == "reply.reply-issued.v1"
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert "reply.reply-issued.v1" in unknown.json()["known"]


def test_every_message_the_gateways_publish_for_the_two_demo_stories_validates_and_verifies(
    tmp_path: Path,
) -> None:
    run_the_demo_stories_on_the_embedded_platform(tmp_path)
    messages = publish_everything_in_the_stores(tmp_path / "var")

    schemas = platform_contract().schemas
    published = {json.loads(m.body)["type"] for m in messages}
    assert {
        "intake.proposal-registered.v1",
        "allocation.proposal-allocated.v1",
        "reply.reply-issued.v1",
        "feedback.rehandling-requested.v1",
        "feedback.proposal-closed.v1",
    } <= published
    for message in messages:
        body = json.loads(message.body)
        type_name = body["type"]
        envelope = Draft202012Validator(envelope_schema(type_name), format_checker=FormatChecker())
        data = Draft202012Validator(schemas[type_name], format_checker=FormatChecker())
        assert not list(envelope.iter_errors(body)), [e.message for e in envelope.iter_errors(body)]
        assert not list(data.iter_errors(body["data"])), [e.message for e in data.iter_errors(body["data"])]
        assert message.id == body["id"] and message.content_type == "application/cloudevents+json"
    verifier = Verifier(TrustedKeys.of_development(), Issuers(PUBLISHERS))
    for message in messages:
        verifier.verify(json.loads(message.body))  # what a consumer checks, as it receives it
    registrations: dict[str, dict[str, str]] = {}
    for body in (json.loads(m.body) for m in messages):
        if body["type"].startswith("intake.proposal-registered."):
            registrations.setdefault(body["id"], {})[body["type"]] = body["signature"]
    assert registrations and all(len(set(signed.values())) == 2 for signed in registrations.values())
    replies = [m for m in messages if json.loads(m.body)["type"] == "reply.reply-issued.v1"]
    assert {m.routing_key for m in replies} >= {
        "reply.reply-issued.v1.shangwu",
        "reply.reply-issued.v1.minzheng",
    }


def run_the_demo_stories_on_the_embedded_platform(workdir: Path) -> None:
    base = free_port_block(5)
    with running(["-m", "runtime", "--port-base", str(base)], cwd=workdir, env=EMBEDDED) as process:
        urls = {name: f"http://127.0.0.1:{base + i}" for i, name in enumerate(COMMAND_SERVICES)}
        for url in urls.values():
            wait_healthy(f"{url}/ready", process)
        platform = Platform(urls, SigningKey.development())
        try:
            assert story_wuhai_60(platform, lambda _: None) == "CLOSED"
            assert story_jincheng_254(platform, lambda _: None) == "CLOSED"
        finally:
            platform.close()


class EveryMessage:
    """An inbox that forgets: both versions of an event share its id, and the check wants both."""

    async def seen(self, consumer: str, message_id: str) -> bool:
        return False

    async def remember(self, consumer: str, message_id: str) -> None:
        return None


def publish_everything_in_the_stores(directory: Path) -> list[Message]:
    """Every service's gateway run over its own stored events, onto a bus where a queue takes `#`."""
    return asyncio.run(_publish_everything(directory))


async def _publish_everything(directory: Path) -> list[Message]:
    bus, captured = InProcessBus(), list[Message]()
    await bus.declare_queue("contract-check", ["#"])

    async def capture(message: Message) -> None:
        captured.append(message)

    consumer = await bus.consume("contract-check", capture, EveryMessage())
    try:
        published = 0
        for service, (registry, translate) in _gateways().items():
            store = await SqliteEventStore.open(directory / f"{service}.sqlite3")
            try:
                recorded = await store.read_all(0, limit=100_000)
                gateway = Gateway(
                    service,
                    store,
                    bus,
                    InMemoryReadStore(),
                    registry,
                    translate,
                    contract=PUBLISHERS[service],
                    issuer=Issuer.development(service),
                )
                await gateway.publish_batch(recorded)
                published += gateway.stats.published
            finally:
                await store.close()
        await eventually(lambda: len(captured) == published)
        return captured
    finally:
        await consumer.stop()


def _gateways() -> dict[str, tuple[EventRegistry, Translate]]:
    gateways = {}
    for service in PUBLISHERS:
        events = importlib.import_module(f"services.{service}.domain.events")
        outbound = importlib.import_module(f"services.{service}.application.outbound")
        gateways[service] = (events.registry, outbound.to_integration)
    return gateways


def _references(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _references(value)]
    if isinstance(node, list):
        return [r for value in node for r in _references(value)]
    return []
