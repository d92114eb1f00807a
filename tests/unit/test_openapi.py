"""Every service's OpenAPI lists each command with its problem+json error answers, and describes
every JSON answer with a schema."""

from collections.abc import Iterator
from typing import Any

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


SERVICES = [*COMMAND_SERVICES, "views"]
ANY_KEYWORDS = {"type", "$ref", "anyOf", "oneOf", "allOf", "const", "enum", "properties", "items"}


def spec_of(name: str) -> dict[str, Any]:
    entry = CATALOG[name]
    with TestClient(entry.create(entry.settings(), in_memory_infrastructure())) as client:
        found: dict[str, Any] = client.get("/openapi.json").json()
    return found


def json_answers(spec: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every 2xx JSON answer of every operation: where it is, and its schema (None when it has none)."""
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                for media_type, content in response.get("content", {}).items():
                    if status.startswith("2") and is_json(media_type):
                        yield f"{method.upper()} {path} {status} {media_type}", content.get("schema")


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def untyped(schema: Any, spec: dict[str, Any], where: str, seen: set[str]) -> Iterator[str]:
    """Where in `schema` a value is left undescribed: no schema at all, or an object of any keys."""
    if not isinstance(schema, dict) or not ANY_KEYWORDS & schema.keys():
        yield f"{where}: no schema"
        return
    if "$ref" in schema:
        if schema["$ref"] not in seen:
            seen.add(schema["$ref"])
            yield from untyped(resolve(spec, schema["$ref"]), spec, schema["$ref"], seen)
        return
    for keyword in ("anyOf", "oneOf", "allOf"):
        for n, choice in enumerate(schema.get(keyword, [])):
            yield from untyped(choice, spec, f"{where}.{keyword}[{n}]", seen)
    yield from untyped_parts(schema, spec, where, seen)


def untyped_parts(schema: dict[str, Any], spec: dict[str, Any], where: str, seen: set[str]) -> Iterator[str]:
    if schema.get("type") == "array":
        yield from untyped(schema.get("items"), spec, f"{where}[]", seen)
    if schema.get("type") != "object":
        return
    extra = schema.get("additionalProperties")
    if "properties" not in schema and not isinstance(extra, dict):
        yield f"{where}: an object of any keys"
    for name, part in schema.get("properties", {}).items():
        yield from untyped(part, spec, f"{where}.{name}", seen)
    if isinstance(extra, dict):
        yield from untyped(extra, spec, f"{where}.*", seen)


def resolve(spec: dict[str, Any], reference: str) -> Any:
    node: Any = spec
    for step in reference.removeprefix("#/").split("/"):
        node = node[step]
    return node


@pytest.mark.parametrize("name", SERVICES)
def test_every_json_answer_of_every_service_has_a_schema_that_describes_each_value(name: str) -> None:
    spec = spec_of(name)

    answers = dict(json_answers(spec))
    undescribed = [
        found for where, schema in answers.items() for found in untyped(schema, spec, where, set())
    ]

    assert answers, f"{name} documents no JSON answer"
    assert not undescribed, "\n".join(undescribed)


@pytest.mark.parametrize("name", SERVICES)
def test_every_operation_documents_the_413_of_a_body_over_the_limit(name: str) -> None:
    spec = spec_of(name)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert "413" in operation["responses"], f"{name} {method.upper()} {path}"
