"""The activity projection: how many events of each type and on each day, for operators."""

from shared.adapters.eventstore import RecordedEvent
from shared.kernel.events import Event
from shared.kernel.projections import View


class ActivityProjection:
    name = "activity"

    async def apply(self, event: Event, recorded: RecordedEvent, view: View) -> None:
        service = recorded.stream.split("-", 1)[0]
        view.changes.hincrby("activity:by-type", recorded.type)
        view.changes.hincrby("activity:by-service", service)
        view.changes.hincrby("activity:by-day", recorded.recorded_at.date().isoformat())
        view.changes.hset("activity:last", {"position": str(recorded.position), "type": recorded.type})
