"""Case tasks (iris-api.md section 6); the dashboard's "my tasks" (6.8) live in global_tasks.py.

Quirks kept: list rows say `task_id` where objects say `id`; the `task_assignees_id` key is
mandatory on add and update (else the legacy-key error); the update answer shows the assignees
from before the update; each creation moves the `tasks` counter by 2 (IRIS bumps it in the
insert and again when it sets the initial status).
"""

from __future__ import annotations

from typing import Any

from iris_tui.demo.routes._fields import (
    Fields,
    check_int,
    error,
    invalid,
    merge_custom_attributes,
    register_tags,
    reject_nul,
)
from iris_tui.demo.store import Store, iso, new_uuid, utcnow
from iris_tui.demo.web import Iris, route

LEGACY_KEY = "task_assignee_id is not valid anymore since v1.5.0"


# -- records -------------------------------------------------------------------------------------

def create_task(store: Store, case_id: int, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Insert a case task (already validated); moves the case's `tasks` counter by 2 like IRIS."""
    now = iso(utcnow())
    task_id = store.next_id("task")
    record = {
        "id": task_id,
        "task_uuid": new_uuid(),
        "task_title": fields.get("task_title"),
        "task_description": fields.get("task_description"),
        "task_tags": fields.get("task_tags"),
        "task_status_id": fields.get("task_status_id"),
        "task_case_id": case_id,
        "task_open_date": now,
        "task_last_update": now,
        "task_close_date": None,
        "task_userid_open": user_id,
        "task_userid_update": user_id,
        "task_userid_close": None,
        "custom_attributes": fields.get("custom_attributes") if fields.get("custom_attributes") else {},
        "modification_history": None,
        "task_assignees": [],
    }
    store.tasks[task_id] = record
    record["task_assignees"] = allowed_assignees(store, case_id, fields.get("task_assignees_id") or [])
    store.bump(case_id, "tasks", 2)
    return record


def allowed_assignees(store: Store, case_id: int, user_ids: list[Any]) -> list[int]:
    """Unknown users and users without access to the case are silently dropped."""
    out: list[int] = []
    for raw in user_ids:
        uid = int(raw)
        if uid in store.users and store.access_level(uid, case_id) in (2, 4) and uid not in out:
            out.append(uid)
    return out


def case_task(store: Store, case_id: int, task_id: int) -> dict[str, Any] | None:
    task = store.tasks.get(task_id)
    return task if task is not None and task["task_case_id"] == case_id else None


def assignee_refs(store: Store, user_ids: list[int]) -> list[dict[str, Any]]:
    out = []
    for uid in user_ids:
        user = store.users.get(uid)
        if user is not None:
            out.append({"user": user["user_login"], "name": user["user_name"], "id": uid})
    return out


def raw_statuses(store: Store) -> list[dict[str, Any]]:
    """`tasks_status` rows are serialised raw: every column plus a spurious `registry: null`."""
    return [{"id": s["id"], "registry": None, "status_bscolor": s["status_bscolor"],
             "status_description": s["status_description"], "status_name": s["status_name"]}
            for s in store.lookups["task_status"]]


def dump_task(task: dict[str, Any], assignees: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"task_title": task["task_title"], "task_status_id": task["task_status_id"]}
    if assignees is not None:
        data["task_assignees"] = assignees
    for key in ("id", "task_uuid", "task_description", "task_tags", "task_open_date", "task_close_date",
                "task_last_update", "task_userid_open", "task_userid_close", "task_userid_update",
                "task_case_id", "custom_attributes", "modification_history"):
        data[key] = task[key]
    return data


def status_name(store: Store, status_id: Any) -> str | None:
    status = store.lookup("task_status", "id", status_id)
    return status["status_name"] if status else None


# -- validation ----------------------------------------------------------------------------------

def validate_task(store: Store, body: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    if "task_assignee_id" in body or "task_assignees_id" not in body:
        raise error(LEGACY_KEY)
    assignees = body["task_assignees_id"] or []
    status_id = check_int(body, "task_status_id")
    if store.lookup("task_status", "id", status_id) is None:
        raise invalid("task_status_id", "Invalid task status ID")
    register_tags(store, body.get("task_tags"))
    fields = Fields(body)
    fields.string("task_title", required=True, allow_none=False, min_len=2)
    fields.string("task_description")
    fields.string("task_tags")
    fields.integer("task_status_id")
    values = fields.done()
    if body.get("custom_attributes") is not None:
        values["custom_attributes"] = merge_custom_attributes(
            body["custom_attributes"], current and current["custom_attributes"], creating=current is None
        )
    values["task_assignees_id"] = [int(uid) for uid in assignees]
    reject_nul(*values.values())
    return values


# -- endpoints -----------------------------------------------------------------------------------

@route("GET", "/case/tasks/list")
async def list_tasks(ctx: Iris):
    cid = await ctx.case("ro")
    store = ctx.store
    tasks = sorted((t for t in store.tasks.values() if t["task_case_id"] == cid), key=lambda t: t["id"])
    rows = []
    for t in tasks:
        status = store.lookup("task_status", "id", t["task_status_id"])
        if status is None:  # the query inner-joins the status table
            continue
        rows.append({
            "task_id": t["id"], "task_uuid": t["task_uuid"], "task_title": t["task_title"],
            "task_description": t["task_description"], "task_open_date": t["task_open_date"],
            "task_tags": t["task_tags"], "task_status_id": t["task_status_id"],
            "status_name": status["status_name"], "status_bscolor": status["status_bscolor"],
            "task_assignees": assignee_refs(store, t["task_assignees"]),
        })
    rows.sort(key=lambda r: r["status_name"], reverse=True)
    return ctx.ok({"tasks_status": raw_statuses(store), "tasks": rows, "state": store.state(cid, "tasks")})


@route("GET", "/case/tasks/state")
async def tasks_state(ctx: Iris):
    cid = await ctx.case("ro")
    state = ctx.store.state(cid, "tasks")
    return ctx.ok(state) if state else ctx.fail(400, "No tasks state for this case.")


@route("GET", "/case/tasks/{task_id:int}")
async def get_task(ctx: Iris):
    cid = await ctx.case("ro")
    task = case_task(ctx.store, cid, ctx.params["task_id"])
    if task is None:
        return ctx.fail(400, "Invalid task ID for this case")
    return ctx.ok(dump_task(task, assignee_refs(ctx.store, task["task_assignees"])))


@route("POST", "/case/tasks/add")
async def add_task(ctx: Iris):
    cid = await ctx.case("full")
    body = await ctx.json()
    store = ctx.store
    values = validate_task(store, body)
    task = create_task(store, cid, ctx.user_id, values)
    store.log_activity(ctx.user_id, cid, f'added task "{task["task_title"]}"')
    return ctx.ok(dump_task(task), f"Task '{task['task_title']}' added")


@route("POST", "/case/tasks/update/{task_id:int}")
async def update_task(ctx: Iris):
    cid = await ctx.case("full")
    store = ctx.store
    task = case_task(store, cid, ctx.params["task_id"])
    if task is None:
        return ctx.fail(400, "Invalid task ID for this case")
    body = await ctx.json()
    values = validate_task(store, body, current=task)
    before = assignee_refs(store, task["task_assignees"])
    task["task_assignees"] = allowed_assignees(store, cid, values.pop("task_assignees_id"))
    task.update(values)
    task["task_userid_update"] = ctx.user_id
    task["task_last_update"] = iso(utcnow())
    store.bump(cid, "tasks")
    store.log_activity(ctx.user_id, cid, f'updated task "{task["task_title"]}" '
                                         f'(status {status_name(store, task["task_status_id"])})')
    return ctx.ok(dump_task(task, before), f"Task '{task['task_title']}' updated")


@route("POST", "/case/tasks/status/update/{task_id:int}")
async def update_task_status(ctx: Iris):
    cid = await ctx.case("full")
    store = ctx.store
    task = case_task(store, cid, ctx.params["task_id"])
    if task is None:
        return ctx.fail(400, "Invalid task ID for this case")
    if "application/json" not in ctx.request.headers.get("content-type", ""):
        return ctx.fail(400, "Invalid request")
    body = await ctx.json()
    status_id = body.get("task_status_id")
    if isinstance(status_id, bool) or store.lookup("task_status", "id", _as_int(status_id)) is None:
        return ctx.fail(400, "Invalid status")
    task["task_status_id"] = _as_int(status_id)
    store.bump(cid, "tasks")
    return ctx.ok(dump_task(task), "Task status updated")


@route("POST", "/case/tasks/delete/{task_id:int}")
async def delete_task(ctx: Iris):
    cid = await ctx.case("full")
    store = ctx.store
    task = case_task(store, cid, ctx.params["task_id"])
    if task is None:
        return ctx.fail(400, "Invalid task ID for this case")
    del store.tasks[task["id"]]
    for comment_id in [c["comment_id"] for c in store.comments.values()
                       if c.get("object_type") == "task" and c.get("object_id") == task["id"]]:
        del store.comments[comment_id]
    store.bump(cid, "tasks")
    store.log_activity(ctx.user_id, None, f'deleted task "{task["task_title"]}"')
    return ctx.ok([], "Task deleted")


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

