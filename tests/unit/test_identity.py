"""Signed tokens carry who is calling; a bad or missing one gets 401 problem+json."""

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError

from runtime.keys import main as keys_command
from services.feedback.config import FeedbackSettings
from shared.kernel.decider import Forbidden, NotAllowedInState
from shared.settings import ServiceSettings
from shared.web import problems
from shared.web.identity import Caller, Identity, InvalidToken, issue_token, read_token, verify
from shared.web.keys import DEVELOPMENT_KID, KeyProblem, KeySet, SigningKey, TokenKeys
from tools.tokens import main as issue


def production(**settings: Any) -> ServiceSettings:
    """Settings of a production service on real servers, with `settings` on top."""
    servers = {
        "eventstore_url": "postgresql://db/p",
        "bus_url": "amqp://mq/",
        "readstore_url": "redis://svc:pw@c/0",
    }
    return ServiceSettings(app_env="production", **(servers | settings))


KEY = SigningKey.generate()
KEYS = KeySet.of(KEY)
STAFF = Identity(subject="sun-xuebin", role="unit_staff", name="孙雪斌", unit="minzheng")


def test_a_token_round_trips_the_identity() -> None:
    assert read_token(issue_token(STAFF, KEY), KEYS) == STAFF


def test_a_token_names_its_key_and_is_signed_with_eddsa() -> None:
    header = jwt.get_unverified_header(issue_token(STAFF, KEY))
    assert header == {"alg": "EdDSA", "kid": KEY.kid, "typ": "JWT"}


def test_a_token_signed_with_another_key_of_the_same_kid_is_refused() -> None:
    forged = issue_token(STAFF, SigningKey(KEY.kid, SigningKey.generate().private))
    with pytest.raises(InvalidToken, match="Signature"):
        read_token(forged, KEYS)


def test_a_token_of_an_unknown_key_is_refused() -> None:
    with pytest.raises(InvalidToken, match="unknown signing key"):
        read_token(issue_token(STAFF, SigningKey.generate()), KEYS)


def test_a_shared_secret_token_is_refused_even_when_keyed_with_the_public_key() -> None:
    """The classic algorithm confusion: HS256 with the public key's bytes as the secret."""
    public = KEY.jwk()["x"].encode()
    confused = jwt.encode({"sub": "x", "role": "office", "exp": 2**40}, public, "HS256", {"kid": KEY.kid})
    with pytest.raises(InvalidToken, match="EdDSA"):
        read_token(confused, KEYS)


def test_a_token_of_another_issuer_or_audience_is_refused() -> None:
    claims = {"sub": "x", "role": "office", "exp": 2**40, "iss": "elsewhere", "aud": "proposals-platform"}
    other_issuer = jwt.encode(claims, KEY.private, "EdDSA", {"kid": KEY.kid})
    with pytest.raises(InvalidToken, match=r"(?i)issuer"):
        read_token(other_issuer, KEYS)
    other_audience = jwt.encode(
        claims | {"iss": "proposals-platform", "aud": "x"}, KEY.private, "EdDSA", {"kid": KEY.kid}
    )
    with pytest.raises(InvalidToken, match=r"(?i)audience"):
        read_token(other_audience, KEYS)


def test_an_expired_token_is_refused() -> None:
    token = issue_token(Identity(subject="office", role="office"), KEY, timedelta(seconds=-1))
    with pytest.raises(InvalidToken, match="expired"):
        read_token(token, KEYS)


def test_a_unit_role_without_a_unit_is_refused() -> None:
    token = issue_token(Identity(subject="x", role="unit_leader"), KEY)
    with pytest.raises(InvalidToken, match="unit"):
        read_token(token, KEYS)


def test_the_tokens_command_issues_a_token_the_services_accept() -> None:
    token = issue(["--role", "unit_staff", "--unit", "shangwu", "--name", "张伟"])
    assert read_token(token, ServiceSettings().token_keys()) == Identity(
        subject="张伟", role="unit_staff", name="张伟", unit="shangwu"
    )


def test_during_a_rotation_tokens_of_the_old_and_the_new_key_are_accepted(tmp_path: Path) -> None:
    old, new = SigningKey.generate(), SigningKey.generate()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(KeySet.of(new, old).jwks()), encoding="utf-8")
    keys = ServiceSettings(token_jwks=str(jwks)).token_keys()
    assert read_token(issue_token(STAFF, old), keys) == read_token(issue_token(STAFF, new), keys) == STAFF
    jwks.write_text(json.dumps(KeySet.of(new).jwks()), encoding="utf-8")
    after = ServiceSettings(token_jwks=str(jwks)).token_keys()
    with pytest.raises(InvalidToken, match="unknown signing key"):
        read_token(issue_token(STAFF, old), after)


def test_a_signing_key_round_trips_through_pem() -> None:
    again = SigningKey.from_pem(KEY.pem())
    assert again.kid == KEY.kid
    assert read_token(issue_token(STAFF, again), KEYS) == STAFF
    assert SigningKey.from_pem(SigningKey.development().pem()).kid == DEVELOPMENT_KID


def test_production_refuses_the_development_token_key(tmp_path: Path) -> None:
    strong = "f" * 40
    with pytest.raises(ValidationError, match="TOKEN_JWKS"):
        production(form_link_secret=strong)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(KeySet.of(SigningKey.development()).jwks()), encoding="utf-8")
    with pytest.raises(KeyProblem, match="development key"):
        production(form_link_secret=strong, token_jwks=str(jwks)).token_keys()
    with pytest.raises(KeyProblem, match="TOKEN_SIGNING_KEY_FILE"):
        production(form_link_secret=strong, token_jwks=str(jwks)).signing_key()


def test_production_refuses_the_development_form_link_secret() -> None:
    servers = {
        "eventstore_url": "postgresql://db/p",
        "bus_url": "amqp://mq/",
        "readstore_url": "redis://svc:pw@c/0",
    }
    with pytest.raises(ValidationError, match="FORM_LINK_SECRET"):
        FeedbackSettings.model_validate(servers | {"app_env": "production", "token_jwks": "https://i/jwks"})


def test_a_jwks_that_is_not_ed25519_is_refused() -> None:
    with pytest.raises(KeyProblem, match="Ed25519"):
        KeySet.from_jwks({"keys": [{"kty": "RSA", "kid": "r", "n": "x", "e": "AQAB"}]})
    with pytest.raises(KeyProblem, match="non-empty"):
        KeySet.from_jwks({"keys": []})


async def test_a_service_reads_the_issuers_jwks_by_url_and_again_on_a_new_kid() -> None:
    """The views service publishes its JWKS; another service fetches it, and fetches it again when a
    token names a key it does not know yet (a rotation), not more than once per `refresh_after`."""
    published = {"keys": KeySet.of(KEY).jwks()["keys"]}
    fetches: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        fetches.append(str(request.url))
        return httpx.Response(200, json=published)

    keys = TokenKeys("https://issuer.example/.well-known/jwks.json", refresh_after=0.0)
    keys.transport = httpx.MockTransport(answer)
    assert await verify(issue_token(STAFF, KEY), keys) == STAFF
    rotated = SigningKey.generate()
    published["keys"] = KeySet.of(rotated, KEY).jwks()["keys"]
    assert await verify(issue_token(STAFF, rotated), keys) == STAFF
    assert len(fetches) == 2
    keys.refresh_after = 3600.0
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await verify(issue_token(STAFF, SigningKey.generate()), keys)
    assert len(fetches) == 2


class Reply(BaseModel):
    title: str = Field(min_length=1)


def app() -> FastAPI:
    application = FastAPI()
    application.state.settings = ServiceSettings()
    application.state.token_keys = TokenKeys(KEYS)
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
    staff = issue_token(Identity(subject="zhang", role="unit_staff", unit="shangwu"), KEY)
    other = issue_token(Identity(subject="sun", role="unit_staff", unit="minzheng"), KEY)

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


async def test_requests_arriving_together_wait_for_the_one_first_read_of_the_jwks() -> None:
    fetches: list[str] = []

    async def slowly(request: httpx.Request) -> httpx.Response:
        fetches.append(str(request.url))
        await asyncio.sleep(0.05)
        return httpx.Response(200, json=KeySet.of(KEY).jwks())

    keys = TokenKeys("https://issuer.example/.well-known/jwks.json")
    keys.transport = httpx.MockTransport(slowly)
    token = issue_token(STAFF, KEY)
    assert await asyncio.gather(*(verify(token, keys) for _ in range(20))) == [STAFF] * 20
    assert len(fetches) == 1


def test_the_keys_command_makes_rotates_and_retires_keys(tmp_path: Path) -> None:
    keys_command(["new", str(tmp_path)])
    first = SigningKey.from_file(tmp_path / "token-signing-key.pem")
    assert (tmp_path / "token-signing-key.pem").stat().st_mode & 0o077 == 0
    keys_command(["rotate", str(tmp_path)])
    second = SigningKey.from_file(tmp_path / "token-signing-key.pem")
    during = ServiceSettings(token_jwks=str(tmp_path / "jwks.json")).token_keys()
    assert read_token(issue_token(STAFF, first), during) == read_token(issue_token(STAFF, second), during)
    keys_command(["retire", str(tmp_path)])
    after = ServiceSettings(token_jwks=str(tmp_path / "jwks.json")).token_keys()
    assert read_token(issue_token(STAFF, second), after) == STAFF
    with pytest.raises(InvalidToken, match="unknown signing key"):
        read_token(issue_token(STAFF, first), after)
