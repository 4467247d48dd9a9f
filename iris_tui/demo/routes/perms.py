"""User-level permission bits (iris-api.md 2.3.3) as the fake checks them, and paging helpers
shared by the list endpoints of several route modules."""

from __future__ import annotations

import math
from typing import Any

from iris_tui.demo.routes.system import PERMISSIONS
from iris_tui.demo.web import Iris, Reply, fail

ALL_PERMISSIONS = sum(PERMISSIONS.values())


def mask(user: dict[str, Any]) -> int:
    """A user's permission mask: administrators hold every bit, others `standard_user` unless set."""
    return user.get("permissions", ALL_PERMISSIONS if user.get("is_admin") else 0x1)


def require(ctx: Iris, *names: str) -> None:
    """403 with `data: []` unless the user holds any one of the named permissions."""
    have = mask(ctx.user)
    if not any(have & PERMISSIONS[name] for name in names):
        raise Reply(fail(403, "Permission denied"))


def query_int(ctx: Iris, name: str, default: int | None = None) -> int | None:
    """Flask's `request.args.get(name, default, type=int)`: unparsable values give the default."""
    text = ctx.query.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        return default


def page_of(rows: list[Any], page: int, per_page: int) -> tuple[list[Any], dict[str, Any]]:
    """Flask-SQLAlchemy pagination: the rows of one page and total/last/current/next page."""
    per_page = max(per_page, 1)
    page = max(page, 1)
    total = len(rows)
    pages = math.ceil(total / per_page)
    items = rows[(page - 1) * per_page: page * per_page]
    return items, {
        "total": total, "last_page": pages, "current_page": page,
        "next_page": page + 1 if page < pages else None,
    }
