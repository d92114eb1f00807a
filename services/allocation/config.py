from shared.settings import ServiceSettings


class AllocationSettings(ServiceSettings):
    service_name: str = "allocation"
    service_port: int = 8002
