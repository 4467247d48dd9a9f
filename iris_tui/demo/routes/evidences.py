"""Evidences (iris-api.md section 9): list (newest first), state, get, add, update, delete.

Updates are not partial (`filename` every time); submitted custom attributes are ignored on
creation (the empty default template is applied).
"""

from __future__ import annotations

from typing import Any

from iris_tui.demo.routes._fields import Fields, merge_custom_attributes, reject_nul
from iris_tui.demo.store import Store, iso, new_uuid, utcnow
from iris_tui.demo.web import Iris, route

TEXT_FIELDS = ("file_hash", "file_description")
DATE_FIELDS = ("acquisition_date", "start_date", "end_date")


def create_evidence(store: Store, case_id: int, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Insert an evidence row (validated fields). Does not move the `evidences` counter: the HTTP
    handler does, a datastore upload flagged as evidence does not (iris-api.md 2.9)."""
    evidence_id = store.next_id("evidence")
    record = {
        "id": evidence_id,
        "file_uuid": new_uuid(),
        "filename": fields.get("filename"),
        "file_size": fields.get("file_size"),
        "file_hash": fields.get("file_hash"),
        "file_description": fields.get("file_description"),
        "date_added": iso(utcnow()),
        "acquisition_date": fields.get("acquisition_date"),
        "start_date": fields.get("start_date"),
        "end_date": fields.get("end_date"),
        "type_id": fields.get("type_id"),
        "case_id": case_id,
        "user_id": user_id,
        "chain_of_custody": fields.get("chain_of_custody"),
        "custom_attributes": {},
        "modification_history": None,
    }
    store.evidences[evidence_id] = record
    return record


def case_evidence(store: Store, case_id: int, evidence_id: int) -> dict[str, Any] | None:
    evidence = store.evidences.get(evidence_id)
    return evidence if evidence is not None and evidence["case_id"] == case_id else None


def dump_evidence(store: Store, evidence: dict[str, Any]) -> dict[str, Any]:
    kind = store.lookup("evidence_type", "id", evidence["type_id"])
    return {
        "filename": evidence["filename"],
        "type": {key: kind[key] for key in ("name", "description", "id", "creation_date")} if kind else None,
        "user": store.user_ref(evidence["user_id"]),
        "case": evidence["case_id"],
        "id": evidence["id"],
        "file_uuid": evidence["file_uuid"],
        "date_added": evidence["date_added"],
        "acquisition_date": evidence["acquisition_date"],
        "file_hash": evidence["file_hash"],
        "file_description": evidence["file_description"],
        "file_size": evidence["file_size"],
        "start_date": evidence["start_date"],
        "end_date": evidence["end_date"],
        "case_id": evidence["case_id"],
        "user_id": evidence["user_id"],
        "type_id": evidence["type_id"],
        "custom_attributes": evidence["custom_attributes"],
        "chain_of_custody": evidence["chain_of_custody"],
        "modification_history": evidence["modification_history"],
    }


def validate_evidence(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    fields = Fields(body)
    fields.string("filename", required=True, allow_none=False, min_len=2)
    for key in TEXT_FIELDS:
        fields.string(key)
    fields.integer("file_size")
    fields.integer("type_id")
    for key in DATE_FIELDS:
        fields.datetime(key)
    fields.raw("chain_of_custody")
    values = fields.done()
    for key in DATE_FIELDS:
        if values.get(key) is not None:
            values[key] = iso(values[key])
    reject_nul(*values.values())
    return values


def check_type(store: Store, type_id: Any, *, consume_id: bool) -> None:
    """An unknown evidence type is a foreign-key failure in the database (HTML 500)."""
    if type_id is not None and store.lookup("evidence_type", "id", type_id) is None:
        if consume_id:
            store.next_id("evidence")
        raise RuntimeError(f"foreign key violation: type_id={type_id}")


@route("GET", "/case/evidences/list")
async def list_evidences(ctx: Iris):
    cid = await ctx.case("ro")
    store = ctx.store
    rows = sorted((e for e in store.evidences.values() if e["case_id"] == cid), key=lambda e: e["id"], reverse=True)
    return ctx.ok({"evidences": [dump_evidence(store, e) for e in rows], "state": store.state(cid, "evidences")})


@route("GET", "/case/evidences/state")
async def evidences_state(ctx: Iris):
    cid = await ctx.case("ro")
    state = ctx.store.state(cid, "evidences")
    return ctx.ok(state) if state else ctx.fail(400, "No evidences state for this case.")


@route("GET", "/case/evidences/{evidence_id:int}")
async def get_evidence(ctx: Iris):
    cid = await ctx.case("ro")
    evidence = case_evidence(ctx.store, cid, ctx.params["evidence_id"])
    if evidence is None:
        return ctx.fail(400, "Invalid evidence ID for this case")
    return ctx.ok(dump_evidence(ctx.store, evidence))


@route("POST", "/case/evidences/add")
async def add_evidence(ctx: Iris):
    cid = await ctx.case("full")
    body = await ctx.json()
    store = ctx.store
    values = validate_evidence(store, body)
    check_type(store, values.get("type_id"), consume_id=True)
    evidence = create_evidence(store, cid, ctx.user_id, values)
    store.bump(cid, "evidences")
    store.log_activity(ctx.user_id, cid, f'added evidence "{evidence["filename"]}"')
    return ctx.ok(dump_evidence(store, evidence), "Evidence added")


@route("POST", "/case/evidences/update/{evidence_id:int}")
async def update_evidence(ctx: Iris):
    cid = await ctx.case("full")
    store = ctx.store
    evidence = case_evidence(store, cid, ctx.params["evidence_id"])
    if evidence is None:
        return ctx.fail(400, "Invalid evidence ID for this case")
    body = await ctx.json()
    values = validate_evidence(store, body)
    check_type(store, values.get("type_id"), consume_id=False)
    if body.get("custom_attributes") is not None:
        values["custom_attributes"] = merge_custom_attributes(
            body["custom_attributes"], evidence["custom_attributes"], creating=False
        )
    evidence.update(values)
    store.bump(cid, "evidences")
    store.log_activity(ctx.user_id, cid, f'updated evidence "{evidence["filename"]}"')
    return ctx.ok(dump_evidence(store, evidence), f"Evidence {evidence['filename']} updated")


@route("POST", "/case/evidences/delete/{evidence_id:int}")
async def delete_evidence(ctx: Iris):
    cid = await ctx.case("full")
    store = ctx.store
    evidence = case_evidence(store, cid, ctx.params["evidence_id"])
    if evidence is None:
        return ctx.fail(400, "Invalid evidence ID for this case")
    del store.evidences[evidence["id"]]
    for comment_id in [c["comment_id"] for c in store.comments.values()
                       if c.get("object_type") == "evidence" and c.get("object_id") == evidence["id"]]:
        del store.comments[comment_id]
    store.bump(cid, "evidences")
    store.log_activity(ctx.user_id, cid, f'deleted evidence "{evidence["filename"]}" from registry')
    return ctx.ok([], "Evidence deleted")
