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

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.kernel.signatures import Issuer, TrustedKeys, load_private_key

STORE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
"""A store's name: it names a PostgreSQL schema and role, a file and a KurrentDB stream prefix."""
DEVELOPMENT_SECRET = "development-only-secret-change-me-0000000000"
DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
"""The deployment data of this checkout (policies, calendars, units); `DEPLOY_DIR` names another."""


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
    readstore_url: str = "memory://"
    """memory:// | redis://host:6379/0"""
    readstore_prefix: str = "pp:{store}"
    """Every key of the service starts with this and a colon."""
    deploy_dir: Path = DEPLOY
    """Policies per jurisdiction (`policy/`), working-day calendars (`calendar/`), units (`units.toml`)."""
    token_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
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
        if self.unit_id is None:
            return self.service_name
        return f"{self.service_name}_{self.unit_id}".replace("-", "_")

    @model_validator(mode="after")
    def refuse_development_secrets_in_production(self) -> "ServiceSettings":
        if self.app_env == "production":
            secret = self.token_secret.get_secret_value()
            if secret == DEVELOPMENT_SECRET or len(secret) < 32:
                raise ValueError(
                    "TOKEN_SECRET must be set to a secret of at least 32 characters in production"
                )
            for name in ("eventstore_url", "bus_url", "readstore_url"):
                if getattr(self, name).startswith(("memory:", "inprocess:")):
                    raise ValueError(f"{name.upper()} must name a real server in production")
        return self

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
