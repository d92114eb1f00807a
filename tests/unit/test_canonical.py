"""The canonical form signatures are made over is RFC 8785 (JCS): its own examples give the same bytes."""

import json
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.kernel.canonical import _write, canonical, number


def double(bits: str) -> float:
    value: float = struct.unpack(">d", bytes.fromhex(bits))[0]
    return value


# RFC 8785, Appendix B: IEEE 754 doubles and how ECMAScript (so JCS) prints them.
NUMBERS = {
    "0000000000000000": "0",
    "8000000000000000": "0",
    "0000000000000001": "5e-324",
    "8000000000000001": "-5e-324",
    "7fefffffffffffff": "1.7976931348623157e+308",
    "ffefffffffffffff": "-1.7976931348623157e+308",
    "4340000000000000": "9007199254740992",
    "c340000000000000": "-9007199254740992",
    "4430000000000000": "295147905179352830000",
    "44b52d02c7e14af5": "9.999999999999997e+22",
    "44b52d02c7e14af6": "1e+23",
    "44b52d02c7e14af7": "1.0000000000000001e+23",
    "444b1ae4d6e2ef4e": "999999999999999700000",
    "444b1ae4d6e2ef4f": "999999999999999900000",
    "444b1ae4d6e2ef50": "1e+21",
    "3eb0c6f7a0b5ed8c": "9.999999999999997e-7",
    "3eb0c6f7a0b5ed8d": "0.000001",
    "41b3de4355555553": "333333333.3333332",
    "41b3de4355555554": "333333333.33333325",
    "41b3de4355555555": "333333333.3333333",
    "41b3de4355555556": "333333333.3333334",
    "41b3de4355555557": "333333333.33333343",
    "becbf647612f3696": "-0.0000033333333333333333",
    "43143ff3c1cb0959": "1424953923781206.2",
}


@pytest.mark.parametrize(("bits", "printed"), NUMBERS.items())
def test_a_number_is_printed_as_ecmascript_prints_it(bits: str, printed: str) -> None:
    assert number(double(bits)) == printed


def test_the_rfc_example_gives_its_canonical_bytes() -> None:
    received = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], '
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", '
        '"literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical(json.loads(received)) == expected.encode()


def test_members_are_sorted_by_their_names_in_utf16_code_units() -> None:
    names = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    in_order = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    printed = canonical(dict.fromkeys(names, 0)).decode()
    assert printed == "{" + ",".join(f"{json.dumps(n, ensure_ascii=False)}:0" for n in in_order) + "}"


def test_the_same_event_serialised_two_ways_has_one_canonical_form() -> None:
    title, kind = "关于推动家政服务业发展的提案", "intake.proposal-registered.v2"
    compact = f'{{"type":"{kind}","data":{{"number":"60","title":"{title}"}}}}'
    spaced = f'{{ "data": {{ "title": "{title}", "number": "60" }},\n "type": "{kind}" }}'
    assert canonical(json.loads(compact)) == canonical(json.loads(spaced))
    assert "家政".encode() in canonical(json.loads(compact))  # UTF-8, not \u escapes


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {"data": {1, 2}}, "\ud800"])
def test_what_json_cannot_hold_has_no_canonical_form(value: object) -> None:
    with pytest.raises(ValueError):
        canonical(value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)


@given(JSON)
@settings(max_examples=300, deadline=None)
def test_the_quick_way_for_plain_values_prints_what_the_full_algorithm_prints(value: object) -> None:
    out: list[str] = []
    _write(value, out)
    try:
        expected = "".join(out).encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(ValueError):
            canonical(value)
        return
    assert canonical(value) == expected
