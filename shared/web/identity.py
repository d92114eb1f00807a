"""Who is calling: a signed token carries a role, a unit and a person.

Roles: `office` (the coordinating office), `unit_staff` and `unit_leader` (of one handling unit),
`proposer` (a member or deputy, identified by `subject`). Tokens are HS256 JWTs signed with the
service's TOKEN_SECRET; `python -m tools.tokens` issues them for development.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal, get_args

import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

Role = Literal["office", "unit_staff", "unit_leader", "proposer"]
ROLES: tuple[str, ...] = get_args(Role)
UNIT_ROLES = {"unit_staff", "unit_leader"}


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


def issue_token(identity: Identity, secret: str, valid_for: timedelta = timedelta(days=30)) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": identity.subject,
        "role": identity.role,
        "name": identity.name,
        "unit": identity.unit,
        "iat": int(now.timestamp()),
        "exp": int((now + valid_for).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


class InvalidToken(Exception):
    pass


def read_token(token: str, secret: str) -> Identity:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["sub", "exp"]})
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
    """Checking an HS256 signature takes microseconds: done on the event loop, not in a thread."""
    if credentials is None:
        raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    secret = request.app.state.settings.token_secret.get_secret_value()
    try:
        return read_token(credentials.credentials, secret)
    except InvalidToken as error:
        raise HTTPException(401, f"invalid token: {error}", headers={"WWW-Authenticate": "Bearer"}) from error


Caller = Annotated[Identity, Depends(current_identity)]
