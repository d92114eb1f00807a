"""Who is calling: a signed token carries a role, a unit and a person.

Roles: `office` (the coordinating office), `unit_staff` and `unit_leader` (of one handling unit),
`proposer` (a member or deputy, identified by `subject`). Tokens are JWTs signed with the issuer's
Ed25519 key (EdDSA) and naming it by `kid`; every service verifies them against the issuer's public
keys (`shared.web.keys`). `python -m tools.tokens` issues them for development.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal, get_args

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.web.keys import KeyProblem, KeySet, SigningKey, TokenKeys

Role = Literal["office", "unit_staff", "unit_leader", "proposer"]
ROLES: tuple[str, ...] = get_args(Role)
UNIT_ROLES = {"unit_staff", "unit_leader"}
ISSUER = "proposals-platform"
"""The `iss` and `aud` of every token: tokens of any other issuer or audience are refused."""


@dataclass(frozen=True)
class Identity:
    subject: str
    role: Role
    name: str = ""
    unit: str | None = None

    @property
    def is_office(self) -> bool:
        return self.role == "office"

    def acts_for(self, unit: str) -> bool:
        return self.role in UNIT_ROLES and self.unit == unit


def issue_token(identity: Identity, key: SigningKey, valid_for: timedelta = timedelta(days=30)) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "aud": ISSUER,
        "sub": identity.subject,
        "role": identity.role,
        "name": identity.name,
        "unit": identity.unit,
        "iat": int(now.timestamp()),
        "exp": int((now + valid_for).timestamp()),
    }
    return jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": key.kid})


class InvalidToken(Exception):
    pass


def token_kid(token: str) -> str:
    """The `kid` the token names, read before its signature is checked (to find the key)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    kid = header.get("kid")
    if header.get("alg") != "EdDSA" or not isinstance(kid, str):
        raise InvalidToken("a token must be signed with EdDSA and name its key (kid)")
    return kid


def read_token(token: str, keys: KeySet | TokenKeys) -> Identity:
    """The identity of a token signed by one of `keys` (already read: see `verify`)."""
    kid = token_kid(token)
    key = keys.get(kid) if isinstance(keys, KeySet) else keys.known(kid)
    return _identity(token, kid, key)


async def verify(token: str, keys: TokenKeys) -> Identity:
    """As `read_token`, reading the issuer's keys again when the token names a key not yet known."""
    kid = token_kid(token)
    try:
        key = await keys.key(kid)
    except KeyProblem as error:
        raise InvalidToken(f"the keys of the issuer cannot be read: {error}") from error
    return _identity(token, kid, key)


def _identity(token: str, kid: str, key: Ed25519PublicKey | None) -> Identity:
    if key is None:
        raise InvalidToken(f"unknown signing key {kid!r}")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["EdDSA"],
            issuer=ISSUER,
            audience=ISSUER,
            options={"require": ["sub", "exp", "iss", "aud"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    role = claims.get("role")
    if role not in ROLES:
        raise InvalidToken(f"unknown role {role!r}")
    unit = claims.get("unit")
    if role in UNIT_ROLES and not unit:
        raise InvalidToken("a unit role needs a unit")
    return Identity(subject=str(claims["sub"]), role=role, name=str(claims.get("name") or ""), unit=unit)


bearer = HTTPBearer(auto_error=False, description="A token from `python -m tools.tokens`.")


async def current_identity(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Identity:
    """Checking an Ed25519 signature takes tens of microseconds: done on the event loop."""
    if credentials is None:
        raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    try:
        return await verify(credentials.credentials, request.app.state.token_keys)
    except InvalidToken as error:
        raise HTTPException(401, f"invalid token: {error}", headers={"WWW-Authenticate": "Bearer"}) from error


Caller = Annotated[Identity, Depends(current_identity)]
