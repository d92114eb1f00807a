from shared.settings import ServiceSettings


class FeedbackSettings(ServiceSettings):
    service_name: str = "feedback"
    service_port: int = 8004
    smtp_host: str = ""
    """Empty: notifications to members go to the log (the embedded run)."""
    smtp_port: int = 25
    notify_sender: str = "office@proposals.invalid"
