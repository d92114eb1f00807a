"""The reply endpoints through the composition root, on the in-memory adapters."""

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.reply.application import inbound
from services.reply.application.service import ReplyService
from services.reply.config import ReplySettings
from shared.web.identity import Identity, Role, issue_token
from tests.unit.reply.messages import cloud_event, jiazheng_allocated, jiazheng_registered
from tests.unit.reply.seeds import JIAZHENG

SETTINGS = ReplySettings()
BASE = f"/replies/{JIAZHENG}"
REPLY: dict[str, Any] = {
    "document_no": "乌商务发〔2025〕26号",
    "result_class": "A",
    "answers": [
        {"item": 1, "text": "融入智慧平台，推动家政服务业数智化。"},
        {"item": 2, "text": "融入党群服务，推动家政服务业便捷化。"},
    ],
    "signer": "李俊晶",
    "contact_person": "慕德刚",
    "contact_phone": "18904739929",
}


def auth(role: Role, unit: str | None = None, subject: str = "u1") -> dict[str, str]:
    token = issue_token(Identity(subject, role, "测试", unit), SETTINGS.signing_key())
    return {"Authorization": f"Bearer {token}"}


OFFICE = auth("office", subject="tiweihui")
SHANGWU = auth("unit_staff", "shangwu", "mudegang")
MINZHENG = auth("unit_leader", "minzheng", "minzheng-leader")
RENSHE = auth("unit_staff", "renshe", "renshe-staff")
WEIJIAN = auth("unit_staff", "weijian", "weijian-staff")
MEMBER = auth("proposer", subject="liujianfeng")


def allocate(client: TestClient, registered: bool = True) -> None:
    """Deliver 立案 (unless `registered` is False) and the allocation, as the bus would."""
    service = client.app.state.parts.provided.get(ReplyService)  # type: ignore[attr-defined]
    handlers = inbound.INBOUND.bind(service)
    assert client.portal is not None
    if registered:
        registration = cloud_event(jiazheng_registered(), "msg-reg-60", "intake")
        client.portal.call(handlers["intake.proposal-registered.v1"], registration)
    client.portal.call(
        handlers["allocation.proposal-allocated.v1"],
        cloud_event(jiazheng_allocated(), "msg-alloc-60", "allocation"),
    )


def opinion(client: TestClient, headers: dict[str, str]) -> httpx.Response:
    body = {"text": "同意主办单位意见。", "signer": "分管领导"}
    response: httpx.Response = client.post(f"{BASE}/co-opinions", json=body, headers=headers)
    return response


def test_a_reply_after_both_co_opinions_is_issued_and_shown_to_the_units_and_the_office(client):
    allocate(client)
    first = client.post(f"{BASE}/co-opinions", json={"text": "同意。", "signer": "王"}, headers=MINZHENG)
    assert first.status_code == 200
    assert first.json()["state"] == "AWAITING_CO_OPINIONS"
    assert client.post(f"{BASE}/co-opinions", json={"text": "同意。", "signer": "张"}, headers=RENSHE).json()[
        "leads"
    ] == {"shangwu": "READY"}
    replied = client.post(f"{BASE}/reply", json=REPLY, headers=SHANGWU)
    assert replied.status_code == 200
    assert replied.json() == {
        "proposal_id": JIAZHENG,
        "state": "REPLIED",
        "round": 1,
        "leads": {"shangwu": "REPLIED"},
        "version": 5,
    }
    for headers in (OFFICE, SHANGWU, MINZHENG):
        shown = client.get(BASE, headers=headers)
        assert shown.status_code == 200
    body = client.get(BASE, headers=OFFICE).json()
    assert body["rounds"][0]["leads"]["shangwu"]["reply"]["document_no"] == "乌商务发〔2025〕26号"


def test_the_office_overrides_and_later_changes_the_class(client):
    allocate(client)
    overridden = client.post(
        f"{BASE}/override-co-opinions", json={"reason": "协办单位逾期未报"}, headers=OFFICE
    )
    assert overridden.json()["state"] == "READY"
    assert client.post(f"{BASE}/reply", json=REPLY, headers=SHANGWU).status_code == 200
    changed = client.post(
        f"{BASE}/result-class", json={"new_class": "B", "reason": "补贴政策尚未出台"}, headers=OFFICE
    )
    assert changed.status_code == 200
    lead = client.get(BASE, headers=OFFICE).json()["rounds"][0]["leads"]["shangwu"]
    assert lead["result_class"] == "B" and lead["reply"]["result_class"] == "A"


def test_a_reply_before_the_co_opinions_is_409_naming_them(client):
    allocate(client)
    refused = client.post(f"{BASE}/reply", json=REPLY, headers=SHANGWU)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["current_state"] == "AWAITING_CO_OPINIONS"
    assert refused.json()["missing_co_units"] == ["minzheng", "renshe"]


def test_commands_before_the_allocation_are_409_not_allocated(client):
    refused = opinion(client, MINZHENG)
    assert refused.status_code == 409
    assert refused.json()["current_state"] == "NOT_ALLOCATED"
    assert client.get(BASE, headers=OFFICE).status_code == 404


def test_a_second_co_opinion_is_409(client):
    allocate(client)
    opinion(client, MINZHENG)
    refused = opinion(client, MINZHENG)
    assert refused.status_code == 409
    assert refused.json()["current_state"] == "CO_OPINION_SUBMITTED"


@pytest.mark.parametrize(
    ("path", "body", "headers"),
    [
        ("co-opinions", {"text": "同意。", "signer": "王"}, SHANGWU),
        ("co-opinions", {"text": "同意。", "signer": "王"}, WEIJIAN),
        ("co-opinions", {"text": "同意。", "signer": "王"}, OFFICE),
        ("reply", REPLY, MINZHENG),
        ("reply", REPLY, MEMBER),
        ("override-co-opinions", {"reason": "逾期"}, SHANGWU),
        ("result-class", {"new_class": "B", "reason": "未解决"}, SHANGWU),
        ("publication", {"form": "全文"}, SHANGWU),
        ("publication", {"form": "全文"}, MEMBER),
        ("non-publication", {"reason": "涉及个人隐私"}, SHANGWU),
        (
            "consultations",
            {
                "held_on": "2025-04-09",
                "place": "市商务局会议室",
                "staff": ["慕德刚"],
                "member_opinion": "满意",
                "contact_phone": "18904739929",
            },
            RENSHE,
        ),
    ],
)
def test_who_may_not_act_gets_403(client, path, body, headers):
    allocate(client)
    assert client.post(f"{BASE}/{path}", json=body, headers=headers).status_code == 403


def test_only_the_office_and_the_units_of_the_proposal_read_it(client):
    allocate(client)
    assert client.get(BASE, headers=RENSHE).status_code == 200
    assert client.get(BASE, headers=WEIJIAN).status_code == 403
    assert client.get(BASE, headers=MEMBER).status_code == 403


def test_an_unknown_result_class_is_422_naming_it(client):
    allocate(client)
    client.post(f"{BASE}/override-co-opinions", json={"reason": "协办单位逾期未报"}, headers=OFFICE)
    refused = client.post(f"{BASE}/reply", json=REPLY | {"result_class": "D"}, headers=SHANGWU)
    assert refused.status_code == 422
    assert refused.json()["field"] == "result_class"


def test_a_missing_answer_is_422_naming_the_item(client):
    allocate(client)
    client.post(f"{BASE}/override-co-opinions", json={"reason": "协办单位逾期未报"}, headers=OFFICE)
    refused = client.post(f"{BASE}/reply", json=REPLY | {"answers": REPLY["answers"][:1]}, headers=SHANGWU)
    assert refused.status_code == 422
    assert refused.json()["field"] == "answers" and "item 2" in refused.json()["detail"]


def test_the_lead_records_a_consultation(client):
    allocate(client)
    body = {
        "held_on": "2025-04-09",
        "place": "市商务局会议室",
        "staff": ["慕德刚"],
        "member_opinion": "满意",
        "contact_phone": "18904739929",
    }
    assert client.post(f"{BASE}/consultations", json=body, headers=SHANGWU).status_code == 200
    assert client.get(BASE, headers=OFFICE).json()["consultations"][0]["place"] == "市商务局会议室"


def test_a_repeated_request_with_the_same_idempotency_key_appends_once(client):
    allocate(client)
    headers = MINZHENG | {"Idempotency-Key": "minzheng-opinion-60"}
    first = opinion(client, headers)
    again = opinion(client, headers)
    assert first.status_code == again.status_code == 200
    assert again.json()["version"] == first.json()["version"] == 3


def reply_without_co_opinions(client: TestClient) -> None:
    allocate(client)
    client.post(f"{BASE}/override-co-opinions", json={"reason": "协办单位逾期未报"}, headers=OFFICE)
    assert client.post(f"{BASE}/reply", json=REPLY, headers=SHANGWU).status_code == 200


def test_the_office_publishes_the_full_reply_without_the_contact_phone(client):
    reply_without_co_opinions(client)
    published = client.post(f"{BASE}/publication", json={"form": "全文"}, headers=OFFICE)
    assert published.status_code == 200
    assert published.json()["state"] == "REPLIED"
    publication = client.get(BASE, headers=SHANGWU).json()["rounds"][0]["leads"]["shangwu"]["publication"]
    assert publication["state"] == "PUBLISHED" and publication["form"] == "全文"
    assert publication["text"].startswith("1. 融入智慧平台")
    assert "18904739929" not in publication["text"]


def test_a_published_summary_loses_the_phone_number_and_the_contact_fields(client):
    reply_without_co_opinions(client)
    summary = "市商务局答复：推动家政服务业数智化、便捷化。\n联系人：慕德刚\n联系电话：0473-2516244"
    body = {"form": "摘要", "text": summary, "lead_unit": "shangwu", "round": 1}
    assert client.post(f"{BASE}/publication", json=body, headers=OFFICE).status_code == 200
    publication = client.get(BASE, headers=OFFICE).json()["rounds"][0]["leads"]["shangwu"]["publication"]
    assert publication["text"] == "市商务局答复：推动家政服务业数智化、便捷化。"


def test_the_office_decides_not_to_publish_and_the_reason_is_kept(client):
    reply_without_co_opinions(client)
    decided = client.post(f"{BASE}/non-publication", json={"reason": "涉及个人隐私"}, headers=OFFICE)
    assert decided.status_code == 200
    publication = client.get(BASE, headers=OFFICE).json()["rounds"][0]["leads"]["shangwu"]["publication"]
    assert publication["state"] == "NOT_PUBLISHED" and publication["reason"] == "涉及个人隐私"
    again = client.post(f"{BASE}/publication", json={"form": "全文"}, headers=OFFICE)
    assert again.status_code == 409 and again.json()["current_state"] == "NOT_PUBLISHED"


@pytest.mark.parametrize(
    ("path", "body"),
    [("publication", {"form": "全文"}), ("non-publication", {"reason": "涉及个人隐私"})],
)
def test_a_publication_decision_before_the_reply_is_409_naming_the_state(client, path, body):
    allocate(client)
    refused = client.post(f"{BASE}/{path}", json=body, headers=OFFICE)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["current_state"] == "AWAITING_CO_OPINIONS"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("publication", {"form": "公告"}, "form"),
        ("publication", {"form": "摘要", "text": ""}, "text"),
        ("non-publication", {"reason": " "}, "reason"),
    ],
)
def test_an_unknown_form_or_an_empty_reason_is_422_naming_the_field(client, path, body, field):
    reply_without_co_opinions(client)
    refused = client.post(f"{BASE}/{path}", json=body, headers=OFFICE)
    assert refused.status_code == 422
    assert refused.json()["field"] == field
