"""List results: rows plus the family's change counter, and pages (the develop branch's /api/v2).

Also the fast row decoder: big lists (100,000 IOCs) must turn into models in a fraction of a
second, which `Model.from_raw` row by row cannot do.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Iterable, Optional, TypeVar

import msgspec

from iris_tui.api.errors import IrisProtocolError
from iris_tui.api.model import Model
from iris_tui.api.state import ObjectState
from iris_tui.api.transport import decode_json
from iris_tui.bulk import paused_gc

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


_answer_decoders: dict[tuple[type, str], Any] = {}


def listing_from(model: type[M], data: Any, key: str) -> Listing[M]:
    """The `data[key]` rows of a legacy list answer as models, with `.state`.

    `data` comes from `Transport.data_raw()`. For a model that forbids unknown fields the whole
    answer decodes typed in one msgspec call; when that refuses a row (a key the model does not
    know, a value needing coercion) the answer takes the plain path, so unknown keys land in
    `.extra`.
    """
    if isinstance(data, msgspec.Raw):
        fast = _typed_listing(model, data, key)
        if fast is not None:
            return fast
        try:
            data = decode_json(data)
        except msgspec.DecodeError:
            raise IrisProtocolError("the server sent malformed JSON") from None
    return Listing(rows_from_raw(model, member(data, key)), state_of(data))


def _decodes_typed(model: type[Model]) -> bool:
    """Whether msgspec may decode the model straight from JSON: it refuses unknown keys (so
    none is lost) and has no `prepare` hook of its own."""
    return (
        model.prepare.__func__ is Model.prepare.__func__  # type: ignore[attr-defined]
        and model.__struct_config__.forbid_unknown_fields
    )


def _typed_listing(model: type[M], data: msgspec.Raw, key: str) -> Listing[M] | None:
    if not _decodes_typed(model):
        return None
    decode = _answer_decoders.get((model, key))
    if decode is None:
        answer = msgspec.defstruct(f"{model.__name__}Answer", [
            ("rows", Optional[list[model]], msgspec.field(default=None, name=key)),  # type: ignore[valid-type]
            ("state", Optional[dict[str, Any]], None),
        ])
        decode = _answer_decoders[(model, key)] = msgspec.json.Decoder(answer).decode
    try:
        with paused_gc():
            answer = decode(data)
    except msgspec.DecodeError:  # ValidationError included
        return None
    if answer.rows is None:
        return None
    if len(answer.rows) >= PREVIEW_FROM:
        share_repeated(model, answer.rows, {})
    return Listing(answer.rows, state_of({"state": answer.state}))


Preview = Callable[[list[Any], int], Awaitable[None]]
PREVIEW_FROM = 5_000  # rows: a smaller answer decodes in one go (under 10 ms)
PREVIEW_ROWS = 200  # rows decoded for the preview: a few screens
STEP_ROWS = 20_000  # rows decoded between two turns of the event loop (about 30 ms)
_split_decoders: dict[str, Any] = {}


async def listing_previewed(model: type[M], data: Any, key: str, preview: Preview | None) -> Listing[M]:
    """`listing_from`, but the first rows of a big answer go to `preview(rows, total)` before
    the rest decodes, and the event loop turns between steps: a UI paints the top of a
    100,000-row list at once instead of after the whole answer has become models."""
    if preview is None or not isinstance(data, msgspec.Raw) or len(data) < PREVIEW_FROM * 100:
        return listing_from(model, data, key)
    parts = _split(data, key)
    if parts is None or len(parts.rows) < PREVIEW_FROM:
        return listing_from(model, data, key)
    raws: list[msgspec.Raw] = parts.rows
    rows: list[M] = []
    seen: dict[str, str] = {}
    for start in (0, PREVIEW_ROWS, *range(PREVIEW_ROWS + STEP_ROWS, len(raws), STEP_ROWS)):
        stop = PREVIEW_ROWS if start == 0 else min(len(raws), start + STEP_ROWS)
        chunk = _typed_rows(model, raws[start:stop])
        if chunk is None:  # a row only the plain path reads (an unknown key): all of it then
            return listing_from(model, data, key)
        share_repeated(model, chunk, seen)
        rows += chunk
        if start == 0:
            await preview(rows[:], len(raws))
        else:
            await asyncio.sleep(0)
    raw_state = parts.state
    return Listing(rows, state_of({"state": raw_state}))


def _split(data: msgspec.Raw, key: str) -> Any:
    """The answer with its rows left undecoded (one fast pass over the bytes), or None."""
    decode = _split_decoders.get(key)
    if decode is None:
        answer = msgspec.defstruct("SplitAnswer", [
            ("rows", Optional[list[msgspec.Raw]], msgspec.field(default=None, name=key)),
            ("state", Optional[dict[str, Any]], None),
        ])
        decode = _split_decoders[key] = msgspec.json.Decoder(answer).decode
    try:
        parts = decode(data)
    except msgspec.DecodeError:
        return None
    return parts if parts.rows is not None else None


def _typed_rows(model: type[M], raws: list[msgspec.Raw]) -> list[M] | None:
    if not _decodes_typed(model):
        return None
    decode = _row_decoders.get(model)
    if decode is None:
        decode = _row_decoders[model] = msgspec.json.Decoder(model).decode
    try:  # row by row: as fast as one call on the joined rows, and no copy of them
        with paused_gc():
            return [decode(raw) for raw in raws]
    except msgspec.DecodeError:
        return None


_row_decoders: dict[type, Any] = {}


def share_repeated(model: type[M], rows: list[M], seen: dict[str, str]) -> None:
    """Give rows one string object per distinct value of the model's `repeated` fields.

    msgspec makes a new string for every value it decodes: 100,000 IOCs held 100,000 copies of a
    dozen type names, and four such fields cost 20 MB. `seen` carries on from one batch of rows
    to the next. Only strings are shared (a value of another type stays as it is).
    """
    for name in model.repeated:
        for row in rows:
            value = getattr(row, name)
            if value.__class__ is str:
                setattr(row, name, seen.setdefault(value, value))


def rows_from_raw(model: type[M], rows: Any) -> list[M]:
    """`model.list_from_raw(rows)`, fast: one strict msgspec conversion of the whole list.

    Rows whose types need coercion (or a model with its own `prepare`) take the row-by-row path;
    unknown keys still land in `.extra`.
    """
    if not rows:
        return []
    if not isinstance(rows, list) or model.prepare.__func__ is not Model.prepare.__func__:  # type: ignore[attr-defined]
        return model.list_from_raw(rows)
    known = model._fields()
    objs = _convert(model, rows)
    if objs is None and model.__struct_config__.forbid_unknown_fields:
        if not all(isinstance(r, dict) for r in rows):
            return model.list_from_raw(rows)
        objs = _convert(model, [
            r if known.issuperset(r) else {k: v for k, v in r.items() if k in known} for r in rows
        ])
    if objs is None:
        return model.list_from_raw(rows)
    if not known.issuperset(set().union(*rows)):  # one C-level pass when nothing is unknown
        for obj, raw in zip(objs, rows):
            if not known.issuperset(raw):
                obj.extra = {k: v for k, v in raw.items() if k not in known}
    return objs


def _convert(model: type[M], rows: list[Any]) -> list[M] | None:
    """One strict conversion with the GC paused, or None when a row needs the lenient path."""
    try:
        with paused_gc():
            return msgspec.convert(rows, list[model], strict=True)  # type: ignore[valid-type]
    except msgspec.ValidationError:
        return None
