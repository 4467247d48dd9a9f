"""Comments on assets, IOCs, tasks, events, evidences and notes (iris-api.md section 11).

Every commentable object has the same five endpoints under its own base path. A comment row
carries `object_type`/`object_id` (its link). Quirks kept: `list` is GET only and answers `[]`
for an unknown object; IOCs, events, evidences and notes all answer "Event commented"; the
single GET has a flat shape; only the author may delete, and deleting twice says "not allowed".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from iris_tui.demo.routes._fields import Fields, reject_nul
from iris_tui.demo.routes.iocs import case_ioc
from iris_tui.demo.store import Store, iso, new_uuid, utcnow
from iris_tui.demo.web import Iris, route


@dataclass(frozen=True)
class Commentable:
    object_type: str
    base: str
    added: str  # success message of add
    unknown: str  # error message of add for an object not in the case
    edit_label: str  # how IRIS names the family in the "edited" activity
    find: Callable[[Store, int, int], dict[str, Any] | None]
    title: Callable[[dict[str, Any]], Any]


def _in_case(table: str, column: str) -> Callable[[Store, int, int], dict[str, Any] | None]:
    def find(store: Store, case_id: int, object_id: int) -> dict[str, Any] | None:
        row = getattr(store, table).get(object_id)
        return row if row is not None and row.get(column) == case_id else None
    return find




OBJECTS = (
    Commentable("asset", "/case/assets", "Asset commented", "Invalid asset ID", "assets",
                _in_case("assets", "case_id"), lambda r: r["asset_name"]),
    Commentable("ioc", "/case/ioc", "Event commented", "Invalid ioc ID", "ioc",
                case_ioc, lambda r: r["ioc_value"]),
    Commentable("task", "/case/tasks", "Task commented", "Invalid task ID", "tasks",
                _in_case("tasks", "task_case_id"), lambda r: r["task_title"]),
    Commentable("event", "/case/timeline/events", "Event commented", "Invalid event ID", "events",
                _in_case("events", "case_id"), lambda r: r["event_title"]),
    # sic: IRIS logs evidence comment edits as "on tasks"
    Commentable("evidence", "/case/evidences", "Event commented", "Invalid evidence ID", "tasks",
                _in_case("evidences", "case_id"), lambda r: r["filename"]),
    Commentable("note", "/case/notes", "Event commented", "Invalid note ID", "notes",
                _in_case("notes", "note_case_id"), lambda r: r.get("note_title")),
)


def add_comment(store: Store, case_id: int, user_id: int, object_type: str, object_id: int,
                text: str | None) -> dict[str, Any]:
    """Insert a comment linked to one object. Comments never move the state counters."""
    now = iso(utcnow())
    comment_id = store.next_id("comment")
    record = {
        "comment_id": comment_id,
        "comment_uuid": new_uuid(),
        "comment_text": text,
        "comment_date": now,
        "comment_update_date": now,
        "comment_user_id": user_id,
        "comment_case_id": case_id,
        "comment_alert_id": None,
        "object_type": object_type,
        "object_id": object_id,
    }
    store.comments[comment_id] = record
    return record


def comment_view(store: Store, comment: dict[str, Any]) -> dict[str, Any]:
    """The comment object of list/add/edit answers (and of a note's `comments`)."""
    return {
        "user": store.user_ref(comment["comment_user_id"]),
        "comment_id": comment["comment_id"],
        "comment_uuid": comment["comment_uuid"],
        "comment_text": comment["comment_text"],
        "comment_date": comment["comment_date"],
        "comment_update_date": comment["comment_update_date"],
        "comment_user_id": comment["comment_user_id"],
        "comment_case_id": comment["comment_case_id"],
        "comment_alert_id": comment["comment_alert_id"],
    }


def comments_of(store: Store, object_type: str, object_id: int) -> list[dict[str, Any]]:
    """The rows linked to one object, oldest first."""
    rows = [c for c in store.comments.values()
            if c.get("object_type") == object_type and c.get("object_id") == object_id]
    rows.sort(key=lambda c: (c["comment_date"] or "", c["comment_id"]))
    return rows


def _register(kind: Commentable) -> None:
    base = f"{kind.base}/{{object_id:int}}/comments"

    @route("GET", f"{base}/list")
    async def list_comments(ctx: Iris):
        await ctx.case("ro")
        rows = comments_of(ctx.store, kind.object_type, ctx.params["object_id"])
        return ctx.ok([comment_view(ctx.store, c) for c in rows])

    @route("POST", f"{base}/add")
    async def add(ctx: Iris):
        cid = await ctx.case("full")
        store = ctx.store
        target = kind.find(store, cid, ctx.params["object_id"])
        if target is None:
            return ctx.fail(400, kind.unknown)
        fields = Fields(await ctx.json())
        fields.string("comment_text")
        text = fields.done().get("comment_text")
        reject_nul(text)
        comment = add_comment(store, cid, ctx.user_id, kind.object_type, ctx.params["object_id"], text)
        store.log_activity(ctx.user_id, cid, f'{kind.object_type} "{kind.title(target)}" commented')
        return ctx.ok(comment_view(store, comment), kind.added)

    @route("GET", f"{base}/{{comment_id:int}}")
    async def get(ctx: Iris):
        cid = await ctx.case("ro")
        store = ctx.store
        comment = store.comments.get(ctx.params["comment_id"])
        if (comment is None or comment.get("object_type") != kind.object_type
                or comment.get("object_id") != ctx.params["object_id"] or comment["comment_case_id"] != cid):
            return ctx.fail(400, "Invalid comment ID")
        user = store.users.get(comment["comment_user_id"]) or {}
        return ctx.ok({
            "comment_id": comment["comment_id"], "comment_text": comment["comment_text"],
            "comment_date": comment["comment_date"], "comment_update_date": comment["comment_update_date"],
            "comment_uuid": comment["comment_uuid"], "name": user.get("user_name"),
            "user": user.get("user_login"),
        })

    @route("POST", f"{base}/{{comment_id:int}}/edit")
    async def edit(ctx: Iris):
        """Any user with FULL access may edit any comment of the case."""
        cid = await ctx.case("full")
        store = ctx.store
        comment = store.comments.get(ctx.params["comment_id"])
        if comment is None or comment["comment_case_id"] != cid:
            return ctx.fail(400, "Invalid comment ID")
        body = await ctx.json()
        text = body.get("comment_text")
        reject_nul(text)
        comment["comment_text"] = text
        comment["comment_update_date"] = iso(utcnow())
        store.log_activity(ctx.user_id, cid, f"comment {comment['comment_id']} on {kind.edit_label} edited")
        return ctx.ok(comment_view(store, comment), "Comment edited")

    @route("POST", f"{base}/{{comment_id:int}}/delete")
    async def delete(ctx: Iris):
        """Author only; a comment that is already gone gets the same refusal (153)."""
        cid = await ctx.case("full")
        store = ctx.store
        comment_id = ctx.params["comment_id"]
        comment = store.comments.get(comment_id)
        if comment is None or comment["comment_user_id"] != ctx.user_id:
            return ctx.fail(400, "You are not allowed to delete this comment")
        del store.comments[comment_id]
        store.log_activity(ctx.user_id, cid,
                           f"comment {comment_id} on {kind.object_type} {ctx.params['object_id']} deleted")
        return ctx.ok([], "Comment deleted")


for _kind in OBJECTS:
    _register(_kind)
