"""The SMTP notifier against a local SMTP server the test starts on 127.0.0.1."""

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage, Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from shared.adapters.notify import LogNotifier, Notification, SmtpNotifier
from shared.testing.waiting import eventually


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(content, policy=policy.default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


REMINDER = Notification(
    to="minzheng@jincheng.example",
    subject="提醒：晋城 第254号 的答复还有 1 个工作日到期（2025-10-10）",
    body="市民政局：关于加快发展居家社区养老服务的提案，第2轮答复期限 2025-10-10。",
)


async def test_a_reminder_reaches_the_unit_through_smtp() -> None:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        notifier = SmtpNotifier("127.0.0.1", controller.port, sender="office@jincheng.example")
        await notifier.send(REMINDER)
        await eventually(lambda: inbox.messages)
    finally:
        controller.stop()
    recipients, message = inbox.messages[0]
    assert recipients == ["minzheng@jincheng.example"]
    assert message["Subject"] == REMINDER.subject
    assert message["From"] == "office@jincheng.example"
    assert isinstance(message, EmailMessage)
    assert REMINDER.body in message.get_content()


async def test_an_unreachable_smtp_server_is_an_error_not_a_silent_loss() -> None:
    notifier = SmtpNotifier("127.0.0.1", free_port(), sender="office@jincheng.example", timeout=2)
    with pytest.raises(OSError):
        await notifier.send(REMINDER)


async def test_the_embedded_run_logs_each_notification(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="shared.adapters.notify")
    await LogNotifier().send(REMINDER)
    assert REMINDER.subject in caplog.text and "minzheng@jincheng.example" in caplog.text
