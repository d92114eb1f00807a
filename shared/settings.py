"""Configuration shared by every service: which adapters, where, and the secrets.

Which adapter runs is decided by the URLs here and nowhere else. The defaults are the embedded
run: an SQLite event store of the service's own (`var/<store>.sqlite3`), the in-process bus and
in-memory read models. In `EVENTSTORE_URL` and `READSTORE_PREFIX`, `{store}` stands for the store's
name (the service's name, or `<service>_<unit>` for an agency's own instance) and `{service}` for
the service's name, so one environment can give every service and agency instance a store and keys
of its own.
"""

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import PositiveInt, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.kernel.signatures import Issuer, TrustedKeys, load_private_key
from shared.web.keys import KeyProblem, KeySet, SigningKey, TokenKeys

STORE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
"""A store's name: it names a PostgreSQL schema and role, a file and a KurrentDB stream prefix."""
DEVELOPMENT_SECRET = "development-only-secret-change-me-0000000000"
"""The development key of the feedback form links; refused in production."""
DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
"""The deployment data of this checkout (policies, calendars, units); `DEPLOY_DIR` names another."""


def store_name(service: str, unit: str | None) -> str:
    """`reply` for the service, `reply_shangwu` for its instance acting for a unit (see
    `ServiceSettings.store_name`)."""
    return service if unit is None else f"{service}_{unit}".replace("-", "_")


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    service_name: str = "service"
    app_env: Literal["development", "test", "production"] = "development"
    service_host: str = "127.0.0.1"
    service_port: int = 8000
    eventstore_url: str = "sqlite:///var/{store}.sqlite3"
    """memory:// | sqlite:///path | postgresql://…[?schema=name] | esdb://… | kurrentdb://…"""
    bus_url: str = "inprocess://"
    """inprocess:// | amqp://user:password@host:5672/vhost"""
    bus_exchange: str = "proposals.events"
    bus_topology: Literal["declare", "provisioned"] = "declare"
    """`declare`: the service declares the exchanges and every service's queue at start (development,
    tests); `provisioned`: the broker's definitions hold them (`python -m runtime.broker`) and the
    service, whose broker user may configure nothing, only checks that they are there."""
    readstore_url: str = "memory://"
    """memory:// | redis://user:password@host:6379/0 (the store's own user, runtime/redis_acl.py)"""
    readstore_prefix: str = "pp:{store}"
    """Every key of the service starts with this and a colon."""
    deploy_dir: Path = DEPLOY
    """Policies per jurisdiction (`policy/`), working-day calendars (`calendar/`), units (`units.toml`)."""
    token_signing_key_file: Path | None = None
    """The issuer's private Ed25519 key (PEM): only the service where people sign in has one."""
    token_jwks: str | None = None
    """The public keys tokens are accepted from: a JWKS file, or the issuer's JWKS URL
    (`http://views:8005/.well-known/jwks.json`). Without it, the issuer's own key; outside production,
    with neither, the development key every process derives alike."""
    event_signing_key: SecretStr | None = None
    """This instance's Ed25519 private key signing the events it publishes: PKCS#8 PEM, the text
    itself or the path of its file. Unset outside production: the development key of its store."""
    event_trust: Path | None = None
    """The trust file (TOML) naming the public keys accepted from each source of events. Unset
    outside production: every source's development key."""
    unit_id: str | None = None
    """Set when this instance acts for one handling unit only (e.g. minzheng)."""
    max_deliveries: int = 5
    bus_retry_delay: float = 1.0
    """Seconds a consumer holds a failed message before its second delivery; four times longer before
    each next one, at most a minute (with 5 deliveries: 1 + 4 + 16 + 60 s before it is dead-lettered)."""
    max_body_bytes: PositiveInt = 2 * 1024 * 1024
    """The largest request body a service reads (`MAX_BODY_BYTES`); a larger one is answered 413 before
    it is parsed. 2 MiB holds a reply of ten answers at the policies' longest (20,000 characters),
    even with every character escaped as \\uXXXX; an upload route may allow more (the plan import)."""
    rate_limits: bool = True
    """The rate limits of sign-in and of feedback links (`RATE_LIMITS`); false only for a load
    generator that drives thousands of links from one address (the simulation's stack)."""
    log_level: str = "INFO"
    log_format: Literal["json", "console"] | None = None
    """JSON lines or a console layout; JSON when APP_ENV=production unless this says otherwise."""

    @model_validator(mode="after")
    def name_the_service(self) -> "ServiceSettings":
        if not STORE_NAME.fullmatch(self.store_name):
            raise ValueError(
                f"the store name {self.store_name!r} (from SERVICE_NAME and UNIT_ID) must be lower-case "
                "letters, digits and underscores, at most 63"
            )
        for name in ("eventstore_url", "readstore_prefix"):
            value = getattr(self, name).replace("{store}", self.store_name)
            setattr(self, name, value.replace("{service}", self.service_name))
        return self

    @property
    def store_name(self) -> str:
        """Whose data this instance holds: the service's, or an agency instance's (`reply_shangwu`).

        It names the instance's own store everywhere: its SQLite file, its PostgreSQL schema and
        role, its KurrentDB stream prefix, and its Redis key prefix by default. A hyphen of a unit id
        (`cppcc-office`) becomes an underscore, as identifiers need."""
        return store_name(self.service_name, self.unit_id)

    @model_validator(mode="after")
    def refuse_development_secrets_in_production(self) -> "ServiceSettings":
        if self.app_env == "production":
            if not self.token_jwks and self.token_signing_key_file is None:
                raise ValueError(
                    "TOKEN_JWKS (the issuer's public keys) must be set in production: "
                    "the development token key is refused"
                )
            for name in ("eventstore_url", "bus_url", "readstore_url"):
                if getattr(self, name).startswith(("memory:", "inprocess:")):
                    raise ValueError(f"{name.upper()} must name a real server in production")
            if urlsplit(self.bus_url).username in (None, "", "guest"):
                raise ValueError("BUS_URL must name the instance's own broker user in production, not guest")
            redis = urlsplit(self.readstore_url)
            anonymous = redis.username in (None, "", "default") or not redis.password
            if redis.scheme in {"redis", "rediss"} and anonymous:
                raise ValueError(
                    "READSTORE_URL must log in as the store's own Redis user with its password in "
                    "production: redis://<user>:<password>@host:6379/0 (runtime/redis_acl.py)"
                )
        return self

    def token_keys(self) -> TokenKeys:
        """The public keys this service accepts tokens from (see `token_jwks`)."""
        production = self.app_env == "production"
        source: KeySet | Path | str
        if self.token_jwks:
            jwks = self.token_jwks
            source = jwks if jwks.startswith(("http://", "https://")) else Path(jwks)
        else:
            source = KeySet.of(self.signing_key())
        return TokenKeys(source, refuse_development=production)

    def signing_key(self) -> SigningKey:
        """The key this service signs tokens with: its file, or outside production the development key."""
        if self.token_signing_key_file is not None:
            return SigningKey.from_file(self.token_signing_key_file)
        if self.app_env == "production":
            raise KeyProblem("TOKEN_SIGNING_KEY_FILE must name the issuer's private key in production")
        return SigningKey.development()

    def event_issuer(self) -> Issuer:
        """Who signs what this instance publishes: its store's name with EVENT_SIGNING_KEY, or outside
        production its development key; in production a missing or development key is refused."""
        if self.event_signing_key is None:
            if self.app_env == "production":
                raise ValueError("EVENT_SIGNING_KEY must be set in production (the instance's Ed25519 key)")
            return Issuer.development(self.store_name)
        issuer = Issuer(self.store_name, load_private_key(self.event_signing_key.get_secret_value()))
        if self.app_env == "production" and issuer.is_development:
            raise ValueError(
                f"EVENT_SIGNING_KEY is the development key of {self.store_name}: refused in production"
            )
        return issuer

    def trusted_keys(self) -> TrustedKeys:
        """The keys this instance accepts events from: EVENT_TRUST, or outside production every source's
        development key; in production a missing trust file or one listing a development key is refused."""
        if self.event_trust is None:
            if self.app_env == "production":
                raise ValueError(
                    "EVENT_TRUST must name the trust file of the event signing keys in production"
                )
            return TrustedKeys.of_development()
        trust = TrustedKeys.load(self.event_trust)
        development = trust.sources_with_development_keys()
        if self.app_env == "production" and development:
            listed = ", ".join(development)
            raise ValueError(f"EVENT_TRUST lists the development key of {listed}: refused in production")
        return trust

    @property
    def declares_bus_topology(self) -> bool:
        return self.bus_topology == "declare"

    @property
    def log_json(self) -> bool:
        return self.log_format == "json" or (self.log_format is None and self.app_env == "production")

    @property
    def policy_dir(self) -> Path:
        return self.deploy_dir / "policy"

    @property
    def calendar_dir(self) -> Path:
        return self.deploy_dir / "calendar"

    @property
    def units_file(self) -> Path:
        return self.deploy_dir / "units.toml"
