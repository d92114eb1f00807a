"""The printable 征询意见表 over HTTP, and the paper answer entered back: the same event as online."""

from typing import Any

from fastapi.testclient import TestClient

from services.feedback.bootstrap import create
from services.feedback.config import FeedbackSettings
from services.feedback.domain.events import ProposalRecorded, registry
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.identity import Identity
from tests.rendering.poppler import flat, text_of
from tests.unit.feedback.data import SECRET, housekeeping_recorded
from tests.unit.feedback.test_api import (
    LIU,
    OFFICE,
    RU,
    SHANGWU,
    auth,
    deliver,
    link_token,
    liu_alone,
    open_form,
    registered,
    reply_issued,
)

WEIJIAN = Identity("weijian-staff", "unit_staff", "卫健委", "weijian")
FORM = "/feedback/wuhai-60/forms/liu-jianfeng.pdf"


def test_the_office_the_replying_unit_and_the_member_print_the_prefilled_form(client: TestClient) -> None:
    deliver(client, registered(liu_alone()))
    deliver(client, reply_issued())
    printed = client.get(FORM, headers=auth(OFFICE))
    assert printed.status_code == 200
    assert printed.headers["content-type"] == "application/pdf"
    text = flat(text_of(printed.content))
    for expected in ("刘建峰", "关于推动家政服务业发展的提案", "15144738888", "满意比较满意不满意"):
        assert expected in text
    assert "wuhai-60/liu-jianfeng/第1轮" in text
    assert client.get(FORM, headers=auth(SHANGWU)).content == printed.content
    assert client.get(FORM, headers=auth(LIU)).status_code == 200
    token = link_token("wuhai-60", 1, "liu-jianfeng")
    assert open_form(client, token).status_code == 200
    own = client.get(f"/feedback/forms/{token}/form.pdf")
    assert own.status_code == 200 and own.content == printed.content
    docx = client.get(FORM.removesuffix(".pdf") + ".docx", headers=auth(OFFICE))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")


def test_strangers_and_unknown_proposers_are_refused(client: TestClient) -> None:
    deliver(client, registered(liu_alone()))
    deliver(client, reply_issued())
    assert client.get(FORM, headers=auth(WEIJIAN)).status_code == 403
    assert client.get(FORM, headers=auth(RU)).status_code == 403
    unknown = client.get("/feedback/wuhai-60/forms/someone-else.pdf", headers=auth(OFFICE))
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


def answered_event(client: TestClient) -> dict[str, Any]:
    store = client.app.state.infra.events  # type: ignore[attr-defined]
    assert client.portal is not None
    recorded = client.portal.call(store.read_stream, "feedback-proposal-wuhai-60")
    (answer,) = [r for r in recorded if r.type == "feedback.feedback-answered.v1"]
    data: dict[str, Any] = answer.data
    return data


def test_a_paper_answer_is_the_same_event_as_the_online_one_but_for_the_channel(client: TestClient) -> None:
    answers = {
        "satisfaction": "比较满意",
        "opinion": "办理认真",
        "suggestions": "",
        "recommended_units": ["市商务局"],
    }
    deliver(client, registered(liu_alone()))
    deliver(client, reply_issued())
    token = link_token("wuhai-60", 1, "liu-jianfeng")
    assert open_form(client, token).status_code == 200
    assert client.post(f"/feedback/forms/{token}", json=answers).status_code == 200
    online = answered_event(client)

    with TestClient(create(FeedbackSettings(form_link_secret=SECRET), in_memory_infrastructure())) as other:
        deliver(other, registered(liu_alone()))
        deliver(other, reply_issued())
        body = answers | {"proposer_id": "liu-jianfeng"}
        assert (
            other.post("/feedback/wuhai-60/paper-answers", json=body, headers=auth(OFFICE)).status_code == 200
        )
        paper = answered_event(other)

    assert set(online) == set(paper)
    assert {k for k in online if online[k] != paper[k]} <= {"channel", "answered_at"}
    assert (online["channel"], paper["channel"]) == ("online", "paper")
    assert online["satisfaction"] == paper["satisfaction"] == "基本满意"


def test_a_proposal_recorded_before_phones_were_kept_still_loads() -> None:
    type_name, data = registry.encode(housekeeping_recorded())
    for proposer in data["proposers"]:
        del proposer["phone"]
    loaded = registry.decode(type_name, data)
    assert isinstance(loaded, ProposalRecorded) and loaded.proposers[0].phone == ""
