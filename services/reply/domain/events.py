"""The private domain events of reply, by their stored type names."""

from shared.events import EventRegistry

registry = EventRegistry()
