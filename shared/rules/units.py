"""The unit registry: which units exist, and which written names mean which unit.

The data lives in `deploy/units.toml`; this module loads it and resolves the names found in documents
(allocation plans extracted from PDFs break names over lines, mix full- and half-width parentheses).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast, get_args

UnitKind = Literal["bureau", "county_government", "people_organisation", "office"]
UNIT_KINDS: tuple[str, ...] = get_args(UnitKind)

_WHITESPACE = re.compile(r"\s+")


class UnknownUnit(KeyError):
    """No unit has this id, name or alias."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown unit {self.name!r}"


class InvalidUnitRegistry(ValueError):
    """The registry file is malformed, or two entries claim the same id or name."""


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    aliases: tuple[str, ...]
    kind: UnitKind


def normalise_name(name: str) -> str:
    """The form names are compared in: NFKC (full-width parentheses and spaces become half-width),
    no whitespace at all (names broken over lines), case-folded (ascii ids)."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", name)).casefold()


class UnitRegistry:
    def __init__(self, units: list[Unit]) -> None:
        self._by_id: dict[str, Unit] = {}
        self._by_key: dict[str, Unit] = {}
        for unit in units:
            if unit.id in self._by_id:
                raise InvalidUnitRegistry(f"duplicate unit id {unit.id!r}")
            self._by_id[unit.id] = unit
        for unit in units:
            for written in (unit.id, unit.name, *unit.aliases):
                key = normalise_name(written)
                other = self._by_key.get(key)
                if other is not None and other.id != unit.id:
                    raise InvalidUnitRegistry(
                        f"name or alias {written!r} maps to two units: {other.id!r} ({other.name}) "
                        f"and {unit.id!r} ({unit.name})"
                    )
                self._by_key[key] = unit

    @classmethod
    def load(cls, path: str | Path) -> UnitRegistry:
        path = Path(path)
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidUnitRegistry(f"{path}: not valid TOML: {exc}") from exc
        entries = data.get("unit", [])
        if not isinstance(entries, list):
            raise InvalidUnitRegistry(f"{path}: 'unit' must be an array of tables ([[unit]])")
        units = [_parse_unit(path, i, entry) for i, entry in enumerate(entries)]
        try:
            return cls(units)
        except InvalidUnitRegistry as exc:
            raise InvalidUnitRegistry(f"{path}: {exc}") from exc

    def get(self, unit_id: str) -> Unit:
        try:
            return self._by_id[unit_id]
        except KeyError:
            raise UnknownUnit(unit_id) from None

    def resolve(self, name: str) -> Unit:
        """The unit an id, name or alias stands for, however it is spaced or parenthesised."""
        try:
            return self._by_key[normalise_name(name)]
        except KeyError:
            raise UnknownUnit(name) from None

    def all(self) -> list[Unit]:
        return list(self._by_id.values())


def _parse_unit(path: Path, index: int, entry: Any) -> Unit:
    where = f"{path}: unit #{index + 1}"
    if not isinstance(entry, dict):
        raise InvalidUnitRegistry(f"{where}: must be a table")
    unknown = set(entry) - {"id", "name", "aliases", "kind"}
    if unknown:
        raise InvalidUnitRegistry(f"{where}: unknown field(s) {sorted(unknown)}")
    for field in ("id", "name", "kind"):
        value = entry.get(field)
        if not isinstance(value, str) or not value.strip():
            raise InvalidUnitRegistry(f"{where}: field {field!r} must be a non-empty string")
    unit_id: str = entry["id"]
    where = f"{path}: unit {unit_id!r}"
    if not unit_id.isascii():
        raise InvalidUnitRegistry(f"{where}: field 'id' must be ascii")
    kind: str = entry["kind"]
    if kind not in UNIT_KINDS:
        raise InvalidUnitRegistry(f"{where}: field 'kind' is {kind!r}, expected one of {list(UNIT_KINDS)}")
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise InvalidUnitRegistry(f"{where}: field 'aliases' must be a list of non-empty strings")
    return Unit(id=unit_id, name=entry["name"], aliases=tuple(aliases), kind=cast(UnitKind, kind))
