"""The private domain events of allocation, by their stored type names."""

from shared.events import EventRegistry

registry = EventRegistry()
