"""Every service of the platform with its settings and app factory."""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI

from services.allocation.bootstrap import create as create_allocation
from services.allocation.config import AllocationSettings
from services.feedback.bootstrap import create as create_feedback
from services.feedback.config import FeedbackSettings
from services.intake.bootstrap import create as create_intake
from services.intake.config import IntakeSettings
from services.reply.bootstrap import create as create_reply
from services.reply.config import ReplySettings
from services.views.bootstrap import create as create_views
from services.views.config import ViewsSettings
from shared.adapters.infrastructure import Infrastructure
from shared.settings import ServiceSettings


@dataclass(frozen=True)
class Entry:
    settings: Callable[[], ServiceSettings]
    create: Callable[[ServiceSettings, Infrastructure | None], FastAPI]


CATALOG: dict[str, Entry] = {
    "intake": Entry(IntakeSettings, create_intake),
    "allocation": Entry(AllocationSettings, create_allocation),
    "reply": Entry(ReplySettings, create_reply),
    "feedback": Entry(FeedbackSettings, create_feedback),
    "views": Entry(ViewsSettings, create_views),
}
