"""Who publishes and who consumes what: derived from each service's contract and its one `Inbound`.

Each consuming instance (a service, or an agency's own instance of one, `reply_shangwu`) has a
durable queue of its own, `<exchange>.<instance>`, bound to the types it consumes. An agency's
instance takes, of the types routed by unit, only those addressed to its unit. A publishing
instance announces the types of its own contract; an agency's instance only those routed to its
unit, with its unit in the key (`reply.reply-issued.v1.shangwu`).

No event may be published before its queue exists, whichever instance starts first. In development
and the tests every service declares all the services' queues at start. A deployment generates the
broker's definitions from this module (`python -m runtime.broker`): the broker holds every queue and
binding before any service connects, and the services, whose users may configure nothing, only
check that they are there. The AsyncAPI document is written from this module too.
"""

import re
from typing import Any

from services.allocation.application.inbound import INBOUND as allocation
from services.allocation.contracts import contract as allocation_contract
from services.feedback.application.inbound import INBOUND as feedback
from services.feedback.contracts import contract as feedback_contract
from services.intake.contracts import contract as intake_contract
from services.reply.application.inbound import INBOUND as reply
from services.reply.contracts import contract as reply_contract
from services.views.application.inbound import INBOUND as views
from shared.kernel.contracts import IntegrationEvent, routing_pattern
from shared.kernel.events import EventRegistry
from shared.kernel.inbound import Inbound

PUBLISHERS: dict[str, EventRegistry] = {
    "intake": intake_contract,
    "allocation": allocation_contract,
    "reply": reply_contract,
    "feedback": feedback_contract,
}
"""Each publishing service → its public contract (the current types and the older ones still sent)."""

CONSUMERS: dict[str, Inbound[Any]] = {
    "allocation": allocation,
    "reply": reply,
    "feedback": feedback,
    "views": views,
}

CONSUMES: dict[str, list[str]] = {service: inbound.type_names for service, inbound in CONSUMERS.items()}
"""Each consuming service → the current integration event types it takes."""

SERVICES: tuple[str, ...] = tuple(dict.fromkeys([*PUBLISHERS, *CONSUMERS]))
"""Every service that publishes or consumes integration events."""

UNIT = "{unit}"
"""Where a routing key carries the unit an event concerns (see `routing_pattern`)."""
_UNIT_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def queue_name(exchange: str, instance: str) -> str:
    return f"{exchange}.{instance}"


def routing_keys(service: str, unit: str | None = None) -> list[str]:
    """The bindings of the queue of `service`, or of its instance acting for `unit`: each type it
    consumes as `<type>.#`, and for an agency's instance a type routed by unit only with its own
    (`reply.reply-issued.v1.minzheng`)."""
    inbound = CONSUMERS.get(service)
    if inbound is None:
        return []
    if unit is None:
        return inbound.routing_keys
    keys = []
    for name in inbound.type_names:
        address = _address(inbound.contract, name)
        keys.append(address.replace(UNIT, unit) if UNIT in address else f"{name}.#")
    return keys


def publish_pattern(service: str, unit: str | None = None) -> str:
    """The routing keys `service`, or its instance acting for `unit`, may publish, as a regular
    expression: each type of its contract (current and older), any unit where the key carries one;
    for an agency's instance only the types routed by unit, with its own. It matches nothing for a
    service that publishes nothing. The broker enforces it (a topic permission) and an agency's
    instance announces nothing else."""
    if unit is not None and not _UNIT_ID.fullmatch(unit):
        raise ValueError(f"a unit id is lower-case letters, digits and hyphens: {unit!r}")
    contract = PUBLISHERS.get(service)
    if contract is None:
        return "^$"
    word = "[^.]+" if unit is None else unit
    addresses = [_address(contract, name) for name in contract.type_names]
    keys = [_literal(a).replace(UNIT, word) for a in addresses if unit is None or UNIT in a]
    return f"^(?:{'|'.join(keys)})$" if keys else "^$"


def all_queues(exchange: str) -> dict[str, list[str]]:
    """The queue of every consuming service with its bindings (agency instances are a deployment's)."""
    return {queue_name(exchange, service): routing_keys(service) for service in CONSUMERS}


def _address(contract: EventRegistry, name: str) -> str:
    cls = contract.class_of(name)
    if not issubclass(cls, IntegrationEvent):
        raise TypeError(f"{name} is not an integration event")
    return routing_pattern(cls)[0]


def _literal(text: str) -> str:
    """Routing key text as a regular expression that matches it alone (the only special character
    a type name or a unit id has is the dot)."""
    return text.replace(".", r"\.")
