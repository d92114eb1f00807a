"""The member hears of 乌海 第60号's reply from 市商务局 and gets the form's link, once each."""

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import date

import pytest

from services.feedback.application.notices import NAME, PROPOSALS, MemberNotices, notices_stream
from services.feedback.domain.events import FeedbackRequested, ReplyRecorded, registry
from shared.adapters.eventstore import NewEvent
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.notify import LogNotifier, Notification
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.kernel.events import Event
from shared.kernel.ids import derived_id
from shared.testing.waiting import eventually
from tests.unit.feedback.data import ISSUED_AT, LIU, housekeeping_recorded, token

TOKEN = token("wuhai-60", 1, LIU)
replied = ReplyRecorded(
    proposal_id="wuhai-60",
    round=1,
    lead_unit="shangwu",
    lead_units=("shangwu",),
    result_class="A",
    promise="",
    issued_at=ISSUED_AT,
)
form_sent = FeedbackRequested(
    proposal_id="wuhai-60",
    round=1,
    proposer_id=LIU.id,
    proposer_name=LIU.name,
    token=TOKEN,
    due=date(2025, 6, 10),
    requested_at=ISSUED_AT,
)


@dataclass
class RecordingNotifier:
    sent: list[Notification] = field(default_factory=list)

    async def send(self, notification: Notification) -> None:
        self.sent.append(notification)


async def store_with(*events: Event) -> InMemoryEventStore:
    store = InMemoryEventStore()
    for version, event in enumerate(events):
        type_name, data = registry.encode(event)
        await store.append(
            "feedback-proposal-wuhai-60", [NewEvent(derived_id(version), type_name, data)], version
        )
    return store


async def test_the_member_is_told_of_the_reply_and_sent_the_form_link() -> None:
    store, notifier = await store_with(housekeeping_recorded(), replied, form_sent), RecordingNotifier()

    sent = await MemberNotices(
        store, InMemoryReadStore(), notifier, address_of=lambda p: f"{p}@wuhai.example"
    ).tick()

    assert [n.what for n in sent] == ["reply", "feedback-request"]
    assert [(n.to, n.subject) for n in notifier.sent] == [
        ("liu-jianfeng@wuhai.example", "第60号《关于推动家政服务业发展的提案》已答复（A类）"),
        ("liu-jianfeng@wuhai.example", "请于 2025-06-10 前填写征询意见表"),
    ]
    assert notifier.sent[1].body.endswith(f"/forms/{TOKEN}")


async def test_a_second_run_or_a_restarted_worker_sends_nothing_again() -> None:
    store, notifier = await store_with(housekeeping_recorded(), replied, form_sent), RecordingNotifier()
    await MemberNotices(store, InMemoryReadStore(), notifier).tick()

    again = await MemberNotices(store, InMemoryReadStore(), notifier).tick()

    assert again == [] and len(notifier.sent) == 2
    assert len(await store.read_stream(notices_stream("wuhai-60"))) == 2


async def test_the_log_notifier_logs_the_form_link(caplog: pytest.LogCaptureFixture) -> None:
    store = await store_with(housekeeping_recorded(), form_sent)
    caplog.set_level(logging.INFO, logger="shared.adapters.notify")

    await MemberNotices(store, InMemoryReadStore(), LogNotifier()).tick()

    assert "notification to proposer:liu-jianfeng: 请于 2025-06-10 前填写征询意见表" in caplog.text
    assert f"/forms/{TOKEN}" in caplog.text


async def append(store: InMemoryEventStore, event: Event) -> None:
    stream = "feedback-proposal-wuhai-60"
    version = len(await store.read_stream(stream))
    type_name, data = registry.encode(event)
    await store.append(stream, [NewEvent(derived_id(version), type_name, data)], version)


async def test_the_worker_follows_the_store_and_tells_the_member_as_the_reply_is_recorded() -> None:
    store, notifier = await store_with(housekeeping_recorded()), RecordingNotifier()
    worker = asyncio.create_task(MemberNotices(store, InMemoryReadStore(), notifier).run())
    try:
        await append(store, replied)
        await append(store, form_sent)
        await eventually(lambda: len(notifier.sent) == 2)
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    assert [n.subject for n in notifier.sent][1] == "请于 2025-06-10 前填写征询意见表"


async def test_a_worker_restarted_on_its_view_resumes_from_its_checkpoint_and_keeps_no_phone() -> None:
    store, views = await store_with(housekeeping_recorded(), replied, form_sent), InMemoryReadStore()
    await MemberNotices(store, views, RecordingNotifier()).tick()

    restarted = MemberNotices(store, views, RecordingNotifier())
    assert await restarted.tick() == []

    assert restarted.runner.stats.applied == 0
    assert await views.checkpoint(NAME) == await store.head()
    kept = await views.hgetall(PROPOSALS)
    assert list(kept) == ["wuhai-60"] and LIU.phone not in kept["wuhai-60"]
