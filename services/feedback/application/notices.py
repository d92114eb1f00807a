"""Telling the member: a reply was issued, and the feedback form's link, once each.

A checkpointed projection of feedback's own store. `ProposalRecorded` keeps what a reply notice
names (number, title, the proposers' ids; no contact details) in `feedback-member-notices:proposals`;
each `ReplyRecorded` and `FeedbackRequested` owes notices. Each notice is recorded as
`feedback.member-notified.v1` in `feedback-notices-<proposal_id>` through the one command handler,
an id derived from the notice as the command id, before it is sent: a batch applied again (a
restart before its checkpoint) or a second worker finds the record and sends nothing, and a kill
between the record and the mail loses that mail rather than repeating it.
"""

import json
from collections.abc import Callable
from uuid import UUID

from services.feedback.domain import events as f
from services.feedback.domain.events import registry
from services.feedback.domain.notices import NOTICES, Told
from shared.adapters.eventstore import EventStore, RecordedEvent
from shared.adapters.notify import Notification, Notifier
from shared.adapters.readstore import ReadStore
from shared.kernel.decider import CommandHandler, CommandMeta
from shared.kernel.events import Event
from shared.kernel.ids import derived_id
from shared.kernel.projections import ProjectionRunner, View

ACTOR = "system:member-notices"
NAME = "feedback-member-notices"
PROPOSALS = f"{NAME}:proposals"


def notices_stream(proposal_id: str) -> str:
    return f"feedback-notices-{proposal_id}"


def form_path(token: str) -> str:
    return f"/forms/{token}"


def notice_id(notice: f.MemberNotified) -> UUID:
    return derived_id("member-notice", notice.what, notice.proposal_id, notice.round, notice.proposer_id)


def summary(proposal: f.ProposalRecorded) -> str:
    """What a reply notice needs to know of the proposal, as kept in the view."""
    proposers = [p.id for p in proposal.proposers]
    return json.dumps({"number": proposal.number, "title": proposal.title, "proposers": proposers})


def replied(event: f.ReplyRecorded, proposal: str | None) -> list[f.MemberNotified]:
    """A notice of the reply to every proposer of the proposal; none when it was never recorded."""
    if proposal is None:
        return []
    known = json.loads(proposal)
    subject = f"第{known['number']}号《{known['title']}》已答复（{event.result_class}类）"
    return [
        f.MemberNotified(
            proposal_id=event.proposal_id,
            round=event.round,
            proposer_id=proposer_id,
            what="reply",
            subject=subject,
        )
        for proposer_id in known["proposers"]
    ]


def form_sent(event: f.FeedbackRequested) -> f.MemberNotified:
    return f.MemberNotified(
        proposal_id=event.proposal_id,
        round=event.round,
        proposer_id=event.proposer_id,
        what="feedback-request",
        subject=f"请于 {event.due} 前填写征询意见表",
        link=form_path(event.token),
    )


def proposer_address(proposer_id: str) -> str:
    return f"proposer:{proposer_id}"


class MemberNotices:
    """The worker: follows feedback's store from its checkpoint and sends what each event owes."""

    name = NAME

    def __init__(
        self,
        store: EventStore,
        views: ReadStore,
        notifier: Notifier,
        address_of: Callable[[str], str] = proposer_address,
    ) -> None:
        self.handler: CommandHandler[f.MemberNotified, Told] = CommandHandler(store, registry, NOTICES)
        self.notifier = notifier
        self.address_of = address_of
        self.runner = ProjectionRunner(self, store, views, registry)
        self.sent: list[f.MemberNotified] | None = None
        """The notices sent during the current `tick`; not kept while following the store."""

    async def apply(self, event: Event, recorded: RecordedEvent, view: View) -> None:
        match event:
            case f.ProposalRecorded():
                view.changes.hset(PROPOSALS, {event.proposal_id: summary(event)})
            case f.ReplyRecorded():
                await self.tell(replied(event, await view.hget(PROPOSALS, event.proposal_id)))
            case f.FeedbackRequested():
                await self.tell([form_sent(event)])

    async def tell(self, notices: list[f.MemberNotified]) -> None:
        for notice in notices:
            meta = CommandMeta(command_id=notice_id(notice), actor=ACTOR)
            outcome = await self.handler.handle(notices_stream(notice.proposal_id), notice, meta)
            if outcome.events and not outcome.repeated:
                await self.notifier.send(self.notification(notice))
                if self.sent is not None:
                    self.sent.append(notice)

    def notification(self, notice: f.MemberNotified) -> Notification:
        body = f"{notice.subject}\n{notice.link}" if notice.link else notice.subject
        return Notification(self.address_of(notice.proposer_id), notice.subject, body)

    async def tick(self) -> list[f.MemberNotified]:
        """Apply everything up to the store's head; the notices sent now."""
        sent: list[f.MemberNotified] = []
        self.sent = sent
        try:
            await self.runner.catch_up()
        finally:
            self.sent = None
        return sent

    async def run(self) -> None:
        """Follow the store for ever, sending each notice as its event is appended."""
        await self.runner.run()
