"""The unit registry resolves the names written in real documents (seeds 000, 001, 004) to one unit."""

from pathlib import Path

import pytest

from shared.rules.units import InvalidUnitRegistry, Unit, UnitRegistry, UnknownUnit

UNITS_TOML = Path(__file__).resolve().parents[2] / "deploy" / "units.toml"


@pytest.fixture(scope="module")
def registry() -> UnitRegistry:
    return UnitRegistry.load(UNITS_TOML)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "units.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_registry_holds_every_unit_named_in_the_seeds(registry: UnitRegistry) -> None:
    names = {unit.name for unit in registry.all()}
    assert {
        "市民政局",
        "市商务局",
        "市卫生健康委",
        "市人社局",
        "市扶贫办",
        "市工商联",
        "团市委",
        "市妇联",
        "各县（区）人民政府",
        "市住房城乡建设局",
        "市教育局",
        "市市场监管局",
        "市财政局",
        "市发展改革委",
        "市公安局",
        "市司法局",
        "市医保局",
        "市委宣传部",
        "市政协提案委",
        "市人大代表工委",
        "市政府督查室",
    } <= names


def test_a_unit_is_found_by_its_id(registry: UnitRegistry) -> None:
    assert registry.get("minzheng") == Unit(
        id="minzheng", name="市民政局", aliases=("民政局", "民政部门"), kind="bureau"
    )


def test_the_offices_are_of_kind_office(registry: UnitRegistry) -> None:
    offices = {unit.id for unit in registry.all() if unit.kind == "office"}
    assert offices == {"cppcc-office", "npc-office", "gov-supervision"}


def test_the_short_name_of_the_health_commission_resolves_to_it(registry: UnitRegistry) -> None:
    assert registry.resolve("市卫健委").id == "weijian"
    assert registry.resolve("卫生健康部门").id == "weijian"


def test_a_name_broken_over_lines_by_the_pdf_extraction_resolves(registry: UnitRegistry) -> None:
    assert registry.resolve("市卫生健康\n委").id == "weijian"
    assert registry.resolve("市人力资源\n\n和社会保障\n\n局").id == "renshe"
    assert registry.resolve("市住房城乡\n\n建设局").id == "zhujian"


def test_full_width_spaces_are_ignored(registry: UnitRegistry) -> None:
    assert registry.resolve("\u3000市民政局\u3000").id == "minzheng"


def test_the_counties_resolve_with_either_kind_of_parentheses(registry: UnitRegistry) -> None:
    assert registry.resolve("各县（区）人民政府").id == "counties"
    assert registry.resolve("各县(区)人民政府").id == "counties"
    assert registry.resolve("各县（区）\n\n人民政府").id == "counties"
    assert registry.get("counties").kind == "county_government"


def test_ids_and_names_resolve_to_themselves(registry: UnitRegistry) -> None:
    for unit in registry.all():
        assert registry.resolve(unit.id) is unit
        assert registry.resolve(unit.name) is unit
        for alias in unit.aliases:
            assert registry.resolve(alias) is unit


def test_an_unknown_name_raises_naming_it(registry: UnitRegistry) -> None:
    with pytest.raises(UnknownUnit, match="市气象局") as caught:
        registry.resolve("市气象局")
    assert caught.value.name == "市气象局"


def test_an_unknown_id_raises_naming_it(registry: UnitRegistry) -> None:
    with pytest.raises(UnknownUnit, match="qixiang"):
        registry.get("qixiang")


def test_an_alias_claimed_by_two_units_is_refused_naming_both(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[unit]]
id = "minzheng"
name = "市民政局"
aliases = ["民政部门"]
kind = "bureau"

[[unit]]
id = "shangwu"
name = "市商务局"
aliases = ["民政部门"]
kind = "bureau"
""",
    )
    with pytest.raises(InvalidUnitRegistry, match="民政部门") as caught:
        UnitRegistry.load(path)
    assert "minzheng" in str(caught.value) and "shangwu" in str(caught.value)


def test_an_alias_that_differs_only_by_parentheses_is_still_a_duplicate(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[unit]]
id = "counties"
name = "各县（区）人民政府"
aliases = []
kind = "county_government"

[[unit]]
id = "other"
name = "其他单位"
aliases = ["各县(区)人民政府"]
kind = "bureau"
""",
    )
    with pytest.raises(InvalidUnitRegistry, match="counties"):
        UnitRegistry.load(path)


def test_a_duplicate_id_is_refused_naming_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[unit]]
id = "minzheng"
name = "市民政局"
kind = "bureau"

[[unit]]
id = "minzheng"
name = "市商务局"
kind = "bureau"
""",
    )
    with pytest.raises(InvalidUnitRegistry, match="duplicate unit id 'minzheng'"):
        UnitRegistry.load(path)


def test_an_unknown_kind_is_refused_naming_the_unit_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, '[[unit]]\nid = "minzheng"\nname = "市民政局"\nkind = "ministry"\n')
    with pytest.raises(InvalidUnitRegistry, match=r"'minzheng'.*'kind'"):
        UnitRegistry.load(path)
