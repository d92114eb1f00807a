"""A body over the limit is refused with 413 before the app parses it: by its Content-Length before
the app is called, and, sent in chunks, as soon as the chunks read pass the limit."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from services.intake.bootstrap import create
from services.intake.config import IntakeSettings
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.identity import Identity, issue_token

SETTINGS = IntakeSettings(app_env="test")
MEMBER = Identity(subject="ru-juxia", role="proposer", name="茹菊霞")
HEADERS = {"Authorization": f"Bearer {issue_token(MEMBER, SETTINGS.signing_key())}"}
MB = 1024 * 1024
CHUNK = 64 * 1024


def proposal(title: str) -> dict[str, Any]:
    return {
        "jurisdiction": "jincheng",
        "kind": "proposal",
        "session": "市八届政协四次会议",
        "title": title,
        "items": ["加大社区养老服务设施建设力度。"],
        "proposers": [{"id": "ru-juxia", "name": "茹菊霞", "role": "领衔"}],
    }


@pytest.fixture
def app() -> Iterator[tuple[TestClient, InMemoryEventStore]]:
    infra = in_memory_infrastructure()
    assert isinstance(infra.events, InMemoryEventStore)
    with TestClient(create(SETTINGS, infra)) as client:
        yield client, infra.events


def test_a_30_mb_title_is_refused_with_413_and_nothing_is_recorded(
    app: tuple[TestClient, InMemoryEventStore],
) -> None:
    client, store = app

    answer = client.post("/proposals", json=proposal("关于" + "养老" * 15 * MB + "的提案"), headers=HEADERS)

    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["connection"] == "close"
    problem = answer.json()
    assert problem["status"] == 413 and problem["max_bytes"] == SETTINGS.max_body_bytes
    assert "bytes" in problem["detail"]
    assert asyncio.run(store.head()) == 0


def test_a_body_within_the_limit_reaches_the_app(app: tuple[TestClient, InMemoryEventStore]) -> None:
    client, _ = app
    answer = client.post("/proposals", json=proposal("关于加强社区养老服务体系建设的建议"), headers=HEADERS)
    assert answer.status_code == 201


def test_a_chunked_30_mb_body_is_refused_with_413_without_the_app_reading_it_all(
    app: tuple[TestClient, InMemoryEventStore],
) -> None:
    client, store = app
    body = json.dumps(proposal("关于" + "养老" * 15 * MB + "的提案"), ensure_ascii=False).encode()
    pulled = 0

    async def receive() -> Message:
        nonlocal pulled
        chunk = body[pulled : pulled + CHUNK]
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": pulled < len(body)}

    answer = call(client, "POST", "/proposals", receive, [(b"transfer-encoding", b"chunked")])

    assert answer["status"] == 413
    assert (b"connection", b"close") in answer["headers"]
    assert json.loads(answer["body"])["max_bytes"] == SETTINGS.max_body_bytes
    assert pulled <= SETTINGS.max_body_bytes + CHUNK < len(body)
    assert asyncio.run(store.head()) == 0


def test_a_chunked_body_within_the_limit_is_read_whole(app: tuple[TestClient, InMemoryEventStore]) -> None:
    client, _ = app
    body = json.dumps(proposal("关于加强社区养老服务体系建设的建议"), ensure_ascii=False).encode()
    chunks = [body[i : i + 16] for i in range(0, len(body), 16)]

    async def receive() -> Message:
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    answer = call(client, "POST", "/proposals", receive, [(b"transfer-encoding", b"chunked")])

    assert answer["status"] == 201, answer["body"]


def call(
    client: TestClient, method: str, path: str, receive: Any, headers: list[tuple[bytes, bytes]]
) -> dict[str, Any]:
    """The app called as a server calls it, on the loop its lifespan runs on, with our `receive`."""
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            *[(k.lower().encode(), v.encode()) for k, v in HEADERS.items()],
            *headers,
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    assert client.portal is not None
    client.portal.call(client.app, scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return {"status": start["status"], "headers": start["headers"], "body": body}
