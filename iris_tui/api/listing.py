"""List results: rows plus the family's change counter, and pages (the develop branch's /api/v2).

Also the fast row decoder: big lists (100,000 IOCs) must turn into models in a fraction of a
second, which `Model.from_raw` row by row cannot do.
"""

from __future__ import annotations

import gc
import math
from typing import Any, Generic, Iterable, TypeVar

import msgspec

from iris_tui.api.errors import IrisProtocolError
from iris_tui.api.model import Model
from iris_tui.api.state import ObjectState

T = TypeVar("T")
M = TypeVar("M", bound=Model)


class Listing(list, Generic[T]):  # type: ignore[type-arg]
    """The rows of a legacy list endpoint; `.state` is the family's change counter (or None)."""

    def __init__(self, rows: Iterable[T] = (), state: ObjectState | None = None) -> None:
        super().__init__(rows)
        self.state = state


class Page(list, Generic[T]):  # type: ignore[type-arg]
    """One page of rows. `page` counts from 1; `last_page` is 0 for an empty list (as /api/v2)."""

    def __init__(
        self, rows: Iterable[T], *, page: int, per_page: int, total: int, last_page: int
    ) -> None:
        super().__init__(rows)
        self.page = page
        self.per_page = per_page
        self.total = total
        self.last_page = last_page

    @property
    def has_next(self) -> bool:
        return self.page < self.last_page

    @classmethod
    def of_list(cls, rows: list[T], page: int, per_page: int) -> Page[T]:
        """Slice a full list the way /api/v2 pages it."""
        start = (page - 1) * per_page
        return cls(
            rows[start:start + per_page], page=page, per_page=per_page, total=len(rows),
            last_page=math.ceil(len(rows) / per_page),
        )

    @classmethod
    def from_v2(cls, body: Any, model: type[M], page: int, per_page: int) -> Page[M]:
        """`{"total", "data", "last_page", "current_page", "next_page"}` (next_page is a bool)."""
        body = body if isinstance(body, dict) else {}
        rows = rows_from_raw(model, body.get("data"))
        return cls(
            rows, page=int(body.get("current_page") or page), per_page=per_page,
            total=int(body.get("total") or len(rows)), last_page=int(body.get("last_page") or 0),
        )


def check_page(page: int, per_page: int) -> None:
    if page < 1 or per_page < 1:
        raise ValueError("page and per_page count from 1")


def member(data: Any, key: str) -> Any:
    """`data[key]` of a list answer; anything but an object is a protocol error."""
    if not isinstance(data, dict):
        raise IrisProtocolError(f"expected an object with {key!r}, got {type(data).__name__}")
    return data.get(key)


def state_of(data: Any) -> ObjectState | None:
    """The `state` member of a list answer, when there is one."""
    raw = data.get("state") if isinstance(data, dict) else None
    return ObjectState.from_raw(raw) if isinstance(raw, dict) else None


def rows_from_raw(model: type[M], rows: Any) -> list[M]:
    """`model.list_from_raw(rows)`, fast: one strict msgspec conversion of the whole list.

    Rows whose types need coercion (or a model with its own `prepare`) take the row-by-row path;
    unknown keys still land in `.extra`.
    """
    if not rows:
        return []
    if not isinstance(rows, list) or model.prepare.__func__ is not Model.prepare.__func__:  # type: ignore[attr-defined]
        return model.list_from_raw(rows)
    paused = gc.isenabled()
    gc.disable()  # the cyclic GC would otherwise rescan the growing list many times over
    try:
        objs = msgspec.convert(rows, list[model], strict=True)  # type: ignore[valid-type]
    except msgspec.ValidationError:
        return model.list_from_raw(rows)
    finally:
        if paused:
            gc.enable()
    known = model._fields()[0]
    if not known.issuperset(set().union(*rows)):  # one C-level pass when nothing is unknown
        for obj, raw in zip(objs, rows):
            if not known.issuperset(raw):
                obj.extra = {k: v for k, v in raw.items() if k not in known}
    return objs
