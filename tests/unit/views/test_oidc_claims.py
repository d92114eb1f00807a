"""Who a person signed in at an identity provider is on the pages: the claims of the ID token read
through the provider's claim mapping, or refused with the reason."""

import pytest

from services.views.application.projections import load_units
from services.views.application.sign_in import NotAllowed, identity_from_claims, jurisdiction_from_claims
from services.views.config import ClaimMapping
from shared.web.identity import Identity

UNITS = load_units()
DEFAULT = ClaimMapping()


def test_a_unit_clerk_is_read_with_the_unit_named_as_the_registry_names_it() -> None:
    claims = {"sub": "li.na", "name": "李娜", "role": "unit_staff", "unit": "市民政局"}

    identity = identity_from_claims("wuhai", claims, DEFAULT, UNITS)

    assert identity == Identity(subject="wuhai:li.na", role="unit_staff", name="李娜", unit="minzheng")


def test_a_unit_is_found_by_its_id_short_name_or_alias_however_spaced() -> None:
    for written in ("weijian", "市卫生健康委", "卫健委", "市卫生健康\n委员会"):
        claims = {"sub": "chen.jing", "role": "unit_leader", "unit": written}
        assert identity_from_claims("wuhai", claims, DEFAULT, UNITS).unit == "weijian", written


def test_the_office_needs_no_unit_and_keeps_none() -> None:
    claims = {"sub": "wang.min", "name": "王敏", "role": "office", "unit": "市政协提案委"}

    identity = identity_from_claims("wuhai", claims, DEFAULT, UNITS)

    assert (identity.role, identity.unit) == ("office", None)


def test_the_provider_s_own_claim_names_and_role_values_are_read_through_the_mapping() -> None:
    mapping = ClaimMapping(
        subject="employee_no",
        name="display_name",
        role="groups",
        unit="org_name",
        jurisdiction="region",
        roles={"民政局经办人": "unit_staff", "提案委工作人员": "office"},
    )
    claims = {
        "sub": "7f3c9a",
        "employee_no": "WH-0451",
        "display_name": "孙雪斌",
        "groups": ["全体员工", "民政局经办人"],
        "org_name": "民政局",
        "region": "乌海市",
    }

    identity = identity_from_claims("wuhai", claims, mapping, UNITS)

    assert identity == Identity(subject="wuhai:WH-0451", role="unit_staff", name="孙雪斌", unit="minzheng")
    assert jurisdiction_from_claims(claims, mapping) == "乌海市"


def test_without_a_name_the_person_is_shown_by_their_subject() -> None:
    identity = identity_from_claims("wuhai", {"sub": "li.na", "role": "office"}, DEFAULT, UNITS)

    assert identity.name == "li.na"


def test_the_jurisdiction_is_read_only_when_the_provider_sends_it() -> None:
    assert jurisdiction_from_claims({"sub": "li.na", "jurisdiction": "中卫市"}, DEFAULT) == "中卫市"
    assert jurisdiction_from_claims({"sub": "li.na"}, DEFAULT) is None


@pytest.mark.parametrize(
    ("claims", "refusal"),
    [
        ({"role": "office"}, "no_subject"),
        ({"sub": "", "role": "office"}, "no_subject"),
        ({"sub": "zhou.qiang"}, "no_role"),
        ({"sub": "zhou.qiang", "role": "proposer"}, "no_role"),
        ({"sub": "zhou.qiang", "role": "admin"}, "no_role"),
        ({"sub": "zhou.qiang", "role": ["全体员工"]}, "no_role"),
        ({"sub": "zhou.qiang", "role": 3}, "no_role"),
        ({"sub": "li.na", "role": ["office", "unit_staff"], "unit": "市民政局"}, "several_roles"),
        ({"sub": "li.na", "role": "unit_staff"}, "no_unit"),
        ({"sub": "li.na", "role": "unit_staff", "unit": " "}, "no_unit"),
        ({"sub": "li.na", "role": "unit_leader", "unit": ["市民政局"]}, "no_unit"),
        ({"sub": "sun.li", "role": "unit_staff", "unit": "市文化和旅游局"}, "unknown_unit"),
    ],
)
def test_claims_that_give_no_person_of_the_pages_are_refused(claims: dict[str, object], refusal: str) -> None:
    with pytest.raises(NotAllowed) as refused:
        identity_from_claims("wuhai", claims, DEFAULT, UNITS)

    assert refused.value.refusal == refusal


def test_a_refused_unit_is_named_as_the_provider_wrote_it() -> None:
    claims = {"sub": "sun.li", "role": "unit_staff", "unit": "市文化和旅游局"}

    with pytest.raises(NotAllowed) as refused:
        identity_from_claims("wuhai", claims, DEFAULT, UNITS)

    assert refused.value.written == "市文化和旅游局"


def test_the_same_value_counted_twice_is_one_role() -> None:
    claims = {"sub": "li.na", "role": ["unit_staff", "民政局经办人"], "unit": "市民政局"}
    mapping = ClaimMapping(roles={"民政局经办人": "unit_staff"})

    assert identity_from_claims("wuhai", claims, mapping, UNITS).role == "unit_staff"
