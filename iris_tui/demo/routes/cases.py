"""Cases (iris-api.md 3): management endpoints under /manage/cases, the case-level endpoints under
/case (summary, meta, review, access, activities, export, graph) and the case pickers.

Case records use IRIS's column names (`name`, `description`, `soc_id`, `client_id`, ...). IRIS
shows them in four shapes — the "edit" form of create/update, the summary view of
/manage/cases/{id}, the details object of /case/meta and the flat rows of /manage/cases/list —
built by `edit_form`, `summary_view`, `details` and `list_row`. `create_case`, `update_case`,
`close_case`, `reopen_case` and `delete_case` are plain functions for the seed and other modules.
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from typing import Any

from iris_tui.demo.routes.lookups import case_template, customer_full
from iris_tui.demo.routes.perms import page_of, query_int, require
from iris_tui.demo.store import Store, iso, new_uuid, utcnow
from iris_tui.demo.web import Iris, Reply, as_int, fail, html_error, int_id, route

OUTCOMES = ("unknown", "false_positive", "true_positive_with_impact", "not_applicable",
            "true_positive_without_impact", "legitimate")
REVIEW_STATUSES = {1: "No review required", 2: "Not reviewed", 3: "Pending review",
                   4: "Review in progress", 5: "Reviewed"}
REVIEW_ACTIONS = {"start": 4, "request": 3, "cancel": 3, "no_review": 1, "to_review": 2, "done": 5}
STATE_OPEN, STATE_CLOSED = 3, 9
DEFAULT_SEVERITY = 4  # "Low" on a fresh install (058)
CREATION_FAILED = "Error creating case - check server logs"
# case columns that make creation fail when sent (060); state_id is silently overwritten
NOT_AT_CREATION = frozenset({
    "owner_id", "reviewer_id", "status_id", "initial_date", "user_id", "review_status_id",
    "open_date", "close_date", "closing_note", "case_id", "case_uuid", "modification_history",
})
# the column naming a record's case, per table (IRIS's names)
CASE_COLUMNS = ("case_id", "task_case_id", "note_case_id", "comment_case_id", "path_case_id",
                "file_case_id", "evidence_case_id")
CASE_TABLES = ("assets", "tasks", "events", "evidences", "note_dirs", "notes", "comments",
               "ds_folders", "ds_files")


class CaseCreationError(ValueError):
    """Why a creation was refused; the server only ever says CREATION_FAILED (iris-api.md 3.7)."""


# -- shapes ---------------------------------------------------------------------------------

def _user_name(store: Store, user_id: int | None) -> str | None:
    user = store.users.get(user_id or 0)
    return user["user_name"] if user else None


def _protagonists(case: dict[str, Any], keys: tuple[str, ...], *, stored: bool = True) -> list[dict[str, Any]]:
    """Read back from the database they come last-added first (082); the edit form echoes
    them as sent (077)."""
    items = list(case.get("protagonists") or ())
    return [{key: p.get(key) for key in keys} for p in (reversed(items) if stored else items)]


def _linked_user(store: Store, protagonist: dict[str, Any]) -> dict[str, Any]:
    """A protagonist may be an IRIS user: the summary view adds their name and login."""
    user = store.users.get(protagonist.pop("user_id") or 0) or {}
    return {**protagonist, "user_name": user.get("user_name"), "user_login": user.get("user_login")}


def _review_status(case: dict[str, Any]) -> dict[str, Any] | None:
    status_id = case.get("review_status_id")
    if status_id not in REVIEW_STATUSES:
        return None
    return {"id": status_id, "status_name": REVIEW_STATUSES[status_id]}


def split_tags(tags: str | None) -> list[str]:
    return [t.strip() for t in (tags or "").split(",") if t.strip()]


def edit_form(store: Store, case: dict[str, Any], extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """The "edit" shape of create/update/close/reopen/review (058); `extra` adds `case_tags` /
    `protagonists` when the request carried them (077)."""
    out: dict[str, Any] = {
        "case_name": case["name"], "case_description": case["description"],
        "case_soc_id": case["soc_id"], "case_customer": case["client_id"],
    }
    if "protagonists" in extra:
        out["protagonists"] = _protagonists(case, ("role", "name", "contact"), stored=False)
    if "case_tags" in extra:
        out["case_tags"] = case.get("case_tags") or ""
    for key in ("classification_id", "reviewer_id", "severity_id", "case_id", "open_date",
                "close_date", "closing_note", "user_id", "owner_id", "status_id", "state_id",
                "custom_attributes", "case_uuid", "review_status_id", "modification_history"):
        out[key] = case.get(key)
    return out


def summary_view(store: Store, case: dict[str, Any]) -> dict[str, Any]:
    """GET /manage/cases/{id} (062): customer/owner names, title-cased outcome, no severity."""
    customer = store.customers.get(case["client_id"]) or {}
    state = store.lookup("case_state", "state_id", case.get("state_id"))
    classification = store.lookup("classification", "id", case.get("classification_id"))
    opener = store.users.get(case["user_id"]) or {}
    return {
        "case_name": case["name"], "case_description": case["description"],
        "open_date": case["open_date"], "close_date": case.get("close_date"),
        "case_soc_id": case["soc_id"], "case_id": case["case_id"], "case_uuid": case["case_uuid"],
        "customer_name": customer.get("customer_name"), "customer_id": case["client_id"],
        "open_by_user_id": case["user_id"], "open_by_user": opener.get("user_login"),
        "owner_id": case.get("owner_id"), "owner": _user_name(store, case.get("owner_id")),
        "status_id": case.get("status_id", 0), "state_id": case.get("state_id"),
        "state_name": state["state_name"] if state else None,
        "custom_attributes": case.get("custom_attributes"),
        "modification_history": case.get("modification_history"),
        "initial_date": case.get("initial_date"),
        "classification_id": case.get("classification_id"),
        "classification": classification["name"] if classification else None,
        "reviewer_id": case.get("reviewer_id"),
        "reviewer": _user_name(store, case.get("reviewer_id")),
        "case_tags": case.get("case_tags") or "",
        "status_name": OUTCOMES[case.get("status_id") or 0].replace("_", " ").title(),
        "protagonists": [_linked_user(store, p)
                         for p in _protagonists(case, ("role", "name", "contact", "user_id"))],
    }


def details(store: Store, case: dict[str, Any]) -> dict[str, Any]:
    """The details object of /case/meta, /manage/cases/filter and /user/cases/list (064)."""
    case_id = case["case_id"]
    classification = store.lookup("classification", "id", case.get("classification_id"))
    state = store.lookup("case_state", "state_id", case.get("state_id"))
    severity = store.lookup("severity", "severity_id", case.get("severity_id"))
    return {
        "client": customer_full(store.customers.get(case["client_id"])),
        "owner": store.user_ref(case.get("owner_id")),
        "classification": dict(classification) if classification else None,
        "state": dict(state) if state else None,
        "tags": [{"tag_title": t, "id": store.tags[t]["id"]}
                 for t in split_tags(case.get("case_tags")) if t in store.tags],
        "user": store.user_ref(case["user_id"]),
        "reviewer": store.user_ref(case.get("reviewer_id")),
        "review_status": _review_status(case),
        "severity": dict(severity) if severity else None,
        "status_name": OUTCOMES[case.get("status_id") or 0],
        "protagonists": _protagonists(case, ("name", "contact", "role")),
        "alerts": sorted(a["alert_id"] for a in store.alerts.values() if case_id in a.get("cases", ())),
        "case_id": case_id, "soc_id": case["soc_id"], "client_id": case["client_id"],
        "name": case["name"], "description": case["description"],
        "open_date": case["open_date"], "close_date": case.get("close_date"),
        "initial_date": case.get("initial_date"), "closing_note": case.get("closing_note"),
        "user_id": case["user_id"], "owner_id": case.get("owner_id"),
        "status_id": case.get("status_id", 0), "state_id": case.get("state_id"),
        "custom_attributes": case.get("custom_attributes"), "case_uuid": case["case_uuid"],
        "classification_id": case.get("classification_id"),
        "reviewer_id": case.get("reviewer_id"), "review_status_id": case.get("review_status_id"),
        "severity_id": case.get("severity_id"),
        "modification_history": case.get("modification_history"),
        "note_directories": sorted(d["id"] for d in store.note_dirs.values() if belongs(d, case_id)),
    }


def us_date(value: str | None) -> str:
    """`/manage/cases/list` dates: MM/DD/YYYY, "" for none."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value[:10])
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def list_row(store: Store, case: dict[str, Any], access_level: int) -> dict[str, Any]:
    customer = store.customers.get(case["client_id"]) or {}
    classification = store.lookup("classification", "id", case.get("classification_id"))
    state = store.lookup("case_state", "state_id", case.get("state_id"))
    opener = store.users.get(case["user_id"]) or {}
    return {
        "case_name": case["name"], "case_description": case["description"],
        "client_name": customer.get("customer_name"),
        "case_open_date": us_date(case["open_date"]), "case_close_date": us_date(case.get("close_date")),
        "case_soc_id": case["soc_id"], "opened_by_user_id": case["user_id"],
        "opened_by": opener.get("user_login"), "owner_id": case.get("owner_id"),
        "owner": _user_name(store, case.get("owner_id")), "case_id": case["case_id"],
        "case_uuid": case["case_uuid"], "classification_id": case.get("classification_id"),
        "classification": classification["name"] if classification else None,
        "state_id": case.get("state_id"), "state_name": state["state_name"] if state else None,
        "access_level": access_level,
    }


# -- plain functions ------------------------------------------------------------------------

def belongs(record: dict[str, Any], case_id: int) -> bool:
    return any(record.get(column) == case_id for column in CASE_COLUMNS)


def add_history(store: Store, case: dict[str, Any], user_id: int, action: str) -> None:
    """`modification_history` keyed by the Unix time as a string (iris-api.md 2.11)."""
    history = case.get("modification_history") or {}
    key = repr(time.time())
    while key in history:
        key = repr(float(key) + 1e-6)
    history[key] = {"user": (store.users.get(user_id) or {}).get("user_login"),
                    "user_id": user_id, "action": action}
    case["modification_history"] = history


def prefixed(case_id: int, name: str) -> str:
    """Names are stored as `#<id> - <name>`; a sent `#<id> - ` prefix is not doubled (078)."""
    prefix = f"#{case_id} - "
    while name.startswith(prefix):
        name = name[len(prefix):]
    return prefix + name


def validate_creation(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """The creation fields, checked as 2.4.20 does; raises CaseCreationError (3.7)."""
    extra = NOT_AT_CREATION & body.keys()
    if extra:
        raise CaseCreationError(f"unexpected columns {sorted(extra)}")
    fields: dict[str, Any] = {}
    for key in ("case_name", "case_description"):
        value = body.get(key)
        if not isinstance(value, str) or len(value) < 2:
            raise CaseCreationError(f"{key}: a string of 2 characters or more is required")
        fields[key] = value
    soc_id = body.get("case_soc_id")
    if not isinstance(soc_id, str) or len(soc_id) > 256:
        raise CaseCreationError("case_soc_id: a string of at most 256 characters is required")
    fields["case_soc_id"] = soc_id
    try:
        customer = as_int(body.get("case_customer"))
        classification = as_int(body.get("classification_id"))
        severity = as_int(body.get("severity_id"))
    except ValueError as exc:
        raise CaseCreationError(f"not an integer: {exc}") from None
    if customer not in store.customers:
        raise CaseCreationError("case_customer: Invalid client id")
    if classification is not None and not store.lookup("classification", "id", classification):
        raise CaseCreationError("classification_id: unknown")
    if severity is not None and not store.lookup("severity", "severity_id", severity):
        raise CaseCreationError("severity_id: unknown")
    fields.update(case_customer=customer, classification_id=classification, severity_id=severity)
    template_id = body.get("case_template_id")
    if template_id not in (None, ""):
        if not isinstance(template_id, str) or not template_id.strip().isdigit():
            raise CaseCreationError("case_template_id must be a string")
        if case_template(store, int(template_id)) is None:
            raise CaseCreationError(f"Invalid Case template ID {template_id}")
        fields["case_template_id"] = template_id
    attributes = body.get("custom_attributes")
    if attributes is not None and not isinstance(attributes, dict):
        raise CaseCreationError("custom_attributes: Invalid data type")
    fields["custom_attributes"] = attributes
    return fields


def create_case(store: Store, user_id: int, **fields: Any) -> dict[str, Any]:
    """Create a case from request-body fields (validated by `validate_creation` in the handler).

    Applies a case template (`case_template_id`): title prefix, summary, classification, tags,
    tasks and note directories, as 2.4.20 does (107, 110-112).
    """
    template = None
    if fields.get("case_template_id") not in (None, ""):
        template = case_template(store, int(fields["case_template_id"]))
    name = str(fields["case_name"])[:200]
    description = fields["case_description"]
    classification_id = fields.get("classification_id")
    if template is not None:
        if template.get("title_prefix"):
            name = f"{template['title_prefix']} {name}"
        if template.get("summary"):
            description = f"{description}\n{template['summary']}"
        found = store.lookup("classification", "name", template.get("classification"))
        if found:
            classification_id = found["id"]
    now = utcnow()
    case_id = store.next_id("case")
    case = {
        "case_id": case_id, "case_uuid": new_uuid(), "name": f"#{case_id} - {name}",
        "description": description, "soc_id": fields.get("case_soc_id", ""),
        "client_id": fields.get("case_customer", 1), "user_id": user_id, "owner_id": user_id,
        "open_date": iso(now.date()), "close_date": None, "initial_date": iso(now),
        "closing_note": None, "status_id": 0, "state_id": STATE_OPEN,
        "classification_id": classification_id,
        "severity_id": fields.get("severity_id") or DEFAULT_SEVERITY,
        "reviewer_id": None, "review_status_id": None,
        "custom_attributes": fields.get("custom_attributes"), "modification_history": None,
        "case_tags": "", "protagonists": [],
    }
    store.cases[case_id] = case
    store.init_states(case_id)
    store.access[(user_id, case_id)] = 4
    if template is not None:
        _apply_template(store, case, user_id, template)
    add_history(store, case, user_id, "created")
    store.log_activity(user_id, case_id, f'New case "{case["name"]}" created')
    return case


def _apply_template(store: Store, case: dict[str, Any], user_id: int,
                    template: dict[str, Any]) -> None:
    from iris_tui.demo.routes.notes import create_directory, create_note
    from iris_tui.demo.routes.tasks import create_task

    case_id = case["case_id"]
    tags = ",".join(template.get("tags") or ())
    if tags:
        case["case_tags"] = tags
        store.register_tags(tags, case_id)
    for task in template.get("tasks") or ():
        task_tags = ",".join(task.get("tags") or ())
        store.register_tags(task_tags)
        create_task(store, case_id, user_id, {
            "task_title": task.get("title"), "task_description": task.get("description", ""),
            "task_tags": task_tags, "task_status_id": 1, "task_assignees_id": [],
        })
    for directory in template.get("note_directories") or ():
        folder = create_directory(store, case_id, directory.get("title"))
        for note in directory.get("notes") or ():
            create_note(store, case_id, user_id, {
                "note_title": note.get("title"), "note_content": note.get("content", ""),
                "directory_id": folder["id"],
            })


def update_case(store: Store, case_id: int, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Apply a partial update (validated by `validate_update`): prefix handling, Closed state
    closes the case, `reviewer_id` None resets the review, tags and protagonists replace."""
    case = store.cases[case_id]
    if "reviewer_id" in fields and fields["reviewer_id"] is None and case.get("reviewer_id"):
        store.log_activity(user_id, case_id, "Case reviewer removed")
    for key, column in (("case_description", "description"), ("case_soc_id", "soc_id"),
                        ("case_customer", "client_id")):
        if key in fields:
            case[column] = fields[key]
    if "case_name" in fields:
        case["name"] = prefixed(case_id, fields["case_name"])
    for key in ("classification_id", "status_id", "severity_id", "owner_id", "initial_date"):
        if key in fields:
            case[key] = fields[key]
    if "reviewer_id" in fields:
        case["reviewer_id"] = fields["reviewer_id"]
        if fields["reviewer_id"] is None:
            case["review_status_id"] = 2
    if "state_id" in fields:
        was_closed = case.get("state_id") == STATE_CLOSED
        case["state_id"] = fields["state_id"]
        if fields["state_id"] == STATE_CLOSED and not was_closed:
            case["close_date"] = iso(utcnow().date())
            _sync_alerts(store, case, closing=True)
        elif was_closed and fields["state_id"] != STATE_CLOSED:
            case["close_date"] = None
            _sync_alerts(store, case, closing=False)
    if "case_tags" in fields:
        case["case_tags"] = ",".join(split_tags(fields["case_tags"]))
        for tag in store.tags.values():
            if case_id in tag["cases"]:
                tag["cases"].remove(case_id)
        store.register_tags(case["case_tags"], case_id)
    if "protagonists" in fields:
        case["protagonists"] = [
            {"role": p.get("role"), "name": p.get("name"), "contact": p.get("contact"),
             "user_id": p.get("user_id")} for p in fields["protagonists"]
        ]
    if "custom_attributes" in fields:
        case["custom_attributes"] = _merge_attributes(case.get("custom_attributes"),
                                                      fields["custom_attributes"])
    add_history(store, case, user_id, "case info updated")
    store.log_activity(user_id, case_id, f'Case updated "{case["name"]}"')
    return case


def _merge_attributes(current: dict[str, Any] | None, sent: dict[str, Any]) -> dict[str, Any] | None:
    """Submitted form (tab -> field -> value) into the stored form; unknown fields are dropped.
    A non-empty form on `null` attributes fails server-side like on assets (137)."""
    if not sent:
        return current
    if current is None:
        raise Reply(html_error(500))
    for tab, values in sent.items():
        for field, value in (values or {}).items():
            if isinstance(current.get(tab), dict) and isinstance(current[tab].get(field), dict):
                current[tab][field]["value"] = value
    return current


def _sync_alerts(store: Store, case: dict[str, Any], *, closing: bool) -> None:
    """Linked alerts follow the case: Closed (+ resolution from the outcome) or Merged."""
    resolution = {0: 5, 1: 1, 2: 2, 3: 4, 4: 3, 5: 6}.get(case.get("status_id") or 0)
    for alert in store.alerts.values():
        if case["case_id"] in alert.get("cases", ()):
            if closing:
                alert["alert_status_id"] = 6
                alert["alert_resolution_status_id"] = resolution
            else:
                alert["alert_status_id"] = 7


def close_case(store: Store, case_id: int, user_id: int) -> dict[str, Any]:
    case = store.cases[case_id]
    case["close_date"] = iso(utcnow().date())
    case["state_id"] = STATE_CLOSED
    _sync_alerts(store, case, closing=True)
    add_history(store, case, user_id, "case closed")
    store.log_activity(user_id, case_id, f"Closed case ID {case_id}")
    return case


def reopen_case(store: Store, case_id: int, user_id: int) -> dict[str, Any]:
    case = store.cases[case_id]
    case["close_date"] = None
    case["state_id"] = STATE_OPEN
    _sync_alerts(store, case, closing=False)
    add_history(store, case, user_id, "case reopen")
    store.log_activity(user_id, case_id, f"Reopen case ID {case_id}")
    return case


def delete_case(store: Store, case_id: int) -> None:
    """Remove the case and everything in it from every table (iris-api.md 3.9). IOCs survive
    while another case links them; assets referenced by alerts stay (detached)."""
    store.cases.pop(case_id, None)
    alert_assets = {a for alert in store.alerts.values() for a in alert.get("assets", ())}
    for table in CASE_TABLES:
        rows: dict[int, dict[str, Any]] = getattr(store, table)
        for key in [k for k, row in rows.items() if belongs(row, case_id)]:
            if table == "assets" and key in alert_assets:
                rows[key]["case_id"] = None
                continue
            del rows[key]
            if table == "notes":
                store.revisions.pop(key, None)
            elif table == "ds_files":
                store.ds_blobs.pop(key, None)
    store.asset_ioc_links = {(a, i) for a, i in store.asset_ioc_links if a in store.assets}
    unlinked = set(store.ioc_links.pop(case_id, ()))
    still_used = {i for ids in store.ioc_links.values() for i in ids}
    alert_iocs = {i for alert in store.alerts.values() for i in alert.get("iocs", ())}
    for ioc_id in unlinked - still_used - alert_iocs:
        store.iocs.pop(ioc_id, None)
    for family in [key for key in store.states if key[0] == case_id]:
        del store.states[family]
    for access in [key for key in store.access if key[1] == case_id]:
        del store.access[access]
    store.activities[:] = [a for a in store.activities if a.get("case_id") != case_id]
    for tag in store.tags.values():
        if case_id in tag.get("cases", ()):
            tag["cases"].remove(case_id)
    for alert in store.alerts.values():
        if case_id in alert.get("cases", ()):
            alert["cases"].remove(case_id)
    for user_id, current in list(store.context_case.items()):
        if current == case_id:
            store.context_case[user_id] = 1


def crc32(text: str | None) -> int:
    return zlib.crc32((text or "").encode("utf-8", "surrogatepass")) & 0xFFFFFFFF


# -- helpers for handlers -------------------------------------------------------------------

def _manage_access(ctx: Iris, case_id: int, level: str) -> dict[str, Any] | None:
    """/manage/cases/{id} checks access on the path id; administrators pass for unknown ids
    and get the endpoint's "not found" answer instead of a 403 (100, 441, 444)."""
    case = ctx.store.cases.get(case_id)
    if case is None and ctx.user.get("is_admin"):
        return None
    ctx.require_access(case_id, level)
    return case


def _accessible(ctx: Iris) -> list[tuple[dict[str, Any], int]]:
    """Cases the user may see (not deny_all), with the access level, by id."""
    out = []
    for case_id in sorted(ctx.store.cases):
        level = ctx.store.access_level(ctx.user_id, case_id)
        if level in (2, 4):
            out.append((ctx.store.cases[case_id], level))
    return out


def _int_field(value: Any, field: str) -> int | None:
    try:
        return as_int(value)
    except ValueError:
        raise Reply(fail(400, "Data error", {field: ["Not a valid integer."]})) from None


def validate_update(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """Check a partial update; answers like 2.4.20 through `Reply` (iris-api.md 3.8)."""
    fields: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key in ("case_name", "case_description"):
        if key in body:
            value = body[key]
            if not isinstance(value, str):
                raise Reply(html_error(500))
            if len(value) < 2:
                errors[key] = ["Shorter than minimum length 2."]
            fields[key] = value
    if "case_soc_id" in body:
        if not isinstance(body["case_soc_id"], (str, type(None))):
            raise Reply(html_error(500))
        fields["case_soc_id"] = body["case_soc_id"] or ""
    if "case_customer" in body:
        customer = _int_field(body["case_customer"], "case_customer")
        if customer not in store.customers:
            raise Reply(fail(400, "Invalid customer ID. Permission denied."))
        fields["case_customer"] = customer
    checks = (("classification_id", "classification", "id"), ("state_id", "case_state", "state_id"),
              ("severity_id", "severity", "severity_id"))
    for key, kind, id_key in checks:
        if key in body:
            value = _int_field(body[key], key)
            if value is not None and store.lookup(kind, id_key, value) is None:
                errors[key] = [f"Invalid {kind.replace('_', ' ')} ID"]
            fields[key] = value
    if "status_id" in body:
        value = _int_field(body["status_id"], "status_id")
        if value not in range(len(OUTCOMES)):
            errors["status_id"] = ["Invalid status"]
        fields["status_id"] = value
    for key in ("owner_id", "reviewer_id"):
        if key in body:
            value = _int_field(body[key], key)
            if (value is None and key == "owner_id") or (value is not None and value not in store.users):
                raise Reply(fail(400, "Error updating case - check server logs"))
            fields[key] = value
    if "case_tags" in body:
        if not isinstance(body["case_tags"], (str, type(None))):
            raise Reply(html_error(500))  # tags as a JSON list (126)
        fields["case_tags"] = body["case_tags"] or ""
    if "protagonists" in body:
        items = body["protagonists"]
        if not isinstance(items, list) or not all(isinstance(p, dict) for p in items):
            errors["protagonists"] = ["Invalid data type"]
        else:
            fields["protagonists"] = items
    if "custom_attributes" in body:
        if not isinstance(body["custom_attributes"], (dict, type(None))):
            errors["custom_attributes"] = ["Invalid data type"]
        else:
            fields["custom_attributes"] = body["custom_attributes"] or {}
    if "initial_date" in body:
        try:
            fields["initial_date"] = iso(dt.datetime.fromisoformat(str(body["initial_date"])))
        except ValueError:
            errors["initial_date"] = ["Not a valid datetime."]
    if errors:
        raise Reply(fail(400, "Data error", errors))
    return fields


# -- /manage/cases --------------------------------------------------------------------------

@route("GET", "/manage/cases/list")
async def cases_list(ctx: Iris):
    require(ctx, "standard_user")
    rows = sorted(_accessible(ctx), key=lambda item: (item[0]["open_date"], item[0]["case_id"]))
    return ctx.ok([list_row(ctx.store, case, level) for case, level in rows])


# order_by values that are not columns of the cases table
SPECIAL_ORDER = {
    "owner": lambda s, c: _user_name(s, c.get("owner_id")) or "",
    "opened_by": lambda s, c: (s.users.get(c["user_id"]) or {}).get("user_login") or "",
    "customer_name": lambda s, c: (s.customers.get(c["client_id"]) or {}).get("customer_name") or "",
    "state": lambda s, c: (s.lookup("case_state", "state_id", c.get("state_id")) or {}).get("state_name") or "",
}
COLUMN_ORDER = {"case_id", "name", "description", "soc_id", "client_id", "user_id", "owner_id",
                "open_date", "close_date", "initial_date", "status_id", "state_id",
                "severity_id", "classification_id", "reviewer_id", "review_status_id", "case_uuid"}


@route("GET", "/manage/cases/filter")
async def cases_filter(ctx: Iris):
    q = ctx.query
    case_ids = None
    if q.get("case_ids"):
        try:
            case_ids = {int(part) for part in q["case_ids"].split(",")}
        except ValueError:
            return ctx.fail(400, "Invalid case id")
    ints = {key: query_int(ctx, param) for key, param in (
        ("classification_id", "case_classification_id"), ("owner_id", "case_owner_id"),
        ("user_id", "case_opening_user_id"), ("severity_id", "case_severity_id"),
        ("state_id", "case_state_id"))}
    start, end = q.get("start_open_date"), q.get("end_open_date")
    search = q.get("search[value]")

    def keep(case: dict[str, Any]) -> bool:
        if case_ids is not None and case["case_id"] not in case_ids:
            return False
        if q.get("case_customer_id") and str(case["client_id"]) != q["case_customer_id"]:
            return False
        if q.get("case_name") and q["case_name"].lower() not in case["name"].lower():
            return False
        if q.get("case_description") and q["case_description"].lower() not in case["description"].lower():
            return False
        if q.get("case_soc_id") and case["soc_id"] != q["case_soc_id"]:
            return False
        if any(v is not None and case.get(k) != v for k, v in ints.items()):
            return False
        if start and end and not start <= case["open_date"] <= end:
            return False
        return not search or search in case["name"]

    cases = [case for case, _ in _accessible(ctx) if keep(case)]
    order_by = q.get("order_by")
    if order_by in SPECIAL_ORDER or order_by in COLUMN_ORDER:
        def sort_key(case: dict[str, Any]) -> tuple[bool, Any]:
            value = (SPECIAL_ORDER[order_by](ctx.store, case) if order_by in SPECIAL_ORDER
                     else case.get(order_by))
            return (value is None, value if value is not None else 0)

        cases.sort(key=sort_key, reverse=q.get("sort_dir") == "desc")
    items, paging = page_of(cases, query_int(ctx, "page", 1), query_int(ctx, "per_page", 10))
    return ctx.ok({
        "total": paging["total"], "cases": [details(ctx.store, c) for c in items],
        "last_page": paging["last_page"], "current_page": paging["current_page"],
        "next_page": paging["next_page"], "draw": query_int(ctx, "draw", 1),
    })


@route("GET", "/manage/cases/{case_id:int}")
async def case_get(ctx: Iris):
    case_id = int_id(ctx.params["case_id"])
    case = _manage_access(ctx, case_id, "ro")
    if case is None:
        return ctx.fail(400, f"Case ID {case_id} not found")
    return ctx.ok(summary_view(ctx.store, case))


@route("POST", "/manage/cases/add")
async def case_add(ctx: Iris):
    require(ctx, "standard_user")
    body = await ctx.json()
    try:
        fields = validate_creation(ctx.store, body)
    except CaseCreationError:
        return ctx.fail(400, CREATION_FAILED)
    case = create_case(ctx.store, ctx.user_id, **fields)
    return ctx.ok(edit_form(ctx.store, case), "Case created")


@route("POST", "/manage/cases/update/{case_id:int}")
async def case_update(ctx: Iris):
    require(ctx, "standard_user")
    case_id = int_id(ctx.params["case_id"])
    case = _manage_access(ctx, case_id, "full")
    body = await ctx.json()
    if case is None:
        return ctx.fail(400, "Case not found")
    fields = validate_update(ctx.store, body)
    update_case(ctx.store, case_id, ctx.user_id, fields)
    extra = tuple(key for key in ("protagonists", "case_tags") if key in fields)
    return ctx.ok(edit_form(ctx.store, case, extra), "updated")


@route("POST", "/manage/cases/close/{case_id:int}")
async def case_close(ctx: Iris):
    require(ctx, "standard_user")
    case_id = int_id(ctx.params["case_id"])
    if _manage_access(ctx, case_id, "full") is None:
        return ctx.fail(400, "Tried to close an non-existing case")
    case = close_case(ctx.store, case_id, ctx.user_id)
    return ctx.ok(edit_form(ctx.store, case), "Case closed successfully")


@route("POST", "/manage/cases/reopen/{case_id:int}")
async def case_reopen(ctx: Iris):
    require(ctx, "standard_user")
    case_id = int_id(ctx.params["case_id"])
    if _manage_access(ctx, case_id, "full") is None:
        return ctx.fail(400, "Tried to reopen an non-existing case")
    case = reopen_case(ctx.store, case_id, ctx.user_id)
    return ctx.ok(edit_form(ctx.store, case), "Case reopen successfully")


@route("POST", "/manage/cases/delete/{case_id:int}")
async def case_delete(ctx: Iris):
    require(ctx, "standard_user")
    case_id = int_id(ctx.params["case_id"])
    case = _manage_access(ctx, case_id, "full")
    if case_id == 1:
        ctx.store.log_activity(ctx.user_id, None,
                               f"Tried to delete case {case_id}, but case is the primary case")
        return ctx.fail(400, "Cannot delete a primary case to keep consistency")
    if case is None:
        ctx.store.log_activity(ctx.user_id, None, f"Tried to delete case {case_id}, but it doesn't exist")
        return ctx.fail(400, "Cannot delete the case. Please check server logs for additional informations")
    delete_case(ctx.store, case_id)
    ctx.store.log_activity(ctx.user_id, None, f"Case {case_id} deleted successfully")
    return ctx.ok([], "Case successfully deleted")


# -- /case (case context from cid) ----------------------------------------------------------

@route("GET", "/case/summary/fetch")
async def summary_fetch(ctx: Iris):
    case = ctx.store.cases[await ctx.case("ro")]
    return ctx.ok({"case_description": case["description"], "crc32": crc32(case["description"])},
                  "Summary fetch")


@route("POST", "/case/summary/update")
async def summary_update(ctx: Iris):
    case = ctx.store.cases[await ctx.case("full")]
    body = await ctx.json()
    text = body.get("case_description")
    if not isinstance(text, str):
        return ctx.fail(400, "Invalid request")
    case["description"] = text
    ctx.store.log_activity(ctx.user_id, case["case_id"], "Updated summary")
    return ctx.ok(crc32(text), "Summary updated")


@route("GET", "/case/meta")
async def case_meta(ctx: Iris):
    case = ctx.store.cases[await ctx.case("ro")]
    return ctx.ok(details(ctx.store, case))


@route("GET", "/case/exists")
async def case_exists(ctx: Iris):
    await ctx.case("ro")
    return ctx.ok([], "Case exists")


@route("POST", "/case/update-status")
async def update_status(ctx: Iris):
    case = ctx.store.cases[await ctx.case("full")]
    body = await ctx.json()
    value = body.get("status_id")
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return ctx.fail(400, "Invalid status. Expected int")
    try:
        status_id = int(value)
    except ValueError:
        return ctx.fail(400, "Invalid status. Expected int")
    if status_id not in range(len(OUTCOMES)):
        return ctx.fail(400, "Invalid status")
    case["status_id"] = status_id
    add_history(ctx.store, case, ctx.user_id, f"status updated to {OUTCOMES[status_id]}")
    return ctx.ok(status_id, "Case status updated")


@route("POST", "/case/review/update")
async def review_update(ctx: Iris):
    case = ctx.store.cases[await ctx.case("full")]
    body = await ctx.json()
    action = body.get("action")
    if action not in REVIEW_ACTIONS:
        return ctx.fail(400, "Invalid action")
    if body.get("reviewer_id") not in (None, ""):
        reviewer = _int_field(body["reviewer_id"], "reviewer_id")
        if reviewer not in ctx.store.users or ctx.store.access_level(reviewer, case["case_id"]) != 4:
            return ctx.fail(400, "Invalid reviewer ID")
        case["reviewer_id"] = reviewer
    status_id = REVIEW_ACTIONS[action]
    case["review_status_id"] = status_id
    name = REVIEW_STATUSES[status_id]
    add_history(ctx.store, case, ctx.user_id, f"review status updated to {name}")
    ctx.store.log_activity(ctx.user_id, case["case_id"], f"Review status updated to {name}")
    return ctx.ok(edit_form(ctx.store, case), "Case review updated")


@route("GET", "/case/users/list")
async def case_users(ctx: Iris):
    case_id = await ctx.case("ro")
    rows = []
    for user in sorted(ctx.store.users.values(), key=lambda u: u["user_id"]):
        level = ctx.store.access_level(user["user_id"], case_id)
        if level in (2, 4):
            rows.append({
                "user_id": user["user_id"], "user_uuid": user["user_uuid"],
                "user_name": user["user_name"], "user_login": user["user_login"],
                "user_active": user.get("user_active", True), "user_email": user["user_email"],
                "user_access_level": level,
            })
    return ctx.ok(rows)


@route("POST", "/case/access/set-user")
async def access_set_user(ctx: Iris):
    case_id = await ctx.case("full")
    body = await ctx.json()
    user_id = _int_field(body.get("user_id"), "user_id")
    if user_id == ctx.user_id:
        return ctx.fail(400, "I can't let you do that, Dave")
    if user_id not in ctx.store.users:
        return ctx.fail(400, "Invalid user ID")
    if _int_field(body.get("case_id"), "case_id") != case_id:
        return ctx.fail(400, "Invalid case ID")
    level = _int_field(body.get("access_level"), "access_level")
    if level not in (1, 2, 4):
        return ctx.fail(400, "Invalid access level")
    ctx.store.access[(user_id, case_id)] = level
    ctx.store.log_activity(ctx.user_id, case_id,
                           f"Case access set to {level} for user {user_id}")
    return ctx.ok([], "Case access set")


@route("GET", "/case/activities/list")
async def case_activities(ctx: Iris):
    case_id = await ctx.case("ro")
    rows = [a for a in reversed(ctx.store.activities)
            if a.get("case_id") == case_id and a.get("display_in_ui", True)][:40]
    return ctx.ok([
        {"activity_date": a["activity_date"], "name": _user_name(ctx.store, a["user_id"]),
         "activity_desc": a["activity_desc"], "is_from_api": a.get("is_from_api", True)}
        for a in rows
    ])


@route("POST", "/case/tasklog/add")
async def tasklog_add(ctx: Iris):
    case_id = await ctx.case("full")
    body = await ctx.json()
    text = body.get("log_content")
    if not isinstance(text, str):
        return ctx.fail(400, "Invalid log content")
    row = ctx.store.log_activity(ctx.user_id, case_id, text, user_input=True)
    # the raw serialiser nulls dates and relationships and adds `registry` (iris-api.md 2.7)
    return ctx.ok({
        "activity_date": None, "activity_desc": row["activity_desc"], "case": None,
        "case_id": case_id, "display_in_ui": row["display_in_ui"], "id": row["id"],
        "is_from_api": row["is_from_api"], "registry": None, "user": None,
        "user_id": row["user_id"], "user_input": True,
    }, "Log saved")


@route("GET", "/case/export")
async def case_export(ctx: Iris):
    from iris_tui.demo.routes.case_export import export_case

    case = ctx.store.cases[await ctx.case("ro")]
    return ctx.ok(export_case(ctx.store, case))


@route("GET", "/case/graph/getdata")
async def case_graph(ctx: Iris):
    from iris_tui.demo.routes.case_export import graph_data

    case_id = await ctx.case("ro")
    return ctx.ok(graph_data(ctx.store, case_id))


# -- case pickers ---------------------------------------------------------------------------

@route("GET", "/context/search-cases")
async def context_search(ctx: Iris):
    text = (ctx.query.get("q") or "").lower()
    rows = []
    for case, level in _accessible(ctx):
        customer = (ctx.store.customers.get(case["client_id"]) or {}).get("customer_name") or ""
        if text and text not in case["name"].lower() and text not in customer.lower():
            continue
        rows.append({"case_id": case["case_id"], "name": case["name"],
                     "owner_id": case.get("owner_id"), "customer_name": customer,
                     "close_date": case.get("close_date"), "access_level": level,
                     "access": "[Read-only]" if level == 2 else ""})
    rows.sort(key=lambda r: r["owner_id"] != ctx.user_id)
    return ctx.ok(rows[:100])


@route("GET", "/user/cases/list")
async def user_cases(ctx: Iris):
    show_closed = (ctx.query.get("show_closed") or "").lower() == "true"
    cases = [case for case, _ in _accessible(ctx)
             if case.get("owner_id") == ctx.user_id and (show_closed or not case.get("close_date"))]
    return ctx.ok([details(ctx.store, case) for case in cases])


@route("GET", "/user/reviews/list")
async def user_reviews(ctx: Iris):
    rows = [
        {"case_id": case["case_id"], "name": case["name"],
         "status_name": REVIEW_STATUSES[case["review_status_id"]],
         "status_id": case["review_status_id"]}
        for case, _ in _accessible(ctx)
        if case.get("reviewer_id") == ctx.user_id and case.get("review_status_id") in (2, 3, 4)
    ]
    return ctx.ok(rows)

