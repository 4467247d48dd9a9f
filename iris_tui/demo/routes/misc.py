"""Everything else a client meets (iris-api.md 1.12, 15-17): activities, global search, module
hooks and background tasks, the cross-case asset filter, alerts (add, filter, get), report
generation and API-key renewal."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from starlette.responses import Response

from iris_tui.demo.routes.lookups import customer_full
from iris_tui.demo.routes.perms import page_of, query_int, require
from iris_tui.demo.store import Store, iso, new_uuid, utcnow
from iris_tui.demo.web import Iris, Reply, as_int, fail, int_id, route

MAX_ACTIVITIES = 10_000


# -- activities -----------------------------------------------------------------------------

def _activity_rows(store: Store, *, everything: bool) -> list[dict[str, Any]]:
    rows = []
    for row in reversed(store.activities):
        if not everything and not row.get("display_in_ui", True):
            continue
        case = store.cases.get(row.get("case_id") or 0)
        user = store.users.get(row["user_id"]) or {}
        out = {"case_name": case["name"] if case else None, "user_name": user.get("user_name"),
               "user_id": row["user_id"], "case_id": row.get("case_id"),
               "activity_date": row["activity_date"], "activity_desc": row["activity_desc"],
               "user_input": row.get("user_input", False), "is_from_api": row.get("is_from_api", True)}
        if everything and case is None:
            # the outer join of list-all puts the user id in `user_name` for case-less rows (411)
            out = {"case_name": None, "user_name": row["user_id"], "activity_date": out["activity_date"],
                   "activity_desc": out["activity_desc"], "user_input": out["user_input"],
                   "is_from_api": out["is_from_api"]}
        rows.append(out)
    return rows[:MAX_ACTIVITIES]


@route("GET", "/activities/list")
async def activities_list(ctx: Iris):
    require(ctx, "activities_read", "all_activities_read")
    return ctx.ok(_activity_rows(ctx.store, everything=False))


@route("GET", "/activities/list-all")
async def activities_list_all(ctx: Iris):
    require(ctx, "all_activities_read")
    return ctx.ok(_activity_rows(ctx.store, everything=True))


# -- global search --------------------------------------------------------------------------

def like(pattern: str, *, case_sensitive: bool = True) -> re.Pattern[str]:
    """An SQL LIKE pattern (`%`, `_`) as a regular expression."""
    parts = [".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern]
    return re.compile("".join(parts), 0 if case_sensitive else re.IGNORECASE | re.DOTALL)


def _case_names(store: Store, case_id: int) -> tuple[str | None, str | None]:
    case = store.cases.get(case_id)
    if case is None:
        return None, None
    return case["name"], (store.customers.get(case["client_id"]) or {}).get("customer_name")


def search_iocs(store: Store, value: str) -> list[dict[str, Any]]:
    """`LIKE` on the value as given; only IOCs with a TLP, one row per linking case."""
    pattern = like(value)
    rows = []
    for case_id, ioc_ids in sorted(store.ioc_links.items()):
        for ioc_id in ioc_ids:
            ioc = store.iocs.get(ioc_id)
            tlp = store.lookup("tlp", "tlp_id", ioc.get("ioc_tlp_id")) if ioc else None
            if ioc is None or tlp is None or not pattern.fullmatch(ioc.get("ioc_value") or ""):
                continue
            kind = store.lookup("ioc_type", "type_id", ioc.get("ioc_type_id")) or {}
            case_name, customer = _case_names(store, case_id)
            rows.append({"ioc_name": ioc["ioc_value"], "ioc_description": ioc.get("ioc_description"),
                         "ioc_misp": ioc.get("ioc_misp"), "type_name": kind.get("type_name"),
                         "tlp_name": tlp["tlp_name"], "tlp_bscolor": tlp.get("tlp_bscolor"),
                         "case_name": case_name, "case_id": case_id, "customer_name": customer})
    return rows


def search_notes(store: Store, value: str) -> list[dict[str, Any]]:
    pattern = like(f"%{value}%", case_sensitive=False)
    rows = []
    for note in sorted(store.notes.values(), key=lambda n: n["note_id"]):
        if pattern.fullmatch(note.get("note_content") or ""):
            case_name, customer = _case_names(store, note["note_case_id"])
            rows.append({"note_id": note["note_id"], "note_title": note.get("note_title"),
                         "case_name": case_name, "client_name": customer,
                         "case_id": note["note_case_id"]})
    return rows


def search_comments(store: Store, value: str) -> list[dict[str, Any]]:
    pattern = like(f"%{value}%", case_sensitive=False)
    rows = []
    for comment in sorted(store.comments.values(), key=lambda c: c["comment_id"]):
        case_id = comment.get("comment_case_id")
        if case_id in store.cases and pattern.fullmatch(comment.get("comment_text") or ""):
            case_name, customer = _case_names(store, case_id)
            rows.append({"comment_id": comment["comment_id"], "comment_text": comment["comment_text"],
                         "case_name": case_name, "customer_name": customer, "case_id": case_id})
    return rows


SEARCHES = {"ioc": search_iocs, "notes": search_notes, "comments": search_comments}


@route("POST", "/search")
async def global_search(ctx: Iris):
    """Results span every case: there is no per-case access filtering (iris-api.md 17)."""
    require(ctx, "search_across_cases")
    body = await ctx.json()
    kind, value = body.get("search_type"), body.get("search_value")
    if kind not in SEARCHES or not isinstance(value, str):
        return ctx.fail(400, "Invalid search")
    ctx.store.log_activity(ctx.user_id, None, f"Started a global search for {value} on {kind}",
                           user_input=False)
    return ctx.ok(SEARCHES[kind](ctx.store, value), "Results fetched")


# -- modules: background tasks and manual hooks ---------------------------------------------

@route("GET", "/dim/tasks/list/{count:int}")
async def dim_tasks(ctx: Iris):
    """Background (celery) tasks: the fake runs none."""
    require(ctx, "server_administrator")
    return ctx.ok([])


@route("GET", "/dim/hooks/options/{hook_type}/list")
async def hook_options(ctx: Iris):
    """Manual hooks of active modules; a fresh install (and the fake) has none."""
    wanted = f"on_manual_trigger_{ctx.params['hook_type']}"
    return ctx.ok([dict(h) for h in ctx.store.lookups.get("hook_option", ()) if h["hook_name"] == wanted])


# object type -> (table, id column) the hook call looks targets up in, within the case
HOOK_TARGETS = {
    "ioc": ("iocs", None), "asset": ("assets", "case_id"), "note": ("notes", "note_case_id"),
    "event": ("events", "case_id"), "task": ("tasks", "task_case_id"),
    "evidence": ("evidences", "case_id"), "global_task": ("global_tasks", None),
}


@route("POST", "/dim/hooks/call")
async def hook_call(ctx: Iris):
    cid = await ctx.case("full")
    body = await ctx.json()
    if not body:
        return ctx.fail(400, "Invalid data")
    for key, message in (("hook_name", "Missing hook_name"), ("hook_ui_name", "Missing hook_ui_name"),
                         ("targets", "Missing targets"), ("type", "Missing data type")):
        if not body.get(key):
            return ctx.fail(400, message)
    logs, queued = [], 0
    for target in body["targets"]:
        kind = body["type"]
        if kind == "case":
            found = cid in ctx.store.cases
        elif kind in HOOK_TARGETS:
            table, column = HOOK_TARGETS[kind]
            row = getattr(ctx.store, table).get(target) if isinstance(target, int) else None
            found = row is not None and (column is None or row.get(column) == cid)
        else:
            logs.append(f"Data type {kind} not supported")
            continue
        if not found:
            logs.append(f"Object ID {target} not found")
            continue
        queued += 1
    if logs:
        return ctx.fail(400, f"Errors encountered during processing of data. Queued task with {queued} objects",
                        logs)
    return ctx.ok([], f"Queued task with {queued} objects")


# -- cross-case assets ----------------------------------------------------------------------

@route("GET", "/manage/assets/filter")
async def assets_filter(ctx: Iris):
    from iris_tui.demo.routes.assets import dump_asset

    store, q = ctx.store, ctx.query
    case_id = query_int(ctx, "case_id")
    if case_id and store.access_level(ctx.user_id, case_id) == 1:
        return ctx.fail(403, "Permission denied",
                        {"user_id": ctx.user_id, "case_id": case_id, "error_uuid": new_uuid()})
    ints = {"case_id": case_id, "asset_type_id": query_int(ctx, "asset_type_id"),
            "asset_id": query_int(ctx, "asset_id")}
    customer_id = query_int(ctx, "customer_id")
    texts = {key: q.get(key) for key in ("asset_name", "asset_description", "asset_ip")}
    rows = []
    for asset in store.assets.values():
        case = store.cases.get(asset.get("case_id") or 0)
        if case is None or store.access_level(ctx.user_id, case["case_id"]) not in (2, 4):
            continue
        if any(v is not None and asset.get(k) != v for k, v in ints.items()):
            continue
        if customer_id is not None and case["client_id"] != customer_id:
            continue
        if any(v and v.lower() not in (asset.get(k) or "").lower() for k, v in texts.items()):
            continue
        rows.append(asset)
    order_by = q.get("order_by") or "name"
    column = "asset_name" if order_by == "name" else order_by
    if rows and column in rows[0]:
        rows.sort(key=lambda a: (a.get(column) is None, a.get(column) if a.get(column) is not None else 0))
    else:
        rows.sort(key=lambda a: a["asset_id"])
    if q.get("sort_dir") == "desc":
        rows.reverse()
    items, paging = page_of(rows, query_int(ctx, "page", 1), query_int(ctx, "per_page", 10))
    return ctx.ok({"total": paging["total"], "assets": [dump_asset(store, a) for a in items],
                   "last_page": paging["last_page"], "current_page": paging["current_page"],
                   "next_page": paging["next_page"], "draw": query_int(ctx, "draw", 1)})


# -- alerts ---------------------------------------------------------------------------------

ALERT_COLUMNS = (
    "alert_id", "alert_uuid", "alert_title", "alert_description", "alert_source",
    "alert_source_ref", "alert_source_link", "alert_source_content", "alert_severity_id",
    "alert_status_id", "alert_context", "alert_source_event_time", "alert_creation_time",
    "alert_note", "alert_tags", "alert_owner_id", "modification_history", "alert_customer_id",
    "alert_classification_id", "alert_resolution_status_id",
)


def dump_alert(store: Store, alert: dict[str, Any], *, with_assets: bool = True) -> dict[str, Any]:
    """AlertSchema: nested lookups, IOC and asset objects (each asset lists its alerts), ids."""
    from iris_tui.demo.routes.assets import dump_asset
    from iris_tui.demo.routes.iocs import dump_ioc

    def ref(kind: str, key: str, value: Any) -> dict[str, Any] | None:
        row = store.lookup(kind, key, value)
        return dict(row) if row else None

    out: dict[str, Any] = {
        "severity": ref("severity", "severity_id", alert.get("alert_severity_id")),
        "status": ref("alert_status", "status_id", alert.get("alert_status_id")),
        "customer": customer_full(store.customers.get(alert.get("alert_customer_id") or 0)),
        "classification": ref("classification", "id", alert.get("alert_classification_id")),
        "owner": store.user_ref(alert.get("alert_owner_id")),
        "iocs": [dump_ioc(store, store.iocs[i]) for i in alert.get("iocs", ()) if i in store.iocs],
    }
    if with_assets:
        assets = []
        for asset_id in alert.get("assets", ()):
            if asset_id in store.assets:
                linked = [dump_alert(store, a, with_assets=False) for a in store.alerts.values()
                          if asset_id in a.get("assets", ())]
                assets.append({**dump_asset(store, store.assets[asset_id]), "alerts": linked})
        out["assets"] = assets
    out.update({
        "resolution_status": ref("alert_resolution", "resolution_status_id",
                                 alert.get("alert_resolution_status_id")),
        "cases": list(alert.get("cases", ())), "comments": list(alert.get("comments", ())),
    })
    out.update({key: alert.get(key) for key in ALERT_COLUMNS})
    return out


def _visible_alerts(ctx: Iris) -> list[dict[str, Any]]:
    """Alerts of the customers the user belongs to (administrators: all)."""
    alerts = [ctx.store.alerts[k] for k in sorted(ctx.store.alerts)]
    if ctx.user.get("is_admin"):
        return alerts
    return [a for a in alerts
            if ctx.user_id in (ctx.store.customers.get(a.get("alert_customer_id") or 0) or {}).get("members", ())]


def validate_alert(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    title = body.get("alert_title")
    if not isinstance(title, str) or not title:
        errors["alert_title"] = ["Missing data for required field."]
    checks = (("alert_severity_id", "severity", "severity_id"), ("alert_status_id", "alert_status", "status_id"),
              ("alert_customer_id", None, None))
    for key, kind, id_key in checks:
        try:
            value = as_int(body.get(key))
        except ValueError:
            errors[key] = ["Not a valid integer."]
            continue
        if value is None:
            errors[key] = ["Missing data for required field."]
        elif (kind and store.lookup(kind, id_key, value) is None) or (kind is None and value not in store.customers):
            errors[key] = [f"Invalid {key.replace('alert_', '').replace('_id', '')} ID"]
        fields[key] = value
    for key in ("alert_iocs", "alert_assets"):
        items = body.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            errors[key] = ["Not a valid list."]
    if errors:
        raise Reply(fail(400, "Data error", errors))
    return fields


def create_alert(store: Store, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Add an alert with its own IOC and asset rows (linked to no case, 426)."""
    from iris_tui.demo.routes.assets import create_asset
    from iris_tui.demo.routes.iocs import create_ioc

    alert_id = store.next_id("alert")
    now = utcnow()
    alert = {key: fields.get(key) for key in ALERT_COLUMNS}
    alert.update({
        "alert_id": alert_id, "alert_uuid": new_uuid(),
        "alert_source_event_time": fields.get("alert_source_event_time") or iso(now),
        "alert_creation_time": iso(now),
        "modification_history": {repr(time.time()): {
            "user": (store.users.get(user_id) or {}).get("user_login"), "user_id": user_id,
            "action": "Alert created"}},
        "iocs": [], "assets": [], "cases": [], "comments": [],
    })
    for item in fields.get("alert_iocs") or ():
        alert["iocs"].append(create_ioc(store, None, item)["ioc_id"])
    for item in fields.get("alert_assets") or ():
        asset = create_asset(store, None, user_id, item)
        asset.update(user_id=None, date_added=None, date_update=None)
        alert["assets"].append(asset["asset_id"])
    store.alerts[alert_id] = alert
    store.register_tags(alert.get("alert_tags"))
    store.log_activity(user_id, None, f"Created alert #{alert_id} - {alert['alert_title']}")
    return alert


@route("POST", "/alerts/add")
async def alert_add(ctx: Iris):
    require(ctx, "alerts_write")
    body = await ctx.json()
    fields = validate_alert(ctx.store, body)
    alert = create_alert(ctx.store, ctx.user_id, {**body, **fields})
    return ctx.ok(dump_alert(ctx.store, alert), "")


def _alert_filter(ctx: Iris, alert: dict[str, Any]) -> bool:
    q, store = ctx.query, ctx.store
    if q.get("alert_ids"):
        try:
            if alert["alert_id"] not in {int(i) for i in q["alert_ids"].split(",")}:
                return False
        except ValueError:
            return False
    for param in ("alert_title", "alert_description", "alert_source", "alert_tags"):
        if q.get(param) and q[param].lower() not in (alert.get(param) or "").lower():
            return False
    if q.get("source_reference") and q["source_reference"] != alert.get("alert_source_ref"):
        return False
    for param, key in (("alert_status_id", "alert_status_id"), ("alert_severity_id", "alert_severity_id"),
                       ("alert_owner_id", "alert_owner_id"), ("alert_customer_id", "alert_customer_id"),
                       ("alert_classification_id", "alert_classification_id"),
                       ("alert_resolution_id", "alert_resolution_status_id")):
        value = query_int(ctx, param)
        if value is not None and alert.get(key) != value:
            return False
    case_id = query_int(ctx, "case_id")
    if case_id is not None and case_id not in alert.get("cases", ()):
        return False
    if q.get("alert_assets"):
        names = {(store.assets.get(a) or {}).get("asset_name") for a in alert.get("assets", ())}
        if not names & set(q["alert_assets"].split(",")):
            return False
    if q.get("alert_iocs"):
        values = {(store.iocs.get(i) or {}).get("ioc_value") for i in alert.get("iocs", ())}
        if not values & set(q["alert_iocs"].split(",")):
            return False
    for param, key, bound in (("creation_start_date", "alert_creation_time", "ge"),
                              ("creation_end_date", "alert_creation_time", "le"),
                              ("source_start_date", "alert_source_event_time", "ge"),
                              ("source_end_date", "alert_source_event_time", "le")):
        if q.get(param) and alert.get(key):
            if (bound == "ge" and alert[key] < q[param]) or (bound == "le" and alert[key][:len(q[param])] > q[param]):
                return False
    return True


@route("GET", "/alerts/filter")
async def alerts_filter(ctx: Iris):
    require(ctx, "alerts_read")
    alerts = [a for a in _visible_alerts(ctx) if _alert_filter(ctx, a)]
    alerts.sort(key=lambda a: (a.get("alert_source_event_time") or "", a["alert_id"]),
                reverse=(ctx.query.get("sort") or "desc") != "asc")
    items, paging = page_of(alerts, query_int(ctx, "page", 1), query_int(ctx, "per_page", 10))
    dumped = [dump_alert(ctx.store, a) for a in items]
    if ctx.query.get("fields"):
        keep = set(ctx.query["fields"].split(","))
        dumped = [{k: v for k, v in a.items() if k in keep} for a in dumped]
    return ctx.ok({"total": paging["total"], "alerts": dumped, "last_page": paging["last_page"],
                   "current_page": paging["current_page"], "next_page": paging["next_page"]})


@route("GET", "/alerts/{alert_id:int}")
async def alert_get(ctx: Iris):
    require(ctx, "alerts_read")
    alert = ctx.store.alerts.get(int_id(ctx.params["alert_id"]))
    if alert is None or alert not in _visible_alerts(ctx):
        return ctx.fail(400, "Alert not found")
    store = ctx.store
    names = {(store.assets.get(a) or {}).get("asset_name") for a in alert.get("assets", ())}
    values = {(store.iocs.get(i) or {}).get("ioc_value") for i in alert.get("iocs", ())}
    related = {
        "assets": [a["alert_id"] for a in _visible_alerts(ctx)
                   if names & {(store.assets.get(i) or {}).get("asset_name") for i in a.get("assets", ())}],
        "iocs": [a["alert_id"] for a in _visible_alerts(ctx)
                 if values & {(store.iocs.get(i) or {}).get("ioc_value") for i in a.get("iocs", ())}],
    }
    return ctx.ok({**dump_alert(store, alert), "related_alerts": related})


# -- reports --------------------------------------------------------------------------------

def _template(ctx: Iris, kind: str) -> dict[str, Any] | None:
    template_id = int_id(ctx.params["template_id"])
    return next((t for t in ctx.store.lookups.get("report_template", ())
                 if t["id"] == template_id and t.get("type_name", kind) == kind), None)


async def _report_case(ctx: Iris) -> dict[str, Any]:
    """No access check, and an unknown cid falls back to case 1 (iris-api.md 16)."""
    cid = await ctx.cid()
    return ctx.store.cases.get(cid) or ctx.store.cases[1]


@route("GET", "/case/report/generate-investigation/{template_id:int}")
async def report_investigation(ctx: Iris):
    template = _template(ctx, "Investigation")
    if template is None:
        return ctx.fail(404, "Unknown report")
    case = await _report_case(ctx)
    lines = [f"# {case['name']}", "", case["description"], ""]
    return _attachment(template, case, "\n".join(lines))


@route("GET", "/case/report/generate-activities/{template_id:int}")
async def report_activities(ctx: Iris):
    template = _template(ctx, "Activities")
    if template is None:
        return ctx.fail(404, "Unknown report")
    case = await _report_case(ctx)
    lines = [f"# Activities of {case['name']}", ""]
    lines += [f"* {a['activity_date']} {a['activity_desc']}" for a in ctx.store.activities
              if a.get("case_id") == case["case_id"]]
    return _attachment(template, case, "\n".join(lines))


def _attachment(template: dict[str, Any], case: dict[str, Any], text: str) -> Response:
    stamp = dt.datetime.now().strftime("%Y%m%d_%H%M")
    name = (template.get("naming_format") or "report_{case_id}_{date}").format(
        case_id=case["case_id"], case_name=case["name"], date=stamp)
    return Response(text.encode("utf-8"), media_type="text/markdown",
                    headers={"Content-Disposition": f'attachment; filename="{name}.md"'})


# -- API key ----------------------------------------------------------------------------------

@route("GET", "/user/token/renew")
async def token_renew(ctx: Iris):
    """The real server replaces the key without returning it (iris-api.md 2.2). The demo keeps
    the key working so a client that calls this does not lock itself out of the demo."""
    return ctx.ok([], "Token renewed")

