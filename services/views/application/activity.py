"""The activity projection: how many public events of each type, service and day, for operators."""

from shared.adapters.eventstore import RecordedEvent
from shared.kernel.events import Event
from shared.kernel.projections import View
from shared.kernel.records import occurred_at, source_service


class ActivityProjection:
    name = "activity"

    async def apply(self, event: Event, recorded: RecordedEvent, view: View) -> None:
        view.changes.hincrby("activity:by-type", recorded.type)
        view.changes.hincrby("activity:by-service", source_service(recorded))
        view.changes.hincrby("activity:by-day", occurred_at(recorded).date().isoformat())
        view.changes.hset("activity:last", {"position": str(recorded.position), "type": recorded.type})
