"""Reference data (iris-api.md 1.11, 12, 13): lookup lists, single items, searches, customers,
users, case and report templates, tags. Served from `store.lookups`, `store.users`,
`store.customers`; each endpoint keeps the real server's quirks (unknown ids, raw objects, the
broken evidence-type search, the unenveloped tag suggestions)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

from iris_tui.demo.routes.perms import page_of, query_int, require
from iris_tui.demo.store import Store, iso, new_uuid, utcnow
from iris_tui.demo.web import Iris, Reply, html_error, int_id, route


@dataclass(frozen=True)
class Table:
    kind: str  # key in store.lookups
    list_path: str
    id_key: str
    get_path: str | None = None
    missing: str | None = None  # message for an unknown id; None -> 200 with {}
    search_path: str | None = None
    search_key: str = ""  # body field holding the searched text
    match_key: str = ""  # item field it is matched against
    not_found: str = ""  # message when the search finds nothing
    drop: tuple[str, ...] = ()  # item keys the single GET does not return
    search_drop: tuple[str, ...] = ()  # item keys the search does not return


TABLES = (
    Table("asset_type", "/manage/asset-type/list", "asset_id", "/manage/asset-type/{item_id:int}",
          "Invalid asset type ID {id}", "/manage/asset-types/search", "asset_type", "asset_name",
          "No asset type found",
          drop=("asset_icon_compromised", "asset_icon_not_compromised",
                "asset_icon_compromised_path", "asset_icon_not_compromised_path"),
          search_drop=("asset_icon_compromised_path", "asset_icon_not_compromised_path")),
    Table("ioc_type", "/manage/ioc-types/list", "type_id", "/manage/ioc-types/{item_id:int}",
          "Invalid ioc type ID {id}", "/manage/ioc-types/search", "ioc_type", "type_name",
          "No ioc types found"),
    Table("tlp", "/manage/tlp/list", "tlp_id", "/manage/tlp/{item_id:int}", "Invalid TLP ID {id}"),
    Table("analysis_status", "/manage/analysis-status/list", "id",
          "/manage/analysis-status/{item_id:int}", "Analysis status ID {id} not found",
          "/manage/analysis-status/search", "analysis_status", "name", "No analysis status found"),
    Table("compromise_status", "/manage/compromise-status/list", "value"),
    Table("outcome", "/manage/outcome-status/list", "value"),
    Table("task_status", "/manage/task-status/list", "id", "/manage/task-status/{item_id:int}",
          "Task status ID #{id} not found"),
    Table("event_category", "/manage/event-categories/list", "id",
          "/manage/event-categories/{item_id:int}", "Event category ID {id} not found",
          "/manage/event-categories/search", "event_category", "name", "No category found"),
    Table("classification", "/manage/case-classifications/list", "id",
          "/manage/case-classifications/{item_id:int}", "Invalid case classification ID {id}",
          "/manage/case-classifications/search", "classification_name", "name",
          "No case classification found"),
    Table("case_state", "/manage/case-states/list", "state_id", "/manage/case-states/{item_id:int}",
          "Invalid case state ID {id}"),
    Table("severity", "/manage/severities/list", "severity_id", "/manage/severities/{item_id:int}",
          None, "/manage/severities/search", "severity_name", "severity_name", "No severity found"),
    Table("evidence_type", "/manage/evidence-types/list", "id", "/manage/evidence-types/{item_id:int}",
          "Invalid evidence type ID {id}", "/manage/evidence-types/search", "evidence_type_name",
          "name", "No evidence type found"),
    Table("alert_status", "/manage/alert-status/list", "status_id", "/manage/alert-status/{item_id:int}",
          None, "/manage/alert-status/search", "alert_status", "status_name", "No alert status found"),
    Table("alert_resolution", "/manage/alert-resolutions/list", "resolution_status_id",
          "/manage/alert-resolutions/{item_id:int}", None, "/manage/alert-resolutions/search",
          "alert_resolution_name", "resolution_status_name", "No alert resolution status found"),
)

# raw serialiser: every column plus a spurious `registry`
RAW_GETS = {"ioc_type"}


def _register(table: Table) -> None:
    async def list_items(ctx: Iris):
        return ctx.ok([dict(row) for row in ctx.store.lookups.get(table.kind, ())])

    route("GET", table.list_path)(list_items)

    if table.get_path:
        async def get_item(ctx: Iris):
            item_id = int_id(ctx.params["item_id"])
            row = ctx.store.lookup(table.kind, table.id_key, item_id)
            if row is None:
                if table.missing is None:
                    return ctx.ok({})
                return ctx.fail(400, table.missing.format(id=item_id))
            item = {k: v for k, v in row.items() if k not in table.drop}
            if table.kind in RAW_GETS:
                item = {"registry": None, **item}
            return ctx.ok(item)

        route("GET", table.get_path)(get_item)

    if table.search_path:
        async def search(ctx: Iris):
            body = await ctx.json()
            if table.kind == "evidence_type":
                # 2.4.20 applies a string function to an integer column here (039)
                raise Reply(html_error(500))
            text = body.get(table.search_key)
            if text is None:
                return ctx.fail(400, "Invalid request")
            exact = bool(body.get("exact_match", False))
            found = [
                {k: v for k, v in row.items() if k not in table.search_drop}
                for row in ctx.store.lookups.get(table.kind, ())
                if _matches(str(row.get(table.match_key) or ""), str(text), exact)
            ]
            if not found:
                return ctx.fail(400, table.not_found)
            return ctx.ok(found)

        route("POST", table.search_path)(search)


def _matches(value: str, text: str, exact: bool) -> bool:
    """SQL `ilike`: exact (case-insensitive) or substring."""
    return value.lower() == text.lower() if exact else text.lower() in value.lower()


for _table in TABLES:
    _register(_table)


IOC_TYPE_TEXTS = ("type_name", "type_description", "type_taxonomy", "type_validation_regex",
                  "type_validation_expect")


@route("POST", "/manage/ioc-types/update/{item_id:int}")
async def ioc_type_update(ctx: Iris):
    """(admin) Change an IOC type, e.g. give it a validation regex (203); answers raw."""
    require(ctx, "server_administrator")
    type_id = int_id(ctx.params["item_id"])
    body = await ctx.json()
    row = ctx.store.lookup("ioc_type", "type_id", type_id)
    if row is None:
        return ctx.fail(400, f"Invalid ioc type ID {type_id}")
    errors = {key: ["Shorter than minimum length 2."] for key in ("type_name", "type_description")
              if key in body and (not isinstance(body[key], str) or len(body[key]) < 2)}
    if errors:
        return ctx.data_error(errors)
    row.update({key: body[key] for key in IOC_TYPE_TEXTS if key in body})
    ctx.store.log_activity(ctx.user_id, None, f"Updated ioc type type {row['type_name']}")
    return ctx.ok({"registry": None, **row}, "IOC type updated")


# -- customers ------------------------------------------------------------------------------

def customer_item(customer: dict[str, Any]) -> dict[str, Any]:
    """A customer as `/manage/customers/list` shows it."""
    return {
        "customer_name": customer["customer_name"], "customer_id": customer["customer_id"],
        "customer_uuid": customer["customer_uuid"],
        "customer_description": customer.get("customer_description"),
        "customer_sla": customer.get("customer_sla"),
        "custom_attributes": customer.get("custom_attributes"),
    }


def customer_full(customer: dict[str, Any] | None) -> dict[str, Any] | None:
    """The third naming (`client_uuid`), used by customer add and nested in case objects."""
    if customer is None:
        return None
    return {
        "customer_name": customer["customer_name"],
        "customer_description": customer.get("customer_description"),
        "customer_sla": customer.get("customer_sla"),
        "customer_id": customer["customer_id"],
        "client_uuid": customer["customer_uuid"],
        "creation_date": customer.get("creation_date"),
        "last_update_date": customer.get("last_update_date"),
        "custom_attributes": customer.get("custom_attributes"),
    }


def contact_item(contact: dict[str, Any]) -> dict[str, Any]:
    keys = ("contact_name", "contact_email", "contact_work_phone", "contact_mobile_phone",
            "contact_role", "contact_note", "client_id", "id", "contact_uuid", "custom_attributes")
    return {key: contact.get(key) for key in keys}


def visible_customers(store: Store, user: dict[str, Any]) -> list[dict[str, Any]]:
    """Administrators see every customer, other users the ones they are members of."""
    rows = sorted(store.customers.values(), key=lambda c: c["customer_id"])
    if user.get("is_admin"):
        return rows
    return [c for c in rows if user["user_id"] in c.get("members", ())]


def create_customer(store: Store, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Add a customer (no validation: see `customer_add`); the creator becomes a member."""
    now = iso(utcnow())
    customer_id = store.next_id("customer")
    store.customers[customer_id] = {
        "customer_id": customer_id, "customer_uuid": new_uuid(),
        "customer_name": fields["customer_name"],
        "customer_description": fields.get("customer_description"),
        "customer_sla": fields.get("customer_sla"),
        "custom_attributes": fields.get("custom_attributes"),
        "creation_date": now, "last_update_date": now, "members": [user_id],
    }
    store.log_activity(user_id, None, f"Added customer {fields['customer_name']}")
    return store.customers[customer_id]


@route("GET", "/manage/customers/list")
async def customers_list(ctx: Iris):
    require(ctx, "customers_read")
    return ctx.ok([customer_item(c) for c in visible_customers(ctx.store, ctx.user)])


@route("GET", "/manage/customers/{customer_id:int}")
async def customer_get(ctx: Iris):
    require(ctx, "customers_read")
    customer = ctx.store.customers.get(int_id(ctx.params["customer_id"]))
    if customer is None:  # the real server dereferences None: HTML 500 (049)
        raise Reply(html_error(500))
    if customer not in visible_customers(ctx.store, ctx.user):
        return ctx.fail(403, "Permission denied")
    contacts = [contact_item(c) for c in ctx.store.contacts.values()
                if c["client_id"] == customer["customer_id"]]
    return ctx.ok({**customer_item(customer), "contacts": contacts})


@route("POST", "/manage/customers/add")
async def customer_add(ctx: Iris):
    require(ctx, "customers_write")
    body = await ctx.json()
    name = body.get("customer_name")
    errors: dict[str, list[str]] = {}
    if name is None:
        errors["customer_name"] = ["Missing data for required field."]
    elif not isinstance(name, str):
        errors["customer_name"] = ["Not a valid string."]
    elif len(name) < 2:
        errors["customer_name"] = ["Shorter than minimum length 2."]
    elif any(c["customer_name"].lower() == name.lower() for c in ctx.store.customers.values()):
        errors["customer_name"] = ["Customer already exists"]
    attributes = body.get("custom_attributes")
    if attributes is not None and not isinstance(attributes, dict):
        errors["custom_attributes"] = ["Invalid data type"]
    if errors:
        return ctx.fail(400, "Error adding customer", errors)
    customer = create_customer(ctx.store, ctx.user_id, body)
    return ctx.ok(customer_full(customer), "Added successfully")


@route("POST", "/manage/customers/{customer_id:int}/contacts/add")
async def contact_add(ctx: Iris):
    require(ctx, "customers_write")
    customer = ctx.store.customers.get(int_id(ctx.params["customer_id"]))
    body = await ctx.json()
    if customer is None:
        return ctx.fail(400, "Invalid Customer ID")
    name = body.get("contact_name")
    if not isinstance(name, str) or len(name) < 2:
        message = "Missing data for required field." if name is None else "Shorter than minimum length 2."
        return ctx.data_error({"contact_name": [message]})
    contact_id = ctx.store.next_id("contact")
    contact = {key: body.get(key) for key in (
        "contact_name", "contact_email", "contact_work_phone", "contact_mobile_phone",
        "contact_role", "contact_note")}
    contact.update(client_id=customer["customer_id"], id=contact_id, contact_uuid=new_uuid(),
                   custom_attributes=body.get("custom_attributes"))
    ctx.store.contacts[contact_id] = contact
    ctx.store.log_activity(ctx.user_id, None, f"Added contact {name}")
    return ctx.ok(contact_item(contact), "Added successfully")


# -- users ----------------------------------------------------------------------------------

def _users(store: Store) -> list[dict[str, Any]]:
    return sorted(store.users.values(), key=lambda u: u["user_id"])


@route("GET", "/manage/users/restricted/list")
async def users_restricted(ctx: Iris):
    return ctx.ok([
        {"user_id": u["user_id"], "user_uuid": u["user_uuid"], "user_name": u["user_name"],
         "user_login": u["user_login"], "user_active": u.get("user_active", True)}
        for u in _users(ctx.store)
    ])


@route("GET", "/manage/users/lookup/id/{user_id:int}")
async def user_by_id(ctx: Iris):
    user = ctx.store.users.get(int_id(ctx.params["user_id"]))
    if user is None:
        return ctx.fail(400, "Invalid user ID")
    return ctx.ok({"user_login": user["user_login"], "user_id": user["user_id"],
                   "user_name": user["user_name"]})


@route("GET", "/manage/users/lookup/login/{login}")
async def user_by_login(ctx: Iris):
    login = ctx.params["login"]
    for user in _users(ctx.store):
        if user["user_login"] == login:
            return ctx.ok({
                "user_login": user["user_login"], "user_id": user["user_id"],
                "user_uuid": user["user_uuid"], "user_name": user["user_name"],
                "user_email": user["user_email"], "user_active": user.get("user_active", True),
            })
    return ctx.fail(400, "Invalid login")


@route("GET", "/manage/users/list")
async def users_list(ctx: Iris):
    require(ctx, "server_administrator")
    return ctx.ok([
        {"user_id": u["user_id"], "user_uuid": u["user_uuid"], "user_name": u["user_name"],
         "user_login": u["user_login"], "user_email": u["user_email"],
         "user_active": u.get("user_active", True),
         "user_is_service_account": u.get("user_is_service_account", False)}
        for u in _users(ctx.store)
    ])


# -- case and report templates --------------------------------------------------------------

def case_templates(store: Store) -> list[dict[str, Any]]:
    return store.lookups.setdefault("case_template", [])


def case_template(store: Store, template_id: int) -> dict[str, Any] | None:
    return next((t for t in case_templates(store) if t["id"] == template_id), None)


TEMPLATE_KEYS = ("name", "display_name", "description", "author", "title_prefix", "summary",
                 "tags", "classification", "note_directories", "tasks")


@route("GET", "/manage/case-templates/list")
async def case_templates_list(ctx: Iris):
    require(ctx, "case_templates_read", "standard_user")
    rows = []
    for t in case_templates(ctx.store):
        author = ctx.store.users.get(t["created_by_user_id"]) or {}
        rows.append({
            "id": t["id"], "name": t["name"], "display_name": t.get("display_name"),
            "description": t.get("description"), "title_prefix": t.get("title_prefix"),
            "author": t.get("author"), "created_at": t["created_at"],
            "classification": t.get("classification"), "updated_at": t.get("updated_at"),
            "added_by": author.get("user_name"),
        })
    return ctx.ok(rows)


@route("POST", "/manage/case-templates/add")
async def case_template_add(ctx: Iris):
    require(ctx, "case_templates_write")
    body = await ctx.json()
    try:
        spec = json.loads(body.get("case_template_json") or "")
    except (TypeError, ValueError):
        return ctx.fail(400, "Invalid JSON")
    if not isinstance(spec, dict):
        return ctx.fail(400, "Invalid JSON")
    if not isinstance(spec.get("name"), str) or not spec["name"]:
        return ctx.data_error({"name": ["Missing data for required field."]})
    template = {"id": ctx.store.next_id("case_template"), "created_by_user_id": ctx.user_id,
                "created_at": iso(utcnow()), "updated_at": None}
    template.update({key: spec.get(key) for key in TEMPLATE_KEYS})
    case_templates(ctx.store).append(template)
    ctx.store.log_activity(ctx.user_id, None, f"Case template '{spec['name']}' added")
    return ctx.ok(dict(template), "Added successfully")


@route("GET", "/manage/templates/list")
async def report_templates_list(ctx: Iris):
    require(ctx, "server_administrator")
    return ctx.ok([dict(t) for t in ctx.store.lookups.get("report_template", ())])


# -- tags -----------------------------------------------------------------------------------

@route("GET", "/manage/tags/suggest")
async def tags_suggest(ctx: Iris):
    """The one JSON endpoint without the envelope (529)."""
    term = (ctx.query.get("term") or "").lower()
    titles = [t["tag_title"] for t in sorted(ctx.store.tags.values(), key=lambda t: t["id"])
              if term in t["tag_title"].lower()]
    return JSONResponse({"suggestions": titles[:15]})


@route("GET", "/manage/tags/filter")
async def tags_filter(ctx: Iris):
    title = ctx.query.get("tag_title")
    namespace = ctx.query.get("tag_namespace")
    rows = [t for t in ctx.store.tags.values()
            if (not title or title.lower() in t["tag_title"].lower())
            and (not namespace or namespace.lower() in (t.get("tag_namespace") or "").lower())]
    order_by = ctx.query.get("order_by") or "tag_title"
    if order_by not in ("id", "tag_title", "tag_namespace", "tag_creation_date"):
        order_by = "tag_title"
    rows.sort(key=lambda t: (t.get(order_by) is None, t.get(order_by) or ""),
              reverse=ctx.query.get("sort_dir") == "desc")
    items, paging = page_of(rows, query_int(ctx, "page", 1), query_int(ctx, "per_page", 10))
    tags = [{"cases": list(t.get("cases", ())), "id": t["id"], "tag_title": t["tag_title"],
             "tag_creation_date": t.get("tag_creation_date"), "tag_namespace": t.get("tag_namespace")}
            for t in items]
    return ctx.ok({"total": paging["total"], "tags": tags, "last_page": paging["last_page"],
                   "current_page": paging["current_page"], "next_page": paging["next_page"],
                   "draw": query_int(ctx, "draw", 1)})
