"""The first administrator of the local accounts, made from the command line:
`python -m runtime.accounts create-admin <username> <name>` (the password is asked, never an argument).

It appends to the views service's own store, as its environment names it (EVENTSTORE_URL), the same
fact the administrator's page appends; every later account is made on that page (`/admin/accounts`).
"""

import argparse
import asyncio
import getpass
import sys

from services.views.application.accounts import Accounts
from services.views.config import ViewsSettings
from shared.adapters.infrastructure import open_event_store
from shared.kernel.decider import Rejected


async def create_admin(username: str, name: str, password: str) -> None:
    settings = ViewsSettings()
    events = await open_event_store(settings.eventstore_url, settings.service_name, settings.store_name)
    try:
        await Accounts(events).create(username, name, "admin", None, password, "runtime.accounts")
    finally:
        await events.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=["create-admin"])
    parser.add_argument("username", help="3 to 32 lower-case letters, digits, '.', '_' or '-'")
    parser.add_argument("name", help="the administrator's name, e.g. 王芳")
    args = parser.parse_args(argv)
    password = getpass.getpass("password (12 to 128 characters): ")
    if password != getpass.getpass("again: "):
        print("the two passwords differ", file=sys.stderr)
        return 2
    try:
        asyncio.run(create_admin(args.username, args.name, password))
    except Rejected as refused:
        print(f"refused: {refused.detail}", file=sys.stderr)
        return 2
    print(f"administrator {args.username} created")
    return 0


if __name__ == "__main__":
    sys.exit(main())
