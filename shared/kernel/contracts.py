"""Integration events: the public, versioned contract between services and agencies.

They are separate types from the private domain events: a service translates the domain events
it wants to announce into these, and only these leave it, inside a CloudEvents envelope. Each
service's `contracts` module holds its public events and nothing else, in a registry of their
versioned names with the upcasters of older versions; other services import that module only.
"""

import re
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from shared.kernel.events import Event

Kind = Literal["proposal", "suggestion"]
"""提案 (CPPCC proposal) or 建议 (NPC suggestion)."""


class IntegrationEvent(Event):
    """A public event; `type_name` is explicit and versioned, e.g. `intake.proposal-registered.v2`,
    and is also the start of its routing key."""

    def routing_key(self) -> str:
        """The type name, followed by the unit concerned where an agency must bind to it alone."""
        return self.type_name


class UnitEvent(IntegrationEvent):
    """An integration event about one unit's part: routed with that unit, so an agency instance
    binds only what is addressed to it."""

    unit: str

    def routing_key(self) -> str:
        return f"{self.type_name}.{self.unit}"


def routing_pattern(event: type[IntegrationEvent]) -> tuple[str, dict[str, str]]:
    """The event's routing key with `{unit}` where it appends a field, and that field by parameter."""
    placeholders: dict[str, Any] = {name: f"{{{name}}}" for name in event.model_fields}
    key = event.model_construct(None, **placeholders).routing_key()
    found = re.findall(r"\{(\w+)\}", key)
    if not found:
        return key, {}
    if len(found) > 1:
        return key, {name: name for name in found}
    return key.replace(f"{{{found[0]}}}", "{unit}"), {"unit": found[0]}


class Part(BaseModel):
    """A plain-data part of an integration event."""

    model_config = ConfigDict(frozen=True, extra="forbid")


P = TypeVar("P", bound=IntegrationEvent)


def announce(public: type[P], event: BaseModel, **given: Any) -> P:
    """The public event `public` of a domain event: each field it declares taken from the domain
    event's field of the same name, unless `given`; what it does not declare stays private."""
    known = event.model_dump()
    fields = {name: known[name] for name in public.model_fields if name in known}
    return public.model_validate(fields | given)
