"""The private domain events of intake, by their stored type names."""

from shared.events import EventRegistry

registry = EventRegistry()
