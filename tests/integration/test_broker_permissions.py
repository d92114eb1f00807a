"""The broker's permissions, proven on the real RabbitMQ.

The definitions come from `runtime.broker` for a virtual host of this module's own (users named with
its prefix), imported as an operator would with `rabbitmqctl import_definitions`. Then each service's
and agency instance's user, through the services' own bus adapter, does what it may and tries what it
may not; the broker answers. The virtual host and the users are deleted at the end.
"""

import asyncio
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, urlsplit

import aiormq
import httpx
import pytest

from runtime.broker import Deployment, Instance, definitions
from runtime.topology import SERVICES, all_queues, queue_name, routing_keys
from services.intake.bootstrap import create as create_intake
from services.intake.config import IntakeSettings
from services.reply.bootstrap import create as create_reply
from services.reply.config import ReplySettings
from services.views.bootstrap import create as create_views
from services.views.config import ViewsSettings
from shared.adapters.bus import Message
from shared.adapters.bus.inbox import InMemoryInbox
from shared.adapters.bus.rabbitmq import RabbitMQBus
from shared.kernel.errors import Unroutable
from shared.kernel.inbound import declare_all
from shared.settings import ServiceSettings
from shared.testing.waiting import eventually
from tests.servers import IN_CI, require_rabbitmq
from tests.unit.observability.platform import running, submission

EXCHANGE = "proposals.events"
SUBMITTED = "intake.proposal-submitted.v1"
S = TypeVar("S", bound=ServiceSettings)
AGENCIES = [Instance("reply", "shangwu"), Instance("allocation", "minzheng")]


@dataclass(frozen=True)
class Broker:
    deployment: Deployment
    passwords: dict[str, str]
    address: str
    """host:port of the broker."""

    @property
    def vhost(self) -> str:
        return self.deployment.jurisdictions[0]

    def user(self, instance: str) -> str:
        return f"{self.deployment.user_prefix}{instance}"

    def url(self, instance: str) -> str:
        password = quote(self.passwords[instance], safe="")
        return f"amqp://{self.user(instance)}:{password}@{self.address}/{self.vhost}"


def rabbitmqctl() -> str:
    """The broker's own command line tool (on the PATH, or `RABBITMQCTL`), or skip (fail in CI)."""
    found = shutil.which(os.environ.get("RABBITMQCTL", "rabbitmqctl"))
    if found is None or subprocess.run([found, "status"], capture_output=True, check=False).returncode:
        reason = (
            "rabbitmqctl is not on the PATH (or RABBITMQCTL) or cannot reach the node: "
            "the definitions cannot be imported"
        )
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def run(ctl: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ctl, "--silent", *arguments], capture_output=True, text=True, check=False)


def must(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{' '.join(done.args)}: {done.stderr or done.stdout}"
    return done.stdout


@pytest.fixture(scope="module")
def broker() -> Iterator[Broker]:
    server = urlsplit(require_rabbitmq())
    ctl = rabbitmqctl()
    name = f"it_{uuid.uuid4().hex[:10]}"
    instances = [Instance(s, password=secrets.token_hex(12)) for s in SERVICES]
    instances += [Instance(a.service, a.unit, secrets.token_hex(12)) for a in AGENCIES]
    deployment = Deployment([name], instances, EXCHANGE, user_prefix=f"{name}_")
    generated = definitions(deployment)
    broker = Broker(
        deployment,
        {i.name: i.password or "" for i in instances},
        f"{server.hostname or '127.0.0.1'}:{server.port or 5672}",
    )
    try:
        with tempfile.TemporaryDirectory() as directory:
            # rabbitmqctl reads the file as the broker's own system user.
            os.chmod(directory, 0o755)
            path = Path(directory) / "definitions.json"
            path.write_text(json.dumps(generated), encoding="utf-8")
            path.chmod(0o644)
            must(run(ctl, "import_definitions", str(path)))
        asyncio.run(
            eventually(lambda: imported(ctl, name, len(generated["bindings"])), timeout=30, interval=0.5)
        )
        yield broker
    finally:
        run(ctl, "delete_vhost", name)
        for instance in instances:
            run(ctl, "delete_user", deployment.user(instance))


def imported(ctl: str, vhost: str, bindings: int) -> bool:
    """The import runs in the background; the bindings come last."""
    listed = run(ctl, "list_bindings", "-p", vhost, "source_name")  # fails until the vhost is there
    return listed.returncode == 0 and sum(1 for s in listed.stdout.splitlines() if s.strip()) >= bindings


@asynccontextmanager
async def bus_of(broker: Broker, instance: str) -> AsyncIterator[RabbitMQBus]:
    """The services' own bus adapter, logged in as `instance`, finding what the definitions hold."""
    bus = await RabbitMQBus.connect(broker.url(instance), EXCHANGE, publish_timeout=5.0, declare=False)
    try:
        yield bus
    finally:
        await bus.close()


def a_message(routing_key: str) -> Message:
    body = {"title": "关于推动家政服务业发展的提案", "proposal_id": "p-wuhai-60"}
    return Message(id=f"evt-{uuid.uuid4().hex}", routing_key=routing_key, body=json.dumps(body).encode())


async def test_the_intake_user_publishes_an_intake_event_and_the_broker_confirms_it(broker: Broker) -> None:
    async with bus_of(broker, "intake") as intake:
        await declare_all(intake, all_queues(EXCHANGE), 5)  # what intake does at start: all are there
        await intake.publish(a_message("intake.proposal-registered.v2"))  # returns on the broker's ack
        with pytest.raises(Unroutable):  # the older version beside it: allowed, but no queue binds it now
            await intake.publish(a_message("intake.proposal-registered.v1"))


async def test_an_agency_user_publishing_an_intake_event_is_refused_by_the_broker(broker: Broker) -> None:
    async with bus_of(broker, "reply_shangwu") as shangwu:
        await shangwu.publish(a_message("reply.reply-issued.v1.shangwu"))
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused) as refused:
            await shangwu.publish(a_message("intake.proposal-registered.v2"))
    assert (
        f"ACCESS_REFUSED - access to topic 'intake.proposal-registered.v2' in exchange '{EXCHANGE}' "
        f"in vhost '{broker.vhost}' refused for user '{broker.user('reply_shangwu')}'"
    ) in str(refused.value)
    for other_units_or_the_offices in ("reply.reply-issued.v1.minzheng", "reply.round-opened.v1"):
        async with bus_of(broker, "reply_shangwu") as shangwu:
            with pytest.raises(
                aiormq.exceptions.ChannelAccessRefused, match="ACCESS_REFUSED - access to topic"
            ):
                await shangwu.publish(a_message(other_units_or_the_offices))


async def test_the_reply_user_cannot_consume_the_allocation_queue(broker: Broker) -> None:
    allocation_queue = queue_name(EXCHANGE, "allocation")
    for instance, queue in (("reply", allocation_queue), ("reply_shangwu", queue_name(EXCHANGE, "reply"))):
        async with bus_of(broker, instance) as bus:
            with pytest.raises(aiormq.exceptions.ChannelAccessRefused) as refused:
                await bus.consume(queue, _ignore, InMemoryInbox())
        assert (
            f"ACCESS_REFUSED - access to queue '{queue}' in vhost '{broker.vhost}' "
            f"refused for user '{broker.user(instance)}'"
        ) in str(refused.value)
    async with bus_of(broker, "reply") as reply:
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused, match="ACCESS_REFUSED - access to queue"):
            await reply.dead_letters(queue_name(EXCHANGE, "allocation"))


async def test_no_service_may_declare_or_delete_a_queue_nor_the_views_publish(broker: Broker) -> None:
    with pytest.raises(
        aiormq.exceptions.ChannelAccessRefused, match=re.escape(f"access to exchange '{EXCHANGE}'")
    ):
        await RabbitMQBus.connect(broker.url("allocation"), EXCHANGE, declare=True)
    async with bus_of(broker, "reply") as reply:
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused, match="ACCESS_REFUSED - access to queue"):
            await reply.delete_queue(queue_name(EXCHANGE, "allocation"))
    async with bus_of(broker, "views") as views:
        with pytest.raises(
            aiormq.exceptions.ChannelAccessRefused, match=re.escape(f"access to exchange '{EXCHANGE}'")
        ):
            await views.publish(a_message("intake.proposal-registered.v2"))


async def test_a_queue_the_definitions_do_not_hold_stops_a_service_at_its_start(broker: Broker) -> None:
    async with bus_of(broker, "intake") as intake:
        with pytest.raises(LookupError, match=r"proposals\.events\.archive"):
            await intake.declare_queue(queue_name(EXCHANGE, "archive"), ["#"])


FLOW = [
    ("intake", "intake.proposal-registered.v2"),
    ("allocation", "allocation.proposal-allocated.v1"),
    ("reply_shangwu", "reply.reply-issued.v1.shangwu"),
    ("reply", "reply.reply-issued.v1.minzheng"),
    ("feedback", "feedback.feedback-requested.v1"),
    ("allocation_minzheng", "allocation.assignment-acknowledged.v1.minzheng"),
]
"""Who publishes what, in this order: each publish returns once the broker has confirmed it."""
EVERY_KEY = {key for _, key in FLOW}
TAKES = {
    "allocation": EVERY_KEY
    - {"allocation.proposal-allocated.v1", "allocation.assignment-acknowledged.v1.minzheng"},
    "reply": {"intake.proposal-registered.v2", "allocation.proposal-allocated.v1"},
    "reply_shangwu": {"intake.proposal-registered.v2", "allocation.proposal-allocated.v1"},
    "feedback": {
        "intake.proposal-registered.v2",
        "reply.reply-issued.v1.shangwu",
        "reply.reply-issued.v1.minzheng",
    },
    "views": EVERY_KEY,
    "allocation_minzheng": {
        "intake.proposal-registered.v2",
        "reply.reply-issued.v1.minzheng",  # 市商务局's reply is not addressed to 市民政局's instance
        "feedback.feedback-requested.v1",
    },
}
"""What reaches each consuming instance's queue."""


class Received:
    def __init__(self) -> None:
        self.ids: list[str] = []

    async def __call__(self, message: Message) -> None:
        self.ids.append(message.id)


async def test_each_service_works_with_its_own_user(broker: Broker) -> None:
    """Each instance, as its own user, finds every queue at start, consumes its own and publishes what
    it announces; each queue gets what its bindings ask for and nothing else."""
    instances = broker.deployment.instances
    received = {i.name: Received() for i in instances if i.consumes}
    async with AsyncExitStack() as stack:
        buses = {i.name: await stack.enter_async_context(bus_of(broker, i.name)) for i in instances}
        for instance in instances:
            bus = buses[instance.name]
            await declare_all(bus, all_queues(EXCHANGE), 5)
            if instance.consumes:
                queue = queue_name(EXCHANGE, instance.name)
                await bus.declare_queue(queue, routing_keys(instance.service, instance.unit))
                await bus.consume(queue, received[instance.name], InMemoryInbox())
        published: dict[str, str] = {}
        for publisher, key in [*FLOW, ("intake", "intake.proposal-registered.v2")]:
            message = a_message(key)
            await buses[publisher].publish(message)
            published[message.id] = key
        last = message.id  # every consumer takes the 立案: once it is in, all before it are too

        await eventually(lambda: all(last in r.ids for r in received.values()), timeout=10)
    for name, got in received.items():
        ours = [published[i] for i in got.ids if i in published and i != last]
        assert sorted(ours) == sorted(TAKES[name]), name


async def _ignore(message: Message) -> None:
    return None


async def test_the_services_run_as_their_own_users_on_what_the_definitions_hold(broker: Broker) -> None:
    """Intake, the views and 市商务局's reply instance started as they are deployed (their own user,
    `BUS_TOPOLOGY=provisioned`): a proposal submitted to intake reaches the views."""

    def settings(cls: type[S], instance: str, **more: str) -> S:
        return cls.model_validate(
            {
                "app_env": "test",
                "bus_url": broker.url(instance),
                "bus_exchange": EXCHANGE,
                "bus_topology": "provisioned",
                "eventstore_url": "memory://",
                "readstore_url": "memory://",
                **more,
            }
        )

    intake_settings = settings(IntakeSettings, "intake")
    intake = create_intake(intake_settings)
    views = create_views(settings(ViewsSettings, "views"))
    shangwu = create_reply(settings(ReplySettings, "reply_shangwu", unit_id="shangwu"))
    async with running(views) as view, running(shangwu) as reply, running(intake) as client:
        submitted = await client.post("/proposals", **submission(intake_settings.signing_key()))
        assert submitted.status_code == 201, submitted.text
        handled = f'consumer_messages_total{{outcome="handled",type="{SUBMITTED}"}} 1.0'
        await eventually(lambda: _shows(view, handled), timeout=10, interval=0.1)
        for app, queue in ((client, None), (view, "views"), (reply, "reply_shangwu")):
            ready = await app.get("/ready")
            assert ready.status_code == 200, ready.text
            if queue is not None:  # it may read its own dead letters
                assert set(ready.json()["dead_letters"]) == {queue_name(EXCHANGE, queue)}


async def _shows(client: httpx.AsyncClient, line: str) -> bool:
    return line in (await client.get("/metrics")).text
