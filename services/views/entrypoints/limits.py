"""What the pages refuse at the edge, and how they tell a person: too many sign-in attempts, too many
uses of one feedback link or too many links that lead nowhere (429), a form too large (413).

The limits count in this process only (see `shared.web.ratelimit`).
"""

from fastapi import Request, Response

from services.views.entrypoints.pages import templates
from shared.web.edge import Refusal
from shared.web.ratelimit import sign_in, token_link

LOGIN = "/login"
PASSWORD_LOGIN = "/login/password"
FEEDBACK_FORM = "/forms/{token}"
RATE_LIMITS = (sign_in(LOGIN), sign_in(PASSWORD_LOGIN), *token_link(FEEDBACK_FORM))


def refusal_page(request: Request, refusal: Refusal) -> Response:
    """The refusal as a page in Chinese, with the same status and headers as the problem+json."""
    if refusal.status == 429:
        title = "操作过于频繁"
        message = f"请求过于频繁，请在 {refusal.extra['retry_after']} 秒后再试。"
    else:
        title = "提交的内容过多"
        message = f"提交的内容超过了 {megabytes(refusal.extra['max_bytes'])} 的上限，请精简后再提交。"
    shown = {"me": None, "csrf": "", "title": title, "message": message, "back": "/"}
    return templates.TemplateResponse(request, "message.html", shown, status_code=refusal.status)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB"
