"""What the public may read of a reply: the proposer's contact details are never published.

Pure text rules: labelled contact fields (联系人：…, 联系电话：…, 邮箱：…), phone numbers (mobile,
landline with its area code, digits after 电话/手机), e-mail addresses and the phone numbers the
reply and its 面商 records name are cut out; lines left empty by the cut are dropped.
"""

import re
from collections.abc import Iterable

from services.reply.domain.events import AnsweredItem

FORMS = ("摘要", "全文")

_LABELS = "联系人|联系电话|联系方式|联系地址|通讯地址|家庭住址|住址|手机号码|手机|电话|电子邮箱|邮箱|E-?mail"
_CONTACT_FIELD = re.compile(rf"(?:{_LABELS})\s*[:：][^\n；;，,。）)]*", re.IGNORECASE)
_NUMBER_AFTER_LABEL = re.compile(r"(?:电话|手机|联系方式)\s*\d[\d\-－ ]{5,}\d")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\-－ ]?)?1[3-9]\d(?:[\-－ ]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)[(（]?0\d{2,3}[)）]?[\-－ ]?\d{7,8}(?!\d)")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_EMPTY_BRACKETS = re.compile(r"[(（]\s*[)）]")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[，。；：、）])")


def redacted(text: str, known_numbers: Iterable[str] = ()) -> str:
    """`text` without contact details; `known_numbers` are cut out wherever they appear."""
    numbers = tuple(n.strip() for n in known_numbers if n.strip())
    lines = []
    for line in text.splitlines():
        cut = _cut(line, numbers)
        if cut or not line.strip():
            lines.append(cut)
    return "\n".join(lines).strip()


def full_text(answers: Iterable[AnsweredItem]) -> str:
    """The reply's answers, one numbered paragraph per item."""
    return "\n".join(f"{a.item}. {a.text}" for a in answers)


def _cut(line: str, numbers: tuple[str, ...]) -> str:
    for number in numbers:
        line = line.replace(number, "")
    patterns = (_CONTACT_FIELD, _NUMBER_AFTER_LABEL, _EMAIL, _MOBILE, _LANDLINE, _EMPTY_BRACKETS)
    for pattern in (*patterns, _SPACE_BEFORE_PUNCTUATION):
        line = pattern.sub("", line)
    return re.sub(r"[ \t]{2,}", " ", line).strip()
