"""Telling the member: a reply was issued, and the feedback form's link, once each.

Follows the store like allocation's scheduler: each notice is recorded as `feedback.member-notified.v1`
with an id derived from the proposal, round and proposer in `feedback-notices-<proposal_id>` before it
is sent, so a second run (or a run after a restart) sends nothing.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from services.feedback.domain import events as f
from shared.adapters.eventstore import EventStore
from shared.adapters.notify import Notification, Notifier
from shared.kernel.events import Event, EventRegistry
from shared.kernel.ids import derived_id
from shared.kernel.once import append_once, history

ACTOR = "system:member-notices"


def notices_stream(proposal_id: str) -> str:
    return f"feedback-notices-{proposal_id}"


def form_path(token: str) -> str:
    return f"/forms/{token}"


def notices(events: list[Event]) -> list[f.MemberNotified]:
    """Every notice the member is owed by these events, in order (pure)."""
    proposals: dict[str, f.ProposalRecorded] = {}
    owed: list[f.MemberNotified] = []
    for event in events:
        match event:
            case f.ProposalRecorded():
                proposals[event.proposal_id] = event
            case f.ReplyRecorded() if event.proposal_id in proposals:
                recorded = proposals[event.proposal_id]
                owed += [
                    f.MemberNotified(
                        proposal_id=event.proposal_id,
                        round=event.round,
                        proposer_id=p.id,
                        what="reply",
                        subject=f"第{recorded.number}号《{recorded.title}》已答复（{event.result_class}类）",
                    )
                    for p in recorded.proposers
                ]
            case f.FeedbackRequested():
                owed.append(
                    f.MemberNotified(
                        proposal_id=event.proposal_id,
                        round=event.round,
                        proposer_id=event.proposer_id,
                        what="feedback-request",
                        subject=f"请于 {event.due} 前填写征询意见表",
                        link=form_path(event.token),
                    )
                )
    return owed


def notice_id(notice: f.MemberNotified) -> UUID:
    return derived_id("member-notice", notice.what, notice.proposal_id, notice.round, notice.proposer_id)


@dataclass
class MemberNotices:
    store: EventStore
    registry: EventRegistry
    notifier: Notifier
    address_of: Callable[[str], str] = lambda proposer_id: f"proposer:{proposer_id}"

    async def tick(self) -> list[f.MemberNotified]:
        """Send what is owed and not yet recorded; the notices sent now."""
        sent = []
        for notice in notices(await history(self.store, self.registry)):
            id_ = derived_id(
                "member-notice", notice.what, notice.proposal_id, notice.round, notice.proposer_id
            )
            stream = notices_stream(notice.proposal_id)
            if await append_once(self.store, self.registry, stream, id_, notice, ACTOR):
                body = f"{notice.subject}\n{notice.link}" if notice.link else notice.subject
                await self.notifier.send(
                    Notification(self.address_of(notice.proposer_id), notice.subject, body)
                )
                sent.append(notice)
        return sent

    def notification(self, notice: f.MemberNotified) -> Notification:
        body = f"{notice.subject}\n{notice.link}" if notice.link else notice.subject
        return Notification(self.address_of(notice.proposer_id), notice.subject, body)

    async def run(self, every: float = 60.0) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(every)
