"""In production a service runs on real servers, with its own secrets and its own broker user."""

import pytest
from pydantic import ValidationError

from services.intake.config import IntakeSettings

PRODUCTION = {
    "app_env": "production",
    "token_jwks": "http://views:8005/.well-known/jwks.json",
    "eventstore_url": "postgresql://intake:9f2c4e@postgres:5432/proposals?schema=intake",
    "readstore_url": "redis://intake:5e7a21@redis:6379/0",
}


def test_in_production_the_bus_url_names_the_services_own_user() -> None:
    settings = IntakeSettings.model_validate(
        {**PRODUCTION, "bus_url": "amqp://intake:7d41b0@rabbitmq:5672/wuhai"}
    )
    assert settings.bus_url.endswith("/wuhai")


@pytest.mark.parametrize("bus_url", ["amqp://guest:guest@rabbitmq:5672/wuhai", "amqp://rabbitmq:5672/wuhai"])
def test_guest_or_no_user_on_the_broker_is_refused_in_production(bus_url: str) -> None:
    with pytest.raises(ValidationError, match="own broker user"):
        IntakeSettings.model_validate({**PRODUCTION, "bus_url": bus_url})


def test_guest_is_for_development_and_the_tests() -> None:
    for app_env in ("development", "test"):
        settings = IntakeSettings.model_validate(
            {"app_env": app_env, "bus_url": "amqp://guest:guest@127.0.0.1:5672/"}
        )
        assert settings.declares_bus_topology
