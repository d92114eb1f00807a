from pydantic import SecretStr, model_validator

from shared.settings import DEVELOPMENT_SECRET, ServiceSettings


class FeedbackSettings(ServiceSettings):
    service_name: str = "feedback"
    service_port: int = 8004
    smtp_host: str = ""
    """Empty: notifications to members go to the log (the embedded run)."""
    smtp_port: int = 25
    notify_sender: str = "office@proposals.invalid"
    form_link_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    """The key of the feedback form links (HMAC): feedback's own, used for nothing else."""

    @model_validator(mode="after")
    def refuse_the_development_link_key_in_production(self) -> "FeedbackSettings":
        secret = self.form_link_secret.get_secret_value()
        if self.app_env == "production" and (secret == DEVELOPMENT_SECRET or len(secret) < 32):
            raise ValueError(
                "FORM_LINK_SECRET must be set to a secret of at least 32 characters in production"
            )
        return self
