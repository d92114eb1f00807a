"""`python -m runtime.event_keys`: the event signing keys of a deployment and their trust file.

    python -m runtime.event_keys new reply_shangwu           # a key for the source, trusted
    python -m runtime.event_keys retire reply_shangwu <kid>  # after a rotation: the old key untrusted

Each source (a service or agency instance, by its store's name) signs with the private key in
`<dir>/<source>.pem` (PKCS#8 PEM, mode 600: the instance's EVENT_SIGNING_KEY), and every consumer
trusts the public keys `<dir>/trust.toml` lists (EVENT_TRUST). `new` writes a source's key and adds
its public key to the trust file; for a source that has one already it is a rotation: the old key
file is kept as `<source>.<kid>.pem` and the trust file lists both keys until `retire`. The trust file
is written whole each time, sources in order.
"""

import argparse
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.kernel.signatures import TrustedKeys, jwk, key_id, load_private_key
from shared.settings import STORE_NAME

DIRECTORY = Path("secrets") / "events"
TRUST_FILE = "trust.toml"
HEADER = """\
# The event signing keys every consumer trusts (EVENT_TRUST), written by `python -m runtime.event_keys`.
# [sources.<name>]: a service or agency instance by its store's name (its CloudEvents source is
# /proposals/<name>); keys: the Ed25519 public keys accepted from it as JWKs, kid = the RFC 7638
# thumbprint. Two keys while one is rotated.
"""


def trust_toml(sources: Mapping[str, Sequence[Ed25519PublicKey]]) -> str:
    """The text of a trust file listing these public keys for each source."""
    parts = [HEADER]
    for name in sorted(sources):
        entries = [", ".join(f"{k} = {json.dumps(v)}" for k, v in jwk(key).items()) for key in sources[name]]
        lines = "".join(f"  {{ {entry} }},\n" for entry in entries)
        parts.append(f"\n[sources.{name}]\nkeys = [\n{lines}]\n")
    return "".join(parts)


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _trusted(directory: Path) -> dict[str, list[Ed25519PublicKey]]:
    path = directory / TRUST_FILE
    if not path.exists():
        return {}
    return {name: list(by_kid.values()) for name, by_kid in TrustedKeys.load(path).keys.items()}


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(private_pem(key))


def new(source: str, directory: Path) -> str:
    """Write a new key for `source` and trust it; an existing key is kept beside it. Its kid."""
    if not STORE_NAME.fullmatch(source):
        raise SystemExit(f"{source!r} is not a store's name (intake, reply_shangwu, …)")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{source}.pem"
    if path.exists():
        old = load_private_key(str(path))
        path.rename(directory / f"{source}.{key_id(old.public_key())}.pem")
    key = Ed25519PrivateKey.generate()
    _write_private(path, key)
    sources = _trusted(directory)
    sources[source] = [*sources.get(source, []), key.public_key()]
    (directory / TRUST_FILE).write_text(trust_toml(sources), encoding="utf-8")
    return key_id(key.public_key())


def retire(source: str, kid: str, directory: Path) -> None:
    """Trust the key `kid` of `source` no more, and delete its kept private key."""
    sources = _trusted(directory)
    kept = [key for key in sources.get(source, []) if key_id(key) != kid]
    if len(kept) == len(sources.get(source, [])):
        raise SystemExit(f"{directory / TRUST_FILE} lists no key {kid} of {source}")
    if not kept:
        raise SystemExit(f"{kid} is the only key of {source}: make a new one first (`new {source}`)")
    sources[source] = kept
    (directory / TRUST_FILE).write_text(trust_toml(sources), encoding="utf-8")
    (directory / f"{source}.{kid}.pem").unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m runtime.event_keys", description="The event signing keys and their trust file."
    )
    parser.add_argument("--dir", type=Path, default=DIRECTORY, help=f"where the keys live ({DIRECTORY})")
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("new", help="a new key for each source, trusted (a rotation if it has one)")
    made.add_argument("sources", nargs="+")
    retired = commands.add_parser("retire", help="no longer trust a source's old key")
    retired.add_argument("source")
    retired.add_argument("kid")
    arguments = parser.parse_args(argv)
    if arguments.command == "new":
        for source in arguments.sources:
            print(f"{source}: {arguments.dir / (source + '.pem')} (kid {new(source, arguments.dir)})")
        print(f"trusted in {arguments.dir / TRUST_FILE}")
    else:
        retire(arguments.source, arguments.kid, arguments.dir)
        print(f"{arguments.source}: {arguments.kid} no longer trusted in {arguments.dir / TRUST_FILE}")


if __name__ == "__main__":
    main()
