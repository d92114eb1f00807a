"""The paper forms as a reader sees them: the 征询意见表 of 乌海 第60号 (seed 001) and the 面商记录表 of
晋城 第254号 (seed 004), prefilled, in the order of the seeds, on one page with ink on it."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from services.feedback.application import documents as feedback_forms
from services.feedback.domain.decider import Recorded
from services.reply.documents import record as records
from services.reply.domain.commands import RecordConsultation
from services.reply.domain.decider import decider
from services.reply.domain.state import Allocated
from shared.documents import render
from shared.documents.settings import load_all
from shared.rules.policy import load_policies
from tests.rendering.poppler import flat, ink, pages_of, positions_in_order, text_of
from tests.unit.feedback.data import DECIDER, LIU, housekeeping_recorded, shangwu_replies
from tests.unit.reply.seeds import (
    YANGLAO,
    YANGLAO_ANSWERS,
    yanglao_allocated,
    yanglao_registered,
    yanglao_reply,
)

MET_AT = datetime(2025, 7, 9, 8, 0, tzinfo=UTC)
POLICY = Path(__file__).resolve().parents[2] / "deploy" / "policy"
DOCUMENTS = load_all(POLICY)
POLICIES = load_policies(POLICY)


def feedback_state() -> Recorded:
    state = DECIDER.fold([housekeeping_recorded()])
    state = DECIDER.fold(list(DECIDER.decide(shangwu_replies(), state)), state)
    assert not isinstance(state, type(DECIDER.initial))
    return state  # type: ignore[return-value]


@pytest.fixture(scope="module")
def feedback_form() -> bytes:
    form = feedback_forms.form(
        feedback_state(), LIU.id, 1, POLICIES[("wuhai", "proposal")], DOCUMENTS["wuhai"]
    )
    return render(form).pdf


def test_the_feedback_form_is_prefilled_in_the_order_of_the_seed(feedback_form: bytes) -> None:
    positions_in_order(
        flat(text_of(feedback_form)),
        [
            "人大代表建议、政协委员提案",
            "办理情况征询意见表",
            "代表、委员姓名",
            "刘建峰",
            "建议、提案编号",
            "60",
            "关于推动家政服务业发展的提案",
            "15144738888",
            "满意比较满意不满意",
            "1.您对办理情况的意见：",
            "2.您有何进一步的建议和要求：",
            "3.请您推荐先进承办单位：",
            "代表委员签名：",
            "年月日",
            "注：1.请代表委员在“满意”“比较满意”“不满意”下方空格内选择画“√”号。",
            "市政协办公室（A741室）",
            "表单参考号：wuhai-60/liu-jianfeng/第1轮",
        ],
    )


def test_the_feedback_form_is_one_printed_page(feedback_form: bytes) -> None:
    pages = pages_of(feedback_form)
    assert len(pages) == 1
    assert ink(pages[0]) > 0.01


def test_a_jurisdiction_without_its_own_boxes_prints_the_policy_labels() -> None:
    state = feedback_state()
    form = feedback_forms.form(state, LIU.id, 1, POLICIES[("jincheng", "proposal")], DOCUMENTS["jincheng"])
    text = flat(text_of(render(form).pdf))
    positions_in_order(text, ["满意基本满意不满意", "由承办单位送交市政协办公室或市人大常委会办公室"])


def consulted() -> Allocated:
    state = decider.fold([yanglao_registered(), yanglao_allocated()])
    meeting = RecordConsultation(
        YANGLAO, "minzheng", date(2025, 7, 9), "农业大厦630", ("孙雪斌",), "满意", "2516244", MET_AT, "paper"
    )
    state = decider.fold(list(decider.decide(meeting, state)), state)
    state = decider.fold(list(decider.decide(yanglao_reply(), state)), state)
    assert isinstance(state, Allocated)
    return state


def test_the_consultation_record_is_prefilled_in_the_order_of_the_seed() -> None:
    document = records.record(consulted(), "minzheng", "市民政局", DOCUMENTS["jincheng"])
    pdf = render(document).pdf
    positions_in_order(
        flat(text_of(pdf)),
        [
            "晋城市政协委员提案面商记录表",
            "承办单位：晋城市民政局",
            "提案编号：第254号",
            "委员姓名",
            "茹菊霞",
            "工作单位",
            "联系电话",
            "15834218688",
            "提案主要内容：",
            "1.加大社区养老服务设施建设力度。",
            "5.建立健全社区养老服务监督管理机制。",
            "答复意见要点：",
            "1." + YANGLAO_ANSWERS[0],
            "5." + YANGLAO_ANSWERS[4],
            "办理情况（划勾）",
            "A类√",
            "B类□",
            "C类□",
            "委员意见和要求：",
            "满意",
            "签字：",
            "面商时间",
            "2025年7月9日",
            "面商地点",
            "农业大厦630",
            "面商人",
            "孙雪斌",
            "联系电话",
            "2516244",
        ],
    )
    pages = pages_of(pdf)
    assert len(pages) == 1 and ink(pages[0]) > 0.01


def test_a_blank_record_before_any_reply_leaves_the_boxes_empty() -> None:
    state = decider.fold([yanglao_registered(), yanglao_allocated()])
    assert isinstance(state, Allocated)
    text = flat(text_of(render(records.record(state, "minzheng", "市民政局", None)).pdf))
    positions_in_order(
        text, ["政协委员提案面商记录表", "承办单位：市民政局", "A类□", "B类□", "C类□", "面商时间"]
    )
