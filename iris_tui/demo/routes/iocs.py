"""IOCs (iris-api.md section 5): global rows shared between cases through a link table.

`store.iocs` holds the rows, `store.ioc_links[case_id]` the ids each case links. Adding a
(value, type) pair that exists anywhere links the existing row; deleting from a case that
shares the IOC only unlinks it. TLP ids are not validated (an unknown one is a database error).
"""

from __future__ import annotations

import csv
import re
from typing import Any
from weakref import WeakKeyDictionary

from iris_tui.demo.routes._fields import (
    Fields,
    check_int,
    error,
    invalid,
    merge_custom_attributes,
    register_tags,
    reject_nul,
)
from iris_tui.demo.store import INT32_MAX, Store, new_uuid
from iris_tui.demo.web import Iris, route

CSV_HEADER = "ioc_value,ioc_type,ioc_description,ioc_tags,ioc_tlp"
ADDED = "IOC added"
LINKED = "IOC already existed in DB. Updated with info on DB."
ALREADY = "IOC already exists and linked to this case"


# -- records -------------------------------------------------------------------------------------

_index: WeakKeyDictionary[Store, tuple[tuple[int, Any], dict[tuple[Any, Any], int]]] = WeakKeyDictionary()
_linked: WeakKeyDictionary[Store, dict[int, tuple[tuple[int, int, Any], set[int]]]] = WeakKeyDictionary()


def linked_ids(store: Store, case_id: int) -> set[int]:
    """The ids a case links, as a set (`store.ioc_links` holds lists), cached while unchanged."""
    links = store.ioc_links.get(case_id, [])
    signature = (id(links), len(links), links[-1] if links else None)
    per_case = _linked.setdefault(store, {})
    cached = per_case.get(case_id)
    if cached is None or cached[0] != signature:
        cached = (signature, set(links))
        per_case[case_id] = cached
    return cached[1]


def _signature(store: Store) -> tuple[int, Any]:
    return len(store.iocs), next(reversed(store.iocs), None)


def find_ioc(store: Store, value: Any, type_id: Any) -> dict[str, Any] | None:
    """The row with this exact (value, type) pair, through an index so big seeds stay fast.
    The index is rebuilt whenever another module changed `store.iocs` behind our back."""
    cached = _index.get(store)
    if cached is None or cached[0] != _signature(store):
        index: dict[tuple[Any, Any], int] = {}
        for ioc_id, row in store.iocs.items():
            index.setdefault((row["ioc_value"], row["ioc_type_id"]), ioc_id)
        cached = (_signature(store), index)
        _index[store] = cached
    row = store.iocs.get(cached[1].get((value, type_id), 0))
    if row is not None and row["ioc_value"] == value and row["ioc_type_id"] == type_id:
        return row
    return None


def create_ioc(store: Store, user_id: int | None, fields: dict[str, Any]) -> dict[str, Any]:
    """Insert a global IOC row without linking it to any case (alerts keep theirs unlinked)."""
    ioc_id = store.next_id("ioc")
    record = {
        "ioc_id": ioc_id,
        "ioc_uuid": new_uuid(),
        "ioc_value": fields.get("ioc_value"),
        "ioc_type_id": fields.get("ioc_type_id"),
        "ioc_description": fields.get("ioc_description"),
        "ioc_tags": fields.get("ioc_tags"),
        "ioc_tlp_id": fields.get("ioc_tlp_id"),
        "ioc_misp": None,
        "user_id": user_id,
        "custom_attributes": fields.get("custom_attributes"),
        "ioc_enrichment": fields.get("ioc_enrichment"),
        "modification_history": None,
    }
    cached = _index.get(store)
    fresh = cached is not None and cached[0] == _signature(store)
    store.iocs[ioc_id] = record
    if fresh:
        cached[1].setdefault((record["ioc_value"], record["ioc_type_id"]), ioc_id)
        _index[store] = (_signature(store), cached[1])
    return record


def add_ioc_to_case(store: Store, case_id: int, user_id: int, fields: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Create or link an IOC, with IRIS's three outcomes. Does not move the `ioc` counter:
    the HTTP handler does that for new rows (datastore uploads do not)."""
    existing = find_ioc(store, fields.get("ioc_value"), fields.get("ioc_type_id"))
    links = store.ioc_links[case_id]
    if existing is None:
        record = create_ioc(store, user_id, fields)
        links.append(record["ioc_id"])
        return record, ADDED
    if existing["ioc_id"] in linked_ids(store, case_id):
        return existing, ALREADY
    links.append(existing["ioc_id"])
    return existing, LINKED


def case_ioc(store: Store, case_id: int, ioc_id: int) -> dict[str, Any] | None:
    if ioc_id not in linked_ids(store, case_id):
        return None
    return store.iocs.get(ioc_id)


def ioc_type_ref(store: Store, type_id: Any) -> dict[str, Any] | None:
    row = store.lookup("ioc_type", "type_id", type_id)
    if row is None:
        return None
    keys = ("type_name", "type_description", "type_taxonomy", "type_validation_regex", "type_validation_expect", "type_id")
    return {key: row.get(key) for key in keys}


def dump_ioc(store: Store, ioc: dict[str, Any]) -> dict[str, Any]:
    return {
        "ioc_value": ioc["ioc_value"],
        "ioc_enrichment": ioc["ioc_enrichment"],
        "ioc_type": ioc_type_ref(store, ioc["ioc_type_id"]),
        "ioc_id": ioc["ioc_id"],
        "ioc_uuid": ioc["ioc_uuid"],
        "ioc_type_id": ioc["ioc_type_id"],
        "ioc_description": ioc["ioc_description"],
        "ioc_tags": ioc["ioc_tags"],
        "user_id": ioc["user_id"],
        "ioc_misp": ioc["ioc_misp"],
        "ioc_tlp_id": ioc["ioc_tlp_id"],
        "custom_attributes": ioc["custom_attributes"],
        "modification_history": ioc["modification_history"],
    }


def remove_ioc(store: Store, ioc_id: int) -> None:
    """Delete the row with its asset links, event links and comments."""
    store.iocs.pop(ioc_id, None)
    _index.pop(store, None)
    store.asset_ioc_links -= {pair for pair in store.asset_ioc_links if pair[1] == ioc_id}
    for event in store.events.values():
        if ioc_id in event.get("event_iocs", ()):
            event["event_iocs"] = [i for i in event["event_iocs"] if i != ioc_id]
    for comment_id in [c["comment_id"] for c in store.comments.values()
                       if c.get("object_type") == "ioc" and c.get("object_id") == ioc_id]:
        del store.comments[comment_id]


# -- validation ----------------------------------------------------------------------------------

def validate_ioc(store: Store, body: dict[str, Any], *, partial: bool = False,
                 current: dict[str, Any] | None = None) -> dict[str, Any]:
    """IocSchema of 2.4.20: type and TLP pre-checks, the type's regex, then the field pass."""
    kind = None
    if body.get("ioc_type_id") is not None:
        type_id = check_int(body, "ioc_type_id", max_value=INT32_MAX)
        kind = store.lookup("ioc_type", "type_id", type_id)
        if kind is None:
            raise invalid("ioc_type_id", "Invalid IOC type ID")
    if body.get("ioc_tlp_id") is not None:
        check_int(body, "ioc_tlp_id", max_value=INT32_MAX)
    if kind is not None and kind.get("type_validation_regex"):
        # a missing value makes fullmatch() raise: HTML 500 (206)
        if not re.fullmatch(kind["type_validation_regex"], body.get("ioc_value"), re.IGNORECASE):
            expect = kind.get("type_validation_expect") or kind["type_validation_regex"]
            raise invalid("ioc_ioc_value", f"The input doesn't match the expected format (expected: {expect})")
    register_tags(store, body.get("ioc_tags"))

    fields = Fields(body)
    fields.string("ioc_value", required=not partial, allow_none=False, min_len=1)
    fields.string("ioc_description")
    fields.string("ioc_tags", max_len=512)
    fields.integer("ioc_type_id")
    fields.integer("ioc_tlp_id")
    fields.raw("ioc_enrichment")
    values = fields.done()
    if "custom_attributes" in body and body["custom_attributes"] is not None:
        values["custom_attributes"] = merge_custom_attributes(
            body["custom_attributes"], current and current["custom_attributes"], creating=current is None
        )
    type_id = values.get("ioc_type_id", current["ioc_type_id"] if current else None)
    if store.lookup("ioc_type", "type_id", type_id) is None:
        raise error("Not a valid IOC type")
    reject_nul(*values.values())
    return values


def check_tlp(store: Store, tlp_id: Any, *, consume_id: bool) -> None:
    """Unknown TLP ids reach the database, which refuses them (HTML 500, 171); the failed
    INSERT still used up a sequence value."""
    if tlp_id is not None and store.lookup("tlp", "tlp_id", tlp_id) is None:
        if consume_id:
            store.next_id("ioc")
        raise RuntimeError(f"foreign key violation: ioc_tlp_id={tlp_id}")


# -- endpoints -----------------------------------------------------------------------------------

def _cases_by_ioc(store: Store) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for case_id, ioc_ids in store.ioc_links.items():
        for ioc_id in ioc_ids:
            out.setdefault(ioc_id, []).append(case_id)
    return out


@route("GET", "/case/ioc/list")
async def list_iocs(ctx: Iris):
    cid = await ctx.case("ro")
    store = ctx.store
    shared = _cases_by_ioc(store)
    rows = []
    for ioc_id in store.ioc_links.get(cid, ()):
        ioc = store.iocs.get(ioc_id)
        if ioc is None:
            continue
        kind = store.lookup("ioc_type", "type_id", ioc["ioc_type_id"]) or {}
        tlp = store.lookup("tlp", "tlp_id", ioc["ioc_tlp_id"]) or {}
        links = []
        for other in shared.get(ioc_id, ()):
            case = store.cases.get(other)
            if other == cid or case is None:
                continue
            customer = store.customers.get(case.get("client_id")) or {}
            links.append({"case_id": other, "case_name": case.get("name"),
                          "client_name": customer.get("customer_name")})
        rows.append({
            "ioc_id": ioc_id, "ioc_uuid": ioc["ioc_uuid"], "ioc_value": ioc["ioc_value"],
            "ioc_type_id": ioc["ioc_type_id"], "ioc_type": kind.get("type_name"),
            "ioc_description": ioc["ioc_description"], "ioc_tags": ioc["ioc_tags"],
            "ioc_misp": ioc["ioc_misp"], "tlp_name": tlp.get("tlp_name"),
            "tlp_bscolor": tlp.get("tlp_bscolor"), "ioc_tlp_id": ioc["ioc_tlp_id"],
            "link": links, "misp_link": None,
        })
    rows.sort(key=lambda r: (r["ioc_type"] or "", r["ioc_id"]))
    return ctx.ok({"ioc": rows, "state": store.state(cid, "ioc")})


@route("GET", "/case/ioc/state")
async def ioc_state(ctx: Iris):
    cid = await ctx.case("ro")
    state = ctx.store.state(cid, "ioc")
    return ctx.ok(state) if state else ctx.fail(400, "No IOC state for this case.")


@route("GET", "/case/ioc/{ioc_id:int}")
async def get_ioc(ctx: Iris):
    cid = await ctx.case("ro")
    ioc = case_ioc(ctx.store, cid, ctx.params["ioc_id"])
    if ioc is None:
        return ctx.fail(400, "Invalid IOC ID for this case")
    return ctx.ok(dump_ioc(ctx.store, ioc))


@route("POST", "/case/ioc/add")
async def add_ioc(ctx: Iris):
    cid = await ctx.case("full")
    body = await ctx.json()
    store = ctx.store
    values = validate_ioc(store, body)
    if find_ioc(store, values["ioc_value"], values["ioc_type_id"]) is None:
        check_tlp(store, values.get("ioc_tlp_id"), consume_id=True)
    ioc, message = add_ioc_to_case(store, cid, ctx.user_id, values)
    if message == ADDED:
        store.bump(cid, "ioc")
    if message != ALREADY:
        store.log_activity(ctx.user_id, cid, f'added ioc "{ioc["ioc_value"]}"')
    return ctx.ok(dump_ioc(store, ioc), message)


@route("POST", "/case/ioc/update/{ioc_id:int}")
async def update_ioc(ctx: Iris):
    cid = await ctx.case("full")
    store = ctx.store
    ioc = case_ioc(store, cid, ctx.params["ioc_id"])
    if ioc is None:  # 2.4.20 fails to serialise its own error: HTML 500 (177)
        raise RuntimeError("Invalid IOC ID for this case")
    body = await ctx.json()
    values = validate_ioc(store, body, partial=True, current=ioc)
    check_tlp(store, values.get("ioc_tlp_id"), consume_id=False)
    ioc.update(values)
    ioc["user_id"] = ctx.user_id
    _index.pop(store, None)
    store.bump(cid, "ioc")
    store.log_activity(ctx.user_id, cid, f'updated ioc "{ioc["ioc_value"]}"')
    return ctx.ok(dump_ioc(store, ioc), f'Updated ioc "{ioc["ioc_value"]}"')


@route("POST", "/case/ioc/delete/{ioc_id:int}")
async def delete_ioc(ctx: Iris):
    cid = await ctx.case("full")
    store = ctx.store
    ioc_id = ctx.params["ioc_id"]
    ioc = case_ioc(store, cid, ioc_id)
    if ioc is None:
        return ctx.fail(400, "Not a valid IOC for this case")
    store.ioc_links[cid].remove(ioc_id)
    if any(ioc_id in ids for ids in store.ioc_links.values()):
        store.log_activity(ctx.user_id, cid, f"unlinked IOC ID {ioc['ioc_value']}")
        return ctx.ok([], f"IOC {ioc_id} unlinked")
    remove_ioc(store, ioc_id)
    store.bump(cid, "ioc")
    store.log_activity(ctx.user_id, cid, f'deleted IOC "{ioc["ioc_value"]}"')
    return ctx.ok([], f"IOC {ioc_id} deleted")


@route("POST", "/case/ioc/upload")
async def upload_iocs(ctx: Iris):
    """CSV import; an unknown TLP name leaves an empty TLP that fails validation (400)."""
    cid = await ctx.case("full")
    body = await ctx.json()
    store = ctx.store
    lines = body["CSVData"].splitlines()
    if lines[0].lower() != CSV_HEADER:
        lines.insert(0, CSV_HEADER)
    tlps = {row["tlp_name"]: row["tlp_id"] for row in store.lookups["tlp"]}
    done: list[dict[str, Any]] = []
    errors: list[str] = []
    index = 0
    for row in csv.DictReader(lines, quotechar='"', delimiter=","):
        for key in CSV_HEADER.split(","):
            if row.get(key) is None:
                errors.append(f"{key} is missing for row {index}")
                index += 1
        if not row.get("ioc_value"):
            errors.append(f"Empty IOC value for row {index}")
            index += 1
            continue
        row["ioc_tags"] = row["ioc_tags"].replace("|", ",")
        row["ioc_tlp_id"] = tlps.get(row["ioc_tlp"], "")
        row.pop("ioc_tlp", None)
        kind = store.lookup("ioc_type", "type_name", row["ioc_type"].lower())
        if kind is None:
            errors.append(f"{row['ioc_value']} (invalid ioc type: {row['ioc_type']}) for row {index}")
            index += 1
            continue
        row["ioc_type_id"] = kind["type_id"]
        row.pop("ioc_type", None)
        values = validate_ioc(store, row)
        values["custom_attributes"] = {}
        ioc, message = add_ioc_to_case(store, cid, ctx.user_id, values)
        if message == ADDED:
            store.bump(cid, "ioc")
        if message == ALREADY:
            errors.append(f"{ioc['ioc_value']} (already exists and linked to this case)")
            index += 1
            continue
        done.append(row)
        store.log_activity(ctx.user_id, cid, f'added ioc "{ioc["ioc_value"]}"')
        index += 1
    message = "Successfully imported data."
    if errors:
        message = "Data is imported but we got errors with the following rows:\n- " + "\n- ".join(errors)
    return ctx.ok(done, message)
