"""Probes and the current user: /api/ping, /api/versions, /user/whoami, permissions."""

from __future__ import annotations

from starlette.responses import HTMLResponse

from iris_tui.demo.web import Iris, route

IRIS_VERSION = {"iris_current": "v2.4.20", "api_min": "2.0.4", "api_current": "2.0.5"}
PERMISSIONS = {
    "standard_user": 0x1, "server_administrator": 0x2, "alerts_read": 0x4, "alerts_write": 0x8,
    "alerts_delete": 0x10, "search_across_cases": 0x20, "customers_read": 0x40,
    "customers_write": 0x80, "case_templates_read": 0x100, "case_templates_write": 0x200,
    "activities_read": 0x400, "all_activities_read": 0x800,
}


@route("GET", "/api/ping")
async def ping(ctx: Iris):
    return ctx.ok([], "pong")


@route("GET", "/api/versions")
async def versions(ctx: Iris):
    return ctx.ok(dict(IRIS_VERSION))


@route("GET", "/user/whoami")
async def whoami(ctx: Iris):
    u = ctx.user
    return ctx.ok({
        "user_id": u["user_id"], "user_uuid": u["user_uuid"], "user_name": u["user_name"],
        "user_login": u["user_login"], "user_email": u["user_email"],
        "has_deletion_confirmation": u.get("has_deletion_confirmation", False),
        "has_mini_sidebar": u.get("has_mini_sidebar", False),
        "is_service_account": u.get("user_is_service_account", False),
        "mfa_secrets": None, "webauthn_credentials": [], "mfa_setup_complete": False,
    })


@route("POST", "/user/has-permission")
async def has_permission(ctx: Iris):
    body = await ctx.json()
    name, value = body.get("permission_name"), body.get("permission_value")
    if PERMISSIONS.get(name) != value:
        return ctx.fail(400, "Permission value-name mismatch")
    mask = ctx.user.get("permissions", 0xFFF if ctx.user.get("is_admin") else 0x1)
    if mask & value:
        return ctx.ok([], "User has permission")
    return ctx.fail(403, "User does not have permission")


@route("GET", "/user/is-admin")
async def is_admin(ctx: Iris):
    return ctx.fail(410, "Endpoint deprecated in v1.5.0. Use /user/has-permission to check permission.")


@route("GET", "/case", auth="page")
@route("GET", "/dashboard", auth="page")
@route("GET", "/manage/cases", auth="page")
async def html_page(ctx: Iris):
    """The web UI's pages: HTML for a logged-in user, a redirect to /login otherwise."""
    return HTMLResponse("<!DOCTYPE html><html><head><title>IRIS</title></head><body></body></html>")
