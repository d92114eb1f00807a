from shared.settings import ServiceSettings


class AllocationSettings(ServiceSettings):
    service_name: str = "allocation"
    service_port: int = 8002
    reminder_working_days: tuple[int, ...] = (5, 1)
    """Remind a unit when this many working days (or fewer) are left before a deadline."""
    escalate_after_working_days: int = 3
    """Escalate a missed deadline to the office this many working days after it."""
    scheduler_interval_seconds: float = 3600.0
    digest_due_soon_working_days: int = 5
    """The daily digest lists as due soon what falls due within this many working days."""
    smtp_host: str = ""
    """Empty: notifications go to the log (the embedded run)."""
    smtp_port: int = 25
    notify_sender: str = "office@proposals.invalid"
