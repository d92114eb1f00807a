"""The local accounts as the pages use them: sign in with a password, change it, and what an
administrator does with accounts. Hashing and checking a password (argon2id, tens of milliseconds
of CPU by design) runs in a thread, never on the event loop."""

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.views.domain.accounts import (
    Account,
    AccountRole,
    AssignRole,
    ChangePassword,
    Command,
    CreateAccount,
    DisableAccount,
    EnableAccount,
    RecordSignIn,
    SignOut,
    State,
    decider,
    registry,
    stream_name,
)
from shared.adapters.eventstore import EventStore
from shared.kernel.decider import CommandHandler, CommandMeta, InvalidField

MIN_PASSWORD = 12
MAX_PASSWORD = 128


class SignInRefused(Exception):
    """Why a sign-in was refused, in a code for machines; the page says the same in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_password_rule(password: str, username: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidField("password", f"{MIN_PASSWORD} to {MAX_PASSWORD} characters")
    if username and username.lower() in password.lower():
        raise InvalidField("password", "must not contain the user name")
    if len(set(password)) < 5:
        raise InvalidField("password", "too few different characters")


@dataclass(frozen=True)
class SignedInAccount:
    account: Account
    session: str


class Accounts:
    def __init__(self, store: EventStore, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.handler: CommandHandler[Command, State] = CommandHandler(store, registry, decider)
        self.hasher = PasswordHasher()
        """argon2id with the library's defaults (RFC 9106's second recommended choice)."""
        self.clock = clock
        self._decoy = self.hasher.hash(uuid.uuid4().hex)

    async def get(self, username: str) -> State:
        state, _ = await self.handler.load(stream_name(username))
        return state

    async def hash(self, password: str, username: str) -> str:
        check_password_rule(password, username)
        return await asyncio.to_thread(self.hasher.hash, password)

    async def create(
        self, username: str, holder: str, role: AccountRole, unit: str | None, password: str, by: str
    ) -> None:
        password_hash = await self.hash(password, username)
        command = CreateAccount(username, holder, role, unit, password_hash, by, self.clock())
        await self._handle(command, by)

    async def assign_role(self, username: str, role: AccountRole, unit: str | None, by: str) -> None:
        await self._handle(AssignRole(username, role, unit, by, self.clock()), by)

    async def disable(self, username: str, reason: str, by: str) -> None:
        await self._handle(DisableAccount(username, reason, by, self.clock()), by)

    async def enable(self, username: str, by: str) -> None:
        await self._handle(EnableAccount(username, by, self.clock()), by)

    async def sign_in(self, username: str, password: str) -> SignedInAccount:
        """A new session of the account, or SignInRefused: `unknown` (told apart from a wrong password
        nowhere but in the logs), `wrong-password`, `locked` or `disabled`."""
        state = await self.get(username)
        if not isinstance(state, Account):
            await self._matches(self._decoy, password)  # as long as for an account that exists
            raise SignInRefused("unknown")
        now = self.clock()
        if state.disabled:
            raise SignInRefused("disabled")
        if state.locked(now):
            raise SignInRefused("locked")
        matched = await self._matches(state.password_hash, password)
        session = uuid.uuid4().hex if matched else None
        await self._handle(RecordSignIn(username, session, now), username)
        if session is None:
            raise SignInRefused("wrong-password")
        return SignedInAccount(state, session)

    async def change_password(self, username: str, current: str, new: str) -> None:
        state = await self.get(username)
        if not isinstance(state, Account) or not await self._matches(state.password_hash, current):
            raise InvalidField("current_password", "does not match")
        password_hash = await self.hash(new, username)
        await self._handle(ChangePassword(username, password_hash, self.clock()), username)

    async def sign_out(self, username: str, session: str) -> None:
        await self._handle(SignOut(username, session, self.clock()), username)

    async def session_open(self, username: str, session: str) -> bool:
        state = await self.get(username)
        return isinstance(state, Account) and state.session_open(session)

    async def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return await asyncio.to_thread(self.hasher.verify, password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    async def _handle(self, command: Command, actor: str) -> None:
        await self.handler.handle(stream_name(command.username), command, CommandMeta(uuid.uuid4(), actor))
