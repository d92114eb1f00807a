"""Intake over HTTP: who may do what, and the answers 2xx, 403, 404, 409 and 422 name what went wrong."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.intake.application.service import stream
from services.intake.bootstrap import create
from services.intake.config import IntakeSettings
from shared.adapters.bus.inbox import InMemoryInbox
from shared.adapters.bus.inprocess import InProcessBus
from shared.adapters.eventstore.memory import InMemoryEventStore
from shared.adapters.infrastructure import Infrastructure
from shared.adapters.readstore.memory import InMemoryReadStore
from shared.web.identity import Identity, issue_token

SETTINGS = IntakeSettings(app_env="test")
SECRET = SETTINGS.signing_key()

OFFICE = Identity(subject="tiwei-wang", role="office", name="晋城市政协提案委")
RU_JUXIA = Identity(subject="ru-juxia", role="proposer", name="茹菊霞")
ZHANG_MIN = Identity(subject="zhang-min", role="proposer", name="张敏")
LIU_JIANFENG = Identity(subject="liu-jianfeng", role="proposer", name="刘建峰")
MINZHENG = Identity(subject="sun-xuebin", role="unit_staff", name="孙雪斌", unit="minzheng")

ITEMS = [
    "加大社区养老服务设施建设力度。",
    "加强专业服务人员队伍建设。",
    "丰富社区养老服务内容。",
    "拓宽资金投入渠道。",
    "建立健全社区养老服务监督管理机制。",
]


def proposal(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "jurisdiction": "jincheng",
        "kind": "proposal",
        "session": "市八届政协四次会议",
        "title": "关于加强社区养老服务体系建设的建议",
        "items": ITEMS,
        "proposers": [
            {"id": "ru-juxia", "name": "茹菊霞", "unit": "晋城市政协", "phone": "15834218688", "role": "领衔"}
        ],
        "channel": "online",
    }
    body.update(changes)
    return body


JOINT = [
    {"id": "ru-juxia", "name": "茹菊霞", "unit": "晋城市政协", "phone": "15834218688", "role": "领衔"},
    {"id": "zhang-min", "name": "张敏", "unit": "晋城市政协", "role": "联名"},
]


class Api:
    def __init__(self, client: TestClient, store: InMemoryEventStore) -> None:
        self.client = client
        self.store = store

    def post(
        self, path: str, who: Identity, body: dict[str, Any] | None = None, key: str | None = None
    ) -> Any:
        headers = {"Authorization": f"Bearer {issue_token(who, SECRET)}"}
        if key:
            headers["Idempotency-Key"] = key
        return self.client.post(path, json=body or {}, headers=headers)

    def get(self, path: str, who: Identity) -> Any:
        return self.client.get(path, headers={"Authorization": f"Bearer {issue_token(who, SECRET)}"})

    def submit(self, who: Identity = RU_JUXIA, **changes: Any) -> str:
        answer = self.post("/proposals", who, proposal(**changes))
        assert answer.status_code == 201, answer.json()
        proposal_id: str = answer.json()["proposal_id"]
        return proposal_id

    def under_review(self, **changes: Any) -> str:
        proposal_id = self.submit(**changes)
        assert self.post(f"/proposals/{proposal_id}/review", OFFICE).status_code == 200
        return proposal_id

    def stream_length(self, proposal_id: str) -> int:
        return len(asyncio.run(self.store.read_stream(stream(proposal_id))))


@pytest.fixture
def api() -> Iterator[Api]:
    store = InMemoryEventStore()
    infra = Infrastructure(store, InProcessBus(), InMemoryReadStore(), InMemoryInbox())
    with TestClient(create(SETTINGS, infra)) as client:
        yield Api(client, store)


def test_a_proposer_submits_a_proposal_and_reads_it_back(api: Api) -> None:
    answer = api.post("/proposals", RU_JUXIA, proposal())
    assert answer.status_code == 201
    body = answer.json()
    assert body["state"] == "SUBMITTED" and body["version"] == 1
    read = api.get(f"/proposals/{body['proposal_id']}", RU_JUXIA).json()
    assert read["title"] == "关于加强社区养老服务体系建设的建议"
    assert [i["number"] for i in read["items"]] == [1, 2, 3, 4, 5]
    assert read["submitted_by"] == "ru-juxia"


def test_the_office_enters_a_paper_proposal_for_a_member(api: Api) -> None:
    answer = api.post("/proposals", OFFICE, proposal(channel="paper"))
    assert answer.status_code == 201
    assert api.get(f"/proposals/{answer.json()['proposal_id']}", RU_JUXIA).json()["channel"] == "paper"


def test_a_repeated_submission_with_the_same_idempotency_key_appends_nothing(api: Api) -> None:
    first = api.post("/proposals", RU_JUXIA, proposal(), key="ru-juxia-2025-01")
    again = api.post("/proposals", RU_JUXIA, proposal(), key="ru-juxia-2025-01")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert api.stream_length(first.json()["proposal_id"]) == 1


@pytest.mark.parametrize(
    "who", [LIU_JIANFENG, MINZHENG], ids=["a proposer not named on it", "a handling unit"]
)
def test_only_its_proposers_or_the_office_submit_a_proposal(api: Api, who: Identity) -> None:
    assert api.post("/proposals", who, proposal()).status_code == 403


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"jurisdiction": "taiyuan"}, "jurisdiction"),
        ({"items": []}, "items"),
        ({"items": ["加大社区养老服务设施建设力度。", ""]}, "items"),
        ({"proposers": [*JOINT, {"id": "li-hua", "name": "李华", "role": "领衔"}]}, "proposers"),
    ],
)
def test_a_submission_breaking_a_rule_is_422_naming_the_field(
    api: Api, changes: dict[str, Any], field: str
) -> None:
    answer = api.post("/proposals", OFFICE, proposal(**changes))
    assert answer.status_code == 422
    assert answer.json()["field"] == field


def test_a_malformed_submission_is_422_naming_the_field(api: Api) -> None:
    answer = api.post("/proposals", OFFICE, proposal(kind="letter"))
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["kind"]


def test_the_office_reviews_and_registers_a_proposal(api: Api) -> None:
    proposal_id = api.submit()
    review = api.post(f"/proposals/{proposal_id}/review", OFFICE)
    assert review.json() == {"proposal_id": proposal_id, "state": "UNDER_REVIEW", "version": 2}
    answer = api.post(f"/proposals/{proposal_id}/register", OFFICE, {"number": "254", "category": "社会建设"})
    assert answer.status_code == 200 and answer.json()["state"] == "REGISTERED"
    read = api.get(f"/proposals/{proposal_id}", OFFICE).json()
    assert read["details"] == {"number": "254", "category": "社会建设"} and read["version"] == 3


def test_registering_a_proposal_not_yet_under_review_is_409_naming_its_state(api: Api) -> None:
    proposal_id = api.submit()
    answer = api.post(f"/proposals/{proposal_id}/register", OFFICE, {"number": "254", "category": "社会建设"})
    assert answer.status_code == 409
    assert answer.json()["current_state"] == "SUBMITTED"


@pytest.mark.parametrize("action", ["review", "register", "not-register", "merge", "return"])
def test_review_decisions_are_for_the_office_only(api: Api, action: str) -> None:
    proposal_id = api.submit()
    body = {"number": "254", "category": "社会建设", "reason": "empty_content", "into": proposal_id}
    assert api.post(f"/proposals/{proposal_id}/{action}", RU_JUXIA, body).status_code == 403


def test_a_command_on_an_unknown_proposal_is_404(api: Api) -> None:
    assert api.post("/proposals/no-such-proposal/review", OFFICE).status_code == 404
    assert api.post("/proposals/no-such-proposal/withdraw", RU_JUXIA).status_code == 404
    assert api.get("/proposals/no-such-proposal", OFFICE).status_code == 404


@pytest.mark.parametrize("who", [LIU_JIANFENG, MINZHENG], ids=["another proposer", "a handling unit"])
def test_a_proposal_is_read_only_by_the_office_and_its_proposers(api: Api, who: Identity) -> None:
    proposal_id = api.submit()
    assert api.get(f"/proposals/{proposal_id}", who).status_code == 403


def test_not_registering_takes_a_reason_from_the_policy(api: Api) -> None:
    proposal_id = api.under_review()
    unknown = api.post(f"/proposals/{proposal_id}/not-register", OFFICE, {"reason": "too long"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "reason"
    body = {"reason": "empty_content", "converted_to": "意见建议"}
    answer = api.post(f"/proposals/{proposal_id}/not-register", OFFICE, body)
    assert answer.json()["state"] == "NOT_REGISTERED"
    details = api.get(f"/proposals/{proposal_id}", RU_JUXIA).json()["details"]
    assert details == {"reason": "empty_content", "converted_to": "意见建议"}


def test_merging_keeps_the_proposers_on_the_target_once_even_when_repeated(api: Api) -> None:
    target = api.under_review(proposers=JOINT)
    merged = api.under_review()
    first = api.post(f"/proposals/{merged}/merge", OFFICE, {"into": target}, key="merge-254")
    again = api.post(f"/proposals/{merged}/merge", OFFICE, {"into": target}, key="merge-254")
    assert first.json()["state"] == "MERGED" and again.json() == first.json()
    read = api.get(f"/proposals/{target}", OFFICE).json()
    assert [p["id"] for p in read["proposers"]] == ["ru-juxia", "zhang-min"]
    assert api.stream_length(target) == 3
    assert api.get(f"/proposals/{merged}", RU_JUXIA).json()["details"] == {"into": target}


def test_a_merge_into_a_proposal_that_does_not_exist_is_422_naming_into(api: Api) -> None:
    proposal_id = api.under_review()
    answer = api.post(f"/proposals/{proposal_id}/merge", OFFICE, {"into": "no-such-proposal"})
    assert answer.status_code == 422 and answer.json()["field"] == "into"


def test_a_returned_proposal_is_resubmitted_by_its_lead_only(api: Api) -> None:
    proposal_id = api.under_review(proposers=JOINT)
    returned = api.post(f"/proposals/{proposal_id}/return", OFFICE, {"reason": "建议内容需具体到措施"})
    assert returned.json()["state"] == "RETURNED_FOR_REVISION"
    new_title = {"title": "关于加强社区嵌入式养老服务设施建设的建议"}
    assert api.post(f"/proposals/{proposal_id}/resubmit", ZHANG_MIN, new_title).status_code == 403
    answer = api.post(f"/proposals/{proposal_id}/resubmit", RU_JUXIA, new_title)
    assert answer.json()["state"] == "UNDER_REVIEW"
    assert api.get(f"/proposals/{proposal_id}", ZHANG_MIN).json()["title"] == new_title["title"]


def test_a_joint_proposal_is_withdrawn_only_with_every_signature(api: Api) -> None:
    proposal_id = api.submit(proposers=JOINT)
    refused = api.post(f"/proposals/{proposal_id}/withdraw", RU_JUXIA, {"reason": "已通过其他渠道反映"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "signed_by" and refused.json()["missing"] == ["zhang-min"]
    assert api.post(f"/proposals/{proposal_id}/withdraw", LIU_JIANFENG).status_code == 403
    body = {"reason": "已通过其他渠道反映", "signed_by": ["zhang-min"]}
    answer = api.post(f"/proposals/{proposal_id}/withdraw", RU_JUXIA, body)
    assert answer.json()["state"] == "WITHDRAWN"
