"""The notifier port: a message to a person or an office, and its adapters (log, SMTP)."""

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notification:
    to: str
    """An e-mail address."""
    subject: str
    body: str


class Notifier(Protocol):
    async def send(self, notification: Notification) -> None: ...


class LogNotifier:
    """The embedded run: every notification goes to the log."""

    async def send(self, notification: Notification) -> None:
        log.info("notification to %s: %s\n%s", notification.to, notification.subject, notification.body)


@dataclass(frozen=True)
class SmtpNotifier:
    """Sends through an SMTP server (stdlib `smtplib` in a thread); STARTTLS and login when configured."""

    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0

    async def send(self, notification: Notification) -> None:
        await asyncio.to_thread(self._send, notification)

    def _send(self, notification: Notification) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notification.to
        message["Subject"] = notification.subject
        message.set_content(notification.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)
