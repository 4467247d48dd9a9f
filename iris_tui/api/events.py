"""The case timeline (iris-api.md 7).

Quirks handled here: `event_date` must be `YYYY-MM-DDTHH:MM:SS.ffffff` (fraction mandatory, no
offset) with the offset apart in `event_tz`; the server keeps the wall clock as typed
(`event_date_wtz`) and the UTC instant (`event_date`); updates replace the whole event; flag and
duplicate are GETs that write (never retried); the advanced filter wants its JSON percent-encoded
*inside* the query value; event comments live under `/case/timeline/events/{id}`.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import urllib.parse
from functools import cached_property, lru_cache
from typing import Any

from iris_tui.api.comments import Comments
from iris_tui.api.errors import IrisServerError, IrisValidationError
from iris_tui.api.fields import (
    check_text,
    custom_attributes_in,
    id_of,
    ids_in,
    invalid,
    kept,
    rename,
    resolve_in,
    tags_in,
)
from iris_tui.api.listing import Listing, Preview, listing_from, listing_previewed
from iris_tui.api.model import UTC, AwareDate, Model, split_tags
from iris_tui.api.resource import Resource
from iris_tui.api.state import ObjectState, fetch_state

# anything else is silently stored as "" by the server
COLORS = ("#fff", "#1572E899", "#6861CE99", "#48ABF799", "#31CE3699", "#F2596199", "#FFAD4699")

FILTER_KEYWORDS = (
    "asset", "asset_id", "tag", "title", "description", "ioc", "ioc_id", "raw", "category",
    "source", "flag", "startDate", "endDate", "event_id",
)
_INT_KEYWORDS = frozenset({"asset_id", "ioc_id", "event_id"})
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


class Event(Model, forbid_unknown_fields=True):  # typed decodes never drop a key
    """A timeline event from a list row, the advanced filter, a single GET or a flag answer.

    `event_date` is the UTC instant; `event_date_wtz` the wall clock the analyst typed, here
    made aware in `event_tz` (so both are the same instant); `.when` is the latter.
    """

    repeated = ("event_tz", "category_name", "event_tags", "event_color")

    event_id: int
    event_uuid: str | None = None  # not unique: a duplicated event keeps the original's
    case_id: int | None = None
    parent_event_id: int | None = None
    event_title: str = ""
    event_date: _dt.datetime | None = None
    event_date_wtz: _dt.datetime | None = None
    event_tz: str | None = None
    event_added: _dt.datetime | None = None
    event_category_id: int | None = None
    category_name: str | None = None
    event_content: str | None = None
    event_raw: str | None = None
    event_source: str | None = None
    event_tags: str | None = None
    event_color: str | None = None
    event_in_graph: bool | None = None
    event_in_summary: bool | None = None
    event_is_flagged: bool | None = None
    user_id: int | None = None
    # the advanced filter: the creator's login
    user: str | dict[str, Any] | None = None
    custom_attributes: dict[str, Any] | None = None
    modification_history: dict[str, Any] | None = None
    children: list[dict[str, Any]] | None = None
    # single GET / update answer: linked ids
    event_assets: list[int] | None = None
    event_iocs: list[int] | None = None
    event_comments_map: list[Any] | None = None
    # list rows: [{"ioc_id", "ioc_value", "event_id"}]; advanced filter: [{"name", "description"}].
    # A tuple, as Ioc.link: most events link no IOC, and the empty tuple is shared
    iocs: tuple[dict[str, Any], ...] | None = None
    # advanced filter only: [{"name": "<asset> (<type>)", "ip", "description", "compromised"}]
    assets: list[dict[str, Any]] | None = None

    @property
    def id(self) -> int:
        return self.event_id

    @property
    def title(self) -> str:
        return self.event_title

    @property
    def when(self) -> _dt.datetime | None:
        """The event time in the analyst's timezone (as typed), timezone-aware."""
        if self.event_date_wtz is not None:
            return self.event_date_wtz
        offset = parse_offset(self.event_tz) if self.event_tz else None
        if self.event_date is not None and offset is not None:
            return self.event_date.astimezone(offset)
        return self.event_date

    def naive_when(self, utc: bool = False) -> _dt.datetime | None:
        """`event_date` (`utc`) or the wall clock as typed, as IRIS sent it: naive, read without
        making it aware, so that 100,000 events group by day in milliseconds."""
        value = _DATE_SLOT.__get__(self) if utc else _WALL_SLOT.__get__(self)
        if value is None and not utc:
            value = self.when
        if value is not None and value.tzinfo is not None:
            value = (value.astimezone(UTC) if utc else value).replace(tzinfo=None)
        return value

    @property
    def tags(self) -> list[str]:
        return split_tags(self.event_tags)

    @property
    def flagged(self) -> bool:
        return bool(self.event_is_flagged)

    @property
    def comment_count(self) -> int:
        return len(self.event_comments_map or ())

    @property
    def child_events(self) -> list[Event]:
        return Event.list_from_raw(self.children)



def _event_zone(event: Event) -> _dt.tzinfo | None:
    return parse_offset(event.event_tz) if event.event_tz else None


# the wall clock as typed reads aware in the event's own offset (UTC when it has none)
_WALL_SLOT = Event.__dict__["event_date_wtz"].slot
_DATE_SLOT = Event.__dict__["event_date"].slot
Event.event_date_wtz = AwareDate(_WALL_SLOT, _event_zone)  # type: ignore[assignment]


@lru_cache(maxsize=256)  # a case has a handful of offsets and 100,000 events may name them
def parse_offset(text: str) -> _dt.timezone | None:
    """"+02:00" / "-0500" -> a fixed timezone; anything else -> None."""
    match = _OFFSET.match(text.strip())
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = _dt.timedelta(hours=int(hours), minutes=int(minutes))
    if delta >= _dt.timedelta(hours=24):
        return None
    return _dt.timezone(-delta if sign == "-" else delta)


def format_offset(delta: _dt.timedelta) -> str:
    """A UTC offset as IRIS wants it in `event_tz`: "+HH:MM"."""
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def event_date_fields(date: Any, tz: Any = None) -> dict[str, str]:
    """`{"event_date", "event_tz"}` for a datetime (aware, or naive in `tz`, default UTC).

    `tz` may be "+02:00", "Z"/"UTC", an IANA name ("Europe/Paris"), a tzinfo or a timedelta;
    an aware `date` is converted into it. A string `date` must be ISO 8601.
    """
    if isinstance(date, str):
        try:
            date = _dt.datetime.fromisoformat(date.strip())
        except ValueError:
            raise invalid("event_date", "Not a valid datetime.") from None
    if not isinstance(date, _dt.datetime):
        raise invalid("event_date", "Not a valid datetime.")
    zone = _tzinfo(tz) if tz is not None else None
    if zone is not None:
        date = date.astimezone(zone) if date.tzinfo is not None else date.replace(tzinfo=zone)
    elif date.tzinfo is None:
        date = date.replace(tzinfo=UTC)
    offset = date.utcoffset()
    if offset is None:
        raise invalid("event_tz", "The timezone gives no UTC offset for this date")
    return {
        "event_date": date.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "event_tz": format_offset(offset),
    }


def _tzinfo(tz: Any) -> _dt.tzinfo:
    if isinstance(tz, _dt.tzinfo):
        return tz
    if isinstance(tz, _dt.timedelta):
        return _dt.timezone(tz)
    text = str(tz).strip()
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    offset = parse_offset(text)
    if offset is not None:
        return offset
    try:
        import zoneinfo

        return zoneinfo.ZoneInfo(text)
    except (ValueError, LookupError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise invalid("event_tz", f"Not a UTC offset (+HH:MM) nor a known timezone: {text!r}") from None


def parse_timeline_filter(text: str) -> dict[str, list[Any]]:
    """The IRIS UI's timeline filter text -> the advanced filter's dict of lists.

    `asset:NW-FS02 AND startDate:2025-03-03 AND title:beacon` ->
    `{"asset": ["NW-FS02"], "startDate": ["2025-03-03"], "title": ["beacon"]}`. Conditions are
    joined with ` AND ` (no OR, no free text); a keyword may repeat; keywords ignore case.
    """
    canonical = {k.lower(): k for k in FILTER_KEYWORDS}
    out: dict[str, list[Any]] = {}
    for part in re.split(r"\s+AND\s+", text.strip()):
        part = part.strip()
        if not part:
            continue
        keyword, sep, value = part.partition(":")
        key = canonical.get(keyword.strip().lower())
        if not sep or key is None:
            raise ValueError(
                f"expected keyword:value, got {part!r}; keywords: {', '.join(FILTER_KEYWORDS)}"
            )
        value = value.strip()
        if not value:
            raise ValueError(f"{key}: empty value")
        if key in _INT_KEYWORDS:
            if not value.isdigit():
                raise ValueError(f"{key}: expected a number, got {value!r}")
            item: Any = int(value)
        else:
            item = value
        values = out.setdefault(key, [])
        if item not in values:
            values.append(item)
    return out


def _filter_query(query: dict[str, Any] | str) -> dict[str, list[Any]]:
    if isinstance(query, str):
        return parse_timeline_filter(query)
    out: dict[str, list[Any]] = {}
    for key, value in query.items():
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        if key in _INT_KEYWORDS:
            values = [id_of(v, key) for v in values]
        elif key == "flag":
            values = [str(v).lower() if isinstance(v, bool) else v for v in values]
        out[key] = values
    return out


def _current_date(current: dict[str, Any]) -> tuple[_dt.datetime, str]:
    """The wall clock and offset of a fetched event, to re-send unchanged."""
    try:
        if current.get("event_date_wtz") and current.get("event_tz"):
            return _dt.datetime.fromisoformat(current["event_date_wtz"]), current["event_tz"]
        return _dt.datetime.fromisoformat(current["event_date"]), "+00:00"
    except (KeyError, TypeError, ValueError):
        raise invalid("event_date", "The event has no readable date; give date=") from None


def _color(value: Any) -> str:
    if value == "":
        return ""
    for color in COLORS:
        if isinstance(value, str) and value.strip().lower() == color.lower():
            return color
    raise invalid("event_color", f"Not an allowed colour; one of {', '.join(COLORS)}")


_ALIASES = {
    "title": "event_title",
    "category": "event_category_id",
    "assets": "event_assets",
    "iocs": "event_iocs",
    "content": "event_content",
    "raw": "event_raw",
    "source": "event_source",
    "tags": "event_tags",
    "color": "event_color",
    "in_graph": "event_in_graph",
    "in_summary": "event_in_summary",
    "sync_iocs_assets": "event_sync_iocs_assets",
    "parent": "parent_event_id",
}
_TEXT = ("event_title", "event_content", "event_raw", "event_source")
# what a full update re-sends from the current event (custom attributes come back in their
# stored form, which is not the submitted form: they are only sent when changed)
_KEPT = (
    "event_title", "event_category_id", "event_assets", "event_iocs", "event_content",
    "event_raw", "event_source", "event_tags", "event_in_graph", "event_in_summary",
    "parent_event_id",
)


class Events(Resource):
    """`iris.events` (the timeline): list, filter, get, add, update, delete, flag, duplicate,
    convert_date, state, and `.comments`."""

    @cached_property
    def comments(self) -> Comments:
        return Comments(self._client, "/case/timeline/events/{id}")

    async def list(self, cid: int, *, preview: Preview | None = None) -> Listing[Event]:
        """Every event, oldest first, with `.state`. Rows carry IOCs but no assets. `preview`
        gets the first rows of a big list before the rest is decoded (see `listing_previewed`)."""
        data = await self._http.data_raw("GET", "/case/timeline/events/list", cid=cid)
        return await listing_previewed(Event, data, "timeline", preview)

    async def list_for_asset(self, cid: int, asset_id: int) -> Listing[Event]:
        """The events linked to one asset (`0` means all)."""
        path = f"/case/timeline/events/list/filter/{int(asset_id)}"
        data = await self._http.data_raw("GET", path, cid=cid)
        return listing_from(Event, data, "timeline")

    async def filter(self, cid: int, query: dict[str, Any] | str) -> Listing[Event]:
        """The advanced filter: a dict of lists (`{"asset": ["WS-01"], "title": ["rdp"]}`) or
        the UI's text (`asset:WS-01 AND title:rdp`). Rows carry asset names and IOC values."""
        q = json.dumps(_filter_query(query))
        data = await self._http.data_raw(
            "GET", "/case/timeline/advanced-filter", cid=cid, params={"q": urllib.parse.quote(q)}
        )
        return listing_from(Event, data, "timeline")

    async def get(self, cid: int, event_id: int) -> Event:
        """One event with its asset and IOC ids, children and comment map."""
        return Event.from_raw(await self._raw(cid, event_id))

    async def _raw(self, cid: int, event_id: int) -> dict[str, Any]:
        return await self._http.data("GET", f"/case/timeline/events/{int(event_id)}", cid=cid)

    async def state(self, cid: int) -> ObjectState:
        return await fetch_state(self._http, cid, "timeline")

    async def add(
        self,
        cid: int,
        *,
        title: str,
        date: _dt.datetime | str,
        tz: Any = None,
        category: int | str = "Unspecified",
        assets: Any = (),
        iocs: Any = (),
        content: str | None = None,
        raw: str | None = None,
        source: str | None = None,
        tags: str | list[str] | None = None,
        color: str | None = None,
        in_graph: bool = True,
        in_summary: bool = False,
        sync_iocs_assets: bool = False,
        parent: int | None = None,
        custom_attributes: dict[str, Any] | None = None,
        **extra: Any,
    ) -> Event:
        """Create an event. `date` is aware, or naive in `tz` (UTC when no tz is given);
        `assets` / `iocs` are ids (or models) of this case. The answer has no asset/IOC ids."""
        dates = event_date_fields(date, tz)  # checked before any request
        body = await self._body(
            {
                "event_title": title, "event_category_id": category,
                "event_assets": assets, "event_iocs": iocs, "event_content": content,
                "event_raw": raw, "event_source": source, "event_tags": tags,
                "event_color": color, "event_in_graph": in_graph, "event_in_summary": in_summary,
                "event_sync_iocs_assets": sync_iocs_assets, "parent_event_id": parent,
                "custom_attributes": custom_attributes, **extra,
            }
        )
        body.update(dates)
        body.setdefault("event_assets", [])  # both keys are required, even empty
        body.setdefault("event_iocs", [])
        custom_attributes_in(body, default={})
        data = await self._http.data("POST", "/case/timeline/events/add", cid=cid, json=body)
        return Event.from_raw(data)

    async def update(self, cid: int, event_id: int, **changes: Any) -> Event:
        """Change some fields (friendly names as in `add()`, or IRIS's field names).

        The server replaces the whole event, so the current one is fetched and re-sent with the
        changes. `date=` alone keeps the event's timezone unless `tz=` is given (or the date is
        aware); `tz=` alone re-reads the same wall clock in the new timezone.
        """
        date, tz = changes.pop("date", None), changes.pop("tz", None)
        date = changes.pop("event_date", date)
        tz = changes.pop("event_tz", tz)
        body = await self._body(changes)
        current = await self._raw(cid, event_id)
        if body.get("custom_attributes") and current.get("custom_attributes") is None:
            raise invalid(
                "custom_attributes",
                "This event was created without custom attributes; IRIS 2.4 cannot add any "
                "to it later",
            )
        full = kept(current, *_KEPT)
        color = current.get("event_color")
        if color in COLORS:
            full["event_color"] = color
        if full.get("event_category_id") is None:
            full["event_category_id"] = await self._lookups.resolve(
                "event_category", "Unspecified", field="event_category_id"
            )
        full.setdefault("event_assets", [])
        full.setdefault("event_iocs", [])
        full.update(body)
        if date is None:
            wall, zone = _current_date(current)
            full.update(event_date_fields(wall, tz if tz is not None else zone))
        elif tz is None and getattr(date, "tzinfo", None) is None:
            full.update(event_date_fields(date, current.get("event_tz")))
        else:
            full.update(event_date_fields(date, tz))
        path = f"/case/timeline/events/update/{int(event_id)}"
        return Event.from_raw(await self._http.data("POST", path, cid=cid, json=full))

    async def delete(self, cid: int, event_id: int) -> None:
        await self._http.call("POST", f"/case/timeline/events/delete/{int(event_id)}", cid=cid)

    async def flag(self, cid: int, event_id: int) -> bool:
        """Toggle the flag; returns whether the event is flagged now. A GET that writes."""
        path = f"/case/timeline/events/flag/{int(event_id)}"
        envelope = await self._http.call("GET", path, cid=cid, retry=False)
        if isinstance(envelope.data, dict) and "event_is_flagged" in envelope.data:
            return bool(envelope.data["event_is_flagged"])
        return envelope.message.lower() == "event flagged"

    async def duplicate(self, cid: int, event_id: int) -> Event:
        """Copy an event ("[DUPLICATED] - <title>", same links). A GET that writes."""
        path = f"/case/timeline/events/duplicate/{int(event_id)}"
        return Event.from_raw(await self._http.data("GET", path, cid=cid, retry=False))

    async def convert_date(self, cid: int, text: str) -> _dt.datetime:
        """Let the server guess a date from free text ("Mar 3 2025 10:11:12", epoch seconds or
        milliseconds, ~70 layouts); returns an aware datetime."""
        path = "/case/timeline/events/convert-date"
        try:
            data = await self._http.data("POST", path, cid=cid, json={"date_value": text})
        except IrisServerError as exc:
            # 2.4.20 crashes (HTML 500) where it means "Unable to find a matching date format"
            raise IrisValidationError(
                "Unable to find a matching date format",
                method=exc.method, path=exc.path, status=exc.status,
                fields={"date_value": ["Unable to find a matching date format"]},
            ) from None
        try:
            wall = _dt.datetime.fromisoformat(f"{data['date']}T{data['time']}")
        except (KeyError, TypeError, ValueError):
            raise invalid("date_value", "The server could not parse this date") from None
        return wall.replace(tzinfo=parse_offset(str(data.get("tz") or "")) or UTC)

    async def _body(self, values: dict[str, Any]) -> dict[str, Any]:
        body = rename(values, _ALIASES)
        check_text(body, *_TEXT)
        tags_in(body, "event_tags")
        ids_in(body, "event_assets")
        ids_in(body, "event_iocs")
        custom_attributes_in(body)
        if "event_color" in body:
            body["event_color"] = _color(body["event_color"])
        if "parent_event_id" in body:
            body["parent_event_id"] = id_of(body["parent_event_id"], "parent_event_id")
        for name in ("event_in_graph", "event_in_summary", "event_sync_iocs_assets"):
            if name in body and not isinstance(body[name], bool):
                raise invalid(name, "Expected true or false")
        await resolve_in(self._lookups, body, "event_category_id", "event_category")
        return body
