"""The oracle on hand-made event lists: a lost command, a repeated append and a repeated effect are
found, a clean history passes, and the views compare with a rebuild."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from chaos.oracle import Reference, converge, duplicated, lost, read_stores
from shared.adapters.eventstore import NewEvent, RecordedEvent
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.kernel.events import Event, EventRegistry
from shared.kernel.ids import derived_id, event_id
from shared.kernel.projections import ProjectionRunner, View

MEMBER = "member-孙雪斌"
AT = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Record:
    command: str
    idempotency_key: str
    status: int | None


def recorded(
    stream: str, version: int, command: str, cause: str | None = None, index: int = 0, id_: UUID | None = None
) -> RecordedEvent:
    metadata: dict[str, Any] = {"command_id": command, "actor": f"proposer:{MEMBER}"}
    if cause is not None:
        metadata["causation_id"] = cause
    return RecordedEvent(
        id=id_ or event_id(f"{stream}/{command}", index),
        stream=stream,
        version=version,
        position=0,
        type="intake.proposal-submitted.v1",
        data={},
        metadata=metadata,
        recorded_at=AT,
    )


def http_command(key: str) -> str:
    return str(derived_id("http", MEMBER, key))


def test_an_accepted_command_with_its_events_in_the_store_is_not_lost() -> None:
    events = [recorded("intake-p1", 0, http_command("submit-1"))]
    records = [Record("submit", "submit-1", 201), Record("submit", "submit-1", 201)]
    assert lost(records, events) == []


def test_an_accepted_command_missing_from_the_store_is_lost_and_unanswered_ones_are_not_counted() -> None:
    events = [recorded("intake-p1", 0, http_command("submit-1"))]
    records = [
        Record("submit", "submit-1", 201),
        Record("submit", "submit-2", 201),
        Record("review", "review-1", None),
        Record("review", "review-2", 503),
        Record("review", "review-3", 409),
    ]
    assert [r.idempotency_key for r in lost(records, events)] == ["submit-2"]


def test_a_clean_history_has_no_duplicates() -> None:
    submit = http_command("submit-1")
    message = recorded("intake-p1", 1, submit, index=1)
    events = [
        recorded("intake-p1", 0, submit, index=0),
        message,
        recorded("allocation-p1", 0, str(message.id), cause=str(message.id)),
        recorded("feedback-p1", 0, str(message.id), cause=str(message.id)),
    ]
    assert duplicated(events) == []


def test_a_command_appended_twice_is_a_duplicate() -> None:
    submit = http_command("submit-1")
    events = [
        recorded("intake-p1", 0, submit),
        recorded("intake-p1", 1, submit, id_=uuid4()),
    ]
    found = duplicated(events)
    assert [(d.stream, d.cause) for d in found] == [("intake-p1", submit)]


def test_one_message_that_caused_two_commands_in_one_service_is_a_duplicate() -> None:
    message = recorded("intake-p1", 0, http_command("submit-1"))
    cause = str(message.id)
    events = [
        message,
        recorded("allocation-p1", 0, cause, cause=cause),
        recorded("allocation-p1", 1, str(uuid4()), cause=cause),
    ]
    found = duplicated(events)
    assert len(found) == 1
    assert found[0].cause == cause and "2 commands in allocation" in found[0].why


def test_a_services_record_of_a_message_beside_the_command_it_caused_is_no_duplicate() -> None:
    message = recorded("intake-p1", 0, http_command("register-1"))
    cause = str(message.id)
    events = [
        message,
        recorded("allocation-received-p1", 0, cause, cause=cause),
        recorded("allocation-p1", 0, cause, cause=cause),
        recorded("views-received-p1", 0, cause, cause=cause),
    ]
    assert duplicated(events) == []


def test_a_message_recorded_twice_is_a_duplicate() -> None:
    message = recorded("intake-p1", 0, http_command("register-1"))
    cause = str(message.id)
    twice = recorded("views-received-p1", 1, cause, cause=cause, id_=uuid4())
    events = [message, recorded("views-received-p1", 0, cause, cause=cause), twice]
    assert [d.stream for d in duplicated(events)] == ["views-received-p1"]


async def test_a_command_is_found_in_its_services_store_among_every_services() -> None:
    intake, views = InMemoryEventStore(), InMemoryEventStore()
    submit = http_command("submit-1")
    metadata = {"command_id": submit, "actor": f"proposer:{MEMBER}"}
    await intake.append("intake-p1", [NewEvent(event_id(f"intake-p1/{submit}", 0), "t", {}, metadata)], 0)
    await views.append("views-received-p1", [NewEvent(uuid4(), "t", {}, {"actor": "system:views"})], 0)
    accepted = [Record("submit", "submit-1", 201)]

    events = await read_stores({"intake": intake, "views": views})

    assert [e.stream for e in events] == ["intake-p1", "views-received-p1"]
    assert lost(accepted, events) == []
    assert lost(accepted, await read_stores({"views": views})) == accepted


registry = EventRegistry()


@registry.register("intake.proposal-submitted.v1")
class ProposalSubmitted(Event):
    title: str


class Titles:
    name = "titles"

    async def apply(self, event: Event, recorded: RecordedEvent, view: View) -> None:
        if isinstance(event, ProposalSubmitted):
            view.changes.hset(f"titles:{recorded.stream}", {"title": event.title})


async def test_views_equal_to_the_rebuild_at_the_head_converge_and_a_wiped_view_does_not() -> None:
    events = InMemoryEventStore()
    for n, title in enumerate(["关于加强社区养老服务的提案", "关于推进城乡低保一体化的建议"]):
        await events.append(
            f"intake-p{n}", [NewEvent(uuid4(), *registry.encode(ProposalSubmitted(title=title)))], 0
        )
    views = InMemoryReadStore()
    await ProjectionRunner(Titles(), events, views, registry).catch_up()

    result = await converge(Reference(events, [Titles()], registry), views, within=5, poll=0.01)
    assert result.converged and result.head == 2

    await views.drop("titles")
    result = await converge(Reference(events, [Titles()], registry), views, within=0.05, poll=0.01)
    assert not result.converged
    assert result.differences == ["checkpoint titles at 0, head at 2"]
