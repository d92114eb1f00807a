"""What the views' own store holds: the public events it recorded and its local accounts."""

from services.views.application.inbound import INBOUND
from services.views.domain import accounts
from shared.kernel.events import EventRegistry


def stored() -> EventRegistry:
    """Every type of the views' store, to read it whole (projections, rebuild, as-of replay)."""
    everything = EventRegistry()
    everything.include(INBOUND.contract)
    everything.include(accounts.registry)
    return everything


STORED = stored()
