"""The record of what members were told, in `feedback-notices-<proposal_id>`: each notice once.

A notice is the same when it tells the same proposer the same thing (`what`) for the same round;
recording one already there decides nothing. The command handler already answers a repeated command
id with its first answer; this rule holds as well for records made under any other id.
"""

from services.feedback.domain.events import MemberNotified
from shared.kernel.decider import Decider
from shared.kernel.events import Event

NoticeKey = tuple[str, int, str]
"""(what, round, proposer id)."""
Told = frozenset[NoticeKey]


def key(notice: MemberNotified) -> NoticeKey:
    return (notice.what, notice.round, notice.proposer_id)


def decide(notice: MemberNotified, told: Told) -> list[Event]:
    return [] if key(notice) in told else [notice]


def evolve(told: Told, event: Event) -> Told:
    return told | {key(event)} if isinstance(event, MemberNotified) else told


NOTICES: Decider[MemberNotified, Told] = Decider(decide, evolve, frozenset())
