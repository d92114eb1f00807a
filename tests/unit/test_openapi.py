"""Every service's OpenAPI lists each command with its problem+json error answers."""

import pytest
from fastapi.testclient import TestClient

from services.catalog import CATALOG
from shared.bus.inbox import InMemoryInbox
from shared.bus.inprocess import InProcessBus
from shared.eventstore.memory import InMemoryEventStore
from shared.infrastructure import Infrastructure
from shared.readstore.memory import InMemoryReadStore

COMMAND_SERVICES = ["intake", "allocation", "reply", "feedback"]


@pytest.mark.parametrize("name", COMMAND_SERVICES)
def test_every_command_documents_its_error_responses(name: str) -> None:
    entry = CATALOG[name]
    infra = Infrastructure(InMemoryEventStore(), InProcessBus(), InMemoryReadStore(), InMemoryInbox())
    with TestClient(entry.create(entry.settings(), infra)) as client:
        spec = client.get("/openapi.json").json()
    commands = {
        path: operation
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method == "post"
    }
    assert commands, f"{name} documents no command"
    for path, operation in commands.items():
        responses = operation["responses"]
        for status in ("403", "404", "409", "422"):
            assert status in responses, f"{name} POST {path} does not document {status}"
        assert "application/problem+json" in responses["409"]["content"], path
