"""Base of the typed models: real IRIS field names, unknown fields kept, dates timezone-aware."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar

import msgspec

M = TypeVar("M", bound="Model")
UTC = _dt.timezone.utc
NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


class AwareDate:
    """A datetime field read timezone-aware. IRIS sends naive datetimes (UTC on a standard
    deployment, or the wall clock in another field's offset). They are stored as msgspec decodes
    them and made aware on first read: no Python code runs per row while 100,000 rows decode
    (a `__post_init__` doing this took 60% of a big timeline's decoding)."""

    __slots__ = ("slot", "zone")

    def __init__(self, slot: Any, zone: Callable[[Any], _dt.tzinfo | None] | None = None) -> None:
        self.slot = slot  # msgspec's own member descriptor for the field
        self.zone = zone  # the row's timezone when it is not UTC (None: UTC)

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if value.__class__ is _dt.datetime and value.tzinfo is None:
            zone = self.zone(obj) if self.zone is not None else None
            value = value.replace(tzinfo=zone or UTC)
            self.slot.__set__(obj, value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        self.slot.__set__(obj, value)

    def __delete__(self, obj: Any) -> None:
        self.slot.__delete__(obj)


class Model(msgspec.Struct, kw_only=True, gc=False):
    """A server object. Fields use IRIS's own names; anything else lands in `extra`.

    IRIS sends naive datetimes (UTC on a standard deployment): they read UTC-aware here
    (`AwareDate`). Build instances with `Model.from_raw(dict)` / `Model.list_from_raw(list)`.
    """

    # keys the model does not know; one shared empty mapping when there are none (msgspec would
    # copy a `{}` default into each of 100,000 rows: 64 bytes apiece)
    extra: Mapping[str, Any] = NO_EXTRA

    # fields whose values repeat from row to row (a type name, a TLP, a timezone): a big list
    # keeps one string per distinct value instead of one per row (`listing.share_repeated`)
    repeated: ClassVar[tuple[str, ...]] = ()

    # per class: the known field names; filled on first use, because msgspec sets
    # __struct_fields__ only after __init_subclass__ has run
    _known: ClassVar[dict[type, frozenset[str]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every datetime field this class declares reads timezone-aware (msgspec's member
        descriptors exist by now; it keeps reading and writing the slots directly)."""
        super().__init_subclass__(**kwargs)
        for name, hint in cls.__dict__.get("__annotations__", {}).items():
            if "datetime" in str(hint) and name in cls.__dict__:
                setattr(cls, name, AwareDate(cls.__dict__[name]))

    @classmethod
    def _fields(cls) -> frozenset[str]:
        known = Model._known.get(cls)
        if known is None:
            known = Model._known[cls] = frozenset(f for f in cls.__struct_fields__ if f != "extra")
        return known

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
        known = cls._fields()
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
