"""Every operation of every service, fed generated requests by several callers, answers no 5xx; every
error it does answer is RFC 9457 problem+json with a `status` and a `title`, and every success matches
the media type and the schema its OpenAPI documents."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from runtime.catalog import CATALOG
from shared.adapters.infrastructure import Infrastructure
from shared.testing.infrastructure import in_memory_infrastructure
from shared.web.identity import Identity, issue_token
from shared.web.keys import SigningKey
from shared.web.problems import PROBLEM
from tests.fuzz.budget import fuzz_settings

SERVICES = ["intake", "allocation", "reply", "feedback", "views"]

CALLERS = {
    "office": Identity(subject="tiwei-wang", role="office", name="晋城市政协提案委"),
    "unit_staff of minzheng": Identity(
        subject="sun-xuebin", role="unit_staff", name="孙雪斌", unit="minzheng"
    ),
    "unit_leader of minzheng": Identity(subject="li-hong", role="unit_leader", name="李红", unit="minzheng"),
    "proposer": Identity(subject="ru-juxia", role="proposer", name="茹菊霞"),
}
ANONYMOUS = ["no token", "a forged token"]

ELDERLY_CARE: dict[str, Any] = {
    "jurisdiction": "jincheng",
    "kind": "proposal",
    "session": "市八届政协四次会议",
    "title": "关于加强社区养老服务体系建设的建议",
    "items": ["加大社区养老服务设施建设力度。", "加强专业服务人员队伍建设。"],
    "proposers": [
        {"id": "ru-juxia", "name": "茹菊霞", "unit": "晋城市政协", "phone": "15834218688", "role": "领衔"},
        {"id": "zhang-min", "name": "张敏", "unit": "晋城市政协", "role": "联名"},
    ],
    "channel": "online",
}


@dataclass(frozen=True)
class Target:
    app: FastAPI
    headers: dict[str, dict[str, str]]
    """Caller → the headers it sends."""
    proposal_ids: list[str]
    """Ids of items that exist, so that generated commands reach the rules, not only the 404."""


def in_memory() -> Infrastructure:
    return in_memory_infrastructure()


@pytest.fixture(params=SERVICES)
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    entry = CATALOG[request.param]
    settings = entry.settings()
    secret = settings.signing_key()
    headers = {who: {"Authorization": f"Bearer {issue_token(i, secret)}"} for who, i in CALLERS.items()}
    headers["no token"] = {}
    forger = SigningKey(secret.kid, SigningKey.generate().private)
    headers["a forged token"] = {"Authorization": f"Bearer {issue_token(CALLERS['office'], forger)}"}
    app = entry.create(settings, in_memory())
    # schemathesis' own ASGI client: the app's lifespan runs on the one event loop its requests use
    with asgi.get_client(cast(Any, app)) as client:
        ids = seed(request.param, client, headers)
    try:
        yield Target(app, headers, ids)
    finally:
        asgi.shutdown_lifespans()


def seed(service: str, client: asgi.ASGIClient, headers: dict[str, dict[str, str]]) -> list[str]:
    """Intake gets a submitted and a registered joint proposal; the others start empty."""
    if service != "intake":
        return []
    ids = []
    for _ in range(2):
        answer = client.post("/proposals", json=ELDERLY_CARE, headers=headers["proposer"])
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["proposal_id"])
    office = headers["office"]
    assert client.post(f"/proposals/{ids[1]}/review", json={}, headers=office).status_code == 200
    registered = client.post(
        f"/proposals/{ids[1]}/register", json={"number": "254", "category": "社会建设"}, headers=office
    )
    assert registered.status_code == 200, registered.text
    return ids


def problems_of(status: int, content_type: str, body: Any) -> list[str]:
    """What is wrong with one answer; nothing when it is a success or a proper problem+json."""
    if status >= 500:
        return [f"answered {status}"]
    if status < 400:
        return []
    found = []
    if content_type.split(";")[0].strip() != PROBLEM:
        found.append(f"{status} answered as {content_type!r}, not {PROBLEM}")
    if not isinstance(body, dict) or not isinstance(body.get("title"), str) or body.get("status") != status:
        found.append(f"{status} without a title and a matching status: {body!r}")
    return found


def undocumented(case: Any, response: Any) -> list[str]:
    """How a success differs from what the OpenAPI documents for it: its media type or its schema."""
    if not 200 <= response.status_code < 300:
        return []
    try:
        case.validate_response(response, checks=[content_type_conformance, response_schema_conformance])
    except FailureGroup as failed:
        return [
            f"{response.status_code} is not as documented: {f.title}: {f.message}" for f in failed.exceptions
        ]
    return []


def content_type(response: Any) -> str:
    """schemathesis' responses keep every header as a list of values."""
    values = {k.lower(): v for k, v in response.headers.items()}.get("content-type") or [""]
    return str(values[0])


def json_or_text(response: Any) -> Any:
    """The JSON body, else the text; a binary answer (a spreadsheet, a PDF) read leniently."""
    try:
        return response.json()
    except ValueError:
        return response.content.decode("utf-8", errors="replace")


def test_no_operation_answers_a_server_error_or_an_error_that_is_not_problem_json(target: Target) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", target.app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"an operation schemathesis cannot read: {result.err()}")
            continue
        operation = result.ok()
        failure = fuzz_operation(operation, target)
        if failure:
            failures.append(failure)
    assert not failures, "\n\n".join(failures)


def fuzz_operation(operation: Any, target: Target) -> str | None:
    """Fuzz one operation, valid and invalid requests, by every caller; the first failure, shrunk."""
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    names = {p.name for p in operation.path_parameters}
    if "proposal_id" in names:
        strategies += [
            operation.as_strategy(path_parameters={"proposal_id": known}) for known in target.proposal_ids
        ]
    seen: list[str] = []

    @fuzz_settings()
    @given(case=st.one_of(strategies), caller=st.sampled_from(list(target.headers)))
    def fuzz(case: Any, caller: str) -> None:
        response = case.call(headers=target.headers[caller])
        body = json_or_text(response)
        found = problems_of(response.status_code, content_type(response), body) + undocumented(case, response)
        if found:
            seen[:] = [
                f"{operation.method.upper()} {operation.path} as {caller}: {'; '.join(found)}\n"
                f"  reproduce: {case.as_curl_command(headers=target.headers[caller])}"
            ]
        assert not found, seen[0]

    try:
        fuzz()
    except AssertionError:
        return seen[0] if seen else f"{operation.method.upper()} {operation.path}: failed"
    return None
