from shared.settings import ServiceSettings


class ViewsSettings(ServiceSettings):
    service_name: str = "views"
    service_port: int = 8005
    intake_url: str = "http://127.0.0.1:8001"
    """Where the pages send the commands of each service (`INTAKE_URL`, `ALLOCATION_URL`, …)."""
    allocation_url: str = "http://127.0.0.1:8002"
    reply_url: str = "http://127.0.0.1:8003"
    feedback_url: str = "http://127.0.0.1:8004"

    def service_url(self, service: str) -> str:
        urls = {
            "intake": self.intake_url,
            "allocation": self.allocation_url,
            "reply": self.reply_url,
            "feedback": self.feedback_url,
        }
        return urls[service]
