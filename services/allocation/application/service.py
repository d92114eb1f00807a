"""The command service of allocation: one stream per proposal, and the inbound messages as commands."""

from services.allocation.domain.commands import CloseCase, Command, OpenCase
from services.allocation.domain.state import State
from services.intake.contracts import ProposalEndedAtIntakeV2, ProposalRegisteredV2
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.decider import CommandHandler, CommandMeta, InvalidField, Outcome
from shared.kernel.records import Recorder
from shared.rules.units import UnitRegistry, UnknownUnit

ACTOR = "system:allocation"


def stream(proposal_id: str) -> str:
    return f"allocation-proposal-{proposal_id}"


class AllocationService:
    def __init__(
        self, handler: CommandHandler[Command, State], units: UnitRegistry, recorder: Recorder
    ) -> None:
        self.handler = handler
        self.units = units
        self.recorder = recorder
        """Records what reply and feedback announce, for the deadlines view."""

    async def handle(self, proposal_id: str, command: Command, meta: CommandMeta) -> Outcome[State]:
        return await self.handler.handle(stream(proposal_id), command, meta)

    async def get(self, proposal_id: str) -> tuple[State, int]:
        state, recorded = await self.handler.load(stream(proposal_id))
        return state, len(recorded)

    def unit_id(self, field: str, name: str) -> str:
        """The id of the unit an id, name or alias stands for; unknown → 422 naming the field."""
        try:
            return self.units.resolve(name).id
        except UnknownUnit:
            raise InvalidField(field, f"unknown unit {name!r}") from None

    async def on_proposal_registered(self, data: ProposalRegisteredV2, event: CloudEvent) -> None:
        command = OpenCase(
            proposal_id=data.proposal_id,
            number=data.number,
            title=data.title,
            kind=data.kind,
            jurisdiction=data.jurisdiction,
            items=tuple(item.number for item in data.items),
            at=data.registered_at,
        )
        await self.handle(data.proposal_id, command, inbound_meta(event))

    async def on_proposal_ended(self, data: ProposalEndedAtIntakeV2, event: CloudEvent) -> None:
        command = CloseCase(data.proposal_id, data.outcome, data.reason, at=data.ended_at or event.time)
        await self.handle(data.proposal_id, command, inbound_meta(event))


def inbound_meta(event: CloudEvent) -> CommandMeta:
    return CommandMeta(
        command_id=event.id, actor=ACTOR, correlation_id=event.correlationid, causation_id=event.id
    )
