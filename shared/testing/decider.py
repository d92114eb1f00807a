"""Given/when/then for deciders: the events so far, a command, and the events or refusal expected."""

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

import pytest

from shared.kernel.decider import Decider, Rejected
from shared.kernel.events import Event

C = TypeVar("C")
S = TypeVar("S")


class Scenario(Generic[C, S]):
    def __init__(self, decider: Decider[C, S]) -> None:
        self.decider = decider
        self.history: list[Event] = []

    def given(self, *events: Event) -> "Scenario[C, S]":
        self.history.extend(events)
        return self

    def when(self, command: C) -> "Outcome[C, S]":
        return Outcome(self.decider, self.history, command)


class Outcome(Generic[C, S]):
    def __init__(self, decider: Decider[C, S], history: Sequence[Event], command: C) -> None:
        self.decider = decider
        self.state = decider.fold(history)
        self.command = command

    def then(self, *expected: Event) -> S:
        events = list(self.decider.decide(self.command, self.state))
        assert events == list(expected)
        return self.decider.fold(events, self.state)

    def then_rejected(self, error: type[Rejected], **details: Any) -> Rejected:
        with pytest.raises(error) as raised:
            self.decider.decide(self.command, self.state)
        for key, value in details.items():
            assert raised.value.extra.get(key) == value, (key, raised.value.extra)
        return raised.value
