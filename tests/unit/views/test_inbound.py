"""What the views consume: every current public type, each message recorded once in their own store."""

from collections.abc import Mapping
from datetime import UTC, datetime
from uuid import uuid4

from services.views.application.inbound import INBOUND, public_contract
from shared.adapters.eventstore import RecordedEvent
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.records import OCCURRED_AT, SOURCE, Recorder, source_service

WITHDRAWN_AT = datetime(2025, 3, 4, 1, 30, tzinfo=UTC)


def withdrawal(type_name: str, data: Mapping[str, object]) -> CloudEvent:
    return CloudEvent(
        id="9d3c1f0e-60a4-4b8e-9a77-1d2f0c6b2e61",
        source="/proposals/intake",
        type=type_name,
        subject="intake-proposal-wuhai-2025-60",
        time=WITHDRAWN_AT,
        data=dict(data),
    )


def test_the_views_bind_every_current_public_type_and_no_superseded_one() -> None:
    keys = set(INBOUND.routing_keys)
    current = {cls.type_name for cls in public_contract().current_classes}
    assert keys == {f"{name}.#" for name in current}
    assert "intake.proposal-registered.v2.#" in keys and "intake.proposal-registered.v1.#" not in keys
    assert "reply.reply-issued.v1.#" in keys and "allocation.internally-allocated.v1.#" in keys


async def test_an_older_version_is_recorded_as_the_current_one_and_its_newer_copy_adds_nothing() -> None:
    store = InMemoryEventStore()
    handlers = INBOUND.bind(Recorder(store, "views", INBOUND.contract))
    old = {"proposal_id": "wuhai-2025-60", "outcome": "withdrawn", "reason": "领衔人撤回"}
    new = {**old, "reason_label": "领衔人撤回", "by": "liu-jianfeng", "ended_at": WITHDRAWN_AT.isoformat()}

    await handlers["intake.proposal-ended.v1"](withdrawal("intake.proposal-ended.v1", old))
    await handlers["intake.proposal-ended.v2"](withdrawal("intake.proposal-ended.v2", new))

    [recorded] = await store.read_all(0, 10)
    assert recorded.stream.startswith("views-received-wuhai-2025-60-")
    assert recorded.type == "intake.proposal-ended.v2"
    assert recorded.data["reason_label"] == "领衔人撤回"
    assert recorded.metadata[SOURCE] == "/proposals/intake"
    assert recorded.metadata[OCCURRED_AT] == WITHDRAWN_AT.isoformat()


def test_an_event_from_an_agency_instance_counts_as_its_services() -> None:
    def recorded(source: str) -> RecordedEvent:
        return RecordedEvent(
            id=uuid4(), stream="views-received-wuhai-2025-60-1", version=0, position=1,
            type="reply.reply-issued.v1", data={}, metadata={SOURCE: source}, recorded_at=WITHDRAWN_AT,
        )  # fmt: skip

    assert source_service(recorded("/proposals/reply_shangwu")) == "reply"
    assert source_service(recorded("/proposals/reply")) == "reply"
