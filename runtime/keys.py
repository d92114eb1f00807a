"""The sign-in token keys of a deployment: `python -m runtime.keys new secrets/` and, to rotate,
`python -m runtime.keys rotate secrets/`.

`new` writes an Ed25519 private key (`token-signing-key.pem`, readable by its owner only) and the
JWKS with its public key (`jwks.json`). `rotate` writes a new private key in its place and a JWKS
listing the new key and the one it replaces, so tokens signed before the rotation stay valid until
they expire; once they have (sessions last 12 hours), `retire` writes a JWKS of the current key only.
The views service signs with the private key and publishes the JWKS; no other service needs either.
"""

import argparse
import json
import os
import sys
from pathlib import Path

from shared.web.keys import KeySet, SigningKey

PRIVATE = "token-signing-key.pem"
JWKS = "jwks.json"


def write_private(folder: Path, key: SigningKey) -> None:
    path = folder / PRIVATE
    descriptor = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.pem())
    os.replace(path.with_suffix(".tmp"), path)


def write_jwks(folder: Path, *keys: SigningKey) -> None:
    (folder / JWKS).write_text(json.dumps(KeySet.of(*keys).jwks(), indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=["new", "rotate", "retire"])
    parser.add_argument("folder", type=Path, help="where the key and the JWKS are (e.g. secrets/)")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    folder.mkdir(parents=True, exist_ok=True)
    existing = folder / PRIVATE
    if args.action == "new":
        if existing.exists():
            parser.error(f"{existing} exists: use `rotate` to replace it")
        key = SigningKey.generate()
        write_private(folder, key)
        write_jwks(folder, key)
        return f"new key {key.kid}"
    if not existing.exists():
        parser.error(f"{existing} does not exist: use `new` first")
    current = SigningKey.from_file(existing)
    if args.action == "retire":
        write_jwks(folder, current)
        return f"the JWKS lists {current.kid} only"
    key = SigningKey.generate()
    write_private(folder, key)
    write_jwks(folder, key, current)
    return f"new key {key.kid}; {current.kid} still accepted until `retire`"


if __name__ == "__main__":
    print(main(sys.argv[1:]))
