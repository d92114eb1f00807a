"""The index of form tokens: which proposal, round and proposer a link belongs to.

A projection of `FeedbackRequested`, so the link works without a login and without a scan.
"""

from dataclasses import dataclass

from services.feedback.domain.events import FeedbackRequested
from shared.adapters.eventstore import RecordedEvent
from shared.adapters.readstore import ReadStore
from shared.kernel.events import Event
from shared.kernel.projections import View

NAME = "feedback-forms"


@dataclass(frozen=True)
class FormLink:
    proposal_id: str
    round: int
    proposer_id: str


def key(token: str) -> str:
    return f"{NAME}:{token}"


class FormLinks:
    name = NAME

    async def apply(self, event: Event, recorded: RecordedEvent, view: View) -> None:
        if isinstance(event, FeedbackRequested):
            link = {
                "proposal_id": event.proposal_id,
                "round": str(event.round),
                "proposer_id": event.proposer_id,
            }
            view.changes.hset(key(event.token), link)


async def find_link(views: ReadStore, token: str) -> FormLink | None:
    found = await views.hgetall(key(token))
    if not found:
        return None
    return FormLink(found["proposal_id"], int(found["round"]), found["proposer_id"])
