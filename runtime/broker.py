"""The broker's definitions for a deployment, generated from the topology: what RabbitMQ loads at boot.

A virtual host per jurisdiction, and in each the topic exchange, its dead-letter exchange, the queue
of every consuming instance with its dead-letter queue and their bindings (`runtime/topology.py`),
declared as the bus adapter would declare them. A user per service and per agency instance, named
as its store (`intake`, `reply_shangwu`), with the hash of its password, and in each virtual host:

- configure: nothing. The exchanges and queues are the definitions'; the services only find them
  (`BUS_TOPOLOGY=provisioned`), so none can delete, purge or redeclare another's queue.
- write: the topic exchange, for an instance that publishes; nothing else (not the dead-letter
  exchange, nor the default exchange, which reaches any queue by its name).
- read: its own queue and its dead-letter queue, for an instance that consumes.
- on the topic exchange, write only the routing keys of its own contract (`publish_pattern`; an
  agency's instance only its unit's), so the broker refuses any other key with ACCESS_REFUSED.

Since every queue and binding is in the definitions, the broker has them before any service connects:
whichever starts first, nothing is published to a queue that does not exist yet. The users are the
broker's, not a virtual host's: each has the same rights in every jurisdiction of the deployment.

    python -m runtime.broker [--jurisdiction J ...] [--output FILE] [INSTANCE ...]

INSTANCE is named as its store (default: every service); the unit of an agency's instance is found in
`deploy/units.toml` (`reply_shangwu` → `shangwu`). The jurisdictions default to every one with a
policy in `deploy/policy/`. Each password comes from `<INSTANCE>_AMQP_PASSWORD`
(`REPLY_SHANGWU_AMQP_PASSWORD`); an empty one is refused unless `APP_ENV` is development, where
that user gets no password and cannot log in.
"""

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.topology import CONSUMERS, PUBLISHERS, SERVICES, publish_pattern, queue_name, routing_keys
from shared.adapters.bus.rabbitmq import RabbitMQBus, dead_letter_exchange, queue_arguments
from shared.rules.policy import jurisdictions
from shared.rules.units import UnitRegistry
from shared.settings import DEPLOY, ServiceSettings, store_name

__all__ = [
    "DefinitionsRefused",
    "Deployment",
    "Instance",
    "definitions",
    "instances_from_environment",
    "password_hash",
    "password_matches",
    "password_variable",
]

DEVELOPMENT = "development"
EXCHANGE: str = ServiceSettings.model_fields["bus_exchange"].default
MAX_DELIVERIES: int = ServiceSettings.model_fields["max_deliveries"].default
HASHING = "rabbit_password_hashing_sha256"
NOTHING = "^$"
_VHOST = re.compile(r"[a-z][a-z0-9_-]{0,62}")


class DefinitionsRefused(ValueError):
    """The definitions cannot be made as asked (a missing password, an unknown instance)."""


@dataclass(frozen=True)
class Instance:
    """A service, or an agency's own instance of one acting for `unit`, with its password."""

    service: str
    unit: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return store_name(self.service, self.unit)

    @property
    def publishes(self) -> bool:
        return self.service in PUBLISHERS

    @property
    def consumes(self) -> bool:
        return self.service in CONSUMERS


@dataclass(frozen=True)
class Deployment:
    jurisdictions: Sequence[str]
    """One virtual host each, named as the jurisdiction (`wuhai`)."""
    instances: Sequence[Instance]
    exchange: str = EXCHANGE
    max_deliveries: int = MAX_DELIVERIES
    user_prefix: str = ""
    """Before each user's name, where several deployments (or tests) share a broker."""

    def __post_init__(self) -> None:
        for vhost in self.jurisdictions:
            if not _VHOST.fullmatch(vhost):
                raise DefinitionsRefused(f"a jurisdiction is lower-case letters, digits, _ and -: {vhost!r}")

    def user(self, instance: Instance) -> str:
        return f"{self.user_prefix}{instance.name}"

    def queue(self, instance: Instance) -> str:
        return queue_name(self.exchange, instance.name)


def definitions(deployment: Deployment) -> dict[str, list[dict[str, Any]]]:
    """The RabbitMQ definitions (the JSON `rabbitmqctl import_definitions` and `load_definitions` take)."""
    vhosts, instances = deployment.jurisdictions, deployment.instances
    everyone = [(vhost, i) for vhost in vhosts for i in instances]
    consumers = [(vhost, i) for vhost, i in everyone if i.consumes]
    return {
        "users": [_user(deployment, i) for i in instances],
        "vhosts": [{"name": vhost} for vhost in vhosts],
        "permissions": [_permissions(deployment, vhost, i) for vhost, i in everyone],
        "topic_permissions": [_topic_permissions(deployment, vhost, i) for vhost, i in everyone],
        "exchanges": [e for vhost in vhosts for e in _exchanges(deployment, vhost)],
        "queues": [q for vhost, i in consumers for q in _queues(deployment, vhost, i)],
        "bindings": [b for vhost, i in consumers for b in _bindings(deployment, vhost, i)],
    }


def password_hash(password: str, salt: bytes | None = None) -> str:
    """The password as RabbitMQ's `rabbit_password_hashing_sha256` keeps it: base64 of a four-byte
    salt followed by the SHA-256 of the salt and the UTF-8 password."""
    salt = secrets.token_bytes(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def password_matches(stored: str, password: str) -> bool:
    """Whether `stored` (a `password_hash`) is the hash of `password`, as the broker checks a login."""
    raw = base64.b64decode(stored)
    return len(raw) > 4 and password_hash(password, raw[:4]) == stored


def _user(deployment: Deployment, instance: Instance) -> dict[str, Any]:
    secret = "" if instance.password is None else password_hash(instance.password)
    return {
        "name": deployment.user(instance),
        "password_hash": secret,
        "hashing_algorithm": HASHING,
        "tags": [],
    }


def _permissions(deployment: Deployment, vhost: str, instance: Instance) -> dict[str, str]:
    queue = deployment.queue(instance)
    own_queues = (queue, RabbitMQBus.dead_letter_queue(queue))
    return {
        "user": deployment.user(instance),
        "vhost": vhost,
        "configure": NOTHING,
        "write": _only([deployment.exchange]) if instance.publishes else NOTHING,
        "read": _only(own_queues) if instance.consumes else NOTHING,
    }


def _topic_permissions(deployment: Deployment, vhost: str, instance: Instance) -> dict[str, str]:
    return {
        "user": deployment.user(instance),
        "vhost": vhost,
        "exchange": deployment.exchange,
        "write": publish_pattern(instance.service, instance.unit),
        "read": NOTHING,
    }


def _exchanges(deployment: Deployment, vhost: str) -> list[dict[str, Any]]:
    kinds = {deployment.exchange: "topic", dead_letter_exchange(deployment.exchange): "direct"}
    return [
        {
            "name": name,
            "vhost": vhost,
            "type": kind,
            "durable": True,
            "auto_delete": False,
            "internal": False,
            "arguments": {},
        }
        for name, kind in kinds.items()
    ]


def _queues(deployment: Deployment, vhost: str, instance: Instance) -> list[dict[str, Any]]:
    queue = deployment.queue(instance)
    arguments = queue_arguments(queue, deployment.exchange, deployment.max_deliveries)
    return [
        {"name": queue, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": arguments},
        {
            "name": RabbitMQBus.dead_letter_queue(queue),
            "vhost": vhost,
            "durable": True,
            "auto_delete": False,
            "arguments": {},
        },
    ]


def _bindings(deployment: Deployment, vhost: str, instance: Instance) -> list[dict[str, Any]]:
    queue = deployment.queue(instance)
    pairs = [(dead_letter_exchange(deployment.exchange), RabbitMQBus.dead_letter_queue(queue), queue)]
    pairs += [(deployment.exchange, queue, key) for key in routing_keys(instance.service, instance.unit)]
    return [
        {
            "source": source,
            "vhost": vhost,
            "destination": destination,
            "destination_type": "queue",
            "routing_key": key,
            "arguments": {},
        }
        for source, destination, key in pairs
    ]


def _only(names: Sequence[str]) -> str:
    """A permission pattern matching these resource names and no other."""
    return f"^(?:{'|'.join(re.escape(name) for name in names)})$"


def password_variable(instance: str) -> str:
    """Where an instance's broker password is in the environment: `REPLY_SHANGWU_AMQP_PASSWORD`."""
    return f"{instance.upper()}_AMQP_PASSWORD"


def instance_named(name: str, units: UnitRegistry) -> Instance:
    """The service, or agency instance, a store name stands for: `reply_shangwu` → reply for shangwu."""
    service, _, rest = name.partition("_")
    if service not in SERVICES:
        raise DefinitionsRefused(
            f"{name!r} is no service's name (one of {', '.join(SERVICES)}, or <service>_<unit>)"
        )
    if not rest:
        return Instance(service)
    for unit in units.all():
        if store_name(service, unit.id) == name:
            return Instance(service, unit.id)
    raise DefinitionsRefused(f"{name!r}: no unit of the unit registry is {rest!r}")


def instances_from_environment(
    names: Sequence[str], environment: Mapping[str, str], units: UnitRegistry
) -> list[Instance]:
    """The instances named, with their passwords; an empty one is refused outside development."""
    development = environment.get("APP_ENV", DEVELOPMENT) == DEVELOPMENT
    instances = []
    for name in names:
        instance = instance_named(name, units)
        password = environment.get(password_variable(instance.name), "")
        if not password and not development:
            raise DefinitionsRefused(
                f"set {password_variable(instance.name)}: no empty password outside development"
            )
        instances.append(Instance(instance.service, instance.unit, password or None))
    return instances


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m runtime.broker",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("instances", nargs="*", help="instance names (default: every service)")
    parser.add_argument(
        "--jurisdiction",
        action="append",
        help="a virtual host for this jurisdiction (default: every policy's)",
    )
    parser.add_argument("--output", type=Path, help="write the JSON here (default: standard output)")
    parser.add_argument("--exchange", default=EXCHANGE, help=f"the topic exchange (default: {EXCHANGE})")
    parser.add_argument(
        "--max-deliveries", type=int, default=MAX_DELIVERIES, help="deliveries before dead-lettering"
    )
    parser.add_argument(
        "--user-prefix", default="", help="before each user's name, where deployments share a broker"
    )
    arguments = parser.parse_args(argv)
    deploy = Path(os.environ.get("DEPLOY_DIR") or DEPLOY)
    try:
        instances = instances_from_environment(
            arguments.instances or list(SERVICES), os.environ, UnitRegistry.load(deploy / "units.toml")
        )
        deployment = Deployment(
            arguments.jurisdiction or jurisdictions(deploy / "policy"),
            instances,
            arguments.exchange,
            arguments.max_deliveries,
            arguments.user_prefix,
        )
    except DefinitionsRefused as refused:
        print(f"definitions refused: {refused}", file=sys.stderr)
        return 2
    text = json.dumps(definitions(deployment), ensure_ascii=False, indent=2) + "\n"
    if arguments.output is None:
        sys.stdout.write(text)
        return 0
    arguments.output.write_text(text, encoding="utf-8")
    print(
        f"wrote the definitions of {len(instances)} user(s) in {', '.join(deployment.jurisdictions)} "
        f"to {arguments.output}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
