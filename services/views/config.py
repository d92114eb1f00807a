from shared.settings import ServiceSettings


class ViewsSettings(ServiceSettings):
    service_name: str = "views"
    service_port: int = 8005
