"""The feedback service over HTTP: the link answers without login, the office enters paper forms."""

import hashlib
import hmac
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from services.feedback.application.inbound import INBOUND
from services.feedback.application.service import ArrivedEarly, FeedbackService
from services.intake.contracts import ItemV1, ProposalRegisteredV1, ProposerV1
from services.reply.contracts import AnswerV1, ReplyIssuedV1
from shared.adapters.bus import Malformed
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.contracts import IntegrationEvent
from shared.web.identity import Identity, issue_token
from shared.web.keys import SigningKey
from tests.unit.feedback.data import HOUSEKEEPING, SECRET

OFFICE = Identity("office-wuhai", "office", "市政协提案委")
LIU = Identity("liu-jianfeng", "proposer", "刘建峰")
RU = Identity("ru-juxia", "proposer", "茹菊霞")
SHANGWU = Identity("mu-degang", "unit_staff", "慕德刚", "shangwu")


def link_token(proposal_id: str, round_: int, proposer_id: str) -> str:
    """Built the way the inbound handler builds it: HMAC-SHA256 of proposal/round/proposer."""
    message = f"{proposal_id}/{round_}/{proposer_id}".encode()
    return hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()


def envelope(event: IntegrationEvent, source: str) -> CloudEvent:
    return CloudEvent(
        id=str(uuid.uuid4()),
        source=source,
        type=event.type_name,
        time=datetime.now(UTC),
        data=event.model_dump(mode="json"),
        correlationid="wuhai-60",
    )


def registered(proposers: list[ProposerV1]) -> CloudEvent:
    event = ProposalRegisteredV1(
        proposal_id="wuhai-60",
        jurisdiction="wuhai",
        kind="proposal",
        session="市政协十届四次会议",
        number="60",
        title=HOUSEKEEPING,
        category="经济建设",
        items=[ItemV1(number=1, text="引导家政服务业充分融入社区生态体系")],
        proposers=proposers,
        registered_at=datetime(2025, 2, 20, 9, 0, tzinfo=UTC),
    )
    return envelope(event, "/proposals/intake")


def reply_issued(result_class: str = "A", promise: str = "") -> CloudEvent:
    event = ReplyIssuedV1(
        proposal_id="wuhai-60",
        round=1,
        lead_unit="shangwu",
        lead_units=["shangwu"],
        document_no="乌商务发〔2025〕26号",
        result_class=result_class,
        answers=[AnswerV1(item=1, text="融入智慧平台，推动家政服务业数智化")],
        signer="李俊晶",
        contact_person="慕德刚",
        contact_phone="18904739929",
        promise=promise,
        issued_at=datetime(2025, 5, 20, 2, 0, tzinfo=UTC),
    )
    return envelope(event, "/proposals/reply")


def service(client: TestClient) -> FeedbackService:
    found: FeedbackService = client.app.state.parts.provided.get(FeedbackService)  # type: ignore[attr-defined]
    return found


def deliver(client: TestClient, event: CloudEvent) -> None:
    handlers = INBOUND.bind(service(client))
    assert client.portal is not None
    client.portal.call(handlers[event.type], event)


def auth(identity: Identity) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(identity, SigningKey.development())}"}


def open_form(client: TestClient, token: str, deadline: float = 5.0) -> httpx.Response:
    """The form, once the link index has caught up with the events (or the deadline passed)."""
    end = time.monotonic() + deadline
    while True:
        response: httpx.Response = client.get(f"/feedback/forms/{token}")
        if response.status_code != 404 or time.monotonic() > end:
            return response
        time.sleep(0.01)


def liu_alone() -> list[ProposerV1]:
    return [ProposerV1(id="liu-jianfeng", name="刘建峰", phone="15144738888")]


def liu_and_ru() -> list[ProposerV1]:
    return [*liu_alone(), ProposerV1(id="ru-juxia", name="茹菊霞", role="联名")]


def stream_types(client: TestClient) -> list[str]:
    store = client.app.state.infra.events  # type: ignore[attr-defined]
    assert client.portal is not None
    recorded = client.portal.call(store.read_stream, "feedback-proposal-wuhai-60")
    return [r.type for r in recorded]


def test_the_proposer_answers_through_the_link_and_the_proposal_is_closed(client: TestClient) -> None:
    deliver(client, registered(liu_alone()))
    deliver(client, reply_issued())
    token = link_token("wuhai-60", 1, "liu-jianfeng")

    form = open_form(client, token)
    assert form.status_code == 200
    assert form.json() == {
        "proposal_id": "wuhai-60",
        "number": "60",
        "title": HOUSEKEEPING,
        "proposer_name": "刘建峰",
        "round": 1,
        "due": "2025-06-11",
        "satisfaction_labels": ["满意", "基本满意", "不满意"],
        "open": True,
    }
    answered = client.post(
        f"/feedback/forms/{token}", json={"satisfaction": "满意", "recommended_units": ["市商务局"]}
    )
    assert answered.status_code == 200
    assert answered.json() == {"proposal_id": "wuhai-60", "state": "CLOSED", "round": 1, "version": 5}
    assert stream_types(client)[-2:] == ["feedback.feedback-answered.v1", "feedback.proposal-closed.v1"]

    again = client.post(f"/feedback/forms/{token}", json={"satisfaction": "满意"})
    assert again.status_code == 409
    assert again.json()["current_state"] == "CLOSED"
    assert client.get(f"/feedback/forms/{token}").json()["open"] is False


def test_a_second_answer_while_the_co_signer_has_not_answered_is_refused(client: TestClient) -> None:
    deliver(client, registered(liu_and_ru()))
    deliver(client, reply_issued())
    token = link_token("wuhai-60", 1, "liu-jianfeng")
    assert open_form(client, token).status_code == 200

    first = client.post(f"/feedback/forms/{token}", json={"satisfaction": "比较满意"})
    assert first.json()["state"] == "AWAITING_FEEDBACK"
    second = client.post(f"/feedback/forms/{token}", json={"satisfaction": "满意"})
    assert second.status_code == 409
    assert second.json()["current_state"] == "AWAITING_FEEDBACK"


def test_an_unknown_link_is_not_found(client: TestClient) -> None:
    deliver(client, registered(liu_alone()))
    deliver(client, reply_issued())
    guessed = link_token("wuhai-60", 1, "someone-else")
    assert client.get(f"/feedback/forms/{guessed}").status_code == 404
    assert client.post(f"/feedback/forms/{guessed}", json={"satisfaction": "满意"}).status_code == 404


def test_bad_answers_are_refused_naming_the_field(client: TestClient) -> None:
    deliver(client, registered(liu_alone()))
    deliver(client, reply_issued())
    token = link_token("wuhai-60", 1, "liu-jianfeng")
    assert open_form(client, token).status_code == 200

    unknown = client.post(f"/feedback/forms/{token}", json={"satisfaction": "非常满意"})
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "satisfaction"
    empty = client.post(f"/feedback/forms/{token}", json={"satisfaction": ""})
    assert empty.status_code == 422
    assert [e["field"] for e in empty.json()["errors"]] == ["satisfaction"]
    unit = client.post(
        f"/feedback/forms/{token}", json={"satisfaction": "满意", "recommended_units": ["市外星局"]}
    )
    assert unit.status_code == 422
    assert unit.json()["field"] == "recommended_units"


def test_the_feedback_is_shown_to_the_office_and_the_proposers_only(client: TestClient) -> None:
    deliver(client, registered(liu_alone()))
    deliver(client, reply_issued())

    office = client.get("/feedback/wuhai-60", headers=auth(OFFICE))
    assert office.status_code == 200
    assert office.json()["state"] == "AWAITING_FEEDBACK"
    assert office.json()["forms"][0]["token"] == link_token("wuhai-60", 1, "liu-jianfeng")
    proposer = client.get("/feedback/wuhai-60", headers=auth(LIU))
    assert proposer.status_code == 200
    assert proposer.json()["forms"][0]["token"] is None
    assert client.get("/feedback/wuhai-60", headers=auth(RU)).status_code == 403
    assert client.get("/feedback/wuhai-60", headers=auth(SHANGWU)).status_code == 403
    assert client.get("/feedback/wuhai-61", headers=auth(OFFICE)).status_code == 404


def test_the_office_enters_a_paper_form_and_an_unsatisfied_answer_starts_round_two(
    client: TestClient,
) -> None:
    deliver(client, registered(liu_alone()))
    deliver(client, reply_issued())
    paper = {"proposer_id": "liu-jianfeng", "satisfaction": "不满意", "opinion": "月嫂培训补贴没有落实"}

    refused = client.post("/feedback/wuhai-60/paper-answers", json=paper, headers=auth(SHANGWU))
    assert refused.status_code == 403
    entered = client.post("/feedback/wuhai-60/paper-answers", json=paper, headers=auth(OFFICE))
    assert entered.status_code == 200
    assert entered.json()["state"] == "REHANDLING"
    assert entered.json()["round"] == 2
    assert stream_types(client)[-2:] == ["feedback.feedback-answered.v1", "feedback.rehandling-requested.v1"]

    late = client.post("/feedback/wuhai-60/paper-answers", json=paper, headers=auth(OFFICE))
    assert late.status_code == 409
    assert late.json()["current_state"] == "REHANDLING"


def test_a_redelivered_message_has_one_effect(client: TestClient) -> None:
    proposal, reply = registered(liu_alone()), reply_issued()
    for event in (proposal, proposal, reply, reply):
        deliver(client, event)
    assert stream_types(client) == [
        "feedback.proposal-recorded.v1",
        "feedback.reply-recorded.v1",
        "feedback.feedback-requested.v1",
    ]


def test_a_message_that_is_not_the_contract_or_breaks_a_rule_is_dead_lettered(client: TestClient) -> None:
    broken = registered(liu_alone()).model_copy(update={"data": {"proposal_id": "wuhai-60"}})
    with pytest.raises(Malformed):
        deliver(client, broken)
    deliver(client, registered(liu_alone()))
    with pytest.raises(Malformed, match="result_class"):
        deliver(client, reply_issued(result_class="D"))


def test_a_reply_that_overtakes_its_proposal_is_given_back_for_later_not_dead_lettered(
    client: TestClient,
) -> None:
    with pytest.raises(ArrivedEarly):
        deliver(client, reply_issued())
    assert stream_types(client) == []
    deliver(client, registered(liu_alone()))
    deliver(client, reply_issued())
    assert stream_types(client)[-1] == "feedback.feedback-requested.v1"
