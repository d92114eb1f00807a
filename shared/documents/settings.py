"""What a jurisdiction's documents say that the events do not: the issuing organ of each unit, its
文号 prefix, and where the paper forms go. Read from the `[documents]` table of
`deploy/policy/<jurisdiction>.toml`, merged over `default.toml` like the handling rules."""

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.rules.policy import DEFAULT_FILE, PolicyError, deep_merge


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitDocuments(_Frozen):
    organ: str = ""
    """The issuing organ in full, as the red header prints it before 文件 (乌海市商务局)."""
    prefix: str = ""
    """The 文号 prefix of the unit's letters (乌商务发 in 乌商务发〔2025〕26号); when set, a reply whose
    文号 does not begin with it is refused. When empty, the 文号 is printed as the unit wrote it."""


class Documents(_Frozen):
    jurisdiction: str
    name: str
    """The jurisdiction's name (乌海市)."""
    feedback_return: str = ""
    """Where the member's signed 征询意见表 goes (注 2 of the form)."""
    feedback_labels: tuple[str, ...] = ()
    """The satisfaction boxes as the jurisdiction's form prints them (满意 / 比较满意 / 不满意 in 乌海);
    the policy's labels when empty. An answer written with one of them is read through the policy's
    synonyms, like an online one."""
    consultation_title: str = ""
    """The heading of the 面商记录表, e.g. 晋城市政协委员提案面商记录表; a generic one when empty."""
    units: dict[str, UnitDocuments] = {}

    def unit(self, unit_id: str) -> UnitDocuments:
        return self.units.get(unit_id, UnitDocuments())

    def with_unit_names(self, names: Mapping[str, str]) -> "Documents":
        """Every unit of the registry given its issuing organ, where the jurisdiction names none:
        the city's name before the unit's own (乌海市 + 市商务局 → 乌海市商务局). A unit whose name
        does not begin with 市, or a jurisdiction not named as a city, stays without one."""
        filled = dict(self.units)
        for unit_id, name in names.items():
            configured = filled.get(unit_id, UnitDocuments())
            if not configured.organ.strip():
                organ = derived_organ(self.name, name)
                if organ:
                    filled[unit_id] = configured.model_copy(update={"organ": organ})
        return self.model_copy(update={"units": filled})


def derived_organ(jurisdiction_name: str, unit_name: str) -> str:
    """乌海市 and 市商务局 → 乌海市商务局; empty when the two do not fit together."""
    city = jurisdiction_name.strip()
    if city.endswith("市") and unit_name.startswith("市") and len(unit_name) > 1:
        return city + unit_name[1:]
    return ""


def load_documents(directory: str | Path, jurisdiction: str) -> Documents:
    directory = Path(directory)
    default, override = _read(directory / DEFAULT_FILE), _read(directory / f"{jurisdiction}.toml")
    data = deep_merge(default.get("documents", {}), override.get("documents", {}))
    data.update(jurisdiction=jurisdiction, name=override.get("name", jurisdiction))
    try:
        return Documents.model_validate(data)
    except ValidationError as error:
        raise PolicyError(f"{directory / f'{jurisdiction}.toml'}: [documents]: {error}") from error


def load_all(directory: str | Path, unit_names: Mapping[str, str] | None = None) -> dict[str, Documents]:
    """The documents settings of every jurisdiction with a policy file; with the registry's names,
    the units the jurisdiction does not list get the organ their name gives (`with_unit_names`)."""
    paths = sorted(Path(directory).glob("*.toml"))
    loaded = {p.stem: load_documents(directory, p.stem) for p in paths if p.name != DEFAULT_FILE}
    if unit_names:
        loaded = {j: d.with_unit_names(unit_names) for j, d in loaded.items()}
    return loaded


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise PolicyError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path}: not valid TOML: {error}") from error
