"""Read-only views over a whole case: the JSON export (/case/export, 528) and the graph of the
graph view (/case/graph/getdata, 533). Both read the other modules' tables, whose records use
IRIS's column names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from iris_tui.demo.store import Store, iso, utcnow

IOC_IMAGE = "/static/assets/img/graph/virus-covid-solid.png"
COMPROMISED = 1


def _in_case(rows: dict[int, dict[str, Any]], column: str, case_id: int) -> list[dict[str, Any]]:
    return [rows[key] for key in sorted(rows) if rows[key].get(column) == case_id]


def _name(store: Store, user_id: Any) -> str | None:
    user = store.users.get(user_id or 0)
    return user["user_name"] if user else None


def _lookup_name(store: Store, kind: str, key: str, value: Any, name: str) -> str | None:
    row = store.lookup(kind, key, value)
    return row[name] if row else None


def _ids(value: Any, key: str) -> list[int]:
    """Linked ids stored either as ids or as records carrying `key`."""
    out = []
    for item in value or ():
        out.append(item.get(key) if isinstance(item, dict) else item)
    return [i for i in out if i is not None]


def event_asset_ids(event: dict[str, Any]) -> list[int]:
    return _ids(event.get("event_assets"), "asset_id")


def event_ioc_ids(event: dict[str, Any]) -> list[int]:
    return _ids(event.get("event_iocs"), "ioc_id")


def _case_iocs(store: Store, case_id: int) -> list[dict[str, Any]]:
    return [store.iocs[i] for i in sorted(set(store.ioc_links.get(case_id, ()))) if i in store.iocs]


def _asset(store: Store, asset: dict[str, Any]) -> dict[str, Any]:
    linked = [store.iocs[i] for a, i in sorted(store.asset_ioc_links)
              if a == asset.get("asset_id") and i in store.iocs]
    return {
        "asset_id": asset.get("asset_id"), "asset_uuid": asset.get("asset_uuid"),
        "asset_name": asset.get("asset_name"), "asset_description": asset.get("asset_description"),
        "asset_compromise_status_id": asset.get("asset_compromise_status_id"),
        "type": _lookup_name(store, "asset_type", "asset_id", asset.get("asset_type_id"), "asset_name"),
        "analysis_status": _lookup_name(store, "analysis_status", "id",
                                        asset.get("analysis_status_id"), "name"),
        "date_added": asset.get("date_added"), "asset_domain": asset.get("asset_domain"),
        "asset_ip": asset.get("asset_ip"), "asset_info": asset.get("asset_info"),
        "asset_tags": asset.get("asset_tags"), "custom_attributes": asset.get("custom_attributes"),
        "light_asset_description": asset.get("asset_description"),
        "asset_ioc": [
            {"ioc_value": i.get("ioc_value"),
             "type_name": _lookup_name(store, "ioc_type", "type_id", i.get("ioc_type_id"), "type_name"),
             "ioc_description": i.get("ioc_description")} for i in linked
        ],
        "asset_compromise_status": _lookup_name(store, "compromise_status", "value",
                                                asset.get("asset_compromise_status_id"), "name"),
    }


def _event(store: Store, event: dict[str, Any]) -> dict[str, Any]:
    assets = []
    for asset_id in event_asset_ids(event):
        asset = store.assets.get(asset_id)
        if asset:
            kind = _lookup_name(store, "asset_type", "asset_id", asset.get("asset_type_id"), "asset_name")
            assets.append(f"{asset.get('asset_name')} ({kind})")
    iocs = []
    for ioc_id in event_ioc_ids(event):
        ioc = store.iocs.get(ioc_id)
        if ioc:
            iocs.append({
                "ioc_id": ioc_id, "ioc_value": ioc.get("ioc_value"),
                "ioc_description": ioc.get("ioc_description"),
                "tlp_name": _lookup_name(store, "tlp", "tlp_id", ioc.get("ioc_tlp_id"), "tlp_name"),
                "type": _lookup_name(store, "ioc_type", "type_id", ioc.get("ioc_type_id"), "type_name"),
            })
    keys = ("event_id", "event_title", "event_in_summary", "event_date", "event_tz",
            "event_date_wtz", "event_content", "event_tags", "event_source", "event_raw",
            "custom_attributes")
    out = {key: event.get(key) for key in keys}
    for key in ("event_date", "event_date_wtz"):
        if isinstance(out[key], str):
            out[key] = iso(dt.datetime.fromisoformat(out[key]))
    out.update({
        "category": _lookup_name(store, "event_category", "id", event.get("event_category_id"), "name"),
        "last_edited_by": _name(store, event.get("user_id")),
        "event_uuid": event.get("event_uuid"), "event_in_graph": event.get("event_in_graph"),
        "event_color": event.get("event_color"), "event_is_flagged": event.get("event_is_flagged"),
        "assets": assets, "iocs": iocs,
    })
    return out


def _task(store: Store, task: dict[str, Any]) -> dict[str, Any]:
    assignees = []
    for user_id in _ids(task.get("task_assignees"), "id"):
        user = store.users.get(user_id)
        if user:
            assignees.append({"user": user["user_login"], "name": user["user_name"], "id": user_id})
    return {
        "task_title": task.get("task_title"),
        "task_status": _lookup_name(store, "task_status", "id", task.get("task_status_id"), "status_name"),
        "task_tags": task.get("task_tags"), "task_open_date": task.get("task_open_date"),
        "task_close_date": task.get("task_close_date"), "task_last_update": task.get("task_last_update"),
        "task_description": task.get("task_description"),
        "custom_attributes": task.get("custom_attributes"), "task_uuid": task.get("task_uuid"),
        "id": task.get("id", task.get("task_id")), "task_assignees": assignees,
    }


def _comment(store: Store, comment: dict[str, Any]) -> dict[str, Any]:
    return {"comment_id": comment.get("comment_id"), "comment_uuid": comment.get("comment_uuid"),
            "comment_text": comment.get("comment_text"),
            "comment_by": _name(store, comment.get("comment_user_id")),
            "comment_date": comment.get("comment_date")}


def _note(store: Store, note: dict[str, Any], comments: list[dict[str, Any]]) -> dict[str, Any]:
    directory = store.note_dirs.get(note.get("directory_id") or 0)
    keys = ("note_id", "note_uuid", "note_title", "note_content", "note_user", "note_creationdate",
            "note_lastupdate", "note_case_id", "custom_attributes", "directory_id",
            "modification_history")
    out: dict[str, Any] = {
        "directory": {"id": directory.get("id"), "name": directory.get("name"),
                      "parent_id": directory.get("parent_id"), "case_id": directory.get("case_id")}
        if directory else None,
    }
    out.update({key: note.get(key) for key in keys})
    out["comments"] = [
        {"user": store.user_ref(c.get("comment_user_id")), "comment_id": c.get("comment_id"),
         "comment_uuid": c.get("comment_uuid"), "comment_text": c.get("comment_text"),
         "comment_date": c.get("comment_date"), "comment_update_date": c.get("comment_update_date"),
         "comment_user_id": c.get("comment_user_id"), "comment_case_id": c.get("comment_case_id"),
         "comment_alert_id": c.get("comment_alert_id")}
        for c in comments
        if c.get("object_type") == "note" and c.get("object_id") == note.get("note_id")
    ]
    return out


def _evidence(store: Store, evidence: dict[str, Any]) -> dict[str, Any]:
    return {"filename": evidence.get("filename"), "date_added": evidence.get("date_added"),
            "file_hash": evidence.get("file_hash"), "added_by": _name(store, evidence.get("user_id")),
            "custom_attributes": evidence.get("custom_attributes"),
            "file_uuid": evidence.get("file_uuid"), "id": evidence.get("id"),
            "file_size": evidence.get("file_size")}


def export_case(store: Store, case: dict[str, Any]) -> dict[str, Any]:
    """The whole case, as /case/export answers (top-level keys of 528)."""
    from iris_tui.demo.routes.cases import details
    from iris_tui.demo.routes.iocs import dump_ioc

    case_id = case["case_id"]
    comments = _in_case(store.comments, "comment_case_id", case_id)
    return {
        "case": details(store, case),
        "evidences": [_evidence(store, e) for e in _in_case(store.evidences, "case_id", case_id)],
        "timeline": [_event(store, e) for e in _in_case(store.events, "case_id", case_id)],
        "iocs": [dump_ioc(store, i) for i in _case_iocs(store, case_id)],
        "assets": [_asset(store, a) for a in _in_case(store.assets, "case_id", case_id)],
        "tasks": [_task(store, t) for t in _in_case(store.tasks, "task_case_id", case_id)],
        "comments": [_comment(store, c) for c in comments],
        "notes": [_note(store, n, comments) for n in _in_case(store.notes, "note_case_id", case_id)],
        "export_date": iso(utcnow()),
    }


def _event_time(event: dict[str, Any]) -> dt.datetime | None:
    value = event.get("event_date")
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if isinstance(value, dt.datetime) else None


def graph_data(store: Store, case_id: int) -> dict[str, Any]:
    """Nodes (assets `a<id>` first, then IOCs `b<id>`) of the events shown in the graph, edges
    between the objects of each event, and per node the dates of its events (533)."""
    assets: dict[int, list[dt.datetime]] = {}
    iocs: dict[int, list[dt.datetime]] = {}
    edges: list[dict[str, Any]] = []
    for event in _in_case(store.events, "case_id", case_id):
        if not event.get("event_in_graph", True):
            continue
        when = _event_time(event)
        title = f"{when} - {event.get('event_title')}"
        asset_ids = [a for a in event_asset_ids(event) if a in store.assets]
        ioc_ids = [i for i in event_ioc_ids(event) if i in store.iocs]
        for asset_id in asset_ids:
            assets.setdefault(asset_id, []).append(when)
        for ioc_id in ioc_ids:
            iocs.setdefault(ioc_id, []).append(when)
        for n, asset_id in enumerate(asset_ids):
            for other in asset_ids[n + 1:]:
                edges.append({"from": f"a{asset_id}", "to": f"a{other}", "title": title, "dashes": False})
            for ioc_id in ioc_ids:
                edges.append({"from": f"a{asset_id}", "to": f"b{ioc_id}", "title": title, "dashes": True})
    nodes = [_asset_node(store, store.assets[a]) for a in assets]
    nodes += [{"id": f"b{i}", "label": store.iocs[i].get("ioc_value"), "image": IOC_IMAGE,
               "shape": "image", "title": store.iocs[i].get("ioc_description"), "value": 1}
              for i in iocs]
    dates = [when for seen in (*assets.values(), *iocs.values()) for when in seen if when]
    return {"nodes": nodes, "edges": edges, "dates": {
        "human": [f"{d.day}-{d.month}-{d.year}" for d in dates],
        "machine": [d.replace(tzinfo=dt.timezone.utc).timestamp() for d in dates],
    }}


def _asset_node(store: Store, asset: dict[str, Any]) -> dict[str, Any]:
    kind = store.lookup("asset_type", "asset_id", asset.get("asset_type_id")) or {}
    compromised = asset.get("asset_compromise_status_id") == COMPROMISED
    image = kind.get("asset_icon_compromised_path" if compromised else "asset_icon_not_compromised_path")
    description = asset.get("asset_description") or ""
    title = f"{asset['asset_ip']} -{description}" if asset.get("asset_ip") else description
    return {"id": f"a{asset['asset_id']}", "label": asset.get("asset_name"), "image": image,
            "shape": "image", "title": title, "value": 1}
