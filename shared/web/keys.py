"""The keys of the sign-in tokens: Ed25519, each with a `kid`; the issuer signs, every service verifies.

Only the issuer (the service where people sign in) holds a private key, read from a PEM file. Every
other service holds public keys only: a JWKS (RFC 7517), read from a file or from the issuer's
`/.well-known/jwks.json`. During a rotation the JWKS lists the new key and the old one, so tokens
signed with either are accepted until the old one is dropped from it.

Outside production, with no key configured, every process derives the same development key from a
fixed seed, so the embedded run and the tests need no files. Its `kid` is `development`, and a
production service refuses it (in the settings and when a JWKS is loaded).
"""

import asyncio
import base64
import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DEVELOPMENT_KID = "development"
_DEVELOPMENT_SEED = b"proposals-platform development token key; never used in production"


class KeyProblem(ValueError):
    """A key or a JWKS that cannot be used: named in the message."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def thumbprint(public: Ed25519PublicKey) -> str:
    """The RFC 7638 thumbprint of the key: the `kid` a key gets unless one is given."""
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": _b64url(_raw(public))}, separators=(",", ":")
    )
    return _b64url(hashlib.sha256(canonical.encode()).digest())


@dataclass(frozen=True)
class SigningKey:
    """A private key and its `kid`: what the issuer signs tokens with."""

    kid: str
    private: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls) -> "SigningKey":
        private = Ed25519PrivateKey.generate()
        return cls(thumbprint(private.public_key()), private)

    @classmethod
    def development(cls) -> "SigningKey":
        seed = hashlib.sha256(_DEVELOPMENT_SEED).digest()
        return cls(DEVELOPMENT_KID, Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def from_pem(cls, pem: bytes, kid: str | None = None) -> "SigningKey":
        try:
            private = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as error:
            raise KeyProblem(f"not a PEM private key: {error}") from error
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyProblem(f"an Ed25519 key is needed, not {type(private).__name__}")
        if kid is None and _raw(private.public_key()) == _raw(cls.development().public):
            kid = DEVELOPMENT_KID
        return cls(kid or thumbprint(private.public_key()), private)

    @classmethod
    def from_file(cls, path: Path) -> "SigningKey":
        try:
            return cls.from_pem(path.read_bytes())
        except OSError as error:
            raise KeyProblem(f"the signing key {path} cannot be read: {error.strerror}") from error

    def pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    def jwk(self) -> dict[str, str]:
        return public_jwk(self.kid, self.public)


def public_jwk(kid: str, public: Ed25519PublicKey) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(_raw(public)),
        "kid": kid,
        "alg": "EdDSA",
        "use": "sig",
    }


@dataclass(frozen=True)
class KeySet:
    """The public keys a service accepts tokens from, by `kid`."""

    keys: Mapping[str, Ed25519PublicKey]

    @classmethod
    def of(cls, *signing: SigningKey) -> "KeySet":
        return cls({key.kid: key.public for key in signing})

    @classmethod
    def from_jwks(cls, document: Mapping[str, Any]) -> "KeySet":
        keys: dict[str, Ed25519PublicKey] = {}
        listed = document.get("keys")
        if not isinstance(listed, list) or not listed:
            raise KeyProblem("a JWKS needs a non-empty list `keys`")
        for jwk in listed:
            if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
                raise KeyProblem("every key of the JWKS must be an Ed25519 key (kty OKP, crv Ed25519)")
            kid, x = jwk.get("kid"), jwk.get("x")
            if not isinstance(kid, str) or not kid or not isinstance(x, str):
                raise KeyProblem("every key of the JWKS needs a `kid` and an `x`")
            try:
                keys[kid] = Ed25519PublicKey.from_public_bytes(_unb64url(x))
            except ValueError as error:
                raise KeyProblem(f"the key {kid} of the JWKS is not an Ed25519 public key") from error
        return cls(keys)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [public_jwk(kid, public) for kid, public in self.keys.items()]}

    def get(self, kid: str) -> Ed25519PublicKey | None:
        return self.keys.get(kid)

    @property
    def kids(self) -> Iterable[str]:
        return self.keys.keys()


class TokenKeys:
    """Where a service finds the public keys: a fixed set, a JWKS file, or the issuer's JWKS URL.

    The set is read on first use and again when a token names a `kid` not yet known (a rotation), at
    most once every `refresh_after` seconds, so a flood of made-up kids cannot flood the issuer."""

    def __init__(
        self, source: KeySet | Path | str, refuse_development: bool = False, refresh_after: float = 30.0
    ) -> None:
        self.source = source
        self.refuse_development = refuse_development
        self.refresh_after = refresh_after
        self.transport: httpx.AsyncBaseTransport | None = None
        """How the URL is fetched (the network unless a test says otherwise)."""
        self._known: KeySet | None = None
        self._read_at = float("-inf")
        self._reading = asyncio.Lock()
        if isinstance(source, KeySet):
            self._accept(source)
        elif isinstance(source, Path):
            self._accept(self._read_file(source))

    async def key(self, kid: str) -> Ed25519PublicKey | None:
        """The public key of `kid`, reading the set on first use and on an unknown kid (throttled).

        Requests that arrive together while the set is read wait for that one read."""
        found = self.known(kid)
        if found is not None:
            return found
        async with self._reading:
            found = self.known(kid)
            if found is None and (self._known is None or self._due()):
                try:
                    found = (await self.read()).get(kid)
                finally:
                    self._read_at = time.monotonic()
        return found

    def _due(self) -> bool:
        return time.monotonic() - self._read_at >= self.refresh_after

    def known(self, kid: str) -> Ed25519PublicKey | None:
        return None if self._known is None else self._known.get(kid)

    async def read(self) -> KeySet:
        """Read the file or fetch the URL now."""
        if isinstance(self.source, KeySet):
            return self._accept(self.source)
        if isinstance(self.source, Path):
            return self._accept(self._read_file(self.source))
        try:
            async with httpx.AsyncClient(timeout=5.0, transport=self.transport) as client:
                answer = await client.get(self.source)
                answer.raise_for_status()
                document = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            raise KeyProblem(f"the JWKS at {self.source} cannot be fetched: {error}") from error
        return self._accept(KeySet.from_jwks(document))

    @staticmethod
    def _read_file(path: Path) -> KeySet:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise KeyProblem(f"the JWKS {path} cannot be read: {error}") from error
        return KeySet.from_jwks(document)

    def _accept(self, keys: KeySet) -> KeySet:
        if self.refuse_development and DEVELOPMENT_KID in keys.kids:
            raise KeyProblem("the development key is not accepted in production")
        self._known, self._read_at = keys, time.monotonic()
        return keys
