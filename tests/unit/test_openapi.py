"""Every service's OpenAPI lists each command with its problem+json error answers."""

import pytest
from fastapi.testclient import TestClient

from runtime.catalog import CATALOG
from shared.testing.infrastructure import in_memory_infrastructure

COMMAND_SERVICES = ["intake", "allocation", "reply", "feedback"]


@pytest.mark.parametrize("name", COMMAND_SERVICES)
def test_every_command_documents_its_error_responses(name: str) -> None:
    entry = CATALOG[name]
    infra = in_memory_infrastructure()
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
