"""Signed integration events: each is signed by the service instance that issues it, and a consumer
acts on one only when its signature holds and its type is one its source may issue.

A source is a service instance, named as its store (`intake`, `reply_shangwu`); its CloudEvents
`source` is `/proposals/<name>`. It signs with its own Ed25519 key over the canonical form of the
CloudEvent: the structured-mode JSON object without its `signature` attribute, in the JSON
Canonicalization Scheme (RFC 8785, `shared.kernel.canonical`). Two extension attributes carry the
signature: `signaturekid`, the key's id (the RFC 7638 thumbprint of its public JWK), signed with the
rest, and `signature`, the Ed25519 signature in base64url without padding.

A consumer trusts the public keys its trust file lists for each source, two or more while a key is
rotated; outside production, with no file, it trusts every source's development key, derived from a
fixed seed and the source's name so that every process agrees without files. What a source may issue
comes from the code: the contract of its service, and for an agency instance (`<service>_<unit>`)
only the events addressed to its own unit (the unit its routing key names). A message that fails
any of it is `Refused`, a `Malformed` that the bus dead-letters at once with the reason.
"""

import base64
import hashlib
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import ValidationError

from shared.adapters.bus import Malformed
from shared.kernel.canonical import canonical
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.errors import UnknownEventType
from shared.kernel.events import EventRegistry

SIGNATURE = "signature"
KEY_ID = "signaturekid"
SOURCE_PREFIX = "/proposals/"
DEVELOPMENT_SEED = b"proposals-platform development event signing key, never for production"
"""Public on purpose: a development key signs nothing anyone should trust, and production refuses it."""

Reason = Literal["unsigned", "bad-signature", "unknown-source", "unknown-key", "type-not-allowed"]


class Refused(Malformed):
    """A message whose signature or source does not hold: dead-lettered at once, with its reason."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: Reason = reason


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _members(public: Ed25519PublicKey) -> dict[str, str]:
    """The required members of the key's JWK (RFC 8037)."""
    return {"crv": "Ed25519", "kty": "OKP", "x": _b64(_raw(public))}


def jwk(public: Ed25519PublicKey) -> dict[str, str]:
    """The public key as a JWK, with its `kid`."""
    return {"kid": key_id(public), **_members(public)}


def key_id(public: Ed25519PublicKey) -> str:
    """The RFC 7638 thumbprint of the key's JWK: SHA-256 over its required members, base64url."""
    return _b64(hashlib.sha256(canonical(_members(public))).digest())


@cache
def development_key(source: str) -> Ed25519PrivateKey:
    """The development key of a source: the same in every process, and worthless outside development."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(DEVELOPMENT_SEED + source.encode()).digest())


@cache
def _development_public(source: str) -> tuple[str, Ed25519PublicKey]:
    public = development_key(source).public_key()
    return key_id(public), public


def is_development_key(source: str, public: Ed25519PublicKey) -> bool:
    return _raw(public) == _raw(_development_public(source)[1])


def load_private_key(pem_or_path: str) -> Ed25519PrivateKey:
    """An Ed25519 private key in PKCS#8 PEM, given as the text itself or as the path of its file."""
    text = pem_or_path.strip()
    data = text.encode() if text.startswith("-----BEGIN") else Path(text).read_bytes()
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"an event signing key must be Ed25519, not {type(key).__name__}")
    return key


def source_of(name: str) -> str:
    """The CloudEvents `source` of a source name: `reply_shangwu` → `/proposals/reply_shangwu`."""
    return f"{SOURCE_PREFIX}{name}"


def source_name(source: object) -> str | None:
    """The source name in a CloudEvents `source`, or None when it is not one of ours."""
    if isinstance(source, str) and source.startswith(SOURCE_PREFIX):
        name = source.removeprefix(SOURCE_PREFIX)
        return name if name and "/" not in name else None
    return None


def service_and_unit(name: str) -> tuple[str, str]:
    """The service of a source name and the unit of an agency instance: `reply_shangwu` → (`reply`,
    `shangwu`), `intake` → (`intake`, ``). A service's name has no underscore."""
    service, _, unit = name.partition("_")
    return service, unit


class Issuer:
    """A source with its private key: signs what it publishes."""

    def __init__(self, name: str, key: Ed25519PrivateKey) -> None:
        self.name = name
        self.source = source_of(name)
        self._key = key
        self.public_key = key.public_key()
        self.kid = key_id(self.public_key)

    @classmethod
    def development(cls, name: str) -> "Issuer":
        return cls(name, development_key(name))

    @property
    def is_development(self) -> bool:
        return is_development_key(self.name, self.public_key)

    def sign(self, event: CloudEvent) -> CloudEvent:
        """The event with `signaturekid` and the `signature` over its canonical form."""
        unsigned = event.model_copy(update={SIGNATURE: None, KEY_ID: self.kid})
        signature = self._key.sign(canonical(unsigned.attributes()))
        return unsigned.model_copy(update={SIGNATURE: _b64(signature)})


class TrustedKeys:
    """The public keys accepted from each source, by key id; or, in development without a trust file,
    every source's development key."""

    def __init__(self, keys: Mapping[str, Mapping[str, Ed25519PublicKey]], development: bool = False) -> None:
        self.keys = {source: dict(by_kid) for source, by_kid in keys.items()}
        self.development = development

    @classmethod
    def of_development(cls) -> "TrustedKeys":
        return cls({}, development=True)

    @classmethod
    def load(cls, path: Path) -> "TrustedKeys":
        """A trust file (TOML): `[sources.<name>]` with `keys`, a list of Ed25519 public JWKs
        (`kty = "OKP"`, `crv = "Ed25519"`, `x`, and `kid`, which must be the key's thumbprint)."""
        where = str(path)
        with path.open("rb") as file:
            document = tomllib.load(file)
        sources = document.get("sources")
        if not isinstance(sources, dict) or not sources:
            raise ValueError(f"{where}: no [sources.<name>] table")
        keys: dict[str, dict[str, Ed25519PublicKey]] = {}
        for name, table in sources.items():
            entries = table.get("keys") if isinstance(table, dict) else None
            if not isinstance(entries, list) or not entries:
                raise ValueError(f"{where}: sources.{name} lists no keys")
            keys[name] = dict(_public_key(f"{where}: sources.{name}", entry) for entry in entries)
        return cls(keys)

    def key(self, source: str, kid: str) -> Ed25519PublicKey:
        """The key `kid` of `source`; Refused when the source or the key is not trusted."""
        if self.development:
            development_kid, public = _development_public(source)
            if kid != development_kid:
                raise Refused("unknown-key", f"{kid!r} is not the development key of {source}")
            return public
        by_kid = self.keys.get(source)
        if by_kid is None:
            raise Refused("unknown-source", f"{source} is not a trusted source")
        trusted = by_kid.get(kid)
        if trusted is None:
            raise Refused("unknown-key", f"{kid!r} is not a trusted key of {source}")
        return trusted

    def sources_with_development_keys(self) -> list[str]:
        """The sources of a trust file that list their development key."""
        return [
            source
            for source, by_kid in self.keys.items()
            if any(is_development_key(source, key) for key in by_kid.values())
        ]


def _public_key(where: str, entry: object) -> tuple[str, Ed25519PublicKey]:
    if not isinstance(entry, dict) or entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
        raise ValueError(f'{where}: each key is an Ed25519 JWK (kty = "OKP", crv = "Ed25519", x, kid)')
    try:
        public = Ed25519PublicKey.from_public_bytes(_unb64(str(entry.get("x", ""))))
    except ValueError as error:
        raise ValueError(f"{where}: x is not an Ed25519 public key in base64url: {error}") from error
    kid = entry.get("kid")
    if kid != key_id(public):
        raise ValueError(f"{where}: kid {kid!r} is not the key's thumbprint {key_id(public)!r}")
    return kid, public


class Issuers:
    """What each source may issue, from the contracts of the services: a service's own events, and
    for an agency instance (`<service>_<unit>`) only those addressed to its unit."""

    def __init__(self, contracts: Mapping[str, EventRegistry]) -> None:
        self.contracts = dict(contracts)

    def check(self, source: str, type_name: str, data: Any) -> None:
        """Refused when `source` may not issue this event."""
        service, unit = service_and_unit(source)
        contract = self.contracts.get(service)
        if contract is None or not contract.knows(type_name):
            raise Refused("type-not-allowed", f"{source} does not issue {type_name}")
        if not unit:
            return
        try:
            event = contract.decode(type_name, data)
        except (ValidationError, UnknownEventType, TypeError, AttributeError) as error:
            raise Malformed(f"{type_name} from {source} does not fit its contract: {error}") from error
        assert isinstance(event, IntegrationEvent)
        addressed = event.routing_key().removeprefix(event.type_name).removeprefix(".")
        if addressed.replace("-", "_") != unit:
            raise Refused(
                "type-not-allowed",
                f"{source} issues only events addressed to its own unit; this {type_name} is "
                f"addressed to {addressed or 'no one unit'}",
            )


class Verifier:
    """What a consumer checks before it acts on a message: a signature by a key its source is trusted
    with, over the canonical form, and a type that source may issue."""

    def __init__(self, trust: TrustedKeys, issuers: Issuers) -> None:
        self.trust = trust
        self.issuers = issuers

    def verify(self, attributes: Mapping[str, Any]) -> None:
        """Return when the CloudEvent (its JSON object as received) holds; Refused otherwise."""
        what = f"{attributes.get('type')} {attributes.get('id')} from {attributes.get('source')}"
        signature, kid = attributes.get(SIGNATURE), attributes.get(KEY_ID)
        if not isinstance(signature, str) or not isinstance(kid, str):
            raise Refused("unsigned", f"{what} carries no signature")
        name = source_name(attributes.get("source"))
        if name is None:
            raise Refused("unknown-source", f"{what}: the source is not {SOURCE_PREFIX}<name>")
        public = self.trust.key(name, kid)
        try:
            signed = canonical({k: v for k, v in attributes.items() if k != SIGNATURE})
            public.verify(_unb64(signature), signed)
        except (InvalidSignature, ValueError) as error:
            raise Refused("bad-signature", f"{what}: the signature does not hold ({error!r})") from error
        self.issuers.check(name, str(attributes.get("type")), attributes.get("data"))
