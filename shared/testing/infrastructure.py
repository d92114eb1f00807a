"""The embedded adapters in one piece, for tests of a service through its composition root."""

from shared.adapters.bus.inbox import InMemoryInbox
from shared.adapters.bus.inprocess import InProcessBus
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.infrastructure import Infrastructure
from shared.adapters.readstore.memory import InMemoryReadStore


def in_memory_infrastructure() -> Infrastructure:
    return Infrastructure(InMemoryEventStore(), InProcessBus(), InMemoryReadStore(), InMemoryInbox())
