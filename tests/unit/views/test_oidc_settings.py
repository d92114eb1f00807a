"""Single sign-on is configured in the views' settings (`OIDC_PROVIDERS`, JSON), and checked there:
a provider set up wrongly stops the service rather than failing people at their sign-in."""

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from runtime import event_keys
from runtime.keys import main as keys_command
from services.views.config import ViewsSettings

SERVERS = {
    "eventstore_url": "postgresql://db/p",
    "bus_url": "amqp://svc:pw@mq/",
    "readstore_url": "redis://svc:pw@c/0",
}
WUHAI = {
    "display_name": "乌海市统一身份认证",
    "issuer": "https://sso.wuhai.example/realms/zwfw",
    "client_id": "proposals-views",
    "client_secret": "client-secret-from-the-provider",
    "redirect_url": "https://tian.wuhai.example/login/oidc/wuhai/callback",
}


def production(tmp_path: Path, **settings: Any) -> ViewsSettings:
    keys_command(["new", str(tmp_path)])
    event_keys.new("intake", tmp_path / "events")
    keys = {
        "token_signing_key_file": tmp_path / "token-signing-key.pem",
        "token_jwks": str(tmp_path / "jwks.json"),
        "event_trust": tmp_path / "events" / "trust.toml",
    }
    return ViewsSettings.model_validate(SERVERS | keys | {"app_env": "production"} | settings)


def test_providers_come_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    claims = {"role": "groups", "roles": {"提案委工作人员": "office"}}
    monkeypatch.setenv("OIDC_PROVIDERS", json.dumps({"wuhai": WUHAI | {"claims": claims}}))

    provider = ViewsSettings().oidc_providers["wuhai"]

    assert provider.client_secret.get_secret_value() == "client-secret-from-the-provider"
    assert "client-secret-from-the-provider" not in repr(provider)
    assert (provider.claims.role, provider.claims.unit, provider.claims.roles) == (
        "groups",
        "unit",
        {"提案委工作人员": "office"},
    )


def test_an_empty_setting_configures_no_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OIDC_PROVIDERS", "")

    assert ViewsSettings().oidc_providers == {}


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"redirect_url": "https://tian.wuhai.example/login/oidc/zhongwei/callback"}, "must end with"),
        ({"redirect_url": "https://tian.wuhai.example/"}, "must end with"),
        ({"issuer": "sso.wuhai.example"}, "issuer must be an http"),
        ({"scope": "profile email"}, "openid"),
        ({"client_secret": ""}, "client_secret must be set in production"),
        ({"issuer": "http://sso.wuhai.example"}, "issuer must be an https URL in production"),
        ({"redirect_url": "http://tian.wuhai.example/login/oidc/wuhai/callback"}, "https URL in production"),
    ],
)
def test_a_provider_set_up_wrongly_stops_the_service(
    tmp_path: Path, change: dict[str, str], complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        production(tmp_path, oidc_providers={"wuhai": WUHAI | change})


def test_a_provider_name_is_fit_for_a_path() -> None:
    with pytest.raises(ValidationError, match="lower-case letters"):
        ViewsSettings(oidc_providers={"乌海": WUHAI})


def test_outside_production_a_provider_may_be_reached_over_http() -> None:
    local_provider = WUHAI | {
        "issuer": "http://127.0.0.1:9400",
        "redirect_url": "http://127.0.0.1:8005/login/oidc/wuhai/callback",
    }

    assert ViewsSettings(oidc_providers={"wuhai": local_provider}).oidc_providers["wuhai"].issuer
