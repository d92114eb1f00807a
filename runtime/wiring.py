"""The parts every service has: its gateway (signing what it publishes), its consumer (verifying what
it receives), and the broker's queues declared first."""

from typing import TypeVar

from fastapi import APIRouter

from runtime.contract import PUBLISHERS, platform_contract
from runtime.topology import all_queues, queue_name
from shared.adapters.bus.inbox import NoInbox
from shared.adapters.infrastructure import Infrastructure
from shared.kernel.events import EventRegistry
from shared.kernel.gateway import Gateway, Translate
from shared.kernel.inbound import Inbound, Subscription, consume_forever, declare_all
from shared.kernel.signatures import Issuers, Verifier
from shared.settings import ServiceSettings
from shared.web import asyncapi
from shared.web.app import Parts, Worker
from shared.web.provided import Provided

S = TypeVar("S")


def standard_parts(
    settings: ServiceSettings,
    infra: Infrastructure,
    *,
    routers: list[APIRouter],
    publishes: tuple[EventRegistry, Translate, EventRegistry] | None = None,
    consumes: tuple[Inbound[S], S] | None = None,
    provides: tuple[object, ...] = (),
) -> Parts:
    """`publishes`: the service's domain events, their translation and its public contract, for its
    gateway; `consumes`: what it consumes and the object that handles it, for its consumer;
    `provides`: what its endpoints depend on, one object of each type."""
    name = settings.service_name
    workers = []
    if publishes is not None:
        registry, translate, contract = publishes
        issuer = settings.event_issuer()
        gateway = Gateway(
            name, infra.events, infra.bus, infra.views, registry, translate, contract=contract, issuer=issuer
        )
        workers.append(Worker("gateway", gateway.run))
    queue = queue_name(settings.bus_exchange, name) if consumes else None
    if consumes is not None:
        inbound, handler = consumes
        verifier = Verifier(settings.trusted_keys(), Issuers(PUBLISHERS))
        subscription = Subscription(
            queue_name(settings.bus_exchange, name), inbound.bind(handler), inbound.routing_keys
        )

        async def consume() -> None:
            inbox = NoInbox() if inbound.recognises_repeats else infra.inbox
            await consume_forever(infra.bus, inbox, subscription, verifier, settings.max_deliveries)

        workers.append(Worker("consumer", consume))

    async def declare_queues() -> None:
        await declare_all(infra.bus, all_queues(settings.bus_exchange), settings.max_deliveries)

    return Parts(
        routers=[*routers, asyncapi.router(platform_contract())],
        workers=workers,
        startup=[declare_queues],
        provided=Provided(*provides),
        queue=queue,
    )
