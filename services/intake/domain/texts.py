"""Every text a person writes into an intake command, named as the request names it, with the kind of
limit the jurisdiction's policy sets for it (`[<kind>.limits]`)."""

from collections.abc import Iterator, Sequence

from services.intake.domain.commands import (
    Command,
    Register,
    Resubmit,
    ReturnForRevision,
    SubmitProposal,
    Withdraw,
)
from services.intake.domain.events import Item, Proposer
from shared.rules.policy import Text


def texts(command: Command) -> Iterator[Text]:
    match command:
        case SubmitProposal():
            yield Text("session", "name", command.session)
            yield Text("title", "title", command.title)
            yield from items(command.items)
            yield from proposers(command.proposers)
            yield Text("channel", "code", command.channel)
        case Register():
            yield Text("number", "code", command.number)
            yield Text("category", "name", command.category)
        case ReturnForRevision() | Withdraw():
            yield Text("reason", "reason", command.reason)
        case Resubmit():
            if command.title is not None:
                yield Text("title", "title", command.title)
            yield from items(command.items or ())


def items(items: Sequence[Item]) -> Iterator[Text]:
    for index, item in enumerate(items):
        yield Text(f"items.{index}", "item", item.text)


def proposers(proposers: Sequence[Proposer]) -> Iterator[Text]:
    for index, proposer in enumerate(proposers):
        yield Text(f"proposers.{index}.name", "name", proposer.name)
        yield Text(f"proposers.{index}.unit", "name", proposer.unit)
        yield Text(f"proposers.{index}.phone", "code", proposer.phone)
