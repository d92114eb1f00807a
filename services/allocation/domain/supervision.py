"""Key items (重点提案 / 重点督办建议), supervision (督办) and urges (催办): the office's decisions.

Pure like the rest of the decider: the state in, the events (or a refusal) out; `evolve_key_item`
folds these events into the state.
"""

from dataclasses import replace

from services.allocation.domain import events as e
from services.allocation.domain.commands import DesignateKeyItem, RecordSupervision, Urge
from services.allocation.domain.state import Allocated, AwaitingAllocation, KeyItem, State, Unopened
from shared.kernel.decider import InvalidField, NotAllowedInState, NotFound
from shared.kernel.events import Event
from shared.rules.deadlines import local_date

KEY_ITEM = "KEY_ITEM"


def designate_key_item(command: DesignateKeyItem, state: State) -> list[Event]:
    if isinstance(state, Unopened):
        raise NotFound("no registered proposal with this id has reached allocation")
    if not isinstance(state, AwaitingAllocation | Allocated):
        raise NotAllowedInState("designate key item", state.name)
    if state.key_item is not None:
        raise NotAllowedInState("designate key item", KEY_ITEM)
    return [
        e.KeyItemDesignated(
            proposal_id=state.case.proposal_id,
            leader=filled(command.leader, "leader"),
            leader_title=filled(command.leader_title, "leader_title"),
            reason=command.reason.strip(),
            designated_at=command.at,
        )
    ]


def record_supervision(command: RecordSupervision, state: State) -> list[Event]:
    allocated = allocated_for(state, "record supervision")
    if allocated.key_item is None:
        raise NotAllowedInState("record supervision", f"{allocated.name} (not a key item)")
    if command.held_on > local_date(command.at):
        raise InvalidField("held_on", f"must not be after today ({local_date(command.at).isoformat()})")
    return [
        e.SupervisionRecorded(
            proposal_id=allocated.case.proposal_id,
            kind=command.kind,
            held_on=command.held_on,
            notes=filled(command.notes, "notes"),
            by=filled(command.by, "by"),
            recorded_at=command.at,
        )
    ]


def urge(command: Urge, state: State) -> list[Event]:
    allocated = allocated_for(state, "urge")
    if allocated.assignment(command.unit) is None:
        raise NotFound(f"{command.unit} has no assignment on proposal {allocated.case.number}")
    return [
        e.UnitUrged(
            proposal_id=allocated.case.proposal_id,
            unit=command.unit,
            reason=filled(command.reason, "reason"),
            by=command.by,
            urged_at=command.at,
        )
    ]


def allocated_for(state: State, action: str) -> Allocated:
    match state:
        case Allocated():
            return state
        case Unopened():
            raise NotFound("no registered proposal with this id has reached allocation")
        case _:
            raise NotAllowedInState(action, state.name)


def filled(text: str, field: str) -> str:
    if not text.strip():
        raise InvalidField(field, "must not be empty")
    return text.strip()


def evolve_key_item(state: AwaitingAllocation | Allocated, event: Event) -> State:
    match event:
        case e.KeyItemDesignated():
            return replace(state, key_item=KeyItem(event.leader, event.leader_title))
        case e.SupervisionRecorded() if state.key_item is not None:
            return replace(
                state, key_item=replace(state.key_item, supervisions=state.key_item.supervisions + 1)
            )
        case e.UnitUrged() if isinstance(state, Allocated):
            return replace(state, urges=state.urges + 1)
    return state
