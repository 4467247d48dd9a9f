"""Case assets (iris-api.md section 4): list, filter, state, get, add, update, delete, CSV import.

Quirks kept on purpose: the flat list inner-joins the analysis status (assets without one vanish
from it), the duplicate check answers a bare list, updates are not partial, a delete only
detaches the row and does not move the `assets` counter.
"""

from __future__ import annotations

import csv
from typing import Any

from iris_tui.demo.routes._fields import (
    Fields,
    Invalid,
    check_int,
    invalid,
    merge_custom_attributes,
    register_tags,
    reject_nul,
)
from iris_tui.demo.routes.iocs import linked_ids
from iris_tui.demo.store import Store, iso, new_uuid, utcnow
from iris_tui.demo.web import Iris, route

TEXT_FIELDS = ("asset_description", "asset_domain", "asset_ip", "asset_info", "asset_tags")
CSV_HEADER = "asset_name,asset_type_name,asset_description,asset_ip,asset_domain,asset_tags"


# -- records -------------------------------------------------------------------------------------

def create_asset(store: Store, case_id: int | None, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Insert an asset (already validated) and move the case's `assets` counter, as IRIS does.

    `case_id` may be None for assets that belong to an alert only.
    """
    now = iso(utcnow())
    asset_id = store.next_id("asset")
    record = {
        "asset_id": asset_id,
        "asset_uuid": new_uuid(),
        "asset_name": fields.get("asset_name"),
        "asset_description": fields.get("asset_description"),
        "asset_domain": fields.get("asset_domain"),
        "asset_ip": fields.get("asset_ip"),
        "asset_info": fields.get("asset_info"),
        "asset_compromise_status_id": fields.get("asset_compromise_status_id"),
        "asset_type_id": fields.get("asset_type_id"),
        "analysis_status_id": fields.get("analysis_status_id"),
        "asset_tags": fields.get("asset_tags"),
        "case_id": case_id,
        "user_id": user_id,
        "date_added": now,
        "date_update": now,
        "custom_attributes": fields.get("custom_attributes"),
        "asset_enrichment": fields.get("asset_enrichment"),
        "modification_history": None,
    }
    store.assets[asset_id] = record
    if case_id is not None:
        store.bump(case_id, "assets")
        if fields.get("ioc_links"):
            set_ioc_links(store, case_id, asset_id, fields["ioc_links"])
    return record


def case_asset(store: Store, case_id: int, asset_id: int) -> dict[str, Any] | None:
    asset = store.assets.get(asset_id)
    return asset if asset is not None and asset["case_id"] == case_id else None


def set_ioc_links(store: Store, case_id: int, asset_id: int, ioc_ids: list[int]) -> bool:
    """Replace the asset's IOC links; ids not linked to the case are skipped. True if any was."""
    linked = linked_ids(store, case_id)
    store.asset_ioc_links -= {pair for pair in store.asset_ioc_links if pair[0] == asset_id}
    errors = False
    for ioc_id in ioc_ids:
        if ioc_id in linked and ioc_id in store.iocs:
            store.asset_ioc_links.add((asset_id, ioc_id))
        else:
            errors = True
    return errors


def asset_type_ref(store: Store, type_id: int | None) -> dict[str, Any] | None:
    row = store.lookup("asset_type", "asset_id", type_id)
    if row is None:
        return None
    keys = ("asset_name", "asset_description", "asset_icon_compromised", "asset_icon_not_compromised", "asset_id")
    return {key: row.get(key) for key in keys}


def dump_asset(store: Store, asset: dict[str, Any]) -> dict[str, Any]:
    """CaseAssetsSchema: nested type and analysis status (single-object responses)."""
    status = store.lookup("analysis_status", "id", asset["analysis_status_id"])
    return {
        "asset_name": asset["asset_name"],
        "asset_enrichment": asset["asset_enrichment"],
        "asset_type": asset_type_ref(store, asset["asset_type_id"]),
        "alerts": [],
        "analysis_status": dict(status) if status else None,
        "asset_id": asset["asset_id"],
        "asset_uuid": asset["asset_uuid"],
        "asset_description": asset["asset_description"],
        "asset_domain": asset["asset_domain"],
        "asset_ip": asset["asset_ip"],
        "asset_info": asset["asset_info"],
        "asset_compromise_status_id": asset["asset_compromise_status_id"],
        "asset_type_id": asset["asset_type_id"],
        "asset_tags": asset["asset_tags"],
        "case_id": asset["case_id"],
        "date_added": asset["date_added"],
        "date_update": asset["date_update"],
        "user_id": asset["user_id"],
        "analysis_status_id": asset["analysis_status_id"],
        "custom_attributes": asset["custom_attributes"],
        "modification_history": asset["modification_history"],
    }


def _ioc_links_by_asset(store: Store, assets: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    wanted = {a["asset_id"] for a in assets}
    out: dict[int, list[dict[str, Any]]] = {}
    for asset_id, ioc_id in sorted(store.asset_ioc_links):
        ioc = store.iocs.get(ioc_id)
        if asset_id in wanted and ioc is not None:
            out.setdefault(asset_id, []).append(
                {"ioc_id": ioc_id, "ioc_value": ioc["ioc_value"], "asset_id": asset_id}
            )
    return out


def _similar(store: Store, ctx: Iris, case_id: int, assets: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """Same name and type in other accessible cases of the same customer (only below 300 assets)."""
    if len(assets) >= 300:
        return {}
    customer = (store.cases.get(case_id) or {}).get("client_id")
    keys = {(a["asset_name"], a["asset_type_id"]) for a in assets}
    found: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for other in store.assets.values():
        key = (other["asset_name"], other["asset_type_id"])
        other_case = store.cases.get(other["case_id"]) if other["case_id"] is not None else None
        if key not in keys or other_case is None or other["case_id"] == case_id:
            continue
        if other_case.get("client_id") != customer or store.access_level(ctx.user_id, other["case_id"]) < 2:
            continue
        found.setdefault(key, []).append({
            "case_id": other["case_id"], "case_name": other_case.get("name"),
            "case_open_date": other_case.get("open_date"), "asset_id": other["asset_id"],
            "asset_description": other["asset_description"],
            "asset_compromise_status_id": other["asset_compromise_status_id"],
        })
    return {a["asset_id"]: found.get((a["asset_name"], a["asset_type_id"]), []) for a in assets}


def _case_assets(store: Store, case_id: int) -> list[dict[str, Any]]:
    return sorted((a for a in store.assets.values() if a["case_id"] == case_id), key=lambda a: a["asset_id"])


# -- validation ----------------------------------------------------------------------------------

def validate_asset(store: Store, case_id: int, body: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """CaseAssetsSchema as 2.4.20 runs it: uniqueness, pre-load checks, then the field pass."""
    name = body.get("asset_name")
    if name is not None and not isinstance(name, str):
        raise TypeError("asset_name is not a string")  # IRIS lower()s it: HTML 500 (517)
    if current is None and isinstance(name, str):
        for other in _case_assets(store, case_id):
            if other["asset_name"].lower() == name.lower() and str(other["asset_type_id"]) == str(body.get("asset_type_id")):
                raise Invalid(["Asset name already exists in this case"])
    type_id = check_int(body, "asset_type_id")
    if store.lookup("asset_type", "asset_id", type_id) is None:
        raise invalid("asset_type_id", "Invalid asset type ID")
    status_id = check_int(body, "analysis_status_id", allow_none=True)
    if status_id and store.lookup("analysis_status", "id", status_id) is None:
        raise invalid("analysis_status_id", "Invalid analysis status ID")
    register_tags(store, body.get("asset_tags"))

    fields = Fields(body)
    fields.string("asset_name", required=True, allow_none=False)
    for key in TEXT_FIELDS:
        fields.string(key)
    fields.integer("asset_type_id")
    fields.integer("analysis_status_id")
    fields.integer("asset_compromise_status_id")
    fields.int_list("ioc_links")
    fields.raw("asset_enrichment")
    values = fields.done()
    if "custom_attributes" in body:
        values["custom_attributes"] = merge_custom_attributes(
            body["custom_attributes"], current and current["custom_attributes"], creating=current is None
        )
    reject_nul(*values.values())
    return values


# -- endpoints -----------------------------------------------------------------------------------

@route("GET", "/case/assets/list")
async def list_assets(ctx: Iris):
    cid = await ctx.case("ro")
    store = ctx.store
    assets = [a for a in _case_assets(store, cid)
              if store.lookup("analysis_status", "id", a["analysis_status_id"]) is not None]
    links = _ioc_links_by_asset(store, assets)
    similar = _similar(store, ctx, cid, assets)
    rows = []
    for a in assets:
        kind = store.lookup("asset_type", "asset_id", a["asset_type_id"]) or {}
        status = store.lookup("analysis_status", "id", a["analysis_status_id"]) or {}
        rows.append({
            "asset_id": a["asset_id"], "asset_uuid": a["asset_uuid"], "asset_name": a["asset_name"],
            "asset_type": kind.get("asset_name"),
            "asset_icon_compromised": kind.get("asset_icon_compromised"),
            "asset_icon_not_compromised": kind.get("asset_icon_not_compromised"),
            "asset_description": a["asset_description"], "asset_domain": a["asset_domain"],
            "asset_compromise_status_id": a["asset_compromise_status_id"], "asset_ip": a["asset_ip"],
            "asset_type_id": a["asset_type_id"], "analysis_status": status.get("name"),
            "analysis_status_id": a["analysis_status_id"], "asset_tags": a["asset_tags"],
            "link": similar.get(a["asset_id"], []), "ioc_links": links.get(a["asset_id"]),
        })
    return ctx.ok({"assets": rows, "state": store.state(cid, "assets")})


@route("GET", "/case/assets/filter")
async def filter_assets(ctx: Iris):
    cid = await ctx.case("ro")
    store = ctx.store
    assets = _case_assets(store, cid)
    links = _ioc_links_by_asset(store, assets)
    similar = _similar(store, ctx, cid, assets)
    rows = []
    for a in assets:
        row = dump_asset(store, a)
        row["ioc_links"] = links.get(a["asset_id"])
        row["link"] = similar.get(a["asset_id"], [])
        rows.append(row)
    return ctx.ok({"assets": rows, "state": store.state(cid, "assets")})


@route("GET", "/case/assets/state")
async def assets_state(ctx: Iris):
    cid = await ctx.case("ro")
    state = ctx.store.state(cid, "assets")
    return ctx.ok(state) if state else ctx.fail(400, "No assets state for this case.")


@route("GET", "/case/assets/{asset_id:int}")
async def get_asset(ctx: Iris):
    cid = await ctx.case("ro")
    store = ctx.store
    asset = case_asset(store, cid, ctx.params["asset_id"])
    if asset is None:
        return ctx.fail(400, "Invalid asset ID for this case")
    data = dump_asset(store, asset)
    linked = []
    for asset_id, ioc_id in sorted(store.asset_ioc_links):
        ioc = store.iocs.get(ioc_id)
        if asset_id == asset["asset_id"] and ioc is not None:
            kind = store.lookup("ioc_type", "type_id", ioc["ioc_type_id"]) or {}
            linked.append({
                "ioc_id": ioc_id, "ioc_value": ioc["ioc_value"], "ioc_tags": ioc["ioc_tags"],
                "ioc_type_id": ioc["ioc_type_id"], "type_name": kind.get("type_name"),
                "ioc_description": ioc["ioc_description"], "ioc_tlp_id": ioc["ioc_tlp_id"],
            })
    data["linked_ioc"] = linked
    return ctx.ok(data)


@route("POST", "/case/assets/add")
async def add_asset(ctx: Iris):
    cid = await ctx.case("full")
    body = await ctx.json()
    store = ctx.store
    values = validate_asset(store, cid, body)
    links = values.pop("ioc_links", None)
    asset = create_asset(store, cid, ctx.user_id, values)
    store.log_activity(ctx.user_id, cid, f'added asset "{asset["asset_name"]}"')
    if links and set_ioc_links(store, cid, asset["asset_id"], links):
        return ctx.fail(400, "Encountered errors while linking IOC. Asset has still been updated.")
    return ctx.ok(dump_asset(store, asset), "Asset added")


@route("POST", "/case/assets/update/{asset_id:int}")
async def update_asset(ctx: Iris):
    cid = await ctx.case("full")
    store = ctx.store
    asset = case_asset(store, cid, ctx.params["asset_id"])
    if asset is None:
        return ctx.fail(400, "Invalid asset ID for this case")
    body = await ctx.json()
    values = validate_asset(store, cid, body, current=asset)
    for other in _case_assets(store, cid):
        if (other is not asset and other["asset_name"] == values["asset_name"]
                and other["asset_type_id"] == values.get("asset_type_id", asset["asset_type_id"])):
            return ctx.fail(400, "Data error", "Asset with same value and type already exists")
    links = values.pop("ioc_links", None)
    asset.update(values)
    store.bump(cid, "assets")
    if links is not None and set_ioc_links(store, cid, asset["asset_id"], links):
        return ctx.fail(400, "Encountered errors while linking IOC. Asset has still been updated.")
    store.log_activity(ctx.user_id, cid, f'updated asset "{asset["asset_name"]}"')
    data = dump_asset(store, asset)
    if links is not None:
        data["ioc_links"] = links
    return ctx.ok(data, f"Updated asset {asset['asset_name']}")


@route("POST", "/case/assets/delete/{asset_id:int}")
async def delete_asset(ctx: Iris):
    cid = await ctx.case("full")
    store = ctx.store
    asset = case_asset(store, cid, ctx.params["asset_id"])
    if asset is None:
        return ctx.fail(400, "Invalid asset ID for this case")
    asset["case_id"] = None  # 2.4.20 only detaches the row; comments and IOC links remain
    for event in store.events.values():
        if asset["asset_id"] in event.get("event_assets", ()):
            event["event_assets"] = [a for a in event["event_assets"] if a != asset["asset_id"]]
    store.log_activity(ctx.user_id, cid, f"removed asset ID {asset['asset_name']}")
    return ctx.ok([], "Deleted")


@route("POST", "/case/assets/upload")
async def upload_assets(ctx: Iris):
    """CSV import: unknown types are reported per row in the message; duplicates abort (400)."""
    cid = await ctx.case("full")
    body = await ctx.json()
    store = ctx.store
    lines = body["CSVData"].splitlines()
    if lines[0].lower() != CSV_HEADER:
        lines.insert(0, CSV_HEADER)
    unspecified = store.lookup("analysis_status", "name", "Unspecified") or {"id": 1}
    done: list[dict[str, Any]] = []
    errors: list[str] = []
    index = 0
    for row in csv.DictReader(lines, delimiter=","):
        missing = [key for key in CSV_HEADER.split(",") if row.get(key) is None]
        if missing:
            errors.extend(f"{key} is missing for row {index}" for key in missing)
            continue
        if not row.get("asset_name"):
            errors.append(f"Empty asset name for row {index}")
            index += 1
            continue
        if row.get("asset_tags"):
            row["asset_tags"] = row["asset_tags"].replace("|", ",")
        type_name = row.get("asset_type_name")
        if not type_name:
            errors.append(f"Empty asset type for row {index}")
            index += 1
            continue
        kind = next((t for t in store.lookups["asset_type"] if t["asset_name"].lower() == type_name.lower()), None)
        if kind is None:
            errors.append(f"{row['asset_name']} (invalid asset type: {type_name}) for row {index}")
            store.log_activity(ctx.user_id, None, f'Attempted to upload unrecognized asset type "{type_name}"')
            index += 1
            continue
        row.pop("asset_type_name", None)
        row["asset_type_id"] = kind["asset_id"]
        row["analysis_status_id"] = unspecified["id"]
        values = validate_asset(store, cid, row)
        values["custom_attributes"] = {}
        asset = create_asset(store, cid, ctx.user_id, values)
        done.append(row)
        store.log_activity(ctx.user_id, cid, f"added asset {asset['asset_name']}")
        index += 1
    message = "Successfully imported data."
    if errors:
        message = "Data is imported but we got errors with the following rows:\n- " + "\n- ".join(errors)
    return ctx.ok(done, message)
