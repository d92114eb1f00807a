"""The public integration events of reply and the translation of its domain events into them."""

from shared.contracts import IntegrationEvent
from shared.events import Event


def to_integration(event: Event) -> IntegrationEvent | None:
    return None
