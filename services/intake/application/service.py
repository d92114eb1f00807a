"""The command service of intake: one stream per proposal, every command through the CommandHandler."""

from dataclasses import replace
from datetime import datetime

from services.intake.domain.commands import Command, MergeInto, SubmitProposal, TakeInMerged, Target
from services.intake.domain.events import ProposalMerged
from services.intake.domain.state import NoProposal, State
from shared.kernel.decider import CommandHandler, CommandMeta, Outcome
from shared.kernel.ids import derived_id


def stream(proposal_id: str) -> str:
    return f"intake-proposal-{proposal_id}"


class ProposalService:
    def __init__(self, handler: CommandHandler[Command, State]) -> None:
        self.handler = handler

    async def current(self, proposal_id: str) -> tuple[State, int]:
        """The proposal's state and the stream's version."""
        state, recorded = await self.handler.load(stream(proposal_id))
        return state, len(recorded)

    async def submit(self, command: SubmitProposal, meta: CommandMeta) -> Outcome[State]:
        return await self.handler.handle(stream(command.proposal_id), command, meta)

    async def act(self, proposal_id: str, command: Command, meta: CommandMeta) -> Outcome[State]:
        return await self.handler.handle(stream(proposal_id), command, meta)

    async def merge(
        self, proposal_id: str, into: str, by: str, at: datetime, meta: CommandMeta
    ) -> Outcome[State]:
        """并案: end this proposal, then keep its proposers on the target. The target's half has an id
        derived from the command's, so repeating the command completes a merge cut short in between."""
        target, _ = await self.current(into)
        facts = Target(into, target.name)
        if not isinstance(target, NoProposal):
            facts = Target(into, target.name, target.proposal.jurisdiction, target.proposal.kind)
        outcome = await self.act(proposal_id, MergeInto(facts, by, at), meta)
        for event in outcome.events:
            if isinstance(event, ProposalMerged):
                take_in = TakeInMerged(proposal_id, event.proposers_kept, by, at)
                second = replace(meta, command_id=derived_id(meta.command_id, "merge-target"))
                await self.act(into, take_in, second)
        return outcome
