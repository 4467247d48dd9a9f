"""Global (case-less) tasks and the dashboard helpers (iris-api.md 14): /global/tasks/*,
/user/tasks/*, /dashboard/case_charts. Global tasks have a single assignee; add/update/delete
resolve a case id (for activity logging only) without checking access."""

from __future__ import annotations

import datetime as dt
from typing import Any

from iris_tui.demo.store import Store, iso, new_uuid, utcnow
from iris_tui.demo.web import Iris, Reply, as_int, fail, int_id, route

NON_NULL = "Invalid data - non null expected"
CLOSED_TASK_STATUSES = (4, 5)  # Done, Canceled


def raw_statuses(store: Store) -> list[dict[str, Any]]:
    """`tasks_status` arrays use the raw serialiser: every column plus `registry` (2.7)."""
    return [{"id": s["id"], "registry": None, "status_bscolor": s.get("status_bscolor"),
             "status_description": s.get("status_description"), "status_name": s["status_name"]}
            for s in store.lookups.get("task_status", ())]


def _row(store: Store, task: dict[str, Any]) -> dict[str, Any] | None:
    """A list row; tasks whose assignee or status is gone are not listed (inner joins)."""
    user = store.users.get(task["task_assignee_id"])
    status = store.lookup("task_status", "id", task["task_status_id"])
    if user is None or status is None:
        return None
    return {
        "task_id": task["task_id"], "task_uuid": task["task_uuid"], "task_title": task["task_title"],
        "task_description": task.get("task_description"), "task_last_update": task["task_last_update"],
        "task_tags": task.get("task_tags"), "user_name": user["user_name"],
        "task_assignee_id": task["task_assignee_id"], "task_status_id": task["task_status_id"],
        "status_name": status["status_name"], "status_bscolor": status.get("status_bscolor"),
    }


def _dump(task: dict[str, Any]) -> dict[str, Any]:
    """The schema dump of add/update (413); `task_userid_open` is never set by the server."""
    keys = ("task_id", "task_assignee_id", "task_title", "task_uuid", "task_description",
            "task_tags", "task_open_date", "task_close_date", "task_last_update",
            "task_userid_open", "task_userid_close", "task_userid_update", "task_status_id")
    return {key: task.get(key) for key in keys}


def validate_global_task(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """Pre-load checks first (assignee, status: one error at a time), then the schema pass."""
    fields: dict[str, Any] = {}
    for key in ("task_assignee_id", "task_status_id"):
        if body.get(key) is None:
            raise Reply(fail(400, "Data error", {key: [NON_NULL]}))
        try:
            fields[key] = as_int(body[key])
        except ValueError:
            raise Reply(fail(400, "Data error", {key: ["Invalid data type"]})) from None
    if fields["task_assignee_id"] not in store.users:
        raise Reply(fail(400, "Data error", {"task_assignees_id": ["Invalid user id for assignee"]}))
    if store.lookup("task_status", "id", fields["task_status_id"]) is None:
        raise Reply(fail(400, "Data error", {"task_status_id": ["Invalid task status ID"]}))
    errors: dict[str, list[str]] = {}
    title = body.get("task_title")
    if title is None:
        errors["task_title"] = ["Missing data for required field."]
    elif not isinstance(title, str):
        errors["task_title"] = ["Not a valid string."]
    elif len(title) < 2:
        errors["task_title"] = ["Shorter than minimum length 2."]
    for key in ("task_description", "task_tags"):
        if body.get(key) is not None and not isinstance(body[key], str):
            errors[key] = ["Not a valid string."]
    if errors:
        raise Reply(fail(400, "Data error", errors))
    fields["task_title"] = title
    for key in ("task_description", "task_tags"):
        if key in body:
            fields[key] = body[key]
    return fields


def create_global_task(store: Store, user_id: int, fields: dict[str, Any],
                       case_id: int | None = None) -> dict[str, Any]:
    """Add a global task from request-body fields (checked by `validate_global_task`)."""
    task_id = store.next_id("global_task")
    now = iso(utcnow())
    task = {
        "task_id": task_id, "task_uuid": new_uuid(), "task_title": fields["task_title"],
        "task_description": fields.get("task_description"), "task_tags": fields.get("task_tags"),
        "task_assignee_id": fields["task_assignee_id"], "task_status_id": fields["task_status_id"],
        "task_open_date": now, "task_last_update": now, "task_close_date": None,
        "task_userid_open": None, "task_userid_update": user_id, "task_userid_close": None,
    }
    store.global_tasks[task_id] = task
    store.log_activity(user_id, case_id, f"Created new global task '{task['task_title']}'")
    return task


@route("GET", "/global/tasks/list")
async def global_tasks_list(ctx: Iris):
    rows = [_row(ctx.store, t) for _, t in sorted(ctx.store.global_tasks.items())]
    return ctx.ok({"tasks_status": raw_statuses(ctx.store), "tasks": [r for r in rows if r]})


@route("GET", "/global/tasks/{task_id:int}")
async def global_task_get(ctx: Iris):
    task_id = int_id(ctx.params["task_id"])
    task = ctx.store.global_tasks.get(task_id)
    row = _row(ctx.store, task) if task else None
    if row is None:
        return ctx.fail(400, f"Global task ID {task_id} not found")
    return ctx.ok(row)


@route("POST", "/global/tasks/add")
async def global_task_add(ctx: Iris):
    case_id = await ctx.cid()
    body = await ctx.json()
    fields = validate_global_task(ctx.store, body)
    return ctx.ok(_dump(create_global_task(ctx.store, ctx.user_id, fields, case_id)), "Task added")


@route("POST", "/global/tasks/update/{task_id:int}")
async def global_task_update(ctx: Iris):
    case_id = await ctx.cid()
    task = ctx.store.global_tasks.get(int_id(ctx.params["task_id"]))
    body = await ctx.json()
    if task is None:
        return ctx.fail(400, "Data error", "Invalid task ID")
    fields = validate_global_task(ctx.store, body)
    task.update(fields)
    task["task_userid_update"] = ctx.user_id
    task["task_last_update"] = iso(utcnow())
    ctx.store.log_activity(ctx.user_id, case_id,
                           f"Updated global task {task['task_title']} (status {task['task_status_id']})")
    return ctx.ok(_dump(task), "Task updated")


@route("POST", "/global/tasks/delete/{task_id:int}")
async def global_task_delete(ctx: Iris):
    case_id = await ctx.cid()
    task_id = int_id(ctx.params["task_id"])
    await ctx.json()
    if ctx.store.global_tasks.pop(task_id, None) is None:
        return ctx.fail(400, "Invalid global task ID")
    ctx.store.log_activity(ctx.user_id, case_id, f"Deleted global task ID {task_id}")
    return ctx.ok([], "Task deleted")


# -- the dashboard's view of case tasks -----------------------------------------------------

def task_assignees(task: dict[str, Any]) -> list[int]:
    """User ids assigned to a case task (stored as ids or as user records)."""
    out = []
    for item in task.get("task_assignees") or ():
        out.append(item.get("id", item.get("user_id")) if isinstance(item, dict) else item)
    return out


@route("GET", "/user/tasks/list")
async def user_tasks(ctx: Iris):
    """Open case tasks assigned to the caller, across cases (240)."""
    store = ctx.store
    rows = []
    tasks = sorted(store.tasks.values(), key=lambda t: t.get("task_last_update") or "", reverse=True)
    for task in tasks:
        case = store.cases.get(task.get("task_case_id"))
        status = store.lookup("task_status", "id", task.get("task_status_id"))
        if (case is None or status is None or task.get("task_status_id") in CLOSED_TASK_STATUSES
                or ctx.user_id not in task_assignees(task)):
            continue
        rows.append({
            "task_id": task["id"], "task_title": task.get("task_title"),
            "task_description": task.get("task_description"),
            "task_last_update": task.get("task_last_update"), "task_tags": task.get("task_tags"),
            "task_case": case["name"], "case_id": case["case_id"],
            "task_status_id": task["task_status_id"], "status_name": status["status_name"],
            "status_bscolor": status.get("status_bscolor"),
        })
    return ctx.ok({"tasks_status": raw_statuses(store), "tasks": rows})


@route("POST", "/user/tasks/status/update")
async def user_task_status(ctx: Iris):
    """Set the status of a case task from the dashboard; any resolvable cid works (241)."""
    cid = await ctx.cid()
    body = await ctx.json()
    if not body:
        return ctx.fail(400, "Invalid request")
    case_id = body.get("case_id") or cid
    task_id = body.get("task_id")
    task = ctx.store.tasks.get(task_id) if isinstance(task_id, int) else None
    if task is None or task.get("task_case_id") != case_id:
        return ctx.fail(400, f"Invalid case task ID {task_id} for case {case_id}")
    status_id = body.get("task_status_id")
    if ctx.store.lookup("task_status", "id", status_id) is None:
        return ctx.fail(400, f"Invalid task status ID {status_id}")
    task["task_status_id"] = status_id
    keys = ("task_title", "task_status_id", "id", "task_uuid", "task_description", "task_tags",
            "task_open_date", "task_close_date", "task_last_update", "task_userid_open",
            "task_userid_close", "task_userid_update", "task_case_id", "custom_attributes",
            "modification_history")
    return ctx.ok({key: task.get(key) for key in keys}, "Updated")


@route("GET", "/dashboard/case_charts")
async def case_charts(ctx: Iris):
    """Cases opened per day over the last 365 days: [[d/m/Y labels], [counts]] (424)."""
    since = (utcnow() - dt.timedelta(days=365)).date()
    counts: dict[str, int] = {}
    for case in sorted(ctx.store.cases.values(), key=lambda c: c["open_date"]):
        day = dt.date.fromisoformat(case["open_date"][:10])
        if day > since:
            label = f"{day.day}/{day.month}/{day.year}"
            counts[label] = counts.get(label, 0) + 1
    return ctx.ok([list(counts), list(counts.values())])
