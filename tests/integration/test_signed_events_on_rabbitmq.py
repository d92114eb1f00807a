"""The forgery of the issue, on the real RabbitMQ: a 立案 (`intake.proposal-registered.v1`) issued by
市商务局's reply instance and published where allocation, reply and feedback take the 立案. They
used to record it. Now each of them, running as it does in production (a trust file naming intake's
and reply_shangwu's keys), records the genuine 立案 signed by intake and none of the forgeries: the
forgery signed with reply_shangwu's own trusted key, the same unsigned, signed by a key the trust file
does not name, and with the source written as in the issue. Each forgery is in every consumer's
dead-letter queue with its reason, and counted by reason."""

import uuid
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from runtime.event_keys import trust_toml
from runtime.topology import queue_name
from services.allocation.bootstrap import create as create_allocation
from services.allocation.config import AllocationSettings
from services.feedback.bootstrap import create as create_feedback
from services.feedback.config import FeedbackSettings
from services.reply.bootstrap import create as create_reply
from services.reply.config import ReplySettings
from shared.adapters.bus.rabbitmq import RabbitMQBus
from shared.kernel.signatures import Issuer
from shared.testing.waiting import eventually
from tests import forgeries
from tests.servers import require_rabbitmq
from tests.unit.observability.platform import own_store, running
from tests.unit.observability.test_metrics import sample

pytestmark = pytest.mark.rabbitmq


async def test_the_forged_registration_is_dead_lettered_with_its_reason_and_the_genuine_one_recorded(
    exchange: str, tmp_path: Path
) -> None:
    url = require_rabbitmq()
    intake = Issuer("intake", Ed25519PrivateKey.generate())
    reply_shangwu = Issuer("reply_shangwu", Ed25519PrivateKey.generate())
    stranger = Issuer("intake", Ed25519PrivateKey.generate())
    trust = tmp_path / "trust.toml"
    trust.write_text(
        trust_toml({"intake": [intake.public_key], "reply_shangwu": [reply_shangwu.public_key]}),
        encoding="utf-8",
    )
    given: dict[str, Any] = {"app_env": "test", "bus_exchange": exchange, "event_trust": trust}
    buses = {name: await RabbitMQBus.connect(url, exchange=exchange) for name in forgeries.CONSUMERS}
    forger = await RabbitMQBus.connect(url, exchange=exchange)
    apps: dict[str, FastAPI] = {
        "allocation": create_allocation(AllocationSettings(**given), own_store(buses["allocation"])),
        "reply": create_reply(ReplySettings(**given), own_store(buses["reply"])),
        "feedback": create_feedback(FeedbackSettings(**given), own_store(buses["feedback"])),
    }
    sent = forgeries.messages(intake, reply_shangwu, stranger, run=uuid.uuid4().hex)
    refused = forgeries.expected_reasons(sent)
    [genuine] = [s.message.id for s in sent if s.refused is None]
    try:
        async with running(apps["allocation"]), running(apps["reply"]), running(apps["feedback"]):
            for each in sent:
                await forger.publish(each.message)
            for name, app in apps.items():
                queue, store = queue_name(exchange, name), app.state.infra.events

                async def dead_lettered(queue: str = queue) -> bool:
                    return len(await forger.dead_letters(queue)) == len(refused)

                async def genuine_recorded() -> bool:
                    return genuine in await forgeries.causes(store)  # noqa: B023  awaited in this iteration

                await eventually(dead_lettered, timeout=15)
                await eventually(genuine_recorded, timeout=15)
                assert not set(refused) & await forgeries.causes(store), f"{name} recorded a forgery"
                letters = forgeries.reasons(await forger.dead_letters(queue))
                assert {i: reason.split(":")[0] for i, reason in letters.items()} == refused, name
                forged = next(s.message.id for s in sent if s.name == "forged")
                assert letters[forged] == (
                    "type-not-allowed: reply_shangwu does not issue intake.proposal-registered.v1"
                )
                for reason in refused.values():
                    assert sample(app, "consumer_refused_messages_total", reason=reason) == 1, (name, reason)
    finally:
        for bus in (*buses.values(), forger):
            await bus.close()
