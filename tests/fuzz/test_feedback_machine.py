"""Feedback's decider, driven by random replies and answers, keeps the rules of DOMAIN.md: a proposal
closes only when every proposer of the round answered 满意 or 基本满意, any 不满意 opens exactly one new
round, rounds go up by one, and a closed proposal accepts nothing."""

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from services.feedback.domain.commands import (
    AnswerFeedback,
    Channel,
    Command,
    Proposer,
    RecordProposal,
    RecordReply,
)
from services.feedback.domain.decider import Closed, Tracking, feedback_decider
from services.feedback.domain.events import (
    FeedbackAnswered,
    FeedbackRequested,
    ProposalClosed,
    RehandlingRequested,
    ReplyRecorded,
)
from shared.kernel.decider import Rejected
from shared.kernel.events import Event
from shared.rules.calendar import WorkingCalendar
from shared.rules.policy import load_policies
from shared.settings import DEPLOY
from tests.fuzz.budget import MACHINE_RUNS, fuzz_settings

DECIDER = feedback_decider(load_policies(DEPLOY / "policy"), WorkingCalendar.load(DEPLOY / "calendar"))
AT = datetime(2025, 5, 20, 2, 0, tzinfo=UTC)
PROPOSAL_ID = "jincheng-254"
PEOPLE = (Proposer("ru-juxia", "茹菊霞"), Proposer("zhang-min", "张敏"), Proposer("liu-jianfeng", "刘建峰"))
UNITS = ("minzheng", "weijian")
CHANNELS: list[Channel] = ["online", "paper"]
SATISFIED = {"满意", "基本满意"}
SATISFACTIONS = ["满意", "基本满意", "比较满意", "不满意", "不满意", "很好"]
"""The labels, a synonym (比较满意 = 基本满意) and one no policy knows."""


def token(round_: int, proposer_id: str) -> str:
    return f"{PROPOSAL_ID}-{round_}-{proposer_id}".ljust(40, "0")


class FeedbackMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.history: list[Event] = []
        self.state = DECIDER.initial
        self.proposers: tuple[Proposer, ...] = ()
        self.clock = AT

    def act(self, command: Command) -> list[Event]:
        before = self.state
        try:
            events = list(DECIDER.decide(command, before))
        except Rejected:
            return []
        assert events, f"{type(command).__name__} accepted on {before.name} but appended nothing"
        assert not isinstance(before, Closed | Tracking), f"{before.name} accepted {type(command).__name__}"
        self.history += events
        self.state = DECIDER.fold(events, before)
        return events

    def now(self) -> datetime:
        self.clock += timedelta(days=1)
        return self.clock

    @initialize(people=st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=3, unique=True))
    def the_registered_proposal_is_recorded(self, people: list[Proposer]) -> None:
        self.proposers = tuple(people)
        recorded = RecordProposal(
            PROPOSAL_ID,
            "254",
            "关于加强社区养老服务体系建设的建议",
            "jincheng",
            "proposal",
            self.proposers,
            AT,
        )
        assert self.act(recorded), "a registered proposal is not recorded"
        assert not self.act(recorded), "a proposal was recorded twice"

    @rule(
        unit=st.sampled_from(UNITS),
        leads=st.sampled_from([UNITS[:1], UNITS, UNITS[1:]]),
        result_class=st.sampled_from(["A", "B", "C", "E"]),
        promise=st.sampled_from(["", "2025年底前完成社区养老服务中心建设"]),
        round_offset=st.sampled_from([0, 0, 0, 1, -1]),
        short_token=st.sampled_from([False, False, False, True]),
    )
    def a_lead_unit_replies(
        self,
        unit: str,
        leads: tuple[str, ...],
        result_class: str,
        promise: str,
        round_offset: int,
        short_token: bool,
    ) -> None:
        round_ = self.open_round() + round_offset
        tokens = {p.id: token(round_, p.id)[: 8 if short_token else None] for p in self.proposers}
        self.act(RecordReply(PROPOSAL_ID, round_, unit, leads, result_class, promise, self.now(), tokens))

    @rule(
        who=st.integers(0, len(PEOPLE) - 1),
        satisfaction=st.sampled_from(SATISFACTIONS),
        channel=st.sampled_from(CHANNELS),
        round_offset=st.sampled_from([0, 0, 0, 0, 0, -1, 1]),
    )
    def a_proposer_answers(self, who: int, satisfaction: str, channel: Channel, round_offset: int) -> None:
        """Mostly a proposer of this proposal (by position), sometimes someone else."""
        person = self.proposers[who] if who < len(self.proposers) else PEOPLE[who]
        round_ = None if channel == "paper" else self.open_round() + round_offset
        self.act(
            AnswerFeedback(
                PROPOSAL_ID, person.id, satisfaction, "希望继续跟进", "", (), channel, self.now(), round_
            )
        )

    def open_round(self) -> int:
        return 1 + sum(isinstance(e, RehandlingRequested) for e in self.history)

    def answers_of(self, round_: int) -> list[FeedbackAnswered]:
        return [e for e in self.history if isinstance(e, FeedbackAnswered) and e.round == round_]

    @invariant()
    def closed_only_when_every_proposer_of_the_round_is_satisfied(self) -> None:
        for closed in (e for e in self.history if isinstance(e, ProposalClosed)):
            answers = self.answers_of(closed.round)
            assert {a.proposer_id for a in answers} == {p.id for p in self.proposers}
            assert all(a.satisfaction in SATISFIED for a in answers), answers

    @invariant()
    def any_unsatisfied_round_opens_exactly_one_new_round(self) -> None:
        last = max((e.round for e in self.history if isinstance(e, FeedbackAnswered)), default=0)
        for round_ in range(1, last + 1):
            answers = self.answers_of(round_)
            complete = {a.proposer_id for a in answers} == {p.id for p in self.proposers}
            unsatisfied = any(a.satisfaction == "不满意" for a in answers)
            opened = [e for e in self.history if isinstance(e, RehandlingRequested) and e.round == round_ + 1]
            assert len(opened) == (1 if complete and unsatisfied else 0), (round_, answers, opened)

    @invariant()
    def rounds_go_up_by_one(self) -> None:
        rounds = [e.round for e in self.history if isinstance(e, RehandlingRequested)]
        assert rounds == list(range(2, 2 + len(rounds))), rounds
        for event in self.history:
            if isinstance(event, ReplyRecorded | FeedbackRequested | FeedbackAnswered):
                assert 1 <= event.round <= self.open_round(), event

    @invariant()
    def one_answer_per_proposer_and_round(self) -> None:
        answered = [(e.round, e.proposer_id) for e in self.history if isinstance(e, FeedbackAnswered)]
        assert len(answered) == len(set(answered)), answered
        assert {pid for _, pid in answered} <= {p.id for p in self.proposers}

    @invariant()
    def the_state_is_the_fold_of_the_events(self) -> None:
        assert DECIDER.fold(self.history) == self.state


FeedbackMachine.TestCase.settings = fuzz_settings(MACHINE_RUNS)
test_feedback_decider_keeps_the_rules_of_satisfaction = FeedbackMachine.TestCase
