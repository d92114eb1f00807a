"""The edge as uvicorn serves it: a chunked 30 MB body is cut off with 413 after the first 2 MiB, a
declared one is refused unread, the pages carry the security headers, and the eleventh sign-in from
one address in a row is answered 429 with Retry-After."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.settings import ServiceSettings
from shared.web.identity import Identity, issue_token
from shared.web.ratelimit import SIGN_IN
from tests.processes import free_port_block, running, wait_healthy

NAMES = ["intake", "allocation", "reply", "feedback", "views"]
MB = 1024 * 1024
LIMIT = ServiceSettings().max_body_bytes
MEMBER = Identity(subject="ru-juxia", role="proposer", name="茹菊霞")
HEADERS = {
    "Authorization": f"Bearer {issue_token(MEMBER, ServiceSettings().signing_key())}",
    "Content-Type": "application/json",
}


@pytest.fixture(scope="module")
def urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    base = free_port_block(len(NAMES))
    found = {name: f"http://127.0.0.1:{base + i}" for i, name in enumerate(NAMES)}
    cwd: Path = tmp_path_factory.mktemp("edge")
    with running(["-m", "runtime", "--port-base", str(base)], cwd=cwd) as process:
        for url in found.values():
            wait_healthy(f"{url}/health", process)
        yield found


def test_a_chunked_30_mb_body_is_cut_off_with_413(urls: dict[str, str]) -> None:
    sent = 0

    def thirty_megabytes() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"title": "'
        while sent < 30 * MB:
            sent += 64 * 1024
            yield "养".encode() * (64 * 1024 // 3)

    answer = httpx.post(
        f"{urls['intake']}/proposals", content=thirty_megabytes(), headers=HEADERS, timeout=30
    )

    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["max_bytes"] == LIMIT
    assert sent < 30 * MB


def test_a_declared_30_mb_body_is_refused_before_it_is_read(urls: dict[str, str]) -> None:
    body = b'{"title": "' + "养".encode() * (10 * MB) + b'"}'

    answer = httpx.post(f"{urls['intake']}/proposals", content=body, headers=HEADERS, timeout=30)

    assert answer.status_code == 413
    assert answer.headers["connection"] == "close"
    assert "declared" in answer.json()["detail"]


def test_the_pages_carry_the_security_headers(urls: dict[str, str]) -> None:
    page = httpx.get(f"{urls['views']}/login")

    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["strict-transport-security"].startswith("max-age=")  # APP_ENV=test: not development


def test_the_eleventh_sign_in_in_a_row_is_refused_with_429(urls: dict[str, str]) -> None:
    form = {"role": "office", "name": "提案委工作人员"}
    browser = {"Accept": "text/html"}
    with httpx.Client(base_url=urls["views"], headers=browser) as client:
        # the page's CSRF value; its cookie is Secure outside development, so it is sent by hand here
        csrf = client.get("/login").cookies["pp_csrf"]
        sent = {"Cookie": f"pp_csrf={csrf}"}
        answers = [
            client.post("/login", data=form | {"csrf": csrf}, headers=sent) for _ in range(SIGN_IN.burst + 1)
        ]

    assert [a.status_code for a in answers[:-1]] == [303] * SIGN_IN.burst
    refused = answers[-1]
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "操作过于频繁" in refused.text
