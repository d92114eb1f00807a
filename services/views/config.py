from pydantic import model_validator

from shared.settings import ServiceSettings


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

    @model_validator(mode="after")
    def refuse_the_development_login_in_production(self) -> "ViewsSettings":
        if self.app_env == "production" and self.development_login:
            raise ValueError(
                "DEVELOPMENT_LOGIN (a sign-in without a password) cannot be switched on in production"
            )
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
