"""The command service of reply: one stream per proposal, every command through one handler."""

from collections.abc import Mapping

from services.reply.domain.commands import Command
from services.reply.domain.decider import decider
from services.reply.domain.events import registry
from services.reply.domain.state import State
from shared.decider import CommandHandler, CommandMeta, Outcome
from shared.eventstore import EventStore
from shared.policy import Kind, Policy

Policies = Mapping[tuple[str, Kind], Policy]
"""The policy of each jurisdiction and kind, loaded once by the composition root."""


def stream_name(proposal_id: str) -> str:
    return f"reply-proposal-{proposal_id}"


class ReplyService:
    def __init__(self, store: EventStore, policies: Policies) -> None:
        self.handler: CommandHandler[Command, State] = CommandHandler(store, registry, decider)
        self.policies = policies

    async def handle(self, command: Command, meta: CommandMeta) -> Outcome[State]:
        return await self.handler.handle(stream_name(command.proposal_id), command, meta)

    async def current(self, proposal_id: str) -> tuple[State, int]:
        """The proposal's state and its stream's version."""
        state, recorded = await self.handler.load(stream_name(proposal_id))
        return state, len(recorded)

    def result_classes(self, jurisdiction: str, kind: Kind) -> tuple[str, ...] | None:
        policy = self.policies.get((jurisdiction, kind))
        return None if policy is None else tuple(c.code for c in policy.result_classes)
