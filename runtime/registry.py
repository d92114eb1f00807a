"""Every domain event type of the platform, for the readers of all streams (projections)."""

from services.allocation.domain.events import registry as allocation
from services.feedback.domain.events import registry as feedback
from services.intake.domain.events import registry as intake
from services.reply.domain.events import registry as reply
from shared.kernel.events import EventRegistry


def all_events() -> EventRegistry:
    everything = EventRegistry()
    for registry in (intake, allocation, reply, feedback):
        everything.include(registry)
    return everything
