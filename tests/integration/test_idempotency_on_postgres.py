"""An Idempotency-Key on the PostgreSQL event store: the digest of the first request is kept with its
events, the same request again answers as the first time, and the key with another body is refused."""

from typing import Any

import httpx

from services.intake.application.service import stream
from services.intake.bootstrap import create
from services.intake.config import IntakeSettings
from shared.web.identity import Identity, issue_token
from tests.integration.conftest import Stack

SETTINGS = IntakeSettings(app_env="test")
MEMBER = Identity(subject="ru-juxia", role="proposer", name="茹菊霞")
HEADERS = {
    "Authorization": f"Bearer {issue_token(MEMBER, SETTINGS.signing_key())}",
    "Idempotency-Key": "ru-juxia-2025-01",
}


def proposal(title: str) -> dict[str, Any]:
    return {
        "jurisdiction": "jincheng",
        "kind": "proposal",
        "session": "市八届政协四次会议",
        "title": title,
        "items": ["加大社区养老服务设施建设力度。", "加强专业服务人员队伍建设。"],
        "proposers": [{"id": "ru-juxia", "name": "茹菊霞", "unit": "晋城市政协", "role": "领衔"}],
    }


async def test_a_key_reused_with_another_body_is_refused_and_the_same_body_is_answered_again(
    stack: Stack,
) -> None:
    app = create(SETTINGS, stack.infra)
    elderly_care = proposal("关于加强社区养老服务体系建设的建议")
    housekeeping = proposal("关于推动家政服务业发展的提案")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as client,
    ):
        first = await client.post("/proposals", json=elderly_care, headers=HEADERS)
        again = await client.post("/proposals", json=elderly_care, headers=HEADERS)
        other = await client.post("/proposals", json=housekeeping, headers=HEADERS)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    [recorded] = await stack.events.read_stream(stream(first.json()["proposal_id"]))
    assert recorded.data["title"] == "关于加强社区养老服务体系建设的建议"
    assert len(recorded.metadata["request_sha256"]) == 64
