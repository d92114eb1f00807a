"""Each store's own Redis user: its key prefix, the commands of the read store, and nothing else.

A store is a service, or an agency's own instance of one (`reply_shangwu`, see
`ServiceSettings.store_name`). Every key it writes or reads is under its prefix, `READSTORE_PREFIX`
(`pp:{store}` by default): its read models, the checkpoints of its projections and of its gateway,
its inbox. Its Redis user, of the store's name, may use the keys `<prefix>:*` only, with the
commands the read store and the inbox send (their declared commands), and no pub/sub channel.
Another store's key answers NOPERM, and so do FLUSHALL, CONFIG, KEYS and every other command.

Two ways to put the users on a server, with the same rules:

    python -m runtime.redis_acl [--output FILE] [STORE ...]    the ACL file Redis loads at boot
    python -m runtime.redis_acl --apply [STORE ...]            ACL SETUSER on the server at REDIS_URL

(default: every service). Each store's password comes from `<STORE>_REDIS_PASSWORD`
(`REPLY_SHANGWU_REDIS_PASSWORD`); the file holds its SHA-256 only. The file also sets the server's
`default` user, its administrator, to the password of `REDIS_ADMIN_PASSWORD`: no connection without
a password gets anything. `--apply` connects to `REDIS_URL` as an administrator and leaves the
server's other users alone; run again, it sets each user anew (a changed password takes effect at
once). An empty password is refused unless `APP_ENV` is development, where a user without one
(`nopass`) is let in with any password.
"""

import argparse
import asyncio
import hashlib
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from redis.asyncio import Redis

from shared.adapters.bus.inbox import REDIS_COMMANDS as INBOX_COMMANDS
from shared.adapters.readstore.redis import COMMANDS as READ_STORE_COMMANDS
from shared.settings import STORE_NAME, ServiceSettings

__all__ = [
    "COMMANDS",
    "ACLRefused",
    "RedisUser",
    "acl_file",
    "admin_password",
    "apply",
    "password_variable",
    "prefix_of",
    "remove",
    "users_from_environment",
    "write_acl_file",
]

DEVELOPMENT = "development"
LOCAL_SERVER = "redis://127.0.0.1:6379/0"
"""The server the users are applied to in development when REDIS_URL names none."""
ADMIN_PASSWORD = "REDIS_ADMIN_PASSWORD"
COMMANDS = tuple(dict.fromkeys([*READ_STORE_COMMANDS, *INBOX_COMMANDS]))
"""Every command a service sends to Redis, each once, in the order the adapters declare them."""
_GLOB = re.compile(r"[*?\[\]\\\s]")


class ACLRefused(ValueError):
    """The users cannot be made as asked (a missing password, a bad name, prefixes that overlap)."""


@dataclass(frozen=True)
class RedisUser:
    """One store's user: its name (the store's), its key prefix, its password."""

    name: str
    prefix: str
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not STORE_NAME.fullmatch(self.name) or self.name == "default":
            raise ACLRefused(f"a Redis user is named after its store (not default): {self.name!r}")
        if not self.prefix or _GLOB.search(self.prefix):
            raise ACLRefused(
                f"{self.name}: the key prefix {self.prefix!r} must be non-empty, without spaces or the "
                "glob characters * ? [ ] \\"
            )

    @property
    def key_pattern(self) -> str:
        return f"{self.prefix}:*"

    def rules(self) -> list[str]:
        """The user from scratch: enabled, its password's hash, its keys, no channel, its commands."""
        password = f"#{_sha256(self.password)}" if self.password else "nopass"
        commands = [f"+{command}" for command in COMMANDS]
        return ["reset", "on", password, f"~{self.key_pattern}", "resetchannels", "-@all", *commands]

    def url(self, server_url: str) -> str:
        """The store's READSTORE_URL on the server and database of `server_url`: as this user."""
        parts = urlsplit(server_url)
        secret = f":{quote(self.password, safe='')}" if self.password else ""
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{self.name}{secret}@{host}"))


def _sha256(password: str) -> str:
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


def _refuse_overlaps(users: Sequence[RedisUser]) -> None:
    """No user may reach another's keys: no prefix (with its colon) starts another's, none is shared."""
    for user in users:
        for other in users:
            if user is not other and f"{other.prefix}:".startswith(f"{user.prefix}:"):
                raise ACLRefused(
                    f"{user.name}'s keys {user.key_pattern} would include {other.name}'s "
                    f"{other.key_pattern}: give every store a prefix of its own"
                )


def acl_file(users: Sequence[RedisUser], admin: str | None) -> str:
    """The ACL file: the `default` user as the administrator with `admin`'s hash (none: `nopass`, for
    development only), then one line per user."""
    _refuse_overlaps(users)
    password = f"#{_sha256(admin)}" if admin else "nopass"
    lines = [f"user default reset on {password} ~* &* +@all"]
    lines += [" ".join(["user", user.name, *user.rules()]) for user in users]
    return "\n".join(lines) + "\n"


def write_acl_file(path: Path, users: Sequence[RedisUser], admin: str | None) -> None:
    """Replace the file at once. It holds hashes only and is readable by all: Redis runs as a user of
    its own and reads it at boot."""
    text = acl_file(users, admin)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.chmod(0o644)
    partial.replace(path)


async def apply(admin_url: str, users: Sequence[RedisUser]) -> None:
    """Create or replace every user on the running server at `admin_url` (ACL SETUSER)."""
    _refuse_overlaps(users)
    redis = Redis.from_url(admin_url)
    try:
        for user in users:
            # The rules as the file writes them (redis-py's acl_setuser would compose its own).
            await redis.execute_command("ACL", "SETUSER", user.name, *user.rules())  # type: ignore[no-untyped-call]
    finally:
        await redis.aclose()


async def remove(admin_url: str, users: Sequence[RedisUser]) -> None:
    """Delete the users (tests and tools clean up with this); their keys stay."""
    redis = Redis.from_url(admin_url)
    try:
        if users:
            await redis.acl_deluser(*(user.name for user in users))
    finally:
        await redis.aclose()


def password_variable(store: str) -> str:
    """Where a store's password is in the environment: `REPLY_SHANGWU_REDIS_PASSWORD`."""
    return f"{store.upper()}_REDIS_PASSWORD"


def _development(environment: Mapping[str, str]) -> bool:
    return environment.get("APP_ENV", DEVELOPMENT) == DEVELOPMENT


def prefix_of(store: str, template: str, services: Sequence[str]) -> str:
    """The key prefix the store's service computes from READSTORE_PREFIX: `{store}` is the store's
    name, `{service}` the one of `services` it is an instance of."""
    if "{service}" in template:
        service = next((s for s in services if store == s or store.startswith(f"{s}_")), None)
        if service is None:
            raise ACLRefused(f"READSTORE_PREFIX names {{service}}: {store!r} is no instance of {services}")
        template = template.replace("{service}", service)
    return template.replace("{store}", store)


def users_from_environment(
    names: Sequence[str], environment: Mapping[str, str], services: Sequence[str] = ()
) -> list[RedisUser]:
    """The stores' users, with their prefixes as their services compute them and their passwords; an
    empty password is refused outside development."""
    template = environment.get("READSTORE_PREFIX") or ServiceSettings.model_fields["readstore_prefix"].default
    users = []
    for name in names:
        password = environment.get(password_variable(name), "")
        if not password and not _development(environment):
            raise ACLRefused(f"set {password_variable(name)}: no empty password outside development")
        users.append(RedisUser(name, prefix_of(name, template, services), password or None))
    _refuse_overlaps(users)
    return users


def admin_password(environment: Mapping[str, str]) -> str | None:
    """The `default` user's password for the file; required outside development."""
    password = environment.get(ADMIN_PASSWORD, "")
    if not password and not _development(environment):
        raise ACLRefused(f"set {ADMIN_PASSWORD}: the default user needs a password outside development")
    return password or None


def _every_service() -> list[str]:
    from runtime.catalog import CATALOG

    return list(CATALOG)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime.redis_acl", description=__doc__)
    parser.add_argument("stores", nargs="*", help="store names (default: every service)")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--output", type=Path, help="write the ACL file there instead of printing it")
    target.add_argument("--apply", action="store_true", help="ACL SETUSER on the server at REDIS_URL")
    arguments = parser.parse_args(argv)
    services = _every_service()
    names = arguments.stores or services
    try:
        users = users_from_environment(names, os.environ, services)
        admin = None if arguments.apply else admin_password(os.environ)
    except ACLRefused as refused:
        print(f"Redis users refused: {refused}", file=sys.stderr)
        return 2
    if arguments.apply:
        admin_url = os.environ.get("REDIS_URL", "")
        if not admin_url:
            if not _development(os.environ):
                print("Redis users refused: set REDIS_URL to the server to apply them to", file=sys.stderr)
                return 2
            admin_url = LOCAL_SERVER
        asyncio.run(apply(admin_url, users))
        print(f"set {len(users)} Redis user(s): {', '.join(u.name for u in users)}")
    elif arguments.output:
        write_acl_file(arguments.output, users, admin)
        print(f"wrote {len(users)} Redis user(s) and the default user to {arguments.output}")
    else:
        print(acl_file(users, admin), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
