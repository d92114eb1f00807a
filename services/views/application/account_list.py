"""The `accounts` projection: the local accounts as the administrator's page lists them.

Keys (under the namespace `accounts`): `accounts:a:<username>`, a hash of the account (name, role,
unit, state, created_at, changed_at); `accounts:all`, the set of user names. No password hash is
ever written here.
"""

from services.views.domain.accounts import (
    AccountCreated,
    AccountDisabled,
    AccountEnabled,
    AccountRoleAssigned,
    PasswordChanged,
)
from shared.adapters.eventstore import RecordedEvent
from shared.kernel.events import Event
from shared.kernel.projections import View

NAME = "accounts"


def account_key(username: str) -> str:
    return f"{NAME}:a:{username}"


ALL = f"{NAME}:all"


class AccountList:
    name = NAME

    async def apply(self, event: Event, recorded: RecordedEvent, view: View) -> None:
        match event:
            case AccountCreated():
                view.changes.hset(
                    account_key(event.username),
                    {
                        "username": event.username,
                        "name": event.name,
                        "role": event.role,
                        "unit": event.unit or "",
                        "state": "ACTIVE",
                        "created_at": event.at.isoformat(),
                        "changed_at": event.at.isoformat(),
                    },
                )
                view.changes.sadd(ALL, event.username)
            case AccountRoleAssigned():
                changes = {"role": event.role, "unit": event.unit or "", "changed_at": event.at.isoformat()}
                view.changes.hset(account_key(event.username), changes)
            case AccountDisabled():
                changes = {"state": "DISABLED", "reason": event.reason, "changed_at": event.at.isoformat()}
                view.changes.hset(account_key(event.username), changes)
            case AccountEnabled():
                view.changes.hset(account_key(event.username), {"state": "ACTIVE", "reason": ""})
            case PasswordChanged():
                view.changes.hset(account_key(event.username), {"password_changed_at": event.at.isoformat()})
