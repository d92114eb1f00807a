"""Signed tokens carry who is calling; a bad or missing one gets 401 problem+json."""

from datetime import timedelta

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from shared.kernel.decider import Forbidden, NotAllowedInState
from shared.settings import DEVELOPMENT_SECRET, ServiceSettings
from shared.web import problems
from shared.web.identity import Caller, Identity, InvalidToken, issue_token, read_token
from tools.tokens import main as issue

SECRET = "a-test-secret-that-is-long-enough-000000"


def test_a_token_round_trips_the_identity() -> None:
    staff = Identity(subject="sun-xuebin", role="unit_staff", name="孙雪斌", unit="minzheng")
    assert read_token(issue_token(staff, SECRET), SECRET) == staff


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = issue_token(Identity(subject="liu", role="proposer", name="刘建峰"), "x" * 40)
    with pytest.raises(InvalidToken):
        read_token(token, SECRET)


def test_an_expired_token_is_refused() -> None:
    token = issue_token(Identity(subject="office", role="office"), SECRET, timedelta(seconds=-1))
    with pytest.raises(InvalidToken, match="expired"):
        read_token(token, SECRET)


def test_a_unit_role_without_a_unit_is_refused() -> None:
    token = issue_token(Identity(subject="x", role="unit_leader"), SECRET)
    with pytest.raises(InvalidToken, match="unit"):
        read_token(token, SECRET)


def test_the_tokens_command_issues_a_token_the_services_accept() -> None:
    token = issue(["--role", "unit_staff", "--unit", "shangwu", "--name", "张伟"])
    assert read_token(token, DEVELOPMENT_SECRET) == Identity(
        subject="张伟", role="unit_staff", name="张伟", unit="shangwu"
    )


class Reply(BaseModel):
    title: str = Field(min_length=1)


def app() -> FastAPI:
    application = FastAPI()
    application.state.settings = ServiceSettings(token_secret=SECRET)
    problems.install(application)
    router = APIRouter()

    @router.post("/replies")
    def reply(body: Reply, caller: Caller) -> dict[str, str]:
        if not caller.acts_for("shangwu"):
            raise Forbidden("only the lead unit 市商务局 may reply")
        raise NotAllowedInState("reply", "PENDING_RECEIPT")

    application.include_router(router)
    return application


def test_errors_are_problem_json_naming_the_rule() -> None:
    client = TestClient(app())
    staff = issue_token(Identity(subject="zhang", role="unit_staff", unit="shangwu"), SECRET)
    other = issue_token(Identity(subject="sun", role="unit_staff", unit="minzheng"), SECRET)

    missing = client.post("/replies", json={"title": "答复"})
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"

    invalid = client.post("/replies", json={"title": ""}, headers={"Authorization": f"Bearer {staff}"})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "title"

    forbidden = client.post("/replies", json={"title": "答复"}, headers={"Authorization": f"Bearer {other}"})
    assert forbidden.status_code == 403

    conflict = client.post("/replies", json={"title": "答复"}, headers={"Authorization": f"Bearer {staff}"})
    assert conflict.status_code == 409
    assert conflict.json()["current_state"] == "PENDING_RECEIPT"
