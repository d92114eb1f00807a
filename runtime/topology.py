"""Who consumes what, derived from each service's one declaration (its `Inbound`).

Every service declares all of these queues at start, so no event is published before its queue
exists, whichever service starts first. The AsyncAPI document and the RabbitMQ definitions for a
deployment are written from this too.
"""

from typing import Any

from services.allocation.application.inbound import INBOUND as allocation
from services.feedback.application.inbound import INBOUND as feedback
from services.reply.application.inbound import INBOUND as reply
from services.views.application.inbound import INBOUND as views
from shared.kernel.inbound import Inbound

CONSUMERS: dict[str, Inbound[Any]] = {
    "allocation": allocation,
    "reply": reply,
    "feedback": feedback,
    "views": views,
}

CONSUMES: dict[str, list[str]] = {service: inbound.type_names for service, inbound in CONSUMERS.items()}
"""Each consuming service → the current integration event types it takes."""


def queue_name(exchange: str, service: str) -> str:
    return f"{exchange}.{service}"


def routing_keys(service: str) -> list[str]:
    inbound = CONSUMERS.get(service)
    return inbound.routing_keys if inbound is not None else []


def all_queues(exchange: str) -> dict[str, list[str]]:
    return {queue_name(exchange, service): routing_keys(service) for service in CONSUMERS}
