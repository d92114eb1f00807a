"""The embedded adapters in one piece, for tests of a service through its composition root."""

from shared.bus.inbox import InMemoryInbox
from shared.bus.inprocess import InProcessBus
from shared.eventstore.memory import InMemoryEventStore
from shared.infrastructure import Infrastructure
from shared.readstore.memory import InMemoryReadStore


def in_memory_infrastructure() -> Infrastructure:
    return Infrastructure(InMemoryEventStore(), InProcessBus(), InMemoryReadStore(), InMemoryInbox())
