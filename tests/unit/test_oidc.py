"""The relying party of OpenID Connect against a provider faked in the test (its metadata, JWKS and
token endpoint answered by an httpx transport): what a real provider seldom does on request, a key
rotation, a metadata naming another issuer, a token signed otherwise or issued in the future. The
flow against a real provider process is in tests/integration/test_oidc_sign_in.py."""

import base64
import json
import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OctKey

from shared.web.oidc import Attempt, Registration, RelyingParty, SignInFailed

ISSUER = "https://sso.wuhai.example/realms/zwfw"
CLIENT_ID = "proposals-views"
REGISTRATION = Registration(
    issuer=ISSUER,
    client_id=CLIENT_ID,
    client_secret="client secret/from the provider",
    redirect_url="https://tian.wuhai.example/login/oidc/wuhai/callback",
)


@dataclass
class FakeProvider:
    """A provider's metadata, JWKS and token endpoint; the token endpoint answers `answer`."""

    keys: list[ECKey] = field(
        default_factory=lambda: [ECKey.generate_key("P-256", parameters={"kid": "2026-01"})]
    )
    metadata: dict[str, Any] = field(
        default_factory=lambda: {
            "issuer": ISSUER,
            "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
            "token_endpoint": f"{ISSUER}/protocol/openid-connect/token",
            "jwks_uri": f"{ISSUER}/protocol/openid-connect/certs",
        }
    )
    answer: tuple[int, dict[str, Any]] = (200, {})
    jwks_reads: int = 0
    token_requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json=self.metadata)
        if path.endswith("/certs"):
            self.jwks_reads += 1
            return httpx.Response(200, json=KeySet(list(self.keys)).as_dict())
        if path.endswith("/token"):
            self.token_requests.append(request)
            status, body = self.answer
            return httpx.Response(status, json=body)
        return httpx.Response(404)

    def sign(self, key: ECKey | None = None, alg: str = "ES256", **changes: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "li.na",
            "iat": now,
            "exp": now + 300,
            "nonce": "n-1",
        }
        claims = {k: v for k, v in (claims | changes).items() if v is not None}
        signer = key or self.keys[0]
        return jwt.encode({"alg": alg, "kid": signer.kid}, claims, signer)


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def party(provider: FakeProvider) -> RelyingParty:
    relying = RelyingParty(REGISTRATION)
    relying.transport = httpx.MockTransport(provider.handle)
    return relying


async def test_the_authorization_url_asks_for_a_code_with_pkce_state_and_nonce(party: RelyingParty) -> None:
    attempt = Attempt.start()

    url = urlsplit(await party.authorization_url(attempt))

    asked = dict(parse_qsl(url.query))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ISSUER}/protocol/openid-connect/auth"
    assert asked == {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REGISTRATION.redirect_url,
        "scope": "openid profile",
        "state": attempt.state,
        "nonce": attempt.nonce,
        "code_challenge": attempt.challenge,
        "code_challenge_method": "S256",
    }
    assert len({attempt.state, attempt.nonce, attempt.verifier}) == 3 and len(attempt.verifier) >= 43


def test_the_challenge_is_the_s256_of_the_verifier() -> None:
    # RFC 7636, appendix B
    attempt = Attempt("s", "n", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")

    assert attempt.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


async def test_a_good_id_token_gives_its_claims(provider: FakeProvider, party: RelyingParty) -> None:
    claims = await party.validate(provider.sign(name="李娜"), "n-1")

    assert (claims["sub"], claims["name"]) == ("li.na", "李娜")


async def test_the_code_is_exchanged_with_the_verifier_and_the_client_s_credentials(
    provider: FakeProvider, party: RelyingParty
) -> None:
    attempt = Attempt("state-1", "n-1", "verifier-" + "x" * 40)
    provider.answer = (200, {"access_token": "at", "token_type": "Bearer", "id_token": provider.sign()})

    claims = await party.finish(attempt, "state-1", "the-code")

    assert claims["sub"] == "li.na"
    [request] = provider.token_requests
    assert dict(parse_qsl(request.content.decode())) == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": REGISTRATION.redirect_url,
        "code_verifier": attempt.verifier,
    }
    # RFC 6749 2.3.1: id and secret each form-encoded before the Basic scheme joins them
    encoded = base64.b64encode(b"proposals-views:client+secret%2Ffrom+the+provider").decode()
    assert request.headers["authorization"] == f"Basic {encoded}"


async def test_a_client_may_send_its_credentials_in_the_form(provider: FakeProvider) -> None:
    party = RelyingParty(replace(REGISTRATION, auth_method="client_secret_post"))
    party.transport = httpx.MockTransport(provider.handle)
    provider.answer = (200, {"id_token": provider.sign()})

    await party.finish(Attempt("s", "n-1", "v" * 43), "s", "the-code")

    sent = dict(parse_qsl(provider.token_requests[0].content.decode()))
    assert (sent["client_id"], sent["client_secret"]) == (CLIENT_ID, REGISTRATION.client_secret)
    assert "authorization" not in provider.token_requests[0].headers


async def test_a_rotated_key_is_fetched_once_and_a_made_up_one_not_again_and_again(
    provider: FakeProvider, party: RelyingParty
) -> None:
    party.refresh_after = 0.0
    await party.validate(provider.sign(), "n-1")
    rotated = ECKey.generate_key("P-256", parameters={"kid": "2026-07"})
    provider.keys.append(rotated)

    claims = await party.validate(provider.sign(key=rotated), "n-1")

    assert claims["sub"] == "li.na" and provider.jwks_reads == 2
    party.refresh_after = 3600.0
    made_up = ECKey.generate_key("P-256", parameters={"kid": "made-up"})
    for _ in range(3):
        with pytest.raises(SignInFailed) as refused:
            await party.validate(provider.sign(key=made_up), "n-1")
        assert refused.value.failure == "untrusted_token"
    assert provider.jwks_reads == 2, "read again at most once every 30 s"


def b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


async def refusal(party: RelyingParty, id_token: str, nonce: str = "n-1") -> SignInFailed:
    with pytest.raises(SignInFailed) as refused:
        await party.validate(id_token, nonce)
    return refused.value


async def test_a_token_signed_by_another_key_under_the_provider_s_kid_is_refused(
    provider: FakeProvider, party: RelyingParty
) -> None:
    impostor = ECKey.generate_key("P-256", parameters={"kid": "2026-01"})

    failed = await refusal(party, provider.sign(key=impostor))

    assert failed.failure == "untrusted_token" and "signature" in failed.reason.lower()


async def test_a_token_signed_with_a_shared_secret_or_not_at_all_is_refused(
    provider: FakeProvider, party: RelyingParty
) -> None:
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "li.na", "iat": int(time.time()), "nonce": "n-1"}
    secret = OctKey.import_key("a shared secret of thirty-two bytes!!")
    hs256 = jwt.encode({"alg": "HS256", "kid": "2026-01"}, claims, secret)
    unsigned = (
        ".".join(b64url(json.dumps(part)) for part in ({"alg": "none", "kid": "2026-01"}, claims)) + "."
    )

    for token in (hs256, unsigned):
        assert (await refusal(party, token)).failure == "untrusted_token"


@pytest.mark.parametrize(
    ("changes", "failure", "named"),
    [
        ({"iss": "https://sso.zhongwei.example/realms/zwfw"}, "untrusted_token", "iss"),
        ({"aud": "another-application"}, "untrusted_token", "aud"),
        ({"aud": ["another-application", CLIENT_ID]}, "untrusted_token", "azp"),
        ({"aud": [CLIENT_ID], "azp": "another-application"}, "untrusted_token", "azp"),
        ({"sub": None}, "untrusted_token", "sub"),
        ({"exp": None}, "untrusted_token", "exp"),
        ({"iat": int(time.time()) + 600}, "untrusted_token", "iat"),
        ({"exp": int(time.time()) - 120}, "expired_token", "expired"),
        ({"nonce": "nonce-of-another-attempt"}, "wrong_nonce", "nonce"),
        ({"nonce": None}, "wrong_nonce", "nonce"),
    ],
)
async def test_an_id_token_whose_claims_are_wrong_is_refused(
    provider: FakeProvider, party: RelyingParty, changes: dict[str, Any], failure: str, named: str
) -> None:
    failed = await refusal(party, provider.sign(**changes))

    assert (failed.failure, named in failed.reason) == (failure, True), failed.reason


async def test_several_audiences_are_accepted_when_the_token_was_issued_to_this_client(
    provider: FakeProvider, party: RelyingParty
) -> None:
    token = provider.sign(aud=[CLIENT_ID, "proposals-api"], azp=CLIENT_ID)

    assert (await party.validate(token, "n-1"))["azp"] == CLIENT_ID


async def test_clocks_a_little_apart_are_forgiven(provider: FakeProvider, party: RelyingParty) -> None:
    now = int(time.time())
    token = provider.sign(iat=now + 30, exp=now - 30)

    assert (await party.validate(token, "n-1"))["sub"] == "li.na"


async def test_metadata_naming_another_issuer_is_a_misconfiguration(
    provider: FakeProvider, party: RelyingParty
) -> None:
    provider.metadata["issuer"] = "https://sso.wuhai.example/realms/master"

    with pytest.raises(SignInFailed) as failed:
        await party.authorization_url(Attempt.start())

    assert failed.value.failure == "misconfigured" and "realms/master" in failed.value.reason


async def test_an_https_provider_with_an_http_endpoint_is_a_misconfiguration(
    provider: FakeProvider, party: RelyingParty
) -> None:
    provider.metadata["token_endpoint"] = "http://sso.wuhai.example/realms/zwfw/protocol/openid-connect/token"

    with pytest.raises(SignInFailed, match="token_endpoint is not an https URL"):
        await party.authorization_url(Attempt.start())


@pytest.mark.parametrize(
    ("answer", "failure"),
    [
        ((400, {"error": "invalid_grant", "error_description": "Code not valid"}), "refused"),
        ((200, {"access_token": "at", "token_type": "Bearer"}), "refused"),
        ((503, {}), "unreachable"),
    ],
)
async def test_a_token_endpoint_that_gives_no_id_token_fails_the_sign_in(
    provider: FakeProvider, party: RelyingParty, answer: tuple[int, dict[str, Any]], failure: str
) -> None:
    provider.answer = answer

    with pytest.raises(SignInFailed) as failed:
        await party.finish(Attempt("s", "n-1", "v" * 43), "s", "the-code")

    assert failed.value.failure == failure
    assert "the-code" not in failed.value.reason


async def test_the_callback_of_another_attempt_is_refused_before_any_exchange(
    provider: FakeProvider, party: RelyingParty
) -> None:
    with pytest.raises(SignInFailed) as failed:
        await party.finish(Attempt("s", "n-1", "v" * 43), "state-of-another-attempt", "the-code")

    assert failed.value.failure == "wrong_state" and provider.token_requests == []


@pytest.mark.parametrize(("error", "failure"), [("access_denied", "denied"), ("server_error", "refused")])
async def test_an_error_sent_back_by_the_provider_fails_the_sign_in(
    party: RelyingParty, error: str, failure: str
) -> None:
    with pytest.raises(SignInFailed) as failed:
        await party.finish(Attempt("s", "n-1", "v" * 43), "", "", error)

    assert failed.value.failure == failure


async def test_a_provider_that_cannot_be_reached_fails_the_sign_in() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    party = RelyingParty(REGISTRATION)
    party.transport = httpx.MockTransport(refuse)

    with pytest.raises(SignInFailed) as failed:
        await party.authorization_url(Attempt.start())

    assert failed.value.failure == "unreachable"
