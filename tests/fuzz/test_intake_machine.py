"""Intake's decider, driven by random commands on a few proposals, keeps the rules of DOMAIN.md:
a proposal is registered at most once, an ended proposal accepts nothing, a joint proposal is
withdrawn only with every signature, and a command either appends events or is refused."""

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from services.intake.domain.commands import (
    Command,
    MergeInto,
    NotRegister,
    Register,
    Resubmit,
    ReturnForRevision,
    StartReview,
    SubmitProposal,
    TakeInMerged,
    Target,
    Withdraw,
)
from services.intake.domain.decider import Rules, intake_decider
from services.intake.domain.events import (
    Item,
    ProposalMerged,
    ProposalRegistered,
    ProposalWithdrawn,
    Proposer,
)
from services.intake.domain.state import (
    Existing,
    Merged,
    NoProposal,
    NotRegistered,
    State,
    Withdrawn,
)
from shared.kernel.contracts import Kind
from shared.kernel.decider import Rejected
from shared.kernel.events import Event
from shared.rules.policy import load_policies
from shared.settings import DEPLOY
from tests.fuzz.budget import MACHINE_RUNS, fuzz_settings

DECIDER = intake_decider(Rules(load_policies(DEPLOY / "policy")))
AT = datetime(2025, 1, 20, 9, 30, tzinfo=UTC)
OFFICE = "office:jincheng-tiwei"
IDS = ("jincheng-254", "jincheng-255", "jincheng-256")
SUBMITTED_FIRST = IDS[:2]
"""Submitted before the random commands, so that runs reach the later states; the last id starts empty."""

PEOPLE = (
    Proposer(id="ru-juxia", name="茹菊霞", unit="晋城市政协", phone="15834218688"),
    Proposer(id="zhang-min", name="张敏", unit="晋城市政协"),
    Proposer(id="liu-jianfeng", name="刘建峰", unit="乌海市政协", phone="15144738888"),
)
ITEMS = (
    Item(number=1, text="加大社区养老服务设施建设力度。"),
    Item(number=2, text="加强专业服务人员队伍建设。"),
    Item(number=3, text="丰富社区养老服务内容。"),
)
ENDED = (NotRegistered, Merged, Withdrawn)
MOVES: dict[str, set[str]] = {
    "NONE": {"SUBMITTED"},
    "SUBMITTED": {"UNDER_REVIEW", "WITHDRAWN"},
    "UNDER_REVIEW": {"REGISTERED", "NOT_REGISTERED", "MERGED", "RETURNED_FOR_REVISION", "WITHDRAWN"},
    "RETURNED_FOR_REVISION": {"UNDER_REVIEW", "WITHDRAWN"},
}
"""The lifecycle of DOMAIN.md: from each state, where a command may take it (besides staying)."""


@st.composite
def valid_proposers(draw: st.DrawFn) -> tuple[Proposer, ...]:
    """One lead (领衔) and up to two co-signers (联名)."""
    people = draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=3, unique=True))
    return tuple(p.model_copy(update={"role": "领衔" if i == 0 else "联名"}) for i, p in enumerate(people))


@st.composite
def any_proposers(draw: st.DrawFn) -> tuple[Proposer, ...]:
    """Anything: no lead, two leads, a proposer twice, nobody."""
    people = draw(st.lists(st.sampled_from(PEOPLE), max_size=4))
    roles = draw(st.lists(st.sampled_from(["领衔", "联名"]), min_size=len(people), max_size=len(people)))
    return tuple(p.model_copy(update={"role": r}) for p, r in zip(people, roles, strict=True))


proposers = st.one_of(valid_proposers(), valid_proposers(), valid_proposers(), any_proposers())
texts = st.sampled_from(["关于加强社区养老服务体系建设的建议", "关于推动家政服务业发展的提案", "  ", ""])
items = st.sampled_from([ITEMS, ITEMS[:1], ITEMS, (), (Item(number=1, text=" "),)])
signers = st.one_of(
    st.just(frozenset(p.id for p in PEOPLE)), st.frozensets(st.sampled_from([p.id for p in PEOPLE]))
)
jurisdictions = st.sampled_from(["jincheng", "jincheng", "jincheng", "wuhai", "taiyuan"])
kinds: st.SearchStrategy[Kind] = st.sampled_from(["proposal", "proposal", "suggestion"])


class IntakeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Event]] = {pid: [] for pid in IDS}
        self.states: dict[str, State] = {pid: DECIDER.initial for pid in IDS}
        self.clock = AT

    def now(self) -> datetime:
        self.clock += timedelta(hours=1)
        return self.clock

    def act(self, pid: str, command: Command) -> list[Event]:
        """Decide, check what every command must respect, and keep the events of an accepted one."""
        before = self.states[pid]
        try:
            events = list(DECIDER.decide(command, before))
        except Rejected:
            return []
        assert events, f"{type(command).__name__} accepted on {before.name} but appended nothing"
        assert not isinstance(before, ENDED), f"{before.name} is ended but accepted {type(command).__name__}"
        assert events == list(DECIDER.decide(command, before)), "decide is not deterministic"
        assert all(getattr(e, "proposal_id", pid) == pid for e in events), "an event of another proposal"
        after = DECIDER.fold(events, before)
        assert after.name == before.name or after.name in MOVES.get(before.name, set()), (
            f"{type(command).__name__} moved {before.name} to {after.name}"
        )
        for event in events:
            if isinstance(event, ProposalWithdrawn) and isinstance(command, Withdraw):
                assert isinstance(before, Existing)
                everyone = {p.id for p in before.proposal.proposers}
                assert everyone <= command.signed_by, f"withdrawn without {everyone - command.signed_by}"
        self.history[pid] += events
        self.states[pid] = after
        return events

    @initialize(first=valid_proposers(), second=valid_proposers(), kind=kinds)
    def two_proposals_are_submitted(
        self, first: tuple[Proposer, ...], second: tuple[Proposer, ...], kind: Kind
    ) -> None:
        for pid, people in zip(SUBMITTED_FIRST, (first, second), strict=True):
            self.submit(pid, "jincheng", kind, "关于加强社区养老服务体系建设的建议", ITEMS, people)

    @rule(
        pid=st.sampled_from(IDS),
        jurisdiction=jurisdictions,
        kind=kinds,
        title=texts,
        items=items,
        people=proposers,
    )
    def submit(
        self,
        pid: str,
        jurisdiction: str,
        kind: Kind,
        title: str,
        items: tuple[Item, ...],
        people: tuple[Proposer, ...],
    ) -> None:
        by = people[0].id if people else "ru-juxia"
        command = SubmitProposal(
            pid,
            jurisdiction,
            kind,
            "市八届政协四次会议",
            title,
            items,
            people,
            "online",
            by,
            self.now(),
        )
        self.act(pid, command)

    @rule(pid=st.sampled_from(IDS))
    def start_review(self, pid: str) -> None:
        self.act(pid, StartReview(OFFICE, self.now()))

    @rule(pid=st.sampled_from(IDS), number=st.sampled_from(["254", " ", "60"]))
    def register(self, pid: str, number: str) -> None:
        self.act(pid, Register(number, "社会建设", OFFICE, self.now()))

    @rule(pid=st.sampled_from(IDS), reason=st.sampled_from(["personal", "empty_content", "不存在的理由"]))
    def not_register(self, pid: str, reason: str) -> None:
        self.act(pid, NotRegister(reason, "委员来信", OFFICE, self.now()))

    @rule(pid=st.sampled_from(IDS), reason=st.sampled_from(["建议内容需具体到措施", " "]))
    def return_for_revision(self, pid: str, reason: str) -> None:
        self.act(pid, ReturnForRevision(reason, OFFICE, self.now()))

    @rule(pid=st.sampled_from(IDS), title=st.one_of(st.none(), texts), items=st.one_of(st.none(), items))
    def resubmit(self, pid: str, title: str | None, items: tuple[Item, ...] | None) -> None:
        self.act(pid, Resubmit(title, items, "ru-juxia", self.now()))

    @rule(pid=st.sampled_from(IDS), signed_by=signers)
    def withdraw(self, pid: str, signed_by: frozenset[str]) -> None:
        self.act(pid, Withdraw("已通过其他渠道解决", signed_by, "ru-juxia", self.now()))

    @rule(pid=st.sampled_from(IDS), into=st.sampled_from(IDS))
    def merge(self, pid: str, into: str) -> None:
        """As the service does: read the target, merge, then take the proposers in on the target."""
        target = self.states[into]
        facts = (
            Target(into, target.name, target.proposal.jurisdiction, target.proposal.kind)
            if isinstance(target, Existing)
            else Target(into, target.name)
        )
        for event in self.act(pid, MergeInto(facts, OFFICE, self.now())):
            if isinstance(event, ProposalMerged):
                kept = event.proposers_kept
                taken = self.act(into, TakeInMerged(pid, kept, OFFICE, self.now()))
                assert taken, f"{into} was {target.name} when read but refused the proposers of {pid}"
                assert isinstance(state := self.states[into], Existing)
                assert {p.id for p in kept} <= {p.id for p in state.proposal.proposers}

    @invariant()
    def registered_at_most_once(self) -> None:
        for pid, events in self.history.items():
            assert sum(isinstance(e, ProposalRegistered) for e in events) <= 1, pid

    @invariant()
    def the_state_is_the_fold_of_the_events(self) -> None:
        for pid, events in self.history.items():
            assert DECIDER.fold(events) == self.states[pid], pid
            assert isinstance(self.states[pid], NoProposal) == (not events)


IntakeMachine.TestCase.settings = fuzz_settings(MACHINE_RUNS)
test_intake_decider_keeps_the_rules_of_the_lifecycle = IntakeMachine.TestCase
