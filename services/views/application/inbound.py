"""What the views consume, declared once: every public event of the platform, recorded once each in
the views' own store, from which the projections build the read models."""

from services.allocation.contracts import contract as allocation
from services.feedback.contracts import contract as feedback
from services.intake.contracts import contract as intake
from services.reply.contracts import contract as reply
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.events import EventRegistry
from shared.kernel.inbound import Inbound
from shared.kernel.records import Recorder

CONTRACTS: tuple[EventRegistry, ...] = (intake, allocation, reply, feedback)


def public_contract() -> EventRegistry:
    """Every integration event of the platform, with the upcasters of older versions."""
    everything = EventRegistry()
    for contract in CONTRACTS:
        everything.include(contract)
    return everything


async def record(recorder: Recorder, event: IntegrationEvent, envelope: CloudEvent) -> None:
    await recorder.record(event, envelope)


INBOUND: Inbound[Recorder] = Inbound(
    {cls: record for cls in public_contract().current_classes if issubclass(cls, IntegrationEvent)},
    CONTRACTS,
    recognises_repeats=True,
)
