"""The command service of reply: one stream per proposal, every command through one handler.

Each reply is issued with the digest of its 答复函, rendered from the history up to the reply; a
download renders the letter again from the same history and checks it against that digest.
"""

import asyncio
import functools
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from services.reply.documents import letter as letters
from services.reply.domain.commands import Command, IssueReply
from services.reply.domain.decider import evolve, stamped
from services.reply.domain.events import LetterDigest, ReplyIssued, registry
from services.reply.domain.state import Allocated, NotAllocated, State
from shared.adapters.eventstore import EventStore
from shared.documents import Rendered
from shared.documents.settings import Documents
from shared.kernel.decider import CommandHandler, CommandMeta, NotFound, Outcome
from shared.rules.policy import Kind, Policies
from shared.rules.units import UnitRegistry
from shared.web.problems import Problem

DocumentSettings = Mapping[str, Documents]
"""The `[documents]` settings of each jurisdiction."""


def stream_name(proposal_id: str) -> str:
    return f"reply-proposal-{proposal_id}"


class LetterMismatch(Problem):
    """500: the letter rendered now is not the one recorded at issue (template, fonts or settings changed)."""

    def __init__(self, detail: str) -> None:
        super().__init__(500, "Letter does not match its recorded hash", detail)


class ReplyService:
    def __init__(
        self,
        store: EventStore,
        policies: Policies,
        documents: DocumentSettings | None = None,
        units: UnitRegistry | None = None,
    ) -> None:
        self.documents: DocumentSettings = documents or {}
        self.units = units
        self.letters = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reply-letters")
        """Letters are rendered here, one at a time, never on the event loop: a reply's letter takes
        a good part of a second, and the service's gateway and consumer must not wait on it."""
        decider = stamped(self._stamp, policies)
        self.handler: CommandHandler[Command, State] = CommandHandler(store, registry, decider)
        self.replies: CommandHandler[Command, State] = CommandHandler(
            store, registry, decider, executor=self.letters
        )
        """For a reply, whose letter is rendered to stamp its digest; every other command is decided on
        the loop, without waiting behind letters."""
        self.policies = policies

    async def handle(self, command: Command, meta: CommandMeta) -> Outcome[State]:
        handler = self.replies if isinstance(command, IssueReply) else self.handler
        return await handler.handle(stream_name(command.proposal_id), command, meta)

    async def current(self, proposal_id: str) -> tuple[State, int]:
        """The proposal's state and its stream's version."""
        state, recorded = await self.handler.load(stream_name(proposal_id))
        return state, len(recorded)

    def result_classes(self, jurisdiction: str, kind: Kind) -> tuple[str, ...] | None:
        policy = self.policies.get((jurisdiction, kind))
        return None if policy is None else tuple(c.code for c in policy.result_classes)

    def _stamp(self, state: Allocated, reply: ReplyIssued) -> LetterDigest:
        return letters.digest(letters.rendered(state, reply, self.settings(state.jurisdiction)))

    def settings(self, jurisdiction: str) -> Documents | None:
        return self.documents.get(jurisdiction)

    async def letter(self, proposal_id: str, round_: int, unit: str) -> tuple[ReplyIssued, Rendered]:
        """The 答复函 of `unit`'s reply in `round_`, rendered from the history before the reply and
        checked against the digest the reply recorded."""
        state, reply = await self._before_reply(proposal_id, round_, unit)
        if reply.letter is None:
            raise NotFound(f"the reply {reply.document_no} was recorded before letters were rendered")
        render = functools.partial(letters.rendered, state, reply, self.settings(state.jurisdiction))
        files = await asyncio.get_running_loop().run_in_executor(self.letters, render)
        now = letters.digest(files)
        if now != reply.letter:
            raise LetterMismatch(
                f"{reply.document_no}: recorded {_describe(reply.letter)}, rendered now {_describe(now)}"
            )
        return reply, files

    async def _before_reply(self, proposal_id: str, round_: int, unit: str) -> tuple[Allocated, ReplyIssued]:
        _, recorded = await self.handler.load(stream_name(proposal_id))
        state: State = NotAllocated()
        wanted = (round_, unit)
        for event in (registry.decode_recorded(r) for r in recorded):
            if isinstance(event, ReplyIssued) and isinstance(state, Allocated) and wanted == _of(event):
                return state, event
            state = evolve(state, event)
        raise NotFound(f"{unit} has issued no reply to proposal {proposal_id} in round {round_}")


def _of(reply: ReplyIssued) -> tuple[int, str]:
    return reply.round, reply.lead_unit


def _describe(digest: LetterDigest) -> str:
    return f"{digest.template} pdf {digest.pdf_sha256[:12]} docx {digest.docx_sha256[:12]}"
