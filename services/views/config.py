import json
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from shared.settings import ServiceSettings

PageRole = Literal["office", "unit_staff", "unit_leader"]
"""The roles people sign in to the pages with (members answer through their form links instead)."""
PROVIDER_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
"""A provider's name in `OIDC_PROVIDERS`: it is part of its sign-in and callback paths."""


class ClaimMapping(BaseModel):
    """Which claims of a provider's ID token say who the person is here, by the provider's names.

    A role claim holds one of our roles (`office`, `unit_staff`, `unit_leader`) or a value `roles`
    translates (`{"提案委": "office"}`), alone or in a list; a unit claim holds the id, name or alias
    of a unit of the registry. The jurisdiction claim is read when the provider sends it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str = "sub"
    name: str = "name"
    role: str = "role"
    unit: str = "unit"
    jurisdiction: str = "jurisdiction"
    roles: dict[str, PageRole] = {}


class IdentityProvider(BaseModel):
    """A jurisdiction's identity provider (OpenID Connect) and the registration of the views there."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    display_name: str
    """Shown on the login page: 使用统一身份认证登录（display_name）."""
    issuer: str
    """The provider's issuer URL; its metadata is at `<issuer>/.well-known/openid-configuration`."""
    client_id: str
    client_secret: SecretStr
    redirect_url: str
    """Where the provider sends the browser back: `https://<the pages>/login/oidc/<name>/callback`, the
    URL registered at the provider."""
    scope: str = "openid profile"
    token_auth_method: Literal["client_secret_basic", "client_secret_post"] = "client_secret_basic"
    claims: ClaimMapping = ClaimMapping()


class ViewsSettings(ServiceSettings):
    service_name: str = "views"
    service_port: int = 8005
    intake_url: str = "http://127.0.0.1:8001"
    """Where the pages send the commands of each service (`INTAKE_URL`, `ALLOCATION_URL`, …)."""
    allocation_url: str = "http://127.0.0.1:8002"
    reply_url: str = "http://127.0.0.1:8003"
    feedback_url: str = "http://127.0.0.1:8004"
    development_login: bool | None = None
    """The sign-in where one picks a role and a unit without a password: on outside production by
    default, and a production service refuses to start with it."""
    oidc_providers: Annotated[dict[str, IdentityProvider], NoDecode] = Field(default_factory=dict)
    """Single sign-on through identity providers, by name (`OIDC_PROVIDERS`, a JSON object):
    `{"wuhai": {"display_name": "乌海市统一身份认证", "issuer": …, "client_id": …, "client_secret": …,
    "redirect_url": …}}`. None configured (empty), the login page offers none."""

    @field_validator("oidc_providers", mode="before")
    @classmethod
    def read_providers_from_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @model_validator(mode="after")
    def refuse_the_development_login_in_production(self) -> "ViewsSettings":
        if self.app_env == "production" and self.development_login:
            raise ValueError(
                "DEVELOPMENT_LOGIN (a sign-in without a password) cannot be switched on in production"
            )
        return self

    @model_validator(mode="after")
    def check_the_identity_providers(self) -> "ViewsSettings":
        for name, provider in self.oidc_providers.items():
            where = f"OIDC_PROVIDERS[{name!r}]"
            if not PROVIDER_NAME.fullmatch(name):
                raise ValueError(f"{where}: a name is lower-case letters, digits and hyphens, at most 32")
            for field in ("issuer", "redirect_url"):
                url = urlsplit(getattr(provider, field))
                if url.scheme not in {"http", "https"} or not url.hostname:
                    raise ValueError(f"{where}: {field} must be an http(s) URL")
                if self.app_env == "production" and url.scheme != "https":
                    raise ValueError(f"{where}: {field} must be an https URL in production")
            callback = f"/login/oidc/{name}/callback"
            if not urlsplit(provider.redirect_url).path.endswith(callback):
                raise ValueError(f"{where}: redirect_url must end with {callback}, the path of its callback")
            if "openid" not in provider.scope.split():
                raise ValueError(f"{where}: scope must include openid")
            if self.app_env == "production" and not provider.client_secret.get_secret_value():
                raise ValueError(f"{where}: client_secret must be set in production")
        return self

    @property
    def password_less_login(self) -> bool:
        return self.app_env != "production" if self.development_login is None else self.development_login

    def service_url(self, service: str) -> str:
        urls = {
            "intake": self.intake_url,
            "allocation": self.allocation_url,
            "reply": self.reply_url,
            "feedback": self.feedback_url,
        }
        return urls[service]
