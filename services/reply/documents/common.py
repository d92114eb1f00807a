"""What the reply documents share: the wording by kind, the 领衔 proposer, the 立案 they print from."""

from services.reply.domain.events import Proposer, RegistrationTaken
from services.reply.domain.state import Allocated
from shared.kernel.contracts import Kind
from shared.kernel.decider import InvalidField, NotAllowedInState

NOUN: dict[Kind, str] = {"proposal": "提案", "suggestion": "建议"}
"""What the item is called: 政协 提案, 人大 建议."""
ADDRESS: dict[Kind, str] = {"proposal": "委员", "suggestion": "代表"}
"""How the proposer is addressed: 刘建峰委员, 某某代表."""


def registration(state: Allocated) -> RegistrationTaken:
    """The 立案 the documents print from. While it has not reached reply (its message is on the way,
    behind the 交办's), the letter waits: 409 AWAITING_REGISTRATION, to be sent again shortly."""
    if state.registration is None:
        raise NotAllowedInState(
            f"The letter of proposal {state.number}, before its 立案 (session, proposers) reached reply,",
            "AWAITING_REGISTRATION",
        )
    if not state.registration.session.strip():
        raise InvalidField("session", f"proposal {state.number} was registered without its session")
    return state.registration


def lead_proposer(registered: RegistrationTaken) -> Proposer:
    """The 领衔 proposer, whom letters address and whose signature the forms ask for."""
    for proposer in registered.proposers:
        if proposer.role == "领衔" and proposer.name.strip():
            return proposer
    raise InvalidField("proposers", f"proposal {registered.number} has no 领衔 proposer to address")


def item_text(registered: RegistrationTaken, number: int) -> str:
    for item in registered.items:
        if item.number == number:
            return item.text.strip().rstrip("。；;")
    return f"关于第{number}项{NOUN[registered.kind]}"
