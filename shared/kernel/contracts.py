"""Integration events: the public, versioned contract between services and agencies.

They are separate types from the private domain events: a service translates the domain events
it wants to announce into these, and only these leave it, inside a CloudEvents envelope.
"""

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

Kind = Literal["proposal", "suggestion"]
"""提案 (CPPCC proposal) or 建议 (NPC suggestion)."""


class IntegrationEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type_name: ClassVar[str]
    """Explicit and versioned, e.g. `intake.proposal-registered.v1`; also the routing key's start."""

    def routing_key(self) -> str:
        """The type name, followed by the unit concerned where an agency must bind to it alone."""
        return self.type_name


class Part(BaseModel):
    """A plain-data part of an integration event."""

    model_config = ConfigDict(frozen=True, extra="forbid")
