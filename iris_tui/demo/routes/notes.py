"""Notes, note directories, revisions and note search (iris-api.md 8).

Quirks kept on purpose: the directory listing repeats nested directories at top level and only
top-level entries carry `notes`; directory/note validation errors are bare lists; a title over 155
characters is an HTML 500 on creation; each update stores the *previous* title/content as a
revision unless the request's title and content both equal the latest revision; `note_lastupdate`
never moves; only deletions move the `notes` counter; search reads `search_input` from the query
string only, and searches for "None" without it.
"""

from __future__ import annotations

from typing import Any

from iris_tui.demo.sqlish import add_history, contains
from iris_tui.demo.store import INT32_MAX, Store, iso, new_uuid, utcnow
from iris_tui.demo.web import Iris, Reply, as_int, html_error, int_id, route

TITLE_MAX = 155

# -- records ------------------------------------------------------------------------------------


def create_directory(store: Store, case_id: int, name: str, parent_id: int | None = None) -> dict[str, Any]:
    """Store a note directory (no validation, no counter: IRIS moves none)."""
    row = {"id": store.next_id("note_directory"), "name": name, "parent_id": parent_id, "case_id": case_id}
    store.note_dirs[row["id"]] = row
    return row


def create_note(store: Store, case_id: int, user_id: int, fields: dict[str, Any], *,
                revision: bool = True) -> dict[str, Any]:
    """Store a note from request-body keys (`directory_id`, `note_title`, `note_content`,
    `custom_attributes`). Revision 1 is written as the API does; IRIS's case templates create
    their notes without one (`revision=False`)."""
    now = iso(utcnow())
    note = {
        "note_id": store.next_id("note"),
        "note_uuid": new_uuid(),
        "note_title": fields.get("note_title"),
        "note_content": fields.get("note_content"),
        "note_user": user_id,
        "note_creationdate": now,
        "note_lastupdate": now,
        "note_case_id": case_id,
        "custom_attributes": fields.get("custom_attributes"),
        "directory_id": as_int(fields.get("directory_id")),
        "modification_history": None,
    }
    store.notes[note["note_id"]] = note
    if revision:
        _add_revision(store, note, user_id, 1)
    add_history(store, note, user_id, "created note")
    return note


def _add_revision(store: Store, note: dict[str, Any], user_id: int, number: int) -> None:
    store.revisions[note["note_id"]].append({
        "revision_id": store.next_id("note_revision"),
        "note_id": note["note_id"],
        "revision_number": number,
        "note_title": note["note_title"],
        "note_content": note["note_content"],
        "note_user": user_id,
        "revision_timestamp": iso(utcnow()),
    })


def revise_note(store: Store, note: dict[str, Any], user_id: int, **changes: Any) -> dict[str, Any]:
    """An edit as an update makes it: the previous title/content become the next revision."""
    latest = max((r["revision_number"] for r in store.revisions[note["note_id"]]), default=0)
    _add_revision(store, note, user_id, latest + 1)
    note.update(changes)
    add_history(store, note, user_id, "updated note")
    return note


def delete_note(store: Store, note: dict[str, Any]) -> None:
    """Remove a note with its revisions and comments; moves the `notes` counter (IRIS does)."""
    note_id = note["note_id"]
    store.notes.pop(note_id, None)
    store.revisions.pop(note_id, None)
    for comment_id in [cid for cid, c in store.comments.items() if _is_note_comment(c, note_id)]:
        del store.comments[comment_id]
    store.bump(note["note_case_id"], "notes")


def delete_directory(store: Store, directory: dict[str, Any]) -> None:
    """Remove a directory, its notes and its sub-directories, recursively."""
    for note in [n for n in store.notes.values() if n["directory_id"] == directory["id"]]:
        delete_note(store, note)
    for child in [d for d in store.note_dirs.values() if d["parent_id"] == directory["id"]]:
        delete_directory(store, child)
    store.note_dirs.pop(directory["id"], None)


# -- serialisation ------------------------------------------------------------------------------


def directory_view(directory: dict[str, Any]) -> dict[str, Any]:
    return {k: directory[k] for k in ("id", "name", "parent_id", "case_id")}


def note_view(store: Store, note: dict[str, Any]) -> dict[str, Any]:
    """The note object of add/update/get/search (get adds `comments`)."""
    directory = store.note_dirs.get(note["directory_id"])
    view = {"directory": directory_view(directory) if directory else None}
    view.update(note)
    return view


def _is_note_comment(comment: dict[str, Any], note_id: int) -> bool:
    return comment.get("object_type") == "note" and comment.get("object_id") == note_id


def _note_comments(store: Store, note_id: int) -> list[dict[str, Any]]:
    from iris_tui.demo.routes import comments  # written alongside; imported when first needed

    return [comments.comment_view(store, c) for c in comments.comments_of(store, "note", note_id)]


def directory_listing(store: Store, case_id: int) -> list[dict[str, Any]]:
    """Every directory of the case, by name, each with its sub-tree; notes on top-level entries."""
    directories = [d for d in store.note_dirs.values() if d["case_id"] == case_id]
    directories.sort(key=lambda d: (d["name"].casefold(), d["name"], d["id"]))
    children: dict[int, list[dict[str, Any]]] = {}
    for d in sorted(store.note_dirs.values(), key=lambda d: d["id"]):
        if d["parent_id"] is not None:
            children.setdefault(d["parent_id"], []).append(d)
    notes: dict[int, list[dict[str, Any]]] = {}
    for n in store.notes.values():
        notes.setdefault(n["directory_id"], []).append(n)

    def counted(d: dict[str, Any]) -> dict[str, Any]:
        return {"id": d["id"], "name": d["name"], "note_count": len(notes.get(d["id"], ())),
                "subdirectories": [counted(c) for c in children.get(d["id"], ())]}

    out = []
    for d in directories:
        entry = counted(d)
        refs = [{"id": n["note_id"], "title": n["note_title"]} for n in notes.get(d["id"], ())]
        entry["notes"] = sorted(refs, key=lambda r: r["title"])  # a None title breaks it, as in IRIS
        out.append(entry)
    return out


# -- validation helpers -------------------------------------------------------------------------


def _db_id(value: Any) -> int | None:
    """An id compared in SQL: numbers and numeric strings; anything else is a database error
    (ValueError, which the app answers with the HTML 500 IRIS sends)."""
    number = as_int(value)
    if number is not None and abs(number) > INT32_MAX:
        raise ValueError(value)
    return number


def _bare(message: str) -> Reply:
    return Reply(Iris.data_error([message]))


def _unexpected(ctx: Iris, data: Any) -> Reply:
    return Reply(ctx.fail(400, "Unexpected error server-side", data))


def _check_text(body: dict[str, Any], *keys: str, refused: Reply) -> dict[str, list[str]]:
    """Field errors of the note schema; `refused` is what a NUL character (which PostgreSQL
    refuses) ends in: an HTML 500 on creation, a wrapped error on update."""
    errors: dict[str, list[str]] = {}
    for key in keys:
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            errors[key] = ["Not a valid string."]
        elif value is not None and "\x00" in value:
            raise refused
    if "custom_attributes" in body and body["custom_attributes"] is not None \
            and not isinstance(body["custom_attributes"], dict):
        errors["custom_attributes"] = ["Invalid data type"]
    return errors


def _note(ctx: Iris, cid: int) -> dict[str, Any] | None:
    note = ctx.store.notes.get(int_id(ctx.params["note_id"]))
    return note if note is not None and note["note_case_id"] == cid else None


def _directory(store: Store, cid: int, raw_id: Any) -> dict[str, Any] | None:
    directory = store.note_dirs.get(_db_id(raw_id))
    return directory if directory is not None and directory["case_id"] == cid else None


# -- directories --------------------------------------------------------------------------------


@route("GET", "/case/notes/directories/filter")
async def directories_filter(ctx: Iris):
    cid = await ctx.case("ro")
    return ctx.ok(directory_listing(ctx.store, cid))


def _check_parent(ctx: Iris, cid: int, parent_id: Any, current_id: int | None = None) -> int:
    if current_id is not None and _db_id(parent_id) == current_id:
        raise _bare("Invalid parent id for the directory")
    parent = _directory(ctx.store, cid, parent_id)
    if parent is None or (current_id is not None and parent["parent_id"] == current_id):
        raise _bare("Invalid parent id for the directory")
    return parent["id"]


def _directory_errors(body: dict[str, Any], partial: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "name" not in body:
        if not partial:
            errors["name"] = ["Missing data for required field."]
    elif body["name"] is None:
        errors["name"] = ["Field may not be null."]
    elif not isinstance(body["name"], str):
        errors["name"] = ["Not a valid string."]
    return errors


@route("POST", "/case/notes/directories/add")
async def directory_add(ctx: Iris):
    cid = await ctx.case("full")
    body = await ctx.json()
    parent_id = None
    if body.get("parent_id") is not None:
        parent_id = _check_parent(ctx, cid, body["parent_id"])
    errors = _directory_errors(body, partial=False)
    if errors:
        return ctx.data_error(errors)
    directory = create_directory(ctx.store, cid, body["name"], parent_id)
    ctx.store.log_activity(ctx.user_id, cid, f'added directory "{directory["name"]}"')
    return ctx.ok(directory_view(directory), "Directory added")


@route("POST", "/case/notes/directories/update/{dir_id}")
async def directory_update(ctx: Iris):
    cid = await ctx.case("full")
    try:
        return await _directory_update(ctx, cid)
    except ValueError:  # IRIS catches everything here and answers a JSON 500
        return ctx.fail(500, "Internal error")


async def _directory_update(ctx: Iris, cid: int):
    directory = _directory(ctx.store, cid, ctx.params["dir_id"])
    if directory is None:
        return ctx.fail(400, "Invalid directory ID")
    body = await ctx.json()
    changes: dict[str, Any] = {}
    if body.get("parent_id") is not None:
        changes["parent_id"] = _check_parent(ctx, cid, body["parent_id"], directory["id"])
    elif "parent_id" in body:
        changes["parent_id"] = None
    errors = _directory_errors(body, partial=True)
    if errors:
        return ctx.data_error(errors)
    if "name" in body:
        changes["name"] = body["name"]
    directory.update(changes)
    ctx.store.log_activity(ctx.user_id, cid, f'modified directory "{directory["name"]}"')
    return ctx.ok(directory_view(directory), "Directory modified")


@route("POST", "/case/notes/directories/delete/{dir_id}")
async def directory_delete(ctx: Iris):
    cid = await ctx.case("full")
    directory = _directory(ctx.store, cid, ctx.params["dir_id"])
    if directory is None:
        return ctx.fail(400, "Invalid directory ID")
    delete_directory(ctx.store, directory)
    ctx.store.log_activity(ctx.user_id, cid, f'deleted directory "{directory["name"]}"')
    return ctx.ok([], "Directory deleted")


# -- notes --------------------------------------------------------------------------------------


@route("GET", "/case/notes/{note_id:int}")
async def note_get(ctx: Iris):
    cid = await ctx.case("ro")
    note = _note(ctx, cid)
    if note is None:
        return ctx.fail(400, "Invalid note ID")
    view = note_view(ctx.store, note)
    view["comments"] = _note_comments(ctx.store, note["note_id"])
    return ctx.ok(view)


def _validate_directory_id(store: Store, cid: int, value: Any) -> None:
    if value is None:
        raise _bare("Invalid data - non null expected")
    try:
        number = as_int(value if value != "" else "x")
    except ValueError:
        raise _bare("Invalid data type") from None
    if number is None or number > INT32_MAX:
        raise Reply(html_error(500))
    directory = store.note_dirs.get(number)
    if directory is None or directory["case_id"] != cid:
        raise _bare("Invalid directory id for the case")


@route("POST", "/case/notes/add")
async def note_add(ctx: Iris):
    cid = await ctx.case("full")
    body = await ctx.json()
    _validate_directory_id(ctx.store, cid, body.get("directory_id"))
    errors = _check_text(body, "note_title", "note_content", refused=Reply(html_error(500)))
    if errors:
        return ctx.data_error(errors)
    if len(body.get("note_title") or "") > TITLE_MAX:
        return html_error(500)  # the database error is not serialisable (506)
    note = create_note(ctx.store, cid, ctx.user_id, body)
    ctx.store.log_activity(ctx.user_id, cid, f'created note "{note["note_title"]}"')
    return ctx.ok(note_view(ctx.store, note), f"Note ID {note['note_id']} created")


def _apply_update(ctx: Iris, cid: int, note: dict[str, Any], body: dict[str, Any]) -> None:
    """The partial load of an update, after the revision was stored (errors keep the revision)."""
    errors = _check_text(body, "note_title", "note_content",
                         refused=_unexpected(ctx, "A string literal cannot contain NUL (0x00) characters."))
    changes = {k: body[k] for k in ("note_title", "note_content", "custom_attributes") if k in body}
    if "directory_id" in body:
        try:
            changes["directory_id"] = as_int(body["directory_id"])
        except ValueError:
            errors["directory_id"] = ["Not a valid integer."]
    if errors:
        raise Reply(ctx.data_error(errors))
    if len(changes.get("note_title") or "") > TITLE_MAX:
        raise _unexpected(ctx, "(psycopg2.errors.StringDataRightTruncation) value too long for "
                               "type character varying(155)")
    target = changes.get("directory_id", note["directory_id"])
    if target is None or target not in ctx.store.note_dirs:
        raise _unexpected(ctx, "(psycopg2.errors.NotNullViolation) invalid directory_id" if target is None
                          else "(psycopg2.errors.ForeignKeyViolation) insert or update on table "
                               '"notes" violates foreign key constraint "notes_directory_id_fkey"')
    if changes.get("custom_attributes") is None:
        changes.pop("custom_attributes", None)  # null is accepted and leaves them unchanged
    note.update(changes)


@route("POST", "/case/notes/update/{note_id:int}")
async def note_update(ctx: Iris):
    cid = await ctx.case("full")
    note = _note(ctx, cid)
    if note is None:
        return ctx.fail(400, "Unexpected error server-side", "Invalid note ID for this case")
    body = await ctx.json()
    revisions = ctx.store.revisions[note["note_id"]]
    latest = max(revisions, key=lambda r: r["revision_number"], default=None)
    number = 1 if latest is None else latest["revision_number"] + 1
    unchanged = (latest is not None and number > 1
                 and latest["note_title"] == body.get("note_title")
                 and latest["note_content"] == body.get("note_content"))
    if not unchanged:
        _add_revision(ctx.store, note, ctx.user_id, number)
    _apply_update(ctx, cid, note, body)
    add_history(ctx.store, note, ctx.user_id, "updated note")
    ctx.store.log_activity(ctx.user_id, cid, f'updated note "{note["note_title"]}"')
    return ctx.ok(note_view(ctx.store, note), f"Note ID {note['note_id']} saved")


@route("POST", "/case/notes/delete/{note_id:int}")
async def note_delete(ctx: Iris):
    cid = await ctx.case("full")
    note = _note(ctx, cid)
    if note is None:
        return ctx.fail(400, "Invalid note ID for this case")
    delete_note(ctx.store, note)
    ctx.store.log_activity(ctx.user_id, cid, f'deleted note "{note["note_title"]}"')
    return ctx.ok([], f"Note deleted {note['note_id']}")


@route("GET", "/case/notes/search")
@route("POST", "/case/notes/search")
async def note_search(ctx: Iris):
    cid = await ctx.case("ro")
    term = ctx.query.get("search_input")  # never the body, also for POST (344)
    found = [n for n in sorted(ctx.store.notes.values(), key=lambda n: n["note_id"])
             if n["note_case_id"] == cid
             and (contains(n["note_title"], term) or contains(n["note_content"], term))]
    return ctx.ok([note_view(ctx.store, n) for n in found])


@route("GET", "/case/notes/state")
async def note_state(ctx: Iris):
    cid = await ctx.case("ro")
    state = ctx.store.state(cid, "notes")
    if state is None:
        return ctx.fail(400, "No notes state for this case.")
    return ctx.ok(dict(state))


# -- revisions ----------------------------------------------------------------------------------


def _revision_note(ctx: Iris, cid: int) -> dict[str, Any]:
    note = _note(ctx, cid)
    if note is None:
        raise _unexpected(ctx, "Invalid note ID for this case")
    return note


@route("GET", "/case/notes/{note_id:int}/revisions/list")
async def revisions_list(ctx: Iris):
    cid = await ctx.case("ro")
    note = _revision_note(ctx, cid)
    rows = sorted(ctx.store.revisions.get(note["note_id"], ()), key=lambda r: -r["revision_number"])
    out = []
    for r in rows:
        user = ctx.store.users.get(r["note_user"])
        if user is not None:  # an inner join on the user table
            out.append({"user_name": user["user_name"], "revision_number": r["revision_number"],
                        "revision_timestamp": r["revision_timestamp"]})
    return ctx.ok(out, "ok")


def _revision(ctx: Iris, note: dict[str, Any]) -> dict[str, Any] | None:
    number = ctx.params["number"]
    for r in ctx.store.revisions.get(note["note_id"], ()):
        if r["revision_number"] == number:
            return r
    return None


@route("GET", "/case/notes/{note_id:int}/revisions/{number:int}")
async def revision_get(ctx: Iris):
    cid = await ctx.case("ro")
    revision = _revision(ctx, _revision_note(ctx, cid))
    return ctx.ok(dict(revision) if revision else {}, "ok")


@route("POST", "/case/notes/{note_id:int}/revisions/{number:int}/delete")
async def revision_delete(ctx: Iris):
    cid = await ctx.case("full")
    note = _revision_note(ctx, cid)
    revision = _revision(ctx, note)
    if revision is None:
        raise _unexpected(ctx, "Invalid note revision number")
    ctx.store.revisions[note["note_id"]].remove(revision)
    ctx.store.log_activity(ctx.user_id, cid, f'deleted note revision {revision["revision_number"]} '
                                             f'of note "{note["note_title"]}"')
    return ctx.ok([], f"Revision {revision['revision_number']} of note {note['note_id']} deleted")


# -- pre-2.4 notes groups: gone (410), even without a key -------------------------------------


def _gone(replacement: str):
    async def handler(ctx: Iris):
        return ctx.fail(410, f"Endpoint deprecated in v2.4.0. Use {replacement}.")

    return handler


route("GET", "/case/notes/groups/list", auth="none")(_gone("/case/notes/directories/filter"))
route("POST", "/case/notes/groups/add", auth="none")(_gone("/case/notes/directories/add"))
route("POST", "/case/notes/groups/delete/{group_id:int}", auth="none")(
    _gone("/case/notes/directories/delete/<ID>"))
route("GET", "/case/notes/groups/{group_id:int}", auth="none")(_gone("/case/notes/directories/<ID>"))
route("POST", "/case/notes/groups/update/{group_id:int}", auth="none")(
    _gone("/case/notes/directories/update/<ID>"))
