"""Local accounts, for the sites without an identity provider of their own.

An account is created, given its role, disabled and enabled again by an administrator, and its
password changed by its holder: each a fact in the stream `views-account-<username>` of the views'
own store. Passwords are hashed (argon2id) at the edge, so the facts carry hashes only.

After `MAX_FAILURES` failed sign-ins in a row the account is locked for `LOCKED_FOR`; a sign-in
while it is locked is refused without looking at the password. Disabling the account or changing
its password ends every session begun before; signing out ends one.
"""

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from shared.kernel.decider import Decider, Forbidden, InvalidField, NotAllowedInState, NotFound
from shared.kernel.events import Event, EventRegistry

registry = EventRegistry()

AccountRole = Literal["office", "unit_staff", "unit_leader", "admin"]
"""`admin`: the office's administrator of accounts, with no other right."""
ACCOUNT_ROLES: tuple[AccountRole, ...] = ("office", "unit_staff", "unit_leader", "admin")
UNIT_ROLES = frozenset({"unit_staff", "unit_leader"})
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,31}")
MAX_FAILURES = 5
LOCKED_FOR = timedelta(minutes=15)
OPEN_SESSIONS = 20
"""Sessions one account may have open at once; signing in once more closes the oldest."""


def stream_name(username: str) -> str:
    return f"views-account-{username}"


@registry.register("views.account-created.v1")
class AccountCreated(Event):
    username: str
    name: str
    role: AccountRole
    unit: str | None
    password_hash: str
    by: str
    at: datetime


@registry.register("views.account-role-assigned.v1")
class AccountRoleAssigned(Event):
    username: str
    role: AccountRole
    unit: str | None
    by: str
    at: datetime


@registry.register("views.account-disabled.v1")
class AccountDisabled(Event):
    username: str
    reason: str
    by: str
    at: datetime


@registry.register("views.account-enabled.v1")
class AccountEnabled(Event):
    username: str
    by: str
    at: datetime


@registry.register("views.password-changed.v1")
class PasswordChanged(Event):
    username: str
    password_hash: str
    at: datetime


@registry.register("views.sign-in-failed.v1")
class SignInFailed(Event):
    username: str
    at: datetime


@registry.register("views.signed-in.v1")
class SignedIn(Event):
    username: str
    session: str
    at: datetime


@registry.register("views.signed-out.v1")
class SignedOut(Event):
    username: str
    session: str
    at: datetime


# --- states ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoAccount:
    name = "NO_ACCOUNT"


@dataclass(frozen=True)
class Account:
    username: str
    holder: str
    role: AccountRole
    unit: str | None
    password_hash: str
    disabled: bool = False
    failures: int = 0
    last_failure: datetime | None = None
    sessions: tuple[str, ...] = ()
    """The open sessions, oldest first (at most `OPEN_SESSIONS`): disabling the account or changing
    its password closes them all, signing out one."""

    @property
    def name(self) -> str:
        return "DISABLED" if self.disabled else "ACTIVE"

    def locked(self, now: datetime) -> bool:
        return (
            self.failures >= MAX_FAILURES
            and self.last_failure is not None
            and now < self.last_failure + LOCKED_FOR
        )

    def session_open(self, session: str) -> bool:
        return not self.disabled and session in self.sessions


State = NoAccount | Account


# --- commands -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateAccount:
    username: str
    holder: str
    role: AccountRole
    unit: str | None
    password_hash: str
    by: str
    at: datetime


@dataclass(frozen=True)
class AssignRole:
    username: str
    role: AccountRole
    unit: str | None
    by: str
    at: datetime


@dataclass(frozen=True)
class DisableAccount:
    username: str
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class EnableAccount:
    username: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ChangePassword:
    username: str
    password_hash: str
    at: datetime


@dataclass(frozen=True)
class RecordSignIn:
    """The outcome of a password check made at the edge: `session` when it matched, None when not."""

    username: str
    session: str | None
    at: datetime


@dataclass(frozen=True)
class SignOut:
    username: str
    session: str
    at: datetime


Command = (
    CreateAccount | AssignRole | DisableAccount | EnableAccount | ChangePassword | RecordSignIn | SignOut
)


def _role(role: AccountRole, unit: str | None) -> None:
    if role not in ACCOUNT_ROLES:
        raise InvalidField("role", f"unknown role {role!r}")
    if role in UNIT_ROLES and not unit:
        raise InvalidField("unit", "the staff of a unit need their unit")
    if role not in UNIT_ROLES and unit:
        raise InvalidField("unit", f"the role {role} belongs to no unit")


def decide(command: Command, state: State) -> list[Event]:
    match command, state:
        case CreateAccount() as c, NoAccount():
            if not USERNAME.fullmatch(command.username):
                raise InvalidField("username", "3 to 32 lower-case letters, digits, '.', '_' or '-'")
            if not command.holder.strip():
                raise InvalidField("name", "the holder's name is required")
            _role(command.role, command.unit)
            return [
                AccountCreated(
                    username=c.username,
                    name=c.holder.strip(),
                    role=c.role,
                    unit=c.unit,
                    password_hash=c.password_hash,
                    by=c.by,
                    at=c.at,
                )
            ]
        case CreateAccount(), Account():
            raise NotAllowedInState(f"creating the account {command.username}", "EXISTS")
        case _, NoAccount():
            raise NotFound(f"no account {command.username}")
        case AssignRole() as c, Account():
            _role(command.role, command.unit)
            if (state.role, state.unit) == (command.role, command.unit):
                return []
            return [AccountRoleAssigned(username=c.username, role=c.role, unit=c.unit, by=c.by, at=c.at)]
        case DisableAccount() as c, Account():
            if state.disabled:
                return []
            return [AccountDisabled(username=c.username, reason=c.reason.strip(), by=c.by, at=c.at)]
        case EnableAccount(), Account():
            if not state.disabled:
                return []
            return [AccountEnabled(username=command.username, by=command.by, at=command.at)]
        case ChangePassword() as c, Account():
            if state.disabled:
                raise Forbidden(f"the account {command.username} is disabled")
            return [PasswordChanged(username=c.username, password_hash=c.password_hash, at=c.at)]
        case RecordSignIn(), Account():
            if state.disabled:
                raise Forbidden(f"the account {command.username} is disabled")
            if state.locked(command.at):
                raise NotAllowedInState(f"signing in to {command.username}", "LOCKED")
            if command.session is None:
                return [SignInFailed(username=command.username, at=command.at)]
            return [SignedIn(username=command.username, session=command.session, at=command.at)]
        case SignOut(), Account():
            return [SignedOut(username=command.username, session=command.session, at=command.at)]
    raise AssertionError(f"unhandled {type(command).__name__} in {type(state).__name__}")


def evolve(state: State, event: Event) -> State:
    match state, event:
        case NoAccount(), AccountCreated():
            return Account(event.username, event.name, event.role, event.unit, event.password_hash)
        case Account(), AccountRoleAssigned():
            return replace(state, role=event.role, unit=event.unit)
        case Account(), AccountDisabled():
            return replace(state, disabled=True, sessions=())
        case Account(), AccountEnabled():
            return replace(state, disabled=False, failures=0, last_failure=None)
        case Account(), PasswordChanged():
            return replace(state, password_hash=event.password_hash, sessions=(), failures=0)
        case Account(), SignInFailed():
            return replace(state, failures=state.failures + 1, last_failure=event.at)
        case Account(), SignedIn():
            sessions = (*state.sessions, event.session)[-OPEN_SESSIONS:]
            return replace(state, failures=0, last_failure=None, sessions=sessions)
        case Account(), SignedOut():
            return replace(state, sessions=tuple(s for s in state.sessions if s != event.session))
    return state


decider: Decider[Command, State] = Decider(decide, evolve, NoAccount())
