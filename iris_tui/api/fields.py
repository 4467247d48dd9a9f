"""Request-body helpers shared by the case-object resources (assets, IOCs, tasks, ...).

Methods take friendly keyword names (`name=`, `tags=`) or IRIS's own field names
(`asset_name=`, `asset_tags=`); both end up under IRIS's name. Bad input that the server would
answer with an HTML 500 (a NUL character, a number where text is expected, tags as a list) is
refused here with an IrisValidationError naming the field.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any

from iris_tui.api.errors import IrisValidationError
from iris_tui.api.lookups import Lookups
from iris_tui.api.model import UTC, join_tags


def invalid(field: str, message: str) -> IrisValidationError:
    return IrisValidationError(message, fields={field: [message]})


def rename(values: Mapping[str, Any], aliases: Mapping[str, str]) -> dict[str, Any]:
    """Friendly keys -> IRIS keys; `None` values are dropped (None means "leave as is")."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        target = aliases.get(key, key)
        if target in out:
            raise TypeError(f"{key!r} and {target!r} name the same field")
        if value is not None:
            out[target] = value
    return out


def check_text(body: dict[str, Any], *names: str) -> None:
    """Text fields must be strings without NUL (IRIS answers an HTML 500 to both)."""
    for name in names:
        if name not in body:
            continue
        value = body[name]
        if not isinstance(value, str):
            raise invalid(name, f"Expected text, got {type(value).__name__}")
        if "\x00" in value:
            raise invalid(name, "Text must not contain a NUL character")


def tags_in(body: dict[str, Any], name: str, *, limit: int | None = None) -> None:
    """Tags become IRIS's one comma-separated string (a JSON list gives an HTML 500)."""
    if name not in body:
        return
    text = join_tags(body[name])
    if "\x00" in text:
        raise invalid(name, "Text must not contain a NUL character")
    if limit is not None and len(text) > limit:
        raise invalid(name, f"Longer than maximum length {limit}.")
    body[name] = text


async def resolve_in(lookups: Lookups, body: dict[str, Any], name: str, kind: str) -> None:
    """Replace a name (or id) under `name` with the id from the `kind` lookup table."""
    if body.get(name) is not None:
        body[name] = await lookups.resolve(kind, body[name], field=name)


def id_of(value: Any, name: str) -> int:
    """An object id from an int, a numeric string or a model with `.id`."""
    if isinstance(value, bool):
        raise invalid(name, "Expected an id, got a bool")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    ident = getattr(value, "id", None)
    if isinstance(ident, int):
        return ident
    raise invalid(name, f"Expected an id, got {value!r}")


def ids_in(body: dict[str, Any], name: str) -> None:
    """A list of object ids (ints; models are accepted for their `.id`)."""
    if name not in body:
        return
    values = body[name]
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise invalid(name, "Expected a list of ids")
    body[name] = [id_of(v, name) for v in values]


def custom_attributes_in(body: dict[str, Any], *, default: dict[str, Any] | None = None) -> None:
    """`custom_attributes` must be a dict (tab -> field -> value); `{}` on creation (2.10)."""
    if "custom_attributes" not in body:
        if default is not None:
            body["custom_attributes"] = default
        return
    if not isinstance(body["custom_attributes"], dict):
        raise invalid("custom_attributes", "Invalid data type")


def iso_datetime(value: Any, name: str) -> str:
    """A naive ISO datetime as IRIS stores it (aware values are converted to UTC first)."""
    if isinstance(value, str):
        try:
            value = _dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise invalid(name, "Not a valid datetime.") from None
    elif isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        value = _dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, _dt.datetime):
        raise invalid(name, "Not a valid datetime.")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat()


def kept(current: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The current non-null values of `names`, to re-send on a non-partial update."""
    return {n: current[n] for n in names if current.get(n) is not None}
