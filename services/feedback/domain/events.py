"""The private domain events of feedback, by their stored type names."""

from shared.events import EventRegistry

registry = EventRegistry()
