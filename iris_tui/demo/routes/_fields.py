"""Request-body validation as IRIS's marshmallow schemas do it, for the case-object route modules.

IRIS validates in two stages: "pre-load" hooks that raise on the first problem (one field, one
message) and then the schema's field pass that reports every failing field at once. `Invalid`
carries either shape; `Fields` reproduces the field pass with marshmallow's exact messages.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from iris_tui.demo.store import Store
from iris_tui.demo.web import Reply, fail

MISSING = "Missing data for required field."
NULL = "Field may not be null."


class Invalid(Reply):
    """A 400 "Data error": `data` is {field: [messages]} or a bare list of messages."""

    def __init__(self, data: Any, message: str = "Data error") -> None:
        super().__init__(fail(400, message, data))
        self.data = data


def error(message: str, data: Any = None) -> Reply:
    """A business error: HTTP 400 with a plain message (unknown id, wrong case...)."""
    return Reply(fail(400, message, data))


def invalid(field: str, message: str) -> Invalid:
    return Invalid({field: [message]})


def check_int(body: dict[str, Any], field: str, *, allow_none: bool = False,
              max_value: int | None = None) -> int | None:
    """IRIS's `assert_type_mml(..., type=int)`: None, numeric strings and the int32 ceiling."""
    value = body.get(field)
    if value is None:
        if allow_none:
            return None
        raise invalid(field, "Invalid data - non null expected")
    if isinstance(value, int) and not isinstance(value, bool):
        if max_value is not None and value > max_value:
            raise invalid(field, "Invalid data - max value exceeded")
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid(field, "Invalid data type") from None


def reject_nul(*values: Any) -> None:
    """PostgreSQL refuses NUL characters in text: the real server answers with an HTML 500."""
    for value in values:
        if isinstance(value, str) and "\x00" in value:
            raise RuntimeError("A string literal cannot contain NUL (0x00) characters.")


def register_tags(store: Store, tags: Any) -> None:
    """Tags are one comma-separated string; a JSON list makes IRIS crash (HTML 500, 126)."""
    if not tags:
        return
    if not isinstance(tags, str):
        raise TypeError("tags must be a comma-separated string")
    store.register_tags(tags)


class Fields:
    """The schema pass: every field is checked and all failures are reported together."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.errors: dict[str, list[str]] = {}
        self.values: dict[str, Any] = {}

    def _fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def _get(self, field: str, required: bool, allow_none: bool) -> tuple[bool, Any]:
        if field not in self.body:
            if required:
                self._fail(field, MISSING)
            return False, None
        value = self.body[field]
        if value is None:
            if not allow_none:
                self._fail(field, NULL)
                return False, None
            self.values[field] = None
            return False, None
        return True, value

    def string(self, field: str, *, required: bool = False, allow_none: bool = True,
               min_len: int | None = None, max_len: int | None = None) -> None:
        present, value = self._get(field, required, allow_none)
        if not present:
            return
        if not isinstance(value, str):
            self._fail(field, "Not a valid string.")
            return
        if min_len is not None and len(value) < min_len:
            self._fail(field, f"Shorter than minimum length {min_len}.")
            return
        if max_len is not None and len(value) > max_len:
            self._fail(field, f"Longer than maximum length {max_len}.")
            return
        self.values[field] = value

    def integer(self, field: str, *, required: bool = False, allow_none: bool = True) -> None:
        present, value = self._get(field, required, allow_none)
        if not present:
            return
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
            value = int(value)
        if not isinstance(value, int):
            self._fail(field, "Not a valid integer.")
            return
        self.values[field] = value

    def boolean(self, field: str, *, required: bool = False, allow_none: bool = True) -> None:
        present, value = self._get(field, required, allow_none)
        if not present:
            return
        parsed = parse_bool(value)
        if parsed is None:
            self._fail(field, "Not a valid boolean.")
            return
        self.values[field] = parsed

    def datetime(self, field: str, *, required: bool = False, allow_none: bool = True,
                 layout: str | None = None) -> None:
        """ISO 8601 (marshmallow's default) or one strict `strptime` layout."""
        present, value = self._get(field, required, allow_none)
        if not present:
            return
        parsed = parse_iso(value) if layout is None else parse_layout(value, layout)
        if parsed is None:
            self._fail(field, "Not a valid datetime.")
            return
        self.values[field] = parsed

    def raw(self, field: str) -> None:
        if field in self.body:
            self.values[field] = self.body[field]

    def int_list(self, field: str, *, required: bool = False) -> None:
        present, value = self._get(field, required, False)
        if not present:
            return
        if not isinstance(value, list):
            self._fail(field, "Not a valid list.")
            return
        out = []
        for item in value:
            try:
                out.append(int(item))
            except (TypeError, ValueError):
                self._fail(field, "Not a valid integer.")
                return
        self.values[field] = out

    def done(self) -> dict[str, Any]:
        if self.errors:
            raise Invalid(self.errors)
        return self.values


_TRUE = {"true", "t", "y", "yes", "1", "on"}
_FALSE = {"false", "f", "n", "no", "0", "off"}


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|([+-])(\d{2}):?(\d{2}))?"
)


def parse_iso(value: Any) -> dt.datetime | None:
    """marshmallow's ISO datetime: a time part is required; offsets are converted to UTC.
    (Parsed by hand: `fromisoformat` of Python 3.10 refuses short fractions and `Z`.)"""
    match = _ISO.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()[:7]
    try:
        parsed = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                             int((fraction or "0").ljust(6, "0")))
    except ValueError:
        return None
    sign, hours, minutes = match.group(9), match.group(10), match.group(11)
    if sign:
        offset = dt.timedelta(hours=int(hours), minutes=int(minutes))
        parsed = parsed - offset if sign == "+" else parsed + offset
    return parsed


def parse_layout(value: Any, layout: str) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value, layout)
    except ValueError:
        return None


def merge_custom_attributes(new: Any, current: Any, *, creating: bool) -> Any:
    """Submitted `{tab: {field: value}}` merged into stored `{tab: {field: descriptor}}` (2.10).

    A fresh install has empty templates, so anything submitted on creation is dropped; an
    object stored with `null` attributes makes a non-empty update crash (HTML 500, 137).
    """
    if not isinstance(new, dict):
        raise invalid("custom_attributes", "Invalid data type")
    if creating:
        return {}
    if current is None:
        if new:
            raise TypeError("'NoneType' object is not subscriptable")
        return {}
    merged = {tab: {name: dict(desc) for name, desc in fields.items()} for tab, fields in current.items()}
    for tab, values in new.items():
        if tab not in merged or not isinstance(values, dict):
            continue
        for name, value in values.items():
            if name in merged[tab] and merged[tab][name].get("type") != "html":
                merged[tab][name]["value"] = value
    return merged
