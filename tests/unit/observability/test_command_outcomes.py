"""The command handler counts each command once, by its outcome, in the service's metrics."""

from collections.abc import Sequence
from uuid import uuid4

import pytest
from opentelemetry import trace

from shared.adapters.eventstore import AppendResult, NewEvent
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.kernel.decider import CommandHandler, CommandMeta
from shared.kernel.errors import WrongExpectedVersion
from shared.observability.metrics import ServiceMetrics
from shared.observability.telemetry import Telemetry
from tests.unit.test_command_handler import TITLE, Register, Submit, decider, registry

STREAM = "intake-proposal-60"


class AlwaysChanging(InMemoryEventStore):
    """A stream someone else appends to between every read and append."""

    async def append(self, stream: str, events: Sequence[NewEvent], expected_version: int) -> AppendResult:
        raise WrongExpectedVersion(stream, expected_version, expected_version + 1)


def count(metrics: ServiceMetrics, command: str, outcome: str) -> float | None:
    labels = {"command": command, "outcome": outcome}
    value: float | None = metrics.registry.get_sample_value("commands_handled_total", labels)
    return value


async def test_a_stream_that_keeps_changing_is_one_conflict_after_the_retries() -> None:
    telemetry = Telemetry("intake", ServiceMetrics(), trace.NoOpTracer())
    handler = CommandHandler(AlwaysChanging(), registry, decider)
    with telemetry.bound(), pytest.raises(WrongExpectedVersion):
        await handler.handle(STREAM, Submit(TITLE), CommandMeta(uuid4()), attempts=3)

    assert count(telemetry.metrics, "Submit", "conflict") == 1
    assert telemetry.metrics.registry.get_sample_value("eventstore_appends_total") == 0


async def test_an_appended_and_a_refused_command_are_counted_by_their_outcome() -> None:
    telemetry = Telemetry("intake", ServiceMetrics(), trace.NoOpTracer())
    store = InMemoryEventStore()
    handler = CommandHandler(store, registry, decider)
    with telemetry.bound():
        await handler.handle(STREAM, Submit(TITLE), CommandMeta(uuid4()))
        with pytest.raises(Exception, match="Register is not allowed"):
            await handler.handle("intake-proposal-61", Register("61"), CommandMeta(uuid4()))

    assert count(telemetry.metrics, "Submit", "appended") == 1
    assert count(telemetry.metrics, "Register", "rejected") == 1
    assert telemetry.metrics.registry.get_sample_value("eventstore_appended_events_total") == 1
