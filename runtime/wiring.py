"""The parts every service has: its gateway, its consumer, and the broker's queues declared first."""

from typing import Any

from fastapi import APIRouter

from runtime.contract import platform_contract
from runtime.topology import CONSUMES, all_queues, queue_name
from shared.adapters.infrastructure import Infrastructure
from shared.kernel.events import EventRegistry
from shared.kernel.gateway import Gateway, Translate
from shared.kernel.inbound import EventHandler, Subscription, consume_forever, declare_all
from shared.settings import ServiceSettings
from shared.web import asyncapi
from shared.web.app import Parts, Worker


def standard_parts(
    settings: ServiceSettings,
    infra: Infrastructure,
    *,
    registry: EventRegistry,
    translate: Translate,
    routers: list[APIRouter],
    handlers: dict[str, EventHandler] | None = None,
    context: dict[str, Any] | None = None,
) -> Parts:
    name = settings.service_name
    handlers = handlers or {}
    if handlers and sorted(handlers) != sorted(CONSUMES.get(name, [])):
        raise ValueError(f"{name} handles {sorted(handlers)} but the topology says {CONSUMES.get(name)}")
    gateway = Gateway(name, infra.events, infra.bus, infra.views, registry, translate)
    workers = [Worker("gateway", gateway.run)]
    queue = queue_name(settings.bus_exchange, name) if handlers else None
    if handlers:
        subscription = Subscription(queue_name(settings.bus_exchange, name), handlers)

        async def consume() -> None:
            await consume_forever(infra.bus, infra.inbox, subscription, settings.max_deliveries)

        workers.append(Worker("consumer", consume))

    async def declare_queues() -> None:
        await declare_all(infra.bus, all_queues(settings.bus_exchange), settings.max_deliveries)

    return Parts(
        routers=[*routers, asyncapi.router(platform_contract())],
        workers=workers,
        startup=[declare_queues],
        context={"gateway": gateway, "queue": queue, **(context or {})},
    )
