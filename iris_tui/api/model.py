"""Base of the typed models: real IRIS field names, unknown fields kept, dates timezone-aware."""

from __future__ import annotations

import datetime as _dt
import typing
from typing import Any, ClassVar, TypeVar

import msgspec

M = TypeVar("M", bound="Model")
UTC = _dt.timezone.utc


class Model(msgspec.Struct, kw_only=True, gc=False):
    """A server object. Fields use IRIS's own names; anything else lands in `extra`.

    IRIS sends naive datetimes (UTC on a standard deployment): they become UTC-aware here.
    Build instances with `Model.from_raw(dict)` / `Model.list_from_raw(list)`.
    """

    extra: dict[str, Any] = {}

    # per class: (known field names, datetime fields); filled on first use, because msgspec
    # sets __struct_fields__ only after __init_subclass__ has run
    _layout: ClassVar[dict[type, tuple[frozenset[str], tuple[str, ...]]]] = {}

    @classmethod
    def _fields(cls) -> tuple[frozenset[str], tuple[str, ...]]:
        layout = Model._layout.get(cls)
        if layout is None:
            names = [f for f in cls.__struct_fields__ if f != "extra"]
            hints = typing.get_type_hints(cls)
            dates = tuple(n for n in names if _dt.datetime in _types_of(hints.get(n)))
            layout = Model._layout[cls] = (frozenset(names), dates)
        return layout

    def __post_init__(self) -> None:
        for name in self._fields()[1]:
            value = getattr(self, name)
            if isinstance(value, _dt.datetime) and value.tzinfo is None:
                setattr(self, name, value.replace(tzinfo=UTC))

    @classmethod
    def prepare(cls, raw: dict[str, Any]) -> dict[str, Any]:
        """Hook for subclasses: fix quirky values (e.g. `""` dates) before conversion."""
        return raw

    @classmethod
    def from_raw(cls: type[M], raw: Any) -> M:
        if not isinstance(raw, dict):
            from iris_tui.api.errors import IrisProtocolError

            raise IrisProtocolError(f"expected an object for {cls.__name__}, got {type(raw).__name__}")
        raw = cls.prepare(raw)
        known = cls._fields()[0]
        fields = {k: v for k, v in raw.items() if k in known}
        try:
            obj = msgspec.convert(fields, cls, strict=False)
        except msgspec.ValidationError as exc:
            from iris_tui.api.errors import IrisProtocolError

            raise IrisProtocolError(f"unexpected {cls.__name__} from the server: {exc}") from None
        if len(fields) != len(raw):
            obj.extra = {k: v for k, v in raw.items() if k not in known}
        return obj

    @classmethod
    def list_from_raw(cls: type[M], rows: Any) -> list[M]:
        return [cls.from_raw(r) for r in rows or ()]

    def to_dict(self) -> dict[str, Any]:
        """Every field, extras included, as IRIS named them."""
        out = {f: getattr(self, f) for f in self.__struct_fields__ if f != "extra"}
        out.update(self.extra)
        return out


def _types_of(hint: Any) -> tuple[Any, ...]:
    args = typing.get_args(hint)
    return args if args else (hint,)


def split_tags(tags: str | None) -> list[str]:
    """IRIS keeps tags as one comma-separated string."""
    return [t.strip() for t in (tags or "").split(",") if t.strip()]


def join_tags(tags: str | list[str] | tuple[str, ...] | None) -> str:
    """The comma-separated form IRIS wants (a JSON list makes it answer an HTML 500)."""
    if tags is None:
        return ""
    if isinstance(tags, str):
        return ",".join(split_tags(tags))
    return ",".join(t.strip() for t in tags if t and t.strip())
