from shared.settings import ServiceSettings


class ReplySettings(ServiceSettings):
    service_name: str = "reply"
    service_port: int = 8003
