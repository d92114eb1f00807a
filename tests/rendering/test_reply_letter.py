"""The 答复函 of 乌海 第60号 (seed 001, 乌商务发〔2025〕26号) as a reader sees it: the elements of GB/T 9704
in their order, a page with ink on it and a red header."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.reply.documents import letter as letters
from services.reply.domain.commands import Answer
from services.reply.domain.decider import decider
from services.reply.domain.events import ReplyIssued
from services.reply.domain.state import Allocated
from shared.documents import Rendered
from shared.documents.settings import Documents, UnitDocuments, derived_organ, load_all
from shared.kernel.decider import InvalidField, NotAllowedInState
from tests.rendering.poppler import flat, ink, pages_of, positions_in_order, red_share, text_of
from tests.unit.reply.seeds import jiazheng_allocated, jiazheng_registered, jiazheng_reply

DOCUMENTS = load_all(Path(__file__).resolve().parents[2] / "deploy" / "policy")
WUHAI = DOCUMENTS["wuhai"]
ANSWERS = (
    Answer(1, "2022年6月，信用乌海家政综合服务平台正式启动，统一归集、管理、公开家政企业和人员信用信息。"),
    Answer(2, "全市已打造20个“放心家政”服务窗口，入驻企业20家，累计接单6731笔，吸纳就业人员850人。"),
)


def issued(kind: str = "proposal") -> tuple[Allocated, ReplyIssued]:
    state = decider.fold([jiazheng_registered(kind), jiazheng_allocated(co_units=())])
    assert isinstance(state, Allocated)
    if kind == "suggestion":
        state = replace(state, kind="suggestion")
    reply = decider.decide(jiazheng_reply(answers=ANSWERS), state)[0]
    assert isinstance(reply, ReplyIssued)
    return state, reply


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    state, reply = issued()
    return letters.rendered(state, reply, WUHAI)


def test_the_letter_prints_every_element_in_the_order_of_the_seed(rendered: Rendered) -> None:
    text = flat(text_of(rendered.pdf))
    positions_in_order(
        text,
        [
            "乌海市商务局文件",
            "乌商务发〔2025〕26号",
            "〔办理结果：A〕",
            "关于市政协十届四次会议第60号提案办理情况的答复函",
            "刘建峰委员：",
            "您提出的《关于推动家政服务业发展的提案》收悉",
            "一、融入智慧平台，推动家政服务业数智化",
            "信用乌海家政综合服务平台正式启动",
            "二、融入党群服务，推动家政服务业便捷化",
            "吸纳就业人员850人",
            "非常感谢对我们工作的关注和支持",
            "分管领导：李俊晶",
            "联系人：慕德刚",
            "联系方式：18904739929",
            "乌海市商务局",
            "2025年6月11日",
        ],
    )


def test_the_header_is_red_and_centred_over_the_文号(rendered: Rendered) -> None:
    lines = [line for line in text_of(rendered.pdf).splitlines() if line.strip()]
    assert lines[0].strip() == "乌海市商务局文件"
    assert lines[1].strip() == "乌商务发〔2025〕26号"
    assert lines[0].index("乌") > 2, "the organ header is centred, not at the left margin"
    first = pages_of(rendered.pdf)[0]
    assert red_share(first, top=0.2) > 0.002, "no red in the header area"
    assert red_share(first.crop((0, first.size[1] // 3, *first.size))) == 0, "red below the header"
    assert ink(first) > 0.01, "the first page is blank"


def test_the_signature_block_stays_together_at_the_end(rendered: Rendered) -> None:
    last_page = text_of(rendered.pdf).split("\f")[-2 if text_of(rendered.pdf).endswith("\f") else -1]
    positions_in_order(
        flat(last_page), ["分管领导：李俊晶", "联系人：慕德刚", "联系方式：18904739929", "2025年6月11日"]
    )
    signature = next(line for line in last_page.splitlines() if "2025年6月11日" in line)
    assert signature.index("2025") > 20, "the date stands at the right, under the issuing organ"


def test_a_suggestion_is_addressed_to_a_代表_and_titled_as_a_建议() -> None:
    state, reply = issued("suggestion")
    text = flat(text_of(letters.rendered(state, reply, WUHAI).pdf))
    positions_in_order(text, ["关于市十届人大四次会议第60号建议办理情况的答复函", "刘建峰代表："])


def test_the_same_reply_renders_the_same_bytes(rendered: Rendered) -> None:
    state, reply = issued()
    again = letters.rendered(state, reply, WUHAI)
    assert (again.pdf_sha256, again.docx_sha256) == (rendered.pdf_sha256, rendered.docx_sha256)
    assert letters.digest(again).template == letters.TEMPLATE


def test_a_later_day_or_another_organ_renders_other_bytes(rendered: Rendered) -> None:
    state, reply = issued()
    later = reply.model_copy(update={"issued_at": datetime(2025, 6, 12, 2, 0, tzinfo=UTC)})
    assert letters.rendered(state, later, WUHAI).pdf_sha256 != rendered.pdf_sha256
    renamed = WUHAI.model_copy(
        update={"units": {"shangwu": UnitDocuments(organ="乌海市商务厅", prefix="乌商务发")}}
    )
    assert letters.rendered(state, reply, renamed).docx_sha256 != rendered.docx_sha256


@pytest.mark.parametrize(
    ("documents", "field"),
    [
        (None, "organ"),
        (Documents(jurisdiction="wuhai", name="乌海市"), "organ"),
        (
            Documents(
                jurisdiction="wuhai",
                name="乌海市",
                units={"shangwu": UnitDocuments(organ="乌海市商务局", prefix="乌商发")},
            ),
            "document_no",
        ),
    ],
)
def test_a_missing_template_field_is_named(documents: Documents | None, field: str) -> None:
    state, reply = issued()
    with pytest.raises(InvalidField) as refused:
        letters.letter(state, reply, documents)
    assert refused.value.extra["field"] == field


def test_a_proposal_whose_立案_has_not_reached_reply_waits_for_it() -> None:
    state, reply = issued()
    with pytest.raises(NotAllowedInState) as refused:
        letters.letter(replace(state, registration=None), reply, WUHAI)
    assert refused.value.extra["current_state"] == "AWAITING_REGISTRATION"


def test_a_unit_the_city_does_not_list_signs_with_the_organ_its_name_gives_and_its_文号_as_written() -> None:
    state, reply = issued()
    unlisted = Documents(jurisdiction="wuhai", name="乌海市").with_unit_names({"shangwu": "市商务局"})
    assert unlisted.unit("shangwu") == UnitDocuments(organ="乌海市商务局")
    own_number = reply.model_copy(update={"document_no": "乌商发〔2025〕3号"})
    text = flat(text_of(letters.rendered(state, own_number, unlisted).pdf))
    positions_in_order(text, ["乌海市商务局文件", "乌商发〔2025〕3号", "〔办理结果：A〕"])


@pytest.mark.parametrize(
    ("city", "unit", "organ"),
    [
        ("乌海市", "市商务局", "乌海市商务局"),
        ("乌海市", "市", ""),
        ("默认", "市商务局", ""),
        ("中卫市", "各县（区）", ""),
    ],
)
def test_an_organ_is_derived_only_where_city_and_unit_fit(city: str, unit: str, organ: str) -> None:
    assert derived_organ(city, unit) == organ
