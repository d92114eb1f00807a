"""Every text a person writes into an allocation command, named as the request names it, with the
kind of limit the jurisdiction's policy sets for it (`[<kind>.limits]`)."""

from collections.abc import Iterator

from services.allocation.domain.commands import (
    Acknowledge,
    AllocateInternally,
    Command,
    DecideAdjustment,
    DecideExtension,
    DesignateKeyItem,
    RecordSupervision,
    RequestAdjustment,
    RequestExtension,
    Urge,
)
from shared.rules.policy import Text


def texts(command: Command) -> Iterator[Text]:
    match command:
        case Acknowledge():
            yield Text("by", "name", command.by)
        case RequestAdjustment() | DecideAdjustment() | RequestExtension() | DecideExtension():
            yield Text("reason", "reason", command.reason)
        case Urge():
            yield Text("reason", "reason", command.reason)
            yield Text("by", "name", command.by)
        case AllocateInternally():
            for index, task in enumerate(command.tasks):
                yield Text(f"tasks.{index}.section", "name", task.section)
                yield Text(f"tasks.{index}.leader", "name", task.leader)
                yield Text(f"tasks.{index}.person", "name", task.person)
                yield Text(f"tasks.{index}.measure", "note", task.measure)
        case DesignateKeyItem():
            yield Text("leader", "name", command.leader)
            yield Text("leader_title", "name", command.leader_title)
            yield Text("reason", "reason", command.reason)
        case RecordSupervision():
            yield Text("notes", "note", command.notes)
            yield Text("by", "name", command.by)
