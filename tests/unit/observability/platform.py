"""Two services of the platform in the test's own event loop, on one bus, each on its own store."""

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.adapters.bus import MessageBus
from shared.adapters.bus.inbox import InMemoryInbox
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.infrastructure import Infrastructure
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.observability import tracing
from shared.web.identity import Identity, issue_token
from shared.web.keys import SigningKey

RU_JUXIA = Identity(subject="ru-juxia", role="proposer", name="茹菊霞")


def own_store(bus: MessageBus) -> Infrastructure:
    return Infrastructure(InMemoryEventStore(), bus, InMemoryReadStore(), InMemoryInbox(), owns_bus=False)


@contextlib.contextmanager
def exported_spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on, into memory, for the services created inside the block."""
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    tracing.start_exporting(processor)
    try:
        yield exporter
    finally:
        tracing.stop_exporting(processor)


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app started (its lifespan: workers, consumer) and a client calling it in this loop."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


def submission(key: SigningKey) -> dict[str, Any]:
    """茹菊霞's proposal on community elderly care, as she submits it."""
    return {
        "headers": {"Authorization": f"Bearer {issue_token(RU_JUXIA, key)}"},
        "json": {
            "jurisdiction": "jincheng",
            "kind": "proposal",
            "session": "市八届政协四次会议",
            "title": "关于加强社区养老服务体系建设的建议",
            "items": ["加大社区养老服务设施建设力度。", "加强专业服务人员队伍建设。"],
            "proposers": [{"id": "ru-juxia", "name": "茹菊霞", "unit": "晋城市政协", "role": "领衔"}],
            "channel": "online",
        },
    }
