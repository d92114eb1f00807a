"""The parts every service has: its gateway (signing what it publishes), its consumer (verifying what
it receives), and the broker's queues declared or found first."""

import re
from typing import TypeVar

from fastapi import APIRouter

from runtime.contract import platform_contract
from runtime.topology import PUBLISHERS, all_queues, publish_pattern, queue_name, routing_keys
from shared.adapters.bus.inbox import NoInbox
from shared.adapters.infrastructure import Infrastructure
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.events import Event, EventRegistry
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
    name, unit = settings.service_name, settings.unit_id
    workers = []
    if publishes is not None:
        registry, translate, contract = publishes
        announce = translate if unit is None else announced(translate, publish_pattern(name, unit))
        issuer = settings.event_issuer()
        gateway = Gateway(
            name, infra.events, infra.bus, infra.views, registry, announce, contract=contract, issuer=issuer
        )
        workers.append(Worker("gateway", gateway.run))
    queue = None
    if consumes is not None:
        inbound, handler = consumes
        queue = queue_name(settings.bus_exchange, settings.store_name)
        subscription = Subscription(queue, inbound.bind(handler), routing_keys(name, unit))
        verifier = Verifier(settings.trusted_keys(), Issuers(PUBLISHERS))

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


def announced(translate: Translate, pattern: str) -> Translate:
    """Only the public events whose routing key `pattern` allows: an agency's instance announces
    what its unit did, and nothing its broker user may not publish."""
    allowed = re.compile(pattern)

    def translated(event: Event) -> IntegrationEvent | None:
        public = translate(event)
        return public if public is not None and allowed.fullmatch(public.routing_key()) else None

    return translated
