"""Signing in at an OpenID Connect provider, as its relying party: the authorization code flow with
PKCE (S256), and a fresh `state` and `nonce` for every attempt.

The provider's metadata is read from `<issuer>/.well-known/openid-configuration` (again after an
hour), its keys from the `jwks_uri` named there (again when an ID token names a key not yet known, at
most once every 30 s). The claims of an ID token are accepted only when it is signed with an asymmetric
algorithm by one of those keys, names the issuer (`iss`) and this client (`aud`, and `azp` when it
names several audiences), names a subject, was not issued in the future and has not expired (both with
a minute's leeway), and carries the attempt's `nonce`. Every failure raises `SignInFailed`: its kind
for the person, its reason for the log; neither ever holds a code or a token.
"""

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote_plus, urlencode, urlsplit

import httpx
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
"""The signatures an ID token may carry: asymmetric only (never `none`, never a shared secret)."""
METADATA_PATH = "/.well-known/openid-configuration"

Failure = Literal[
    "denied",
    "wrong_state",
    "unreachable",
    "misconfigured",
    "refused",
    "untrusted_token",
    "expired_token",
    "wrong_nonce",
]
"""Why a sign-in failed, as the person is told: the provider did not let them in (`denied`); the
callback belongs to another attempt (`wrong_state`); the provider cannot be reached or answers nonsense
(`unreachable`), or its metadata does not match the settings (`misconfigured`); it refused the code
(`refused`); the ID token is not to be trusted (`untrusted_token`), has expired (`expired_token`) or
belongs to another attempt (`wrong_nonce`)."""


class SignInFailed(Exception):
    def __init__(self, failure: Failure, reason: str) -> None:
        super().__init__(f"{failure}: {reason}")
        self.failure: Failure = failure
        self.reason = reason


@dataclass(frozen=True)
class Registration:
    """This service as a client of the provider."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_url: str
    scope: str = "openid profile"
    auth_method: Literal["client_secret_basic", "client_secret_post"] = "client_secret_basic"


@dataclass(frozen=True)
class Attempt:
    """One sign-in under way: what the callback must find again (`verifier` is PKCE's)."""

    state: str
    nonce: str
    verifier: str

    @classmethod
    def start(cls) -> "Attempt":
        return cls(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48))

    @property
    def challenge(self) -> str:
        """The S256 code challenge of the verifier (RFC 7636)."""
        digest = hashlib.sha256(self.verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Metadata:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


class RelyingParty:
    """Sign-ins at one provider, with its metadata and keys kept between them."""

    def __init__(
        self,
        registration: Registration,
        leeway: int = 60,
        refresh_after: float = 30.0,
        metadata_max_age: float = 3600.0,
    ) -> None:
        self.registration = registration
        self.leeway = leeway
        self.refresh_after = refresh_after
        self.metadata_max_age = metadata_max_age
        self.transport: httpx.AsyncBaseTransport | None = None
        """How the provider is reached (the network unless a test says otherwise)."""
        self._metadata: Metadata | None = None
        self._metadata_read_at = float("-inf")
        self._keys: KeySet | None = None
        self._keys_read_at = float("-inf")
        self._reading = asyncio.Lock()

    async def authorization_url(self, attempt: Attempt) -> str:
        """Where the browser goes to sign in at the provider."""
        endpoint = (await self.metadata()).authorization_endpoint
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.registration.client_id,
                "redirect_uri": self.registration.redirect_url,
                "scope": self.registration.scope,
                "state": attempt.state,
                "nonce": attempt.nonce,
                "code_challenge": attempt.challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    async def finish(self, attempt: Attempt, state: str, code: str, error: str = "") -> dict[str, Any]:
        """The claims of the person the provider sent back to the callback with `state` and `code`
        (or `error`), once the code is exchanged and its ID token passed every check."""
        if error:  # no code comes with it, so no one signs in, whatever its state
            failure: Failure = "denied" if error == "access_denied" else "refused"
            raise SignInFailed(failure, f"the provider sent the browser back with the error {error!r}")
        if not hmac.compare_digest(state.encode(), attempt.state.encode()):
            raise SignInFailed("wrong_state", "the callback's state is not the one of this browser's attempt")
        if not code:
            raise SignInFailed("refused", "the callback carries no code")
        metadata = await self.metadata()
        id_token = await self._exchange(metadata.token_endpoint, code, attempt)
        return await self.validate(id_token, attempt.nonce)

    async def metadata(self) -> Metadata:
        async with self._reading:
            if self._metadata is None or time.monotonic() - self._metadata_read_at > self.metadata_max_age:
                self._metadata = self._read_metadata(
                    await self._get(self.registration.issuer + METADATA_PATH)
                )
                self._metadata_read_at = time.monotonic()
            return self._metadata

    def _read_metadata(self, document: dict[str, Any]) -> Metadata:
        issuer = self.registration.issuer
        if document.get("issuer") != issuer:
            raise SignInFailed(
                "misconfigured",
                f"the provider's metadata names the issuer {document.get('issuer')!r}, not {issuer!r}",
            )
        urls = []
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            url = document.get(name)
            if not isinstance(url, str) or not urlsplit(url).hostname:
                raise SignInFailed("misconfigured", f"the provider's metadata has no URL {name}")
            if urlsplit(issuer).scheme == "https" and urlsplit(url).scheme != "https":
                raise SignInFailed("misconfigured", f"the provider's {name} is not an https URL")
            urls.append(url)
        authorization, token, jwks = urls
        return Metadata(authorization, token, jwks)

    async def _exchange(self, token_endpoint: str, code: str, attempt: Attempt) -> str:
        registration = self.registration
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": registration.redirect_url,
            "code_verifier": attempt.verifier,
        }
        headers = {"Accept": "application/json"}
        if registration.auth_method == "client_secret_post":
            form |= {"client_id": registration.client_id, "client_secret": registration.client_secret}
        else:  # RFC 6749 2.3.1: each form-encoded, then joined
            pair = f"{quote_plus(registration.client_id)}:{quote_plus(registration.client_secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        try:
            async with httpx.AsyncClient(timeout=10.0, transport=self.transport) as client:
                answer = await client.post(token_endpoint, data=form, headers=headers)
        except httpx.HTTPError as error:
            raise SignInFailed("unreachable", f"the token endpoint cannot be reached: {error!r}") from error
        try:
            body = answer.json()
        except ValueError:
            body = None
        if answer.status_code >= 500 or not isinstance(body, dict):
            raise SignInFailed(
                "unreachable", f"the token endpoint answered {answer.status_code} without a token"
            )
        if "error" in body or answer.status_code != 200:
            described = f"{body.get('error')!r} ({body.get('error_description') or 'no description'})"
            raise SignInFailed("refused", f"the token endpoint refused the code: {described}")
        id_token = body.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("refused", "the token endpoint answered no ID token")
        return id_token

    async def validate(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The claims of `id_token` once its signature, issuer, audience, times and nonce are right."""
        keys = await self._key_set()
        try:
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except InvalidKeyIdError:  # a key not known yet: the provider may have rotated its keys
            token = self._decode(id_token, await self._key_set(again=True))
        except (JoseError, ValueError) as error:
            raise SignInFailed("untrusted_token", f"the ID token cannot be verified: {error}") from error
        claims = token.claims
        self._check(claims)
        sent = claims.get("nonce")
        if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), nonce.encode()):
            raise SignInFailed("wrong_nonce", "the ID token's nonce is not the one this attempt sent")
        return claims

    def _decode(self, id_token: str, keys: KeySet) -> jwt.Token:
        try:
            return jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except (JoseError, ValueError) as error:
            raise SignInFailed("untrusted_token", f"the ID token cannot be verified: {error}") from error

    def _check(self, claims: dict[str, Any]) -> None:
        client_id = self.registration.client_id
        required = jwt.JWTClaimsRegistry(
            leeway=self.leeway,
            iss={"essential": True, "value": self.registration.issuer},
            aud={"essential": True, "value": client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )
        try:
            required.validate(claims)
        except ExpiredTokenError as error:
            raise SignInFailed("expired_token", f"the ID token expired at {claims.get('exp')}") from error
        except ClaimError as error:
            value = claims.get(error.claim)
            raise SignInFailed(
                "untrusted_token", f"the ID token's {error.claim} {value!r} is refused: {error.description}"
            ) from error
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if claims.get("azp", client_id) != client_id or (len(audiences) > 1 and "azp" not in claims):
            raise SignInFailed(
                "untrusted_token", f"the ID token's azp {claims.get('azp')!r} is not {client_id!r}"
            )

    async def _key_set(self, again: bool = False) -> KeySet:
        """The provider's keys; `again` reads them anew unless they were read less than 30 s ago."""
        jwks_uri = (await self.metadata()).jwks_uri
        async with self._reading:
            due = time.monotonic() - self._keys_read_at >= self.refresh_after
            if self._keys is None or (again and due):
                document = await self._get(jwks_uri)
                try:
                    self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
                except (JoseError, ValueError, KeyError, TypeError) as error:
                    raise SignInFailed(
                        "unreachable", f"the provider's JWKS cannot be read: {error!r}"
                    ) from error
                self._keys_read_at = time.monotonic()
            return self._keys

    async def _get(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=10.0, transport=self.transport) as client:
                answer = await client.get(url, headers={"Accept": "application/json"})
            answer.raise_for_status()
            document = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            raise SignInFailed("unreachable", f"{url} cannot be read: {error!r}") from error
        if not isinstance(document, dict):
            raise SignInFailed("unreachable", f"{url} answered no JSON object")
        return document
