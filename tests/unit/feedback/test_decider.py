"""Feedback of a proposal, given/when/then: replies open the forms, answers close or re-open it."""

from dataclasses import replace
from datetime import date

from services.feedback.domain.commands import Command, Proposer, RecordProposal
from services.feedback.domain.decider import (
    AwaitingFeedback,
    AwaitingReply,
    Closed,
    Rehandling,
    State,
    Tracking,
)
from services.feedback.domain.events import (
    FeedbackAnswered,
    FeedbackRequested,
    ProposalClosed,
    RehandlingRequested,
    ReplyRecorded,
)
from shared.kernel.decider import InvalidField, NotAllowedInState
from shared.kernel.events import Event
from shared.testing.decider import Scenario
from tests.unit.feedback.data import (
    ANSWERED_AT,
    DECIDER,
    ISSUED_AT,
    LIU,
    REGISTERED_AT,
    RU,
    answer,
    elderly_care_recorded,
    elderly_care_reply,
    housekeeping_recorded,
    record_housekeeping,
    shangwu_replies,
    token,
)


def scenario() -> Scenario[Command, State]:
    return Scenario(DECIDER)


def shangwu_reply_recorded(result_class: str = "A", promise: str = "", round_: int = 1) -> ReplyRecorded:
    return ReplyRecorded(
        proposal_id="wuhai-60",
        round=round_,
        lead_unit="shangwu",
        lead_units=("shangwu",),
        result_class=result_class,
        promise=promise,
        issued_at=ISSUED_AT,
    )


def liu_asked(round_: int = 1) -> FeedbackRequested:
    return FeedbackRequested(
        proposal_id="wuhai-60",
        round=round_,
        proposer_id=LIU.id,
        proposer_name=LIU.name,
        token=token("wuhai-60", round_, LIU),
        due=date(2025, 6, 11),  # 15 working days from 5月20日, without 端午 on 6月2日
        requested_at=ISSUED_AT,
        calendar_version="2025-1",
    )


def liu_answered(satisfaction: str = "满意", written: str = "满意", opinion: str = "") -> FeedbackAnswered:
    return FeedbackAnswered(
        proposal_id="wuhai-60",
        round=1,
        proposer_id=LIU.id,
        satisfaction=satisfaction,
        satisfaction_as_written=written,
        opinion=opinion,
        suggestions="",
        recommended_units=("shangwu",),
        channel="online",
        answered_at=ANSWERED_AT,
    )


def rehandling_of_housekeeping() -> RehandlingRequested:
    return RehandlingRequested(
        proposal_id="wuhai-60",
        round=2,
        lead_units=("shangwu",),
        due=date(2025, 7, 11),
        opinions=("月嫂培训补贴没有落实",),
        requested_at=ANSWERED_AT,
    )


def elderly_care_replied(unit: str) -> ReplyRecorded:
    return ReplyRecorded(
        proposal_id="jincheng-254",
        round=1,
        lead_unit=unit,
        lead_units=("minzheng", "weijian"),
        result_class="A",
        promise="",
        issued_at=ISSUED_AT,
    )


def elderly_care_asked(proposer_id: str, name: str) -> FeedbackRequested:
    proposer = RU if proposer_id == RU.id else LIU
    return FeedbackRequested(
        proposal_id="jincheng-254",
        round=1,
        proposer_id=proposer_id,
        proposer_name=name,
        token=token("jincheng-254", 1, proposer),
        due=date(2025, 6, 18),  # 晋城 gives 20 working days; 端午 on 6月2日 does not count
        requested_at=ISSUED_AT,
        calendar_version="2025-1",
    )


def elderly_care_awaiting_feedback() -> list[Event]:
    return [
        elderly_care_recorded(),
        elderly_care_replied("minzheng"),
        elderly_care_replied("weijian"),
        elderly_care_asked(RU.id, RU.name),
        elderly_care_asked(LIU.id, LIU.name),
    ]


# Recording the proposal


def test_a_registered_proposal_is_recorded_and_awaits_its_reply() -> None:
    state = scenario().when(record_housekeeping()).then(housekeeping_recorded())
    assert isinstance(state, AwaitingReply) and state.round == 1


def test_a_proposal_is_recorded_once() -> None:
    scenario().given(housekeeping_recorded()).when(record_housekeeping()).then_rejected(
        NotAllowedInState, current_state="AWAITING_REPLY"
    )


def test_a_proposal_of_a_jurisdiction_without_policy_is_refused() -> None:
    command = RecordProposal(
        "x-1", "1", "关于推动家政服务业发展的提案", "atlantis", "proposal", (LIU,), REGISTERED_AT
    )
    scenario().when(command).then_rejected(InvalidField, field="jurisdiction")


def test_a_proposal_without_title_is_refused() -> None:
    command = RecordProposal("wuhai-60", "60", " ", "wuhai", "proposal", (LIU,), REGISTERED_AT)
    scenario().when(command).then_rejected(InvalidField, field="title")


def test_a_proposal_without_proposers_is_refused() -> None:
    command = RecordProposal(
        "wuhai-60", "60", "关于推动家政服务业发展的提案", "wuhai", "proposal", (), REGISTERED_AT
    )
    scenario().when(command).then_rejected(InvalidField, field="proposers")


# Replies open the forms


def test_the_reply_of_the_only_lead_unit_opens_the_form_due_in_15_working_days() -> None:
    state = (
        scenario()
        .given(housekeeping_recorded())
        .when(shangwu_replies())
        .then(shangwu_reply_recorded(), liu_asked())
    )
    assert isinstance(state, AwaitingFeedback) and state.round == 1


def test_under_fenban_the_forms_wait_for_every_lead_unit() -> None:
    state = (
        scenario()
        .given(elderly_care_recorded())
        .when(elderly_care_reply("minzheng"))
        .then(elderly_care_replied("minzheng"))
    )
    assert isinstance(state, AwaitingReply)


def test_the_last_lead_unit_opens_a_form_for_every_proposer_with_the_jurisdictions_deadline() -> None:
    state = (
        scenario()
        .given(elderly_care_recorded(), elderly_care_replied("minzheng"))
        .when(elderly_care_reply("weijian"))
        .then(
            elderly_care_replied("weijian"),
            elderly_care_asked(RU.id, RU.name),
            elderly_care_asked(LIU.id, LIU.name),
        )
    )
    assert isinstance(state, AwaitingFeedback)
    assert {r.token for r in state.requests} == {token("jincheng-254", 1, p) for p in (RU, LIU)}


def test_a_reply_before_the_proposal_is_refused() -> None:
    scenario().when(shangwu_replies()).then_rejected(NotAllowedInState, current_state="NOT_RECORDED")


def test_a_reply_for_another_round_is_refused() -> None:
    scenario().given(housekeeping_recorded()).when(shangwu_replies(round_=2)).then_rejected(
        InvalidField, field="round"
    )


def test_a_reply_from_a_unit_that_is_not_a_lead_unit_is_refused() -> None:
    command = elderly_care_reply("minzheng")
    stranger = replace(command, lead_unit="renshe")
    scenario().given(elderly_care_recorded()).when(stranger).then_rejected(InvalidField, field="lead_unit")


def test_a_second_reply_of_the_same_unit_in_a_round_is_refused() -> None:
    scenario().given(elderly_care_recorded(), elderly_care_replied("minzheng")).when(
        elderly_care_reply("minzheng")
    ).then_rejected(NotAllowedInState, current_state="AWAITING_REPLY")


def test_a_reply_with_a_class_the_policy_does_not_know_is_refused() -> None:
    scenario().given(housekeeping_recorded()).when(shangwu_replies(result_class="D")).then_rejected(
        InvalidField, field="result_class"
    )


def test_a_reply_that_opens_the_forms_without_a_token_for_each_proposer_is_refused() -> None:
    command = shangwu_replies()
    without = replace(command, tokens={})
    scenario().given(housekeeping_recorded()).when(without).then_rejected(InvalidField, field="tokens")


def test_a_reply_while_the_forms_are_out_is_refused() -> None:
    scenario().given(housekeeping_recorded(), shangwu_reply_recorded(), liu_asked()).when(
        shangwu_replies()
    ).then_rejected(NotAllowedInState, current_state="AWAITING_FEEDBACK")


# Answers


def test_the_first_of_two_answers_waits_for_the_other_proposer() -> None:
    answered = FeedbackAnswered(
        proposal_id="jincheng-254",
        round=1,
        proposer_id=RU.id,
        satisfaction="满意",
        satisfaction_as_written="满意",
        opinion="",
        suggestions="",
        recommended_units=("shangwu",),
        channel="online",
        answered_at=ANSWERED_AT,
    )
    state = (
        scenario().given(*elderly_care_awaiting_feedback()).when(answer("jincheng-254", RU)).then(answered)
    )
    assert isinstance(state, AwaitingFeedback) and state.answer_of(RU.id) is not None


def test_the_last_satisfied_answer_closes_the_proposal() -> None:
    closed = ProposalClosed(proposal_id="wuhai-60", round=1, outcome="closed", closed_at=ANSWERED_AT)
    state = (
        scenario()
        .given(housekeeping_recorded(), shangwu_reply_recorded(), liu_asked())
        .when(answer("wuhai-60", LIU))
        .then(liu_answered(), closed)
    )
    assert isinstance(state, Closed)


def test_bijiao_manyi_on_the_wuhai_form_counts_as_jiben_manyi() -> None:
    closed = ProposalClosed(proposal_id="wuhai-60", round=1, outcome="closed", closed_at=ANSWERED_AT)
    scenario().given(housekeeping_recorded(), shangwu_reply_recorded(), liu_asked()).when(
        answer("wuhai-60", LIU, "比较满意")
    ).then(liu_answered("基本满意", "比较满意"), closed)


def test_a_class_b_reply_with_a_promise_is_tracked_after_a_satisfied_answer() -> None:
    promise = "2025年底前建成家政服务信用平台二期"
    tracking = ProposalClosed(proposal_id="wuhai-60", round=1, outcome="tracking", closed_at=ANSWERED_AT)
    state = (
        scenario()
        .given(housekeeping_recorded(), shangwu_reply_recorded("B", promise), liu_asked())
        .when(answer("wuhai-60", LIU))
        .then(liu_answered(), tracking)
    )
    assert isinstance(state, Tracking) and state.promises == (promise,)


def test_a_class_c_reply_without_a_promise_is_closed() -> None:
    closed = ProposalClosed(proposal_id="wuhai-60", round=1, outcome="closed", closed_at=ANSWERED_AT)
    scenario().given(housekeeping_recorded(), shangwu_reply_recorded("C", " "), liu_asked()).when(
        answer("wuhai-60", LIU)
    ).then(liu_answered(), closed)


def test_an_unsatisfied_answer_sends_the_proposal_back_for_a_second_round_due_in_a_month() -> None:
    state = (
        scenario()
        .given(housekeeping_recorded(), shangwu_reply_recorded(), liu_asked())
        .when(answer("wuhai-60", LIU, "不满意", "月嫂培训补贴没有落实"))
        .then(liu_answered("不满意", "不满意", "月嫂培训补贴没有落实"), rehandling_of_housekeeping())
    )
    assert isinstance(state, Rehandling) and state.round == 2


def test_only_the_unsatisfied_opinions_go_back_to_the_lead_units() -> None:
    events = scenario().given(*elderly_care_awaiting_feedback(), answer_event(RU, "满意", "很好"))
    outcome = events.when(answer("jincheng-254", LIU, "不满意", "日间照料中心太少"))
    outcome.then(
        answer_event(LIU, "不满意", "日间照料中心太少"),
        RehandlingRequested(
            proposal_id="jincheng-254",
            round=2,
            lead_units=("minzheng", "weijian"),
            due=date(2025, 7, 11),
            opinions=("日间照料中心太少",),
            requested_at=ANSWERED_AT,
        ),
    )


def answer_event(proposer: Proposer, satisfaction: str, opinion: str) -> FeedbackAnswered:
    return FeedbackAnswered(
        proposal_id="jincheng-254",
        round=1,
        proposer_id=proposer.id,
        satisfaction=satisfaction,
        satisfaction_as_written=satisfaction,
        opinion=opinion,
        suggestions="",
        recommended_units=("shangwu",),
        channel="online",
        answered_at=ANSWERED_AT,
    )


def test_the_reply_of_the_second_round_opens_new_forms_with_new_tokens() -> None:
    unsatisfied = liu_answered("不满意", "不满意", "月嫂培训补贴没有落实")
    second_reply = shangwu_reply_recorded(round_=2)
    state = (
        scenario()
        .given(housekeeping_recorded(), shangwu_reply_recorded(), liu_asked(), unsatisfied)
        .given(rehandling_of_housekeeping())
        .when(shangwu_replies(round_=2))
        .then(second_reply, liu_asked(round_=2))
    )
    assert isinstance(state, AwaitingFeedback) and state.round == 2
    assert token("wuhai-60", 2, LIU) != token("wuhai-60", 1, LIU)


def test_a_paper_form_entered_by_the_office_is_the_same_answer() -> None:
    paper = liu_answered().model_copy(update={"channel": "paper"})
    closed = ProposalClosed(proposal_id="wuhai-60", round=1, outcome="closed", closed_at=ANSWERED_AT)
    scenario().given(housekeeping_recorded(), shangwu_reply_recorded(), liu_asked()).when(
        answer("wuhai-60", LIU, round_=None, channel="paper")
    ).then(paper, closed)


def test_a_second_answer_of_the_same_proposer_is_refused() -> None:
    scenario().given(*elderly_care_awaiting_feedback(), answer_event(RU, "满意", "")).when(
        answer("jincheng-254", RU)
    ).then_rejected(NotAllowedInState, current_state="AWAITING_FEEDBACK")


def test_an_unknown_satisfaction_label_is_refused() -> None:
    scenario().given(housekeeping_recorded(), shangwu_reply_recorded(), liu_asked()).when(
        answer("wuhai-60", LIU, "非常满意")
    ).then_rejected(InvalidField, field="satisfaction")


def test_an_answer_from_someone_who_is_not_a_proposer_is_refused() -> None:
    command = answer("wuhai-60", LIU)
    stranger = replace(command, proposer_id="sun-xuebin")
    scenario().given(housekeeping_recorded(), shangwu_reply_recorded(), liu_asked()).when(
        stranger
    ).then_rejected(InvalidField, field="proposer_id")


def test_the_form_of_an_earlier_round_can_no_longer_be_answered() -> None:
    unsatisfied = liu_answered("不满意", "不满意", "月嫂培训补贴没有落实")
    scenario().given(housekeeping_recorded(), shangwu_reply_recorded(), liu_asked(), unsatisfied).given(
        rehandling_of_housekeeping(), shangwu_reply_recorded(round_=2), liu_asked(round_=2)
    ).when(answer("wuhai-60", LIU, round_=1)).then_rejected(
        NotAllowedInState, current_state="AWAITING_FEEDBACK"
    )


def test_an_answer_before_the_reply_is_refused() -> None:
    scenario().given(housekeeping_recorded()).when(answer("wuhai-60", LIU)).then_rejected(
        NotAllowedInState, current_state="AWAITING_REPLY"
    )


def test_an_answer_while_the_proposal_is_handled_again_is_refused() -> None:
    unsatisfied = liu_answered("不满意", "不满意", "月嫂培训补贴没有落实")
    scenario().given(
        housekeeping_recorded(),
        shangwu_reply_recorded(),
        liu_asked(),
        unsatisfied,
        rehandling_of_housekeeping(),
    ).when(answer("wuhai-60", LIU, round_=None)).then_rejected(NotAllowedInState, current_state="REHANDLING")


def test_an_answer_after_closing_is_refused() -> None:
    closed = ProposalClosed(proposal_id="wuhai-60", round=1, outcome="closed", closed_at=ANSWERED_AT)
    scenario().given(
        housekeeping_recorded(), shangwu_reply_recorded(), liu_asked(), liu_answered(), closed
    ).when(answer("wuhai-60", LIU)).then_rejected(NotAllowedInState, current_state="CLOSED")


def test_a_reply_while_tracking_is_refused() -> None:
    tracking = ProposalClosed(proposal_id="wuhai-60", round=1, outcome="tracking", closed_at=ANSWERED_AT)
    scenario().given(
        housekeeping_recorded(),
        shangwu_reply_recorded("B", "列入2026年计划"),
        liu_asked(),
        liu_answered(),
        tracking,
    ).when(shangwu_replies()).then_rejected(NotAllowedInState, current_state="TRACKING")
