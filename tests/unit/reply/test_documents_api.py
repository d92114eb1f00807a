"""The documents of reply over HTTP: the 答复函 as PDF and DOCX, checked against the hash its reply
recorded, refused whole when a template field is missing, and the 面商记录表 whose paper copy comes
back as the same event as an online 面商."""

import hashlib
from typing import Any

from fastapi.testclient import TestClient

from services.reply.application.service import ReplyService
from shared.documents.settings import UnitDocuments
from tests.unit.reply.test_api import (
    BASE,
    MEMBER,
    MINZHENG,
    OFFICE,
    REPLY,
    SHANGWU,
    WEIJIAN,
    allocate,
)

LETTERS = f"{BASE}/rounds/1/letters/shangwu"
CONSULTATION: dict[str, Any] = {
    "held_on": "2025-04-09",
    "place": "市商务局会议室",
    "staff": ["慕德刚"],
    "member_opinion": "同意答复意见要点",
    "contact_phone": "18904739929",
}


def service(client: TestClient) -> ReplyService:
    found: ReplyService = client.app.state.parts.provided.get(ReplyService)  # type: ignore[attr-defined]
    return found


def replied(client: TestClient, registered: bool = True) -> dict[str, Any]:
    """市商务局 replies (the office lets it go without the co-units); the reply as GET shows it."""
    allocate(client, registered)
    client.post(f"{BASE}/override-co-opinions", json={"reason": "协办单位逾期未报"}, headers=OFFICE)
    assert client.post(f"{BASE}/reply", json=REPLY, headers=SHANGWU).status_code == 200
    reply: dict[str, Any] = client.get(BASE, headers=OFFICE).json()["rounds"][0]["leads"]["shangwu"]["reply"]
    return reply


def test_the_letter_is_served_as_the_bytes_whose_hashes_the_reply_recorded(client: TestClient) -> None:
    letter = replied(client)["letter"]
    assert letter["template"] == "reply-letter/1"
    pdf = client.get(f"{LETTERS}.pdf", headers=SHANGWU)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == letter["pdf_sha256"]
    docx = client.get(f"{LETTERS}.docx", headers=OFFICE)
    assert docx.status_code == 200
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert hashlib.sha256(docx.content).hexdigest() == letter["docx_sha256"]
    assert client.get(f"{LETTERS}.pdf", headers=MINZHENG).content == pdf.content


def test_strangers_get_403_and_a_round_without_a_reply_404(client: TestClient) -> None:
    replied(client)
    assert client.get(f"{LETTERS}.pdf", headers=WEIJIAN).status_code == 403
    assert client.get(f"{LETTERS}.docx", headers=MEMBER).status_code == 403
    missing = client.get(f"{BASE}/rounds/2/letters/shangwu.pdf", headers=OFFICE)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_a_letter_that_no_longer_matches_its_hash_is_refused_with_500(client: TestClient) -> None:
    replied(client)
    settings = service(client).documents["wuhai"]
    renamed = {"shangwu": UnitDocuments(organ="乌海市商务厅", prefix="乌商务发")}
    service(client).documents = {"wuhai": settings.model_copy(update={"units": renamed})}
    refused = client.get(f"{LETTERS}.pdf", headers=OFFICE)
    assert refused.status_code == 500
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["title"] == "Letter does not match its recorded hash"
    assert "乌商务发〔2025〕26号" in refused.json()["detail"]


def test_a_reply_whose_letter_cannot_be_made_is_refused_whole_naming_the_field(client: TestClient) -> None:
    allocate(client, registered=False)
    client.post(f"{BASE}/override-co-opinions", json={"reason": "协办单位逾期未报"}, headers=OFFICE)
    before = client.get(BASE, headers=OFFICE).json()
    no_session = client.post(f"{BASE}/reply", json=REPLY, headers=SHANGWU)
    assert no_session.status_code == 409
    assert no_session.json()["current_state"] == "AWAITING_REGISTRATION"

    settings = service(client).documents["wuhai"]
    service(client).documents = {"wuhai": settings.model_copy(update={"units": {}})}
    allocate(client)
    no_organ = client.post(f"{BASE}/reply", json=REPLY, headers=SHANGWU)
    assert no_organ.status_code == 422
    assert no_organ.json()["field"] == "organ"
    after = client.get(BASE, headers=OFFICE).json()
    assert after["leads"] == before["leads"] == {"shangwu": "READY"}
    assert after["version"] == before["version"] + 1, "only the 立案 was recorded, no reply"


def test_a_文号_without_the_unit_prefix_is_422(client: TestClient) -> None:
    allocate(client)
    client.post(f"{BASE}/override-co-opinions", json={"reason": "协办单位逾期未报"}, headers=OFFICE)
    refused = client.post(
        f"{BASE}/reply", json=REPLY | {"document_no": "乌人社发〔2025〕12号"}, headers=SHANGWU
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "document_no"


def test_the_consultation_record_is_printed_for_the_lead_and_the_office(client: TestClient) -> None:
    replied(client)
    record = client.get(f"{BASE}/consultation-records/shangwu.pdf", headers=SHANGWU)
    assert record.status_code == 200
    assert record.content.startswith(b"%PDF")
    assert client.get(f"{BASE}/consultation-records/shangwu.pdf", headers=OFFICE).status_code == 200
    assert client.get(f"{BASE}/consultation-records/shangwu.pdf", headers=WEIJIAN).status_code == 403
    assert client.get(f"{BASE}/consultation-records/minzheng.pdf", headers=OFFICE).status_code == 404


def test_a_paper_record_entered_back_is_the_same_event_as_an_online_one(client: TestClient) -> None:
    allocate(client)
    assert client.post(f"{BASE}/consultations", json=CONSULTATION, headers=SHANGWU).status_code == 200
    paper = CONSULTATION | {"channel": "paper"}
    assert client.post(f"{BASE}/consultations", json=paper, headers=SHANGWU).status_code == 200
    online, on_paper = client.get(BASE, headers=OFFICE).json()["consultations"]
    assert (online["channel"], on_paper["channel"]) == ("online", "paper")
    same = {k: v for k, v in online.items() if k not in {"channel", "recorded_at"}}
    assert {k: v for k, v in on_paper.items() if k not in {"channel", "recorded_at"}} == same
    store = client.app.state.infra.events  # type: ignore[attr-defined]
    assert client.portal is not None
    types = [r.type for r in client.portal.call(store.read_stream, "reply-proposal-p-wuhai-60")]
    assert types[-2:] == ["reply.consultation-recorded.v1", "reply.consultation-recorded.v1"]
