"""The canonical form of a JSON value: the JSON Canonicalization Scheme (RFC 8785).

Object members sorted by their names as UTF-16 code units, no whitespace, strings with only the
escapes JSON requires (`\\b \\t \\n \\f \\r \\" \\\\` and `\\u00xx` for other control characters), numbers as
ECMAScript prints an IEEE 754 double, the whole in UTF-8. Two parties that hold the same JSON value
produce the same bytes, whatever order or spacing their serialisers used: what a signature is made
over.
"""

import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal

SAFE_INTEGER = 2**53
"""Beyond this an integer is printed as the double it becomes."""
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
"""Characters outside the BMP: there, order by UTF-16 code units and by code points differ."""


def canonical(value: object) -> bytes:
    """The RFC 8785 bytes of a JSON value (dict, list, str, int, float, bool, None); ValueError for
    what JSON cannot hold (NaN, infinities, lone surrogates, other types)."""
    text = None
    if _plain(value):
        # No number that is not a safe integer: the standard serialiser, members sorted by code
        # point, prints exactly what JCS prints unless a name holds characters outside the BMP.
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if text is None or _ASTRAL.search(text):
        out: list[str] = []
        _write(value, out)
        text = "".join(out)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"not valid Unicode: {error}") from error


def _plain(value: object) -> bool:
    """Made of objects with string names, arrays, strings, booleans, null and safe integers only."""
    if value is None or isinstance(value, str | bool):
        return True
    if isinstance(value, int):
        return -SAFE_INTEGER <= value <= SAFE_INTEGER
    if isinstance(value, dict):
        return all(isinstance(name, str) and _plain(item) for name, item in value.items())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    return False


def _write(value: object, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, int):
        out.append(str(value) if abs(value) <= SAFE_INTEGER else number(float(value)))
    elif isinstance(value, float):
        out.append(number(value))
    elif isinstance(value, Mapping):
        out.append("{")
        for n, name in enumerate(sorted(value, key=_utf16)):
            if not isinstance(name, str):
                raise ValueError(f"an object member name must be a string, not {name!r}")
            out.append("," if n else "")
            out.append(json.dumps(name, ensure_ascii=False))
            out.append(":")
            _write(value[name], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for n, item in enumerate(value):
            out.append("," if n else "")
            _write(item, out)
        out.append("]")
    else:
        raise ValueError(f"{type(value).__name__} is not a JSON value")


def _utf16(name: object) -> bytes:
    return name.encode("utf-16-be", "surrogatepass") if isinstance(name, str) else b""


def number(value: float) -> str:
    """A double as ECMAScript's Number.prototype.toString prints it (RFC 8785, section 3.2.2.3)."""
    if not math.isfinite(value):
        raise ValueError(f"{value} has no JSON form")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest digits that read back as the same double, as ECMAScript does.
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent += len(digit_tuple) - len(digits)
    k = len(digits)
    n = exponent + k  # the value is 0.<digits> × 10^n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
