"""Timeline events (iris-api.md section 7).

Date model: `event_date` arrives as wall-clock `YYYY-MM-DDTHH:MM:SS.f` (fraction mandatory) plus
an `event_tz` offset; the row keeps `event_date_wtz` as sent and `event_date` converted to UTC,
both as six-digit-fraction strings. Validation reports missing keys one at a time with IRIS's
own messages, and an unknown IOC under `event_assets`, like the real server.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import urllib.parse
from typing import Any

from iris_tui.demo.routes._fields import (
    Fields,
    invalid,
    merge_custom_attributes,
    register_tags,
    reject_nul,
)
from iris_tui.demo.routes.iocs import linked_ids
from iris_tui.demo.sqlish import add_history, contains
from iris_tui.demo.store import Store, iso, iso6, new_uuid, utcnow
from iris_tui.demo.web import Iris, route

EVENT_LAYOUT = "%Y-%m-%dT%H:%M:%S.%f"
REQUIRED = ("event_title", "event_date", "event_tz", "event_category_id", "event_assets", "event_iocs")
COLORS = ("#fff", "#1572E899", "#6861CE99", "#48ABF799", "#31CE3699", "#F2596199", "#FFAD4699")
TEXT_FIELDS = ("event_content", "event_raw", "event_source", "event_tags", "event_color")
BOOL_FIELDS = ("event_in_graph", "event_in_summary", "event_sync_iocs_assets")
CSV_FIELDS = ("event_date", "event_tz", "event_title", "event_category", "event_content", "event_raw",
              "event_source", "event_assets", "event_iocs", "event_tags")
_OFFSET = re.compile(r"(Z)|([+-])(\d{2})(?::?(\d{2}))?")


# -- dates ---------------------------------------------------------------------------------------

def split_date(event_date: str, event_tz: str) -> tuple[dt.datetime, dt.datetime]:
    """(UTC instant, wall clock as sent); ValueError when the offset is not one."""
    wall = dt.datetime.strptime(event_date, EVENT_LAYOUT)
    match = _OFFSET.fullmatch(event_tz.strip()) if isinstance(event_tz, str) else None
    if match is None:
        raise ValueError(f"not an offset: {event_tz!r}")
    if match.group(1):
        return wall, wall
    hours, minutes = int(match.group(3)), int(match.group(4) or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"offset out of range: {event_tz!r}")
    offset = dt.timedelta(hours=hours, minutes=minutes)
    return (wall - offset if match.group(2) == "+" else wall + offset), wall


_LAYOUTS = (
    "%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%d/%m/%Y",
    "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S",
    "%b %d %Y %H:%M:%S", "%b %d %Y %H:%M:%S.%f", "%b %d %H:%M:%S %Y", "%d %b %Y %H:%M:%S",
    "%a %b %d %H:%M:%S %Y", "%a, %d %b %Y %H:%M:%S", "%B %d %Y %H:%M:%S", "%d %B %Y %H:%M:%S",
    "%Y%m%d%H%M%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S%z",
    "%a, %d %b %Y %H:%M:%S %z", "%d/%b/%Y:%H:%M:%S %z",
)


def parse_any_date(text: Any) -> dt.datetime | None:
    """The `convert-date` parser: Unix seconds or milliseconds, or one of many common layouts."""
    if not isinstance(text, str):
        text = str(text)
    text = text.strip()
    if re.fullmatch(r"\d{10}", text):
        return dt.datetime.fromtimestamp(int(text), dt.timezone.utc).replace(tzinfo=None)
    if re.fullmatch(r"\d{13}", text):
        return dt.datetime.fromtimestamp(int(text) / 1000, dt.timezone.utc).replace(tzinfo=None)
    for layout in _LAYOUTS:
        try:
            return dt.datetime.strptime(text, layout)
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _instant(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, EVENT_LAYOUT)


# -- records -------------------------------------------------------------------------------------

def _links(store: Store, case_id: int, asset_ids: list[int], ioc_ids: list[int]) -> tuple[list[int], list[int]]:
    """Assets of other cases and IOCs not linked to the case are silently dropped."""
    assets = [a for a in dict.fromkeys(asset_ids) if (store.assets.get(a) or {}).get("case_id") == case_id]
    iocs = [i for i in dict.fromkeys(ioc_ids) if i in store.iocs and i in linked_ids(store, case_id)]
    return assets, iocs


def _sync(store: Store, assets: list[int], iocs: list[int]) -> None:
    for asset_id in assets:
        for ioc_id in iocs:
            store.asset_ioc_links.add((asset_id, ioc_id))


def create_event(store: Store, case_id: int, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Insert an event from request-shaped (validated) fields; moves the `timeline` counter."""
    instant, wall = split_date(fields["event_date"], fields["event_tz"])
    event_id = store.next_id("event")
    assets, iocs = _links(store, case_id, fields.get("event_assets") or [], fields.get("event_iocs") or [])
    record = {
        "event_id": event_id,
        "event_uuid": new_uuid(),
        "case_id": case_id,
        "parent_event_id": fields.get("parent_event_id"),
        "event_title": fields.get("event_title"),
        "event_source": fields.get("event_source"),
        "event_content": fields.get("event_content"),
        "event_raw": fields.get("event_raw"),
        "event_date": iso6(instant),
        "event_date_wtz": iso6(wall),
        "event_tz": fields["event_tz"],
        "event_added": iso(utcnow()),
        "event_in_graph": fields.get("event_in_graph"),
        "event_in_summary": fields.get("event_in_summary"),
        "event_is_flagged": False,
        "event_color": fields.get("event_color"),
        "event_tags": fields.get("event_tags"),
        "user_id": user_id,
        "event_category_id": fields.get("event_category_id"),
        "custom_attributes": fields.get("custom_attributes"),
        "modification_history": None,
        "event_assets": assets,
        "event_iocs": iocs,
    }
    add_history(store, record, user_id, "created")
    store.events[event_id] = record
    if fields.get("event_sync_iocs_assets"):
        _sync(store, assets, iocs)
    store.bump(case_id, "timeline")
    return record


def case_event(store: Store, case_id: int, event_id: int) -> dict[str, Any] | None:
    event = store.events.get(event_id)
    return event if event is not None and event["case_id"] == case_id else None


def dump_event(store: Store, event: dict[str, Any]) -> dict[str, Any]:
    """EventSchema: the object shape of add/duplicate/get answers, children included."""
    children = [dump_event(store, child) for child in sorted(store.events.values(), key=lambda e: e["event_id"])
                if child["parent_event_id"] == event["event_id"] and child["case_id"] == event["case_id"]]
    return {
        "event_title": event["event_title"], "event_date": event["event_date"],
        "event_tz": event["event_tz"], "event_date_wtz": event["event_date_wtz"],
        "modification_history": event["modification_history"], "children": children,
        "event_id": event["event_id"], "parent_event_id": event["parent_event_id"],
        "event_uuid": event["event_uuid"], "case_id": event["case_id"],
        "event_source": event["event_source"], "event_content": event["event_content"],
        "event_raw": event["event_raw"], "event_added": event["event_added"],
        "event_in_graph": event["event_in_graph"], "event_in_summary": event["event_in_summary"],
        "user_id": event["user_id"], "event_color": event["event_color"],
        "event_tags": event["event_tags"], "event_is_flagged": event["event_is_flagged"],
        "custom_attributes": event["custom_attributes"],
    }


def comments_map(store: Store, event_id: int) -> list[dict[str, int]]:
    return [{"comment_event_id": event_id, "comment_id": c["comment_id"]}
            for c in sorted(store.comments.values(), key=lambda c: c["comment_id"])
            if c.get("object_type") == "event" and c.get("object_id") == event_id]


def category_name(store: Store, category_id: Any) -> str | None:
    row = store.lookup("event_category", "id", category_id)
    return row["name"] if row else None


# -- validation ----------------------------------------------------------------------------------

def validate_event(store: Store, body: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """EventSchema of 2.4.20: required keys one by one, references, then the field pass."""
    for key in REQUIRED:
        if key not in body:
            raise invalid(key, f"Missing field {key}")
    if store.lookup("event_category", "id", int(body["event_category_id"])) is None:
        raise invalid("event_category_id", "Invalid event category ID")
    for key, table, message in (("event_assets", store.assets, "Invalid assets ID"),
                                ("event_iocs", store.iocs, "Invalid IOC ID")):
        if not isinstance(body[key], list):
            raise invalid(key, "Invalid data type")
        for item in body[key]:
            if int(item) not in table:
                raise invalid("event_assets", message)  # sic: IOC errors too (258)
    if body.get("event_color") and body["event_color"] not in COLORS:
        body["event_color"] = ""
    register_tags(store, body.get("event_tags"))

    fields = Fields(body)
    fields.string("event_title", required=True, allow_none=False, min_len=2)
    fields.datetime("event_date", required=True, allow_none=False, layout=EVENT_LAYOUT)
    fields.string("event_tz", required=True, allow_none=False)
    fields.integer("event_category_id", required=True, allow_none=False)
    fields.int_list("event_assets", required=True)
    fields.int_list("event_iocs", required=True)
    for key in TEXT_FIELDS:
        fields.string(key)
    for key in BOOL_FIELDS:
        fields.boolean(key)
    fields.integer("parent_event_id")
    values = fields.done()
    values["event_date"] = body["event_date"]
    try:
        split_date(values["event_date"], values["event_tz"])
    except ValueError:
        raise invalid("event_date", "Invalid date time") from None
    if "custom_attributes" in body and body["custom_attributes"] is not None:
        values["custom_attributes"] = merge_custom_attributes(
            body["custom_attributes"], current and current["custom_attributes"], creating=current is None
        )
    reject_nul(*values.values())
    return values


def check_parent(store: Store, parent_id: Any) -> None:
    """An unknown parent is a foreign-key failure in the database (HTML 500)."""
    if parent_id is not None and parent_id not in store.events:
        store.next_id("event")
        raise RuntimeError(f"foreign key violation: parent_event_id={parent_id}")


# -- endpoints: single events --------------------------------------------------------------------

@route("POST", "/case/timeline/events/add")
async def add_event(ctx: Iris):
    cid = await ctx.case("full")
    body = await ctx.json()
    store = ctx.store
    values = validate_event(store, body)
    check_parent(store, values.get("parent_event_id"))
    event = create_event(store, cid, ctx.user_id, values)
    store.log_activity(ctx.user_id, cid, f'added event "{event["event_title"]}"')
    data = dump_event(store, event)
    data["event_category_id"] = event["event_category_id"]
    return ctx.ok(data, "Event added")


@route("GET", "/case/timeline/events/{event_id:int}")
async def get_event(ctx: Iris):
    cid = await ctx.case("ro")
    store = ctx.store
    event = case_event(store, cid, ctx.params["event_id"])
    if event is None:
        return ctx.fail(400, "Invalid event ID for this case")
    data = dump_event(store, event)
    data["event_assets"] = [a for a in event["event_assets"] if (store.assets.get(a) or {}).get("case_id") == cid]
    data["event_iocs"] = [i for i in event["event_iocs"] if i in store.iocs]
    data["event_category_id"] = event["event_category_id"]
    data["event_comments_map"] = comments_map(store, event["event_id"])
    return ctx.ok(data)


@route("POST", "/case/timeline/events/update/{event_id:int}")
async def update_event(ctx: Iris):
    """Full replacement of the required fields; optional ones keep their value when omitted."""
    cid = await ctx.case("full")
    store = ctx.store
    event = case_event(store, cid, ctx.params["event_id"])
    if event is None:
        return ctx.fail(400, "Invalid event ID for this case")
    body = await ctx.json()
    values = validate_event(store, body, current=event)
    check_parent(store, values.get("parent_event_id"))
    instant, wall = split_date(values["event_date"], values["event_tz"])
    sent_assets, sent_iocs = values.pop("event_assets"), values.pop("event_iocs")
    sync = values.pop("event_sync_iocs_assets", False)
    values.pop("event_date")
    event.update(values)
    event["event_date"], event["event_date_wtz"] = iso6(instant), iso6(wall)
    event["event_assets"], event["event_iocs"] = _links(store, cid, sent_assets, sent_iocs)
    if sync:
        _sync(store, event["event_assets"], event["event_iocs"])
    add_history(store, event, ctx.user_id, "updated")
    store.bump(cid, "timeline")
    store.log_activity(ctx.user_id, cid, f'updated event "{event["event_title"]}"')
    data = dump_event(store, event)
    data["event_assets"], data["event_iocs"] = sent_assets, sent_iocs
    data["event_category_id"] = event["event_category_id"]
    return ctx.ok(data, "Event updated")


@route("POST", "/case/timeline/events/delete/{event_id:int}")
async def delete_event(ctx: Iris):
    cid = await ctx.case("full")
    store = ctx.store
    event = case_event(store, cid, ctx.params["event_id"])
    if event is None:
        return ctx.fail(400, "Not a valid event ID for this case")
    del store.events[event["event_id"]]
    for other in store.events.values():
        if other["parent_event_id"] == event["event_id"]:
            other["parent_event_id"] = None
    for comment_id in [c["comment_id"] for c in store.comments.values()
                       if c.get("object_type") == "event" and c.get("object_id") == event["event_id"]]:
        del store.comments[comment_id]
    store.bump(cid, "timeline")
    store.log_activity(ctx.user_id, cid, f'deleted event "{event["event_title"]}" in timeline')
    return ctx.ok([], f"Event ID {event['event_id']} deleted")


@route("GET", "/case/timeline/events/flag/{event_id:int}")
async def flag_event(ctx: Iris):
    """A GET that writes (FULL access); answers the raw row and does not move the counter."""
    cid = await ctx.case("full")
    event = case_event(ctx.store, cid, ctx.params["event_id"])
    if event is None:
        return ctx.fail(400, "Invalid event ID for this case")
    event["event_is_flagged"] = not event["event_is_flagged"]
    raw = {
        "case": None, "case_id": event["case_id"], "category": None, "children": None,
        "custom_attributes": event["custom_attributes"], "event_added": None,
        "event_color": event["event_color"], "event_content": event["event_content"],
        "event_date": None, "event_date_wtz": None, "event_id": event["event_id"],
        "event_in_graph": event["event_in_graph"], "event_in_summary": event["event_in_summary"],
        "event_is_flagged": event["event_is_flagged"], "event_raw": event["event_raw"],
        "event_source": event["event_source"], "event_tags": event["event_tags"],
        "event_title": event["event_title"], "event_tz": event["event_tz"], "event_uuid": None,
        "modification_history": event["modification_history"], "parent": None,
        "parent_event_id": event["parent_event_id"], "registry": None, "user": None,
        "user_id": event["user_id"],
    }
    return ctx.ok(raw, "Event flagged" if event["event_is_flagged"] else "Event unflagged")


@route("GET", "/case/timeline/events/duplicate/{event_id:int}")
async def duplicate_event(ctx: Iris):
    """A GET that writes: the copy keeps the original's uuid and modification history."""
    cid = await ctx.case("full")
    store = ctx.store
    source = case_event(store, cid, ctx.params["event_id"])
    if source is None:
        return ctx.fail(400, "Invalid event ID for this case")
    copy = dict(source)
    copy["event_id"] = store.next_id("event")
    copy["event_added"] = iso(utcnow())
    copy["user_id"] = ctx.user_id
    copy["event_assets"] = list(source["event_assets"])
    copy["event_iocs"] = list(source["event_iocs"])
    if not copy["event_title"].startswith("[DUPLICATED] - "):
        copy["event_title"] = f"[DUPLICATED] - {copy['event_title']}"
    store.events[copy["event_id"]] = copy
    store.bump(cid, "timeline")
    store.log_activity(ctx.user_id, cid, f'added event "{copy["event_title"]}"')
    return ctx.ok(dump_event(store, copy), "Event duplicated")


# -- endpoints: lists, filters, charts -----------------------------------------------------------

def _case_events(store: Store, case_id: int) -> list[dict[str, Any]]:
    events = [e for e in store.events.values() if e["case_id"] == case_id]
    events.sort(key=lambda e: (e["event_date"], e["event_id"]))
    return events


def _list_rows(store: Store, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for e in events:
        iocs = [{"ioc_id": i, "ioc_value": store.iocs[i]["ioc_value"], "event_id": e["event_id"]}
                for i in e["event_iocs"] if i in store.iocs]
        rows.append({
            "event_id": e["event_id"], "event_uuid": e["event_uuid"], "event_date": e["event_date"],
            "event_date_wtz": e["event_date_wtz"], "event_tz": e["event_tz"],
            "event_title": e["event_title"], "event_color": e["event_color"],
            "event_tags": e["event_tags"], "event_content": e["event_content"],
            "event_in_summary": e["event_in_summary"], "event_in_graph": e["event_in_graph"],
            "category_name": category_name(store, e["event_category_id"]),
            "event_category_id": e["event_category_id"] if category_name(store, e["event_category_id"]) else None,
            "iocs": iocs,
        })
    return rows


@route("GET", "/case/timeline/events/list")
async def list_events(ctx: Iris):
    cid = await ctx.case("ro")
    store = ctx.store
    return ctx.ok({"timeline": _list_rows(store, _case_events(store, cid)), "state": store.state(cid, "timeline")})


@route("GET", "/case/timeline/events/list/filter/{asset_id:int}")
async def list_events_of_asset(ctx: Iris):
    cid = await ctx.case("ro")
    store = ctx.store
    asset_id = ctx.params["asset_id"]
    events = [e for e in _case_events(store, cid) if not asset_id or asset_id in e["event_assets"]]
    return ctx.ok({"timeline": _list_rows(store, events), "state": store.state(cid, "timeline")})


@route("GET", "/case/timeline/state")
async def timeline_state(ctx: Iris):
    cid = await ctx.case("ro")
    state = ctx.store.state(cid, "timeline")
    if not state:
        return ctx.fail(400, "No timeline state for this case. Add an event to begin")
    return ctx.ok(state)


def _contains_all(value: Any, needles: list[Any]) -> bool:
    return all(contains(value, needle) for needle in needles)


@route("GET", "/case/timeline/advanced-filter")
async def advanced_filter(ctx: Iris):
    """The cookie-less answer shape; `q` is URL-decoded once more after the query string."""
    cid = await ctx.case("ro")
    store = ctx.store
    try:
        query = dict(json.loads(urllib.parse.unquote_plus(ctx.query.get("q"))))
    except Exception:  # noqa: BLE001 - IRIS answers any failure the same way
        return ctx.fail(400, "Invalid query string")
    assets = [str(a).lower() for a in query.get("asset") or []]
    asset_ids = [int(a) for a in query.get("asset_id") or []]
    iocs = [str(i).lower() for i in query.get("ioc") or []]
    ioc_ids = [int(i) for i in query.get("ioc_id") or []]
    event_ids = query.get("event_id")
    if event_ids:
        try:
            event_ids = [int(e) for e in event_ids]
        except (TypeError, ValueError):
            return ctx.fail(400, "Invalid event id")
    bounds = []
    for key in ("startDate", "endDate"):
        parsed = None
        if query.get(key):
            try:
                parsed = parse_any_date(query[key][0])
            except Exception:  # noqa: BLE001 - unparsable bounds are ignored
                parsed = None
        bounds.append(_naive_utc(parsed) if parsed else None)
    flag = query.get("flag")

    rows = []
    for e in _case_events(store, cid):
        creator = store.users.get(e["user_id"])
        if creator is None:
            continue
        if flag and e["event_is_flagged"] != (str(flag[0]).lower() == "true"):
            continue
        if not all(_contains_all(e[field], query.get(key) or []) for key, field in (
                ("tag", "event_tags"), ("title", "event_title"), ("source", "event_source"),
                ("description", "event_content"), ("raw", "event_raw"))):
            continue
        when = _instant(e["event_date"])
        if (bounds[0] and when < bounds[0]) or (bounds[1] and when > bounds[1]):
            continue
        category = category_name(store, e["event_category_id"])
        if any(category != wanted for wanted in query.get("category") or []):
            continue
        if event_ids and e["event_id"] not in event_ids:
            continue
        linked_assets = [store.assets[a] for a in e["event_assets"]
                         if a in store.assets and store.assets[a]["case_id"] == cid
                         and (not asset_ids or a in asset_ids)]
        if assets or asset_ids:
            hits = sum(1 for a in linked_assets
                       if (assets and str(a["asset_name"]).lower() in assets) or a["asset_id"] in asset_ids)
            if hits != len(assets) + len(asset_ids):
                continue
        linked_iocs = [store.iocs[i] for i in e["event_iocs"] if i in store.iocs]
        if iocs and not any(str(i["ioc_value"]).lower() in iocs for i in linked_iocs):
            continue
        shown_iocs = [i for i in linked_iocs if not ioc_ids or i["ioc_id"] in ioc_ids]
        rows.append({
            "event_id": e["event_id"], "event_uuid": e["event_uuid"], "event_date": e["event_date"],
            "event_date_wtz": e["event_date_wtz"], "event_tz": e["event_tz"],
            "event_title": e["event_title"], "event_color": e["event_color"],
            "event_tags": e["event_tags"], "event_content": e["event_content"],
            "event_in_summary": e["event_in_summary"], "event_in_graph": e["event_in_graph"],
            "event_is_flagged": e["event_is_flagged"], "parent_event_id": e["parent_event_id"],
            "user": creator["user_login"],
            "event_added": dt.datetime.fromisoformat(e["event_added"]).strftime("%Y-%m-%dT%H:%M:%S"),
            "category_name": category,
            "assets": [{
                "name": f"{a['asset_name']} ({(store.lookup('asset_type', 'asset_id', a['asset_type_id']) or {}).get('asset_name')})",
                "ip": a["asset_ip"], "description": a["asset_description"],
                "compromised": a["asset_compromise_status_id"] == 1,
            } for a in linked_assets],
            "iocs": [{"name": f"{i['ioc_value']}", "description": i["ioc_description"]} for i in shown_iocs],
        })
    return ctx.ok({"timeline": rows, "state": store.state(cid, "timeline")}, "ok")


def _summary_events(store: Store, case_id: int) -> list[dict[str, Any]]:
    return [e for e in _case_events(store, case_id) if e["event_in_summary"]]


@route("GET", "/case/timeline/visualize/data/by-category")
async def visualize_by_category(ctx: Iris):
    cid = await ctx.case("ro")
    store = ctx.store
    out = []
    for e in _summary_events(store, cid):
        when = _instant(e["event_date"])
        content = (e["event_content"] or "").replace("\n", "<br/>")
        item = {"date": iso(when), "group": category_name(store, e["event_category_id"]) or "Uncategorized",
                "content": e["event_title"],
                "title": f"<small>{when.strftime('%Y-%m-%dT%H:%M:%S')}</small><br/>{content}"}
        if e["event_color"]:
            item["style"] = f"background-color: {e['event_color']};"
        item["unique_id"] = e["event_id"]
        out.append(item)
    return ctx.ok({"events": out})


@route("GET", "/case/timeline/visualize/data/by-asset")
async def visualize_by_asset(ctx: Iris):
    cid = await ctx.case("ro")
    store = ctx.store
    out = []
    for e in _summary_events(store, cid):
        when = _instant(e["event_date"])
        for asset_id in e["event_assets"]:
            asset = store.assets.get(asset_id)
            if asset is None or asset["case_id"] != cid:
                continue
            item = {"date": iso(when), "group": asset["asset_name"], "content": e["event_title"],
                    "title": f"{when.strftime('%Y-%m-%dT%H:%M:%S')} - {e['event_content']}"}
            if e["event_color"]:
                item["style"] = f"background-color: {e['event_color']};"
            item["unique_id"] = e["event_id"]
            out.append(item)
    return ctx.ok({"events": out})


@route("POST", "/case/timeline/events/convert-date")
async def convert_date(ctx: Iris):
    """Unparsable input crashes 2.4.20 (HTML 500, 274) instead of the intended 400."""
    await ctx.case("ro")
    body = await ctx.json()
    value = body.get("date_value")
    if not value:
        return ctx.fail(400, "Invalid request")
    parsed = parse_any_date(value)
    if parsed is None:
        raise ValueError(f"unparsable date {value!r}")
    tz = parsed.strftime("%z")
    return ctx.ok({"date": parsed.strftime("%Y-%m-%d"), "time": parsed.strftime("%H:%M:%S.%f")[:-3],
                   "tz": tz if tz else "+00:00"}, "Date parsed")


@route("POST", "/case/timeline/events/csv_upload")
async def upload_events(ctx: Iris):
    """All-or-nothing CSV import; assets by name (`;`), IOCs by value (`|`), tags `|`."""
    cid = await ctx.case("full")
    body = await ctx.json()
    store = ctx.store
    options = body.get("CSVOptions") or {}
    sync = options.get("event_sync_iocs_assets") or False
    in_summary = options.get("event_in_summary") or False
    in_graph = options.get("event_in_graph") or True
    source = options.get("event_source") or ""
    rows = list(csv.DictReader(body["CSVData"].splitlines(), delimiter=","))
    missing = [f for f in CSV_FIELDS if rows[0].get(f) is None]
    if missing:
        return ctx.fail(400, f"Bad SCV Fields Mapping. Fields missing: [{','.join(missing)}]", {
            "error_code": "BAD_FIELDS_MAPPING", "expected": ",".join(CSV_FIELDS),
            "found": ",".join(rows[0].keys()), "missing": ",".join(missing)})
    default_category = store.lookup("event_category", "name", "Unspecified") or {"id": 1}
    case_assets = [a for a in store.assets.values() if a["case_id"] == cid]
    case_iocs = [store.iocs[i] for i in store.ioc_links.get(cid, ()) if i in store.iocs]
    prepared = []
    for line, row in enumerate(rows, start=1):
        category = row.pop("event_category")
        if not row.get("event_title"):
            return ctx.fail(400, "Data error", {"Error": f"Event Title can not be empty.\nrow number: {line}"})
        names, values = row.get("event_assets"), row.get("event_iocs")
        row["event_assets"] = []
        for name in (names or "").split(";"):
            if not name:
                continue
            asset = next((a for a in case_assets if a["asset_name"] == name), None)
            if asset is None:
                return ctx.fail(400, "Data error", {"Error": f"Asset not recognized : {name}.\nrow number: {line}"})
            row["event_assets"].append(asset["asset_id"])
        row["event_iocs"] = []
        for value in (values or "").split("|"):
            if not value:
                continue
            ioc = next((i for i in case_iocs if i["ioc_value"] == value), None)
            if ioc is None:
                return ctx.fail(400, "Data error", {"Error": f"IoC not recognized : {value}.\nrow number: {line}"})
            row["event_iocs"].append(ioc["ioc_id"])
        if category:
            found = store.lookup("event_category", "name", category)
            if found is None:
                return ctx.fail(400, "Data error", {"Error": f"event_category not recognized : None.\nrow number: {line}"})
            row["event_category_id"] = found["id"]
        else:
            row["event_category_id"] = default_category["id"]
        if row.get("event_tags"):
            row["event_tags"] = ",".join(row["event_tags"].split("|"))
        row.update(event_in_summary=in_summary, event_in_graph=in_graph, event_source=source)
        prepared.append(validate_event(store, row))
    for values in prepared:
        values["event_sync_iocs_assets"] = sync
        event = create_event(store, cid, ctx.user_id, values)
        store.log_activity(ctx.user_id, cid, f"added event {event['event_id']}")
    return ctx.ok([], "Events added (CSV File)")
