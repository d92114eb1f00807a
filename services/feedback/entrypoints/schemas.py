"""What the feedback endpoints answer: a form behind its link, an accepted answer, the feedback of a
proposal."""

from datetime import date

from shared.web.schemas import Schema


class Accepted(Schema):
    proposal_id: str
    state: str
    round: int | None
    version: int


class Form(Schema):
    proposal_id: str
    number: str
    title: str
    proposer_name: str
    round: int
    due: date | None
    satisfaction_labels: list[str]
    open: bool
    """False once answered, or when the round is over."""


class FormStatus(Schema):
    proposer_id: str
    proposer_name: str
    due: date | None
    satisfaction: str | None
    token: str | None = None
    """The link's token, shown to the office only (to send the link or print it)."""


class Feedback(Schema):
    proposal_id: str
    number: str
    title: str
    state: str
    round: int | None
    forms: list[FormStatus]
