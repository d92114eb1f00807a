"""Given/when/then for every transition and every refusal of the reply decider."""

from dataclasses import replace
from datetime import date

import pytest

from services.reply.domain.commands import (
    Answer,
    ChangeResultClass,
    Command,
    DecideNotToPublish,
    ItemRouting,
    OpenRound,
    OverrideCoOpinions,
    PublishReply,
    RecordConsultation,
    SubmitCoOpinion,
    TakeAllocation,
)
from services.reply.domain.decider import CoOpinionsMissing, decider
from services.reply.domain.events import (
    AllocationTaken,
    AnsweredItem,
    ConsultationRecorded,
    CoOpinionsOverridden,
    CoOpinionSubmitted,
    ReplyIssued,
    ReplyNotPublished,
    ResultClassChanged,
    RoundOpened,
    RoutedItem,
)
from services.reply.domain.state import (
    Allocated,
    AwaitingCoOpinions,
    NotPublished,
    Published,
    Ready,
    Replied,
    State,
)
from shared.kernel.decider import Forbidden, InvalidField, NotAllowedInState
from shared.kernel.events import Event
from shared.testing.decider import Scenario
from tests.unit.reply.seeds import (
    JIAZHENG,
    NOW,
    YANGLAO,
    YANGLAO_ANSWERS,
    co_opinion,
    jiazheng_allocated,
    jiazheng_not_published,
    jiazheng_published,
    jiazheng_replied,
    jiazheng_reply,
    yanglao_allocated,
)

ROUND_2 = RoundOpened(
    proposal_id=JIAZHENG,
    round=2,
    lead_units=("shangwu",),
    due=date(2025, 8, 11),
    opinions=("希望出台家政服务员社会保险补贴政策",),
    opened_at=NOW,
)


def given(*events: Event) -> Scenario[Command, State]:
    return Scenario(decider).given(*events)


def take(event: AllocationTaken) -> TakeAllocation:
    return TakeAllocation(
        proposal_id=event.proposal_id,
        revision=event.revision,
        number=event.number,
        title=event.title,
        kind=event.kind,
        jurisdiction=event.jurisdiction,
        lead_units=event.lead_units,
        co_units=event.co_units,
        routing=tuple(ItemRouting(r.item, r.lead, r.co_units) for r in event.routing),
        reply_due=event.reply_due,
        co_opinion_due=event.co_opinion_due,
        result_classes=event.result_classes,
        at=event.taken_at,
    )


def lead(state: object, unit: str = "shangwu", round_: int = -1) -> object:
    assert isinstance(state, Allocated)
    return state.rounds[round_].leads[unit]


def submit(unit: str, text: str = "同意主办单位意见。", signer: str = "分管领导") -> SubmitCoOpinion:
    return SubmitCoOpinion(JIAZHENG, unit, text, signer, NOW)


def consultation(**changes: object) -> RecordConsultation:
    record = RecordConsultation(
        proposal_id=YANGLAO,
        unit="minzheng",
        held_on=date(2025, 7, 9),
        place="农业大厦630",
        staff=("孙雪斌",),
        member_opinion="满意",
        contact_phone="2516244",
        at=NOW.replace(month=7, day=10),
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def override(reason: str = "市人社局逾期未报送协办意见，经提案委同意先行答复") -> OverrideCoOpinions:
    return OverrideCoOpinions(JIAZHENG, reason, NOW)


def change(new_class: str = "B", reason: str = "家政服务员社保补贴政策尚未出台", lead_unit: str = "shangwu"):
    return ChangeResultClass(JIAZHENG, lead_unit, new_class, reason, NOW)


def publish(form: str = "全文", text: str = "", lead_unit: str = "shangwu", round_: int | None = None):
    return PublishReply(JIAZHENG, lead_unit, round_, form, text, NOW)


def keep_private(reason: str = "涉及个人隐私", lead_unit: str = "shangwu", round_: int | None = None):
    return DecideNotToPublish(JIAZHENG, lead_unit, round_, reason, NOW)


REPLIED = (jiazheng_allocated(co_units=()), jiazheng_replied())
"""市商务局 answered 第60号 alone, in round 1."""


# TakeAllocation


def test_the_first_allocation_opens_round_1_waiting_for_the_co_units():
    state = given().when(take(jiazheng_allocated())).then(jiazheng_allocated())
    assert isinstance(state, Allocated) and [r.number for r in state.rounds] == [1]
    assert lead(state) == AwaitingCoOpinions(("minzheng", "renshe"))


def test_a_lead_without_co_units_is_ready_at_once():
    state = given().when(take(yanglao_allocated())).then(yanglao_allocated())
    assert lead(state, "minzheng") == Ready()


def test_a_later_revision_replaces_the_co_units_and_keeps_their_opinions():
    revised = jiazheng_allocated(revision=2, co_units=("minzheng", "renshe", "weijian"))
    state = given(jiazheng_allocated(), co_opinion("minzheng")).when(take(revised)).then(revised)
    assert lead(state) == AwaitingCoOpinions(("renshe", "weijian"))


def test_a_revision_not_newer_than_the_current_one_is_ignored():
    given(jiazheng_allocated(revision=2)).when(take(jiazheng_allocated(revision=2))).then()
    given(jiazheng_allocated(revision=2)).when(take(jiazheng_allocated(revision=1))).then()


def test_an_allocation_without_a_lead_unit_is_refused():
    command = replace(take(jiazheng_allocated()), lead_units=())
    given().when(command).then_rejected(InvalidField, field="lead_units")


# OpenRound


def open_round(round_: int = 2, lead_units: tuple[str, ...] = ("shangwu",)) -> OpenRound:
    return OpenRound(JIAZHENG, round_, lead_units, ROUND_2.due, ROUND_2.opinions, NOW)


def test_rehandling_opens_a_round_where_the_lead_answers_again_without_new_co_opinions():
    history = (jiazheng_allocated(), co_opinion("minzheng"), co_opinion("renshe"), jiazheng_replied())
    state = given(*history).when(open_round()).then(ROUND_2)
    assert lead(state) == Ready()
    assert isinstance(lead(state, round_=0), Replied)


def test_rehandling_without_named_leads_means_every_lead_unit():
    history = (jiazheng_allocated(co_units=()), jiazheng_replied())
    given(*history).when(open_round(lead_units=())).then(ROUND_2)


def test_a_round_already_open_is_not_opened_again():
    history = (jiazheng_allocated(co_units=()), jiazheng_replied(), ROUND_2)
    given(*history).when(open_round()).then()


def test_a_round_after_the_next_one_is_refused():
    history = (jiazheng_allocated(co_units=()), jiazheng_replied())
    given(*history).when(open_round(round_=3)).then_rejected(InvalidField, field="round")


def test_rehandling_before_every_lead_replied_is_refused():
    given(jiazheng_allocated()).when(open_round()).then_rejected(
        NotAllowedInState, current_state="AWAITING_CO_OPINIONS"
    )


def test_rehandling_by_a_unit_that_does_not_lead_is_refused():
    history = (jiazheng_allocated(co_units=()), jiazheng_replied())
    given(*history).when(open_round(lead_units=("minzheng",))).then_rejected(InvalidField, field="lead_units")


def test_every_command_but_the_allocation_is_refused_before_it():
    for command in (
        open_round(),
        submit("minzheng"),
        consultation(),
        override(),
        jiazheng_reply(),
        change(),
    ):
        given().when(command).then_rejected(NotAllowedInState, current_state="NOT_ALLOCATED")


# SubmitCoOpinion


def test_a_co_unit_submits_its_opinion_and_the_lead_still_waits_for_the_other():
    state = (
        given(jiazheng_allocated())
        .when(submit("minzheng"))
        .then(
            CoOpinionSubmitted(
                proposal_id=JIAZHENG,
                round=1,
                co_unit="minzheng",
                text="同意主办单位意见。",
                signer="分管领导",
                submitted_at=NOW,
            )
        )
    )
    assert lead(state) == AwaitingCoOpinions(("renshe",))


def test_the_last_co_unit_opinion_makes_the_lead_ready():
    state = (
        given(jiazheng_allocated(), co_opinion("minzheng"))
        .when(submit("renshe"))
        .then(as_submitted(co_opinion("renshe")))
    )
    assert lead(state) == Ready()


def as_submitted(event: CoOpinionSubmitted) -> CoOpinionSubmitted:
    return event.model_copy(update={"text": "同意主办单位意见。", "signer": "分管领导"})


def test_a_co_unit_submits_only_once_per_round():
    given(jiazheng_allocated(), co_opinion("minzheng")).when(submit("minzheng")).then_rejected(
        NotAllowedInState, current_state="CO_OPINION_SUBMITTED"
    )


def test_a_co_unit_may_send_a_new_opinion_in_a_rehandling_round():
    history = (
        jiazheng_allocated(),
        co_opinion("minzheng"),
        co_opinion("renshe"),
        jiazheng_replied(),
        ROUND_2,
    )
    given(*history).when(submit("minzheng")).then(as_submitted(co_opinion("minzheng", round_=2)))


@pytest.mark.parametrize("unit", ["shangwu", "weijian"])
def test_the_lead_or_a_stranger_may_not_submit_a_co_opinion(unit):
    given(jiazheng_allocated()).when(submit(unit)).then_rejected(Forbidden)


@pytest.mark.parametrize(
    ("field", "command"), [("text", submit("minzheng", text=" ")), ("signer", submit("minzheng", signer=""))]
)
def test_a_co_opinion_needs_a_text_and_a_signer(field, command):
    given(jiazheng_allocated()).when(command).then_rejected(InvalidField, field=field)


# RecordConsultation


def test_the_lead_records_its_consultation_with_the_member():
    given(yanglao_allocated()).when(consultation()).then(
        ConsultationRecorded(
            proposal_id=YANGLAO,
            round=1,
            lead_unit="minzheng",
            held_on=date(2025, 7, 9),
            place="农业大厦630",
            staff=("孙雪斌",),
            member_opinion="满意",
            contact_phone="2516244",
            recorded_at=NOW.replace(month=7, day=10),
        )
    )


@pytest.mark.parametrize("unit", ["shangwu", "renshe"])
def test_only_a_lead_records_a_consultation(unit):
    given(yanglao_allocated()).when(consultation(unit=unit)).then_rejected(Forbidden)


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("held_on", {"held_on": date(2025, 7, 11)}),
        ("place", {"place": ""}),
        ("staff", {"staff": ()}),
        ("staff", {"staff": ("孙雪斌", " ")}),
        ("member_opinion", {"member_opinion": ""}),
        ("contact_phone", {"contact_phone": ""}),
    ],
)
def test_a_consultation_record_names_when_where_who_and_what_the_member_said(field, changes):
    given(yanglao_allocated()).when(consultation(**changes)).then_rejected(InvalidField, field=field)


# OverrideCoOpinions


def test_the_office_overrides_the_missing_co_opinions_and_the_lead_is_ready():
    state = (
        given(jiazheng_allocated(), co_opinion("minzheng"))
        .when(override())
        .then(
            CoOpinionsOverridden(
                proposal_id=JIAZHENG,
                round=1,
                reason=override().reason,
                missing_co_units=("renshe",),
                overridden_at=NOW,
            )
        )
    )
    assert lead(state) == Ready()


def test_an_override_with_nothing_missing_is_refused():
    given(yanglao_allocated()).when(replace(override(), proposal_id=YANGLAO)).then_rejected(
        NotAllowedInState, current_state="READY"
    )


def test_an_override_needs_a_reason():
    given(jiazheng_allocated()).when(override(reason=" ")).then_rejected(InvalidField, field="reason")


# IssueReply


def test_the_lead_replies_once_every_co_opinion_is_in():
    history = (jiazheng_allocated(), co_opinion("minzheng"), co_opinion("renshe"))
    state = given(*history).when(jiazheng_reply()).then(jiazheng_replied())
    assert isinstance(lead(state), Replied)


def test_the_lead_replies_after_the_office_overrode_a_missing_opinion():
    overridden = CoOpinionsOverridden(
        proposal_id=JIAZHENG,
        round=1,
        reason=override().reason,
        missing_co_units=("renshe",),
        overridden_at=NOW,
    )
    history = (jiazheng_allocated(), co_opinion("minzheng"), overridden)
    given(*history).when(jiazheng_reply()).then(jiazheng_replied())


def test_a_reply_before_the_co_opinions_names_the_missing_co_units():
    refused = (
        given(jiazheng_allocated(), co_opinion("minzheng"))
        .when(jiazheng_reply())
        .then_rejected(CoOpinionsMissing, current_state="AWAITING_CO_OPINIONS")
    )
    assert refused.extra["missing_co_units"] == ["renshe"]
    assert "renshe" in refused.detail


def test_a_lead_replies_only_once_per_round():
    history = (jiazheng_allocated(co_units=()), jiazheng_replied())
    given(*history).when(jiazheng_reply()).then_rejected(NotAllowedInState, current_state="REPLIED")


@pytest.mark.parametrize("unit", ["minzheng", "weijian"])
def test_a_co_unit_or_a_stranger_may_not_reply(unit):
    given(jiazheng_allocated(co_units=())).when(jiazheng_reply(unit=unit)).then_rejected(Forbidden)


def test_a_result_class_outside_the_policy_is_refused():
    refused = (
        given(jiazheng_allocated(co_units=()))
        .when(jiazheng_reply(result_class="D"))
        .then_rejected(InvalidField, field="result_class")
    )
    assert "A, B, C" in refused.detail


def test_a_reply_must_answer_every_item_the_unit_leads():
    command = jiazheng_reply(answers=(Answer(1, "融入智慧平台，推动家政服务业数智化。"),))
    refused = (
        given(jiazheng_allocated(co_units=())).when(command).then_rejected(InvalidField, field="answers")
    )
    assert "item 2" in refused.detail


@pytest.mark.parametrize(
    "answers",
    [
        (Answer(1, "一"), Answer(2, "二"), Answer(3, "三")),
        (Answer(1, "一"), Answer(1, "一"), Answer(2, "二")),
        (Answer(1, "一"), Answer(2, " ")),
    ],
    ids=["an item it does not lead", "an item twice", "an empty answer"],
)
def test_a_reply_answers_only_its_own_items_once_each(answers):
    command = jiazheng_reply(answers=answers)
    given(jiazheng_allocated(co_units=())).when(command).then_rejected(InvalidField, field="answers")


@pytest.mark.parametrize("field", ["document_no", "signer", "contact_person", "contact_phone"])
def test_a_reply_names_its_document_number_signer_and_contact(field):
    command = jiazheng_reply(**{field: ""})
    given(jiazheng_allocated(co_units=())).when(command).then_rejected(InvalidField, field=field)


def test_a_class_b_reply_carries_its_promise():
    promise = "推动出台家政服务员社会保险补贴政策"
    command = jiazheng_reply(result_class="B", promise=promise)
    expected = jiazheng_replied(result_class="B").model_copy(update={"promise": promise})
    given(jiazheng_allocated(co_units=())).when(command).then(expected)


def test_under_fenban_each_lead_answers_its_own_items_and_the_reply_names_every_lead():
    allocated = jiazheng_allocated(co_units=()).model_copy(
        update={
            "lead_units": ("shangwu", "renshe"),
            "routing": (RoutedItem(item=1, lead="shangwu"), RoutedItem(item=2, lead="renshe")),
        }
    )
    command = jiazheng_reply(
        unit="renshe",
        document_no="乌人社发〔2025〕12号",
        answers=(Answer(2, "推进家政从业人员职业技能鉴定。"),),
    )
    state = (
        given(allocated)
        .when(command)
        .then(
            jiazheng_replied().model_copy(
                update={
                    "lead_unit": "renshe",
                    "lead_units": ("shangwu", "renshe"),
                    "document_no": "乌人社发〔2025〕12号",
                    "answers": (AnsweredItem(item=2, text="推进家政从业人员职业技能鉴定。"),),
                }
            )
        )
    )
    assert lead(state, "shangwu") == Ready()


def test_the_five_items_of_the_jincheng_proposal_are_answered_in_order():
    answers = tuple(Answer(i, text) for i, text in reversed(list(enumerate(YANGLAO_ANSWERS, 1))))
    command = jiazheng_reply(
        proposal_id=YANGLAO, unit="minzheng", document_no="晋民函〔2025〕254号", answers=answers
    )
    (event,) = decider.decide(command, decider.fold([yanglao_allocated()]))
    assert isinstance(event, ReplyIssued)
    assert [a.item for a in event.answers] == [1, 2, 3, 4, 5]


def test_in_a_rehandling_round_the_lead_replies_again():
    history = (
        jiazheng_allocated(),
        co_opinion("minzheng"),
        co_opinion("renshe"),
        jiazheng_replied(),
        ROUND_2,
    )
    given(*history).when(jiazheng_reply()).then(jiazheng_replied(round_=2))


# ChangeResultClass


def test_the_office_changes_the_class_and_the_old_one_is_kept():
    history = (jiazheng_allocated(co_units=()), jiazheng_replied())
    state = (
        given(*history)
        .when(change())
        .then(
            ResultClassChanged(
                proposal_id=JIAZHENG,
                round=1,
                lead_unit="shangwu",
                old_class="A",
                new_class="B",
                reason="家政服务员社保补贴政策尚未出台",
                changed_at=NOW,
            )
        )
    )
    replied = lead(state)
    assert isinstance(replied, Replied) and replied.result_class == "B" and replied.reply.result_class == "A"


def test_with_one_lead_the_office_need_not_name_it():
    history = (jiazheng_allocated(co_units=()), jiazheng_replied())
    (event,) = decider.decide(change(lead_unit=""), decider.fold(list(history)))
    assert isinstance(event, ResultClassChanged) and event.lead_unit == "shangwu"


def test_with_several_leads_the_office_names_the_lead_unit():
    allocated = jiazheng_allocated(co_units=()).model_copy(update={"lead_units": ("shangwu", "renshe")})
    given(allocated).when(change(lead_unit="")).then_rejected(InvalidField, field="lead_unit")


def test_the_class_of_a_unit_that_does_not_reply_cannot_be_changed():
    history = (jiazheng_allocated(co_units=()), jiazheng_replied())
    given(*history).when(change(lead_unit="minzheng")).then_rejected(InvalidField, field="lead_unit")


def test_the_class_cannot_be_changed_before_the_reply():
    given(jiazheng_allocated(co_units=())).when(change()).then_rejected(
        NotAllowedInState, current_state="READY"
    )


@pytest.mark.parametrize(
    ("field", "command"),
    [
        ("new_class", change(new_class="D")),
        ("new_class", change(new_class="A")),
        ("reason", change(reason="")),
    ],
    ids=["unknown class", "same class", "no reason"],
)
def test_a_class_change_needs_a_known_new_class_and_a_reason(field, command):
    history = (jiazheng_allocated(co_units=()), jiazheng_replied())
    given(*history).when(command).then_rejected(InvalidField, field=field)


# PublishReply


def test_the_office_publishes_the_full_reply_as_its_numbered_answers():
    state = given(*REPLIED).when(publish()).then(jiazheng_published())
    replied = lead(state)
    assert isinstance(replied, Replied) and replied.publication == Published(jiazheng_published())


def test_a_full_text_edited_by_the_office_is_published_without_phone_numbers_and_contact_fields():
    letter = (
        "刘建峰委员（手机 139-0473-1234）：\n"
        "您提出的关于推动家政服务业发展的提案收悉，现答复如下。\n"
        "一、融入智慧平台，推动家政服务业数智化。\n"
        "联系人：慕德刚  联系电话：18904739929\n"
        "如有疑问请致电0473-2516244，或发邮件至 liujf@wuhai.example。"
    )
    published = (
        "刘建峰委员：\n"
        "您提出的关于推动家政服务业发展的提案收悉，现答复如下。\n"
        "一、融入智慧平台，推动家政服务业数智化。\n"
        "如有疑问请致电，或发邮件至。"
    )
    given(*REPLIED).when(publish(text=letter)).then(jiazheng_published(text=published))


def test_a_summary_is_published_as_the_office_wrote_it():
    summary = "市商务局答复：推动家政服务业数智化、便捷化。"
    given(*REPLIED).when(publish("摘要", summary)).then(jiazheng_published("摘要", summary))


def test_the_phone_numbers_of_the_reply_and_its_consultations_are_never_published():
    consulted = ConsultationRecorded(
        proposal_id=JIAZHENG,
        round=1,
        lead_unit="shangwu",
        held_on=date(2025, 4, 9),
        place="市商务局会议室",
        staff=("慕德刚",),
        member_opinion="满意",
        contact_phone="2516244",
        recorded_at=NOW,
    )
    summary = "已与委员面商（2516244），答复电话18904739929已告知。"
    (event,) = decider.decide(publish("摘要", summary), decider.fold([*REPLIED, consulted]))
    assert event == jiazheng_published("摘要", "已与委员面商，答复电话已告知。")


def test_the_reply_of_an_earlier_round_is_published_while_the_unit_answers_again():
    history = (*REPLIED, ROUND_2)
    given(*history).when(publish(round_=1)).then(jiazheng_published())
    given(*history).when(publish()).then_rejected(NotAllowedInState, current_state="READY")


def test_a_reply_is_published_only_once_and_not_after_the_office_kept_it_private():
    given(*REPLIED, jiazheng_published()).when(publish()).then_rejected(
        NotAllowedInState, current_state="PUBLISHED"
    )
    given(*REPLIED, jiazheng_not_published()).when(publish()).then_rejected(
        NotAllowedInState, current_state="NOT_PUBLISHED"
    )


@pytest.mark.parametrize(
    ("history", "state_name"),
    [
        ((jiazheng_allocated(),), "AWAITING_CO_OPINIONS"),
        ((jiazheng_allocated(co_units=()),), "READY"),
    ],
)
def test_a_reply_not_yet_issued_cannot_be_published_or_kept_private(history, state_name):
    given(*history).when(publish()).then_rejected(NotAllowedInState, current_state=state_name)
    given(*history).when(keep_private()).then_rejected(NotAllowedInState, current_state=state_name)


@pytest.mark.parametrize(
    ("field", "command"),
    [
        ("form", publish("公告")),
        ("text", publish("摘要", " ")),
        ("text", publish(text="联系人：慕德刚\n联系电话：18904739929")),
        ("round", publish(round_=3)),
        ("lead_unit", publish(lead_unit="minzheng")),
    ],
    ids=["unknown form", "summary without text", "nothing left", "unknown round", "not a lead"],
)
def test_a_publication_names_a_known_form_round_and_lead_and_something_to_publish(field, command):
    given(*REPLIED).when(command).then_rejected(InvalidField, field=field)


def test_with_several_leads_the_office_names_whose_reply_it_publishes():
    allocated = jiazheng_allocated(co_units=()).model_copy(update={"lead_units": ("shangwu", "renshe")})
    given(allocated, jiazheng_replied()).when(publish(lead_unit="")).then_rejected(
        InvalidField, field="lead_unit"
    )


def test_a_class_change_after_publication_keeps_the_publication():
    state = decider.fold([*REPLIED, jiazheng_published()])
    state = decider.fold(list(decider.decide(change(), state)), state)
    replied = lead(state)
    assert isinstance(replied, Replied) and replied.result_class == "B"
    assert isinstance(replied.publication, Published)


# DecideNotToPublish


def test_the_office_keeps_a_reply_private_with_its_reason():
    state = given(*REPLIED).when(keep_private()).then(jiazheng_not_published())
    replied = lead(state)
    assert isinstance(replied, Replied) and replied.publication == NotPublished(jiazheng_not_published())


def test_a_reply_not_to_be_published_needs_a_reason():
    given(*REPLIED).when(keep_private(" ")).then_rejected(InvalidField, field="reason")


def test_the_decision_not_to_publish_is_taken_once():
    given(*REPLIED, jiazheng_not_published()).when(keep_private()).then_rejected(
        NotAllowedInState, current_state="NOT_PUBLISHED"
    )
    given(*REPLIED, jiazheng_published()).when(keep_private()).then_rejected(
        NotAllowedInState, current_state="PUBLISHED"
    )


def test_the_reply_of_an_earlier_round_is_kept_private_for_that_round():
    (event,) = decider.decide(keep_private(round_=1), decider.fold([*REPLIED, ROUND_2]))
    assert isinstance(event, ReplyNotPublished) and event.round == 1
