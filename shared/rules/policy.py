"""Handling rules per jurisdiction and kind (提案 / 建议), loaded from `deploy/policy/*.toml`.

`default.toml` holds every rule; `<jurisdiction>.toml` overrides only what differs. Tables are merged
key by key; lists and scalars in the override replace the default's whole.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, NamedTuple, Self

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, model_validator

from shared.kernel.decider import InvalidField

Kind = Literal["proposal", "suggestion"]
KINDS: tuple[Kind, ...] = ("proposal", "suggestion")
DEFAULT_FILE = "default.toml"
_TOP_LEVEL_KEYS = {"name", "documents", *KINDS}
"""`documents` (organ names, 文号 prefixes, form notes) is read by shared/documents/settings.py."""


class PolicyError(ValueError):
    """A policy file is missing or malformed; the message names the file and the field."""


class UnknownSatisfaction(ValueError):
    def __init__(self, label: str, known: list[str]) -> None:
        super().__init__(f"unknown satisfaction label {label!r}, expected one of {known}")
        self.label = label


class UnknownResultClass(ValueError):
    def __init__(self, code: str, known: list[str]) -> None:
        super().__init__(f"unknown result class {code!r}, expected one of {known}")
        self.code = code


class UnknownNotRegisteredReason(ValueError):
    def __init__(self, code: str, known: list[str]) -> None:
        super().__init__(f"unknown reason for not registering {code!r}, expected one of {known}")
        self.code = code


SHORT_TEXT = 1_000
"""The longest short text (a title, a name, a number) any request may carry, whatever a policy says:
the request schemas refuse more before a policy is known."""
LONG_TEXT = 200_000
"""The longest long text (an item, an answer, an opinion) any request may carry."""

TextKind = Literal["title", "item", "answer", "opinion", "reason", "note", "name", "code", "publication"]


class Text(NamedTuple):
    """A text a person wrote into a command: the request field it came from, and its kind of limit."""

    field: str
    kind: TextKind
    value: str


class TextTooLong(InvalidField):
    def __init__(self, text: Text, limit: int) -> None:
        super().__init__(text.field, f"at most {limit} characters")
        self.detail = f"{text.field}: {len(text.value)} characters; at most {limit} are accepted"
        self.extra["max_length"] = limit


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Limits(_Frozen):
    """The longest text accepted in each kind of field, in characters (`[<kind>.limits]`)."""

    title: int = Field(gt=0, le=SHORT_TEXT)
    item: int = Field(gt=0, le=LONG_TEXT)
    answer: int = Field(gt=0, le=LONG_TEXT)
    opinion: int = Field(gt=0, le=LONG_TEXT)
    reason: int = Field(gt=0, le=LONG_TEXT)
    note: int = Field(gt=0, le=LONG_TEXT)
    name: int = Field(gt=0, le=SHORT_TEXT)
    code: int = Field(gt=0, le=SHORT_TEXT)
    publication: int = Field(gt=0, le=LONG_TEXT)

    def check(self, texts: Iterable[Text]) -> None:
        """Raise `TextTooLong` (422, naming the field) for the first text over its limit."""
        for text in texts:
            limit: int = getattr(self, text.kind)
            if len(text.value) > limit:
                raise TextTooLong(text, limit)


class ResultClass(_Frozen):
    code: str = Field(min_length=1)
    label: str = Field(min_length=1)


class NotRegisteredReason(_Frozen):
    code: str = Field(min_length=1)
    label: str = Field(min_length=1)


class Satisfaction(_Frozen):
    labels: tuple[str, ...] = Field(min_length=1)
    synonyms: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _synonyms_point_to_labels(self) -> Self:
        if len(set(self.labels)) != len(self.labels):
            raise ValueError(f"labels repeat: {list(self.labels)}")
        for synonym, label in self.synonyms.items():
            if label not in self.labels:
                raise ValueError(f"synonym {synonym!r} maps to {label!r}, which is not one of the labels")
        return self


class Policy(_Frozen):
    """The rules of one jurisdiction for one kind of item."""

    jurisdiction: str
    name: str = Field(min_length=1)
    kind: Kind
    reply_months: PositiveInt
    extended_reply_months: PositiveInt
    adjustment_request_working_days: PositiveInt
    adjustment_decision_days: PositiveInt
    co_opinion_months: PositiveInt
    first_contact_working_days: PositiveInt
    feedback_return_working_days: PositiveInt
    rehandling_months: PositiveInt
    publication_working_days: PositiveInt
    result_classes: tuple[ResultClass, ...] = Field(min_length=1)
    satisfaction: Satisfaction
    not_registered_reasons: tuple[NotRegisteredReason, ...] = Field(min_length=1)
    limits: Limits
    reply_deadline: dt.date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.extended_reply_months < self.reply_months:
            raise ValueError(
                f"extended_reply_months ({self.extended_reply_months}) is shorter than "
                f"reply_months ({self.reply_months})"
            )
        for field, codes in (
            ("result_classes", [c.code for c in self.result_classes]),
            ("not_registered_reasons", [r.code for r in self.not_registered_reasons]),
        ):
            if len(set(codes)) != len(codes):
                raise ValueError(f"{field}: codes repeat: {codes}")
        return self

    def normalise_satisfaction(self, label: str) -> str:
        """The canonical label (满意, 基本满意, 不满意) for a label as written, synonyms included."""
        written = "".join(label.split())
        if written in self.satisfaction.labels:
            return written
        if written in self.satisfaction.synonyms:
            return self.satisfaction.synonyms[written]
        raise UnknownSatisfaction(label, [*self.satisfaction.labels, *self.satisfaction.synonyms])

    def result_class(self, code: str) -> ResultClass:
        for result_class in self.result_classes:
            if result_class.code == code.strip():
                return result_class
        raise UnknownResultClass(code, [c.code for c in self.result_classes])

    def not_registered_reason(self, code: str) -> NotRegisteredReason:
        for reason in self.not_registered_reasons:
            if reason.code == code:
                return reason
        raise UnknownNotRegisteredReason(code, [r.code for r in self.not_registered_reasons])


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`base` with `override` applied: tables merge key by key, everything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


Policies = Mapping[tuple[str, str], Policy]
"""The policy of each jurisdiction and kind a deployment serves."""


def jurisdictions(directory: str | Path) -> list[str]:
    """Every jurisdiction with a file in `directory` (`wuhai.toml` → `wuhai`)."""
    return [p.stem for p in sorted(Path(directory).glob("*.toml")) if p.name != DEFAULT_FILE]


def load_policies(directory: str | Path) -> Policies:
    """The rules of every jurisdiction with a file in `directory`, for both kinds."""
    return {(j, kind): load_policy(directory, j, kind) for j in jurisdictions(directory) for kind in KINDS}


def load_policy(directory: str | Path, jurisdiction: str, kind: Kind) -> Policy:
    """The rules of `jurisdiction` for `kind`: `default.toml` merged with `<jurisdiction>.toml`."""
    if kind not in KINDS:
        raise PolicyError(f"unknown kind {kind!r}, expected one of {list(KINDS)}")
    directory = Path(directory)
    default_path = directory / DEFAULT_FILE
    override_path = directory / f"{jurisdiction}.toml"
    if jurisdiction == "default" or not override_path.exists():
        raise PolicyError(f"no policy file for jurisdiction {jurisdiction!r}: {override_path} does not exist")
    default = _read(default_path)
    override = _read(override_path)
    if "name" not in override:
        raise PolicyError(f"{override_path}: field 'name' is missing (the jurisdiction's name, e.g. 乌海市)")
    data = deep_merge(default.get(kind, {}), override.get(kind, {}))
    data.update(jurisdiction=jurisdiction, name=override["name"], kind=kind)
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(_describe(exc, kind, override.get(kind, {}), default_path, override_path)) from exc


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise PolicyError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from exc
    unknown = set(data) - _TOP_LEVEL_KEYS
    if unknown:
        raise PolicyError(f"{path}: unknown field(s) {sorted(unknown)}, expected {sorted(_TOP_LEVEL_KEYS)}")
    for kind in KINDS:
        if kind in data and not isinstance(data[kind], dict):
            raise PolicyError(f"{path}: field {kind!r} must be a table ([{kind}])")
    return data


def _describe(
    exc: ValidationError, kind: Kind, override: dict[str, Any], default_path: Path, override_path: Path
) -> str:
    """One line per error, each naming the file that supplied the field and the field's dotted path."""
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if loc and loc[0] == "name":
            path, field = override_path, "name"
        else:
            path = override_path if loc and loc[0] in override else default_path
            field = ".".join([kind, *loc]) if loc else kind
        lines.append(f"{path}: field {field!r}: {error['msg']}")
    return "invalid policy:\n" + "\n".join(lines)
