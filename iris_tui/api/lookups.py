"""Reference tables (types, statuses, TLPs, ...): cached per client, names resolved to ids.

Wherever IRIS wants an id from one of these tables, our methods accept the id or the name
(case-insensitive, as the official client does). Lists are cached for the client's lifetime;
`refresh()` drops the cache.
"""

from __future__ import annotations

import asyncio
from typing import Any

from iris_tui.api.errors import IrisValidationError
from iris_tui.api.model import Model
from iris_tui.api.transport import Transport


class LookupItem(Model):
    """One row of a reference table, with its id and display name normalised."""

    id: int
    name: str

    @property
    def label(self) -> str:
        return str(self.extra.get("name_expanded") or self.name)


# kind -> (path, id key, name key, request field that takes it)
TABLES: dict[str, tuple[str, str, str]] = {
    "asset_type": ("/manage/asset-type/list", "asset_id", "asset_name"),
    "ioc_type": ("/manage/ioc-types/list", "type_id", "type_name"),
    "tlp": ("/manage/tlp/list", "tlp_id", "tlp_name"),
    "analysis_status": ("/manage/analysis-status/list", "id", "name"),
    "compromise_status": ("/manage/compromise-status/list", "value", "name"),
    "outcome": ("/manage/outcome-status/list", "value", "name"),
    "task_status": ("/manage/task-status/list", "id", "status_name"),
    "event_category": ("/manage/event-categories/list", "id", "name"),
    "classification": ("/manage/case-classifications/list", "id", "name"),
    "case_state": ("/manage/case-states/list", "state_id", "state_name"),
    "severity": ("/manage/severities/list", "severity_id", "severity_name"),
    "evidence_type": ("/manage/evidence-types/list", "id", "name"),
    "customer": ("/manage/customers/list", "customer_id", "customer_name"),
    "user": ("/manage/users/restricted/list", "user_id", "user_login"),
    "alert_status": ("/manage/alert-status/list", "status_id", "status_name"),
    "alert_resolution": ("/manage/alert-resolutions/list", "resolution_status_id", "resolution_status_name"),
    "case_template": ("/manage/case-templates/list", "id", "name"),
}

# extra names a row answers to (e.g. a user by display name, a classification by expanded name)
_ALIASES = {"user": ("user_name",), "classification": ("name_expanded",), "case_template": ("display_name",)}


class Lookups:
    """`await iris.lookups.list("ioc_type")`, `await iris.lookups.resolve("tlp", "amber")`."""

    kinds = tuple(TABLES)

    def __init__(self, http: Transport) -> None:
        self._http = http
        self._cache: dict[str, list[LookupItem]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def refresh(self, kind: str | None = None) -> None:
        if kind is None:
            self._cache.clear()
        else:
            self._cache.pop(kind, None)

    async def list(self, kind: str) -> list[LookupItem]:
        """The rows of one table, sorted by id (IRIS returns some tables shuffled)."""
        if kind not in TABLES:
            raise ValueError(f"unknown lookup table {kind!r}; one of {', '.join(TABLES)}")
        if kind in self._cache:
            return self._cache[kind]
        lock = self._locks.setdefault(kind, asyncio.Lock())
        async with lock:
            if kind not in self._cache:
                path, id_key, name_key = TABLES[kind]
                rows = await self._http.data("GET", path)
                items = [_item(row, id_key, name_key) for row in rows or ()]
                self._cache[kind] = sorted(items, key=lambda i: i.id)
        return self._cache[kind]

    async def raw(self, kind: str) -> list[dict[str, Any]]:
        """The rows as the server sent them (every column)."""
        return [item.to_dict() for item in await self.list(kind)]

    async def resolve(self, kind: str, value: int | str | None, *, field: str | None = None) -> int | None:
        """An id for `value` (an id, a numeric string or a name); None stays None.

        Raises IrisValidationError naming `field` when the name is unknown, so a form can show
        the message next to the right input.
        """
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise TypeError(f"{kind}: expected an id or a name, got a bool")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.isdigit():
            return int(text)
        wanted = text.casefold()
        items = await self.list(kind)
        for item in items:
            names = [item.name, *(item.extra.get(a) for a in _ALIASES.get(kind, ()))]
            if any(isinstance(n, str) and n.casefold() == wanted for n in names):
                return item.id
        choices = ", ".join(i.name for i in items[:12])
        more = "…" if len(items) > 12 else ""
        raise IrisValidationError(
            f"unknown {kind.replace('_', ' ')} {text!r}",
            fields={field or kind: [f"Unknown {kind.replace('_', ' ')} {text!r}; known: {choices}{more}"]},
        )

    async def name(self, kind: str, ident: int | None) -> str | None:
        """The display name of an id, or None."""
        if ident is None:
            return None
        for item in await self.list(kind):
            if item.id == ident:
                return item.name
        return None


def _item(row: dict[str, Any], id_key: str, name_key: str) -> LookupItem:
    extra = {k: v for k, v in row.items() if k not in (id_key, name_key)}
    extra[id_key] = row.get(id_key)
    extra[name_key] = row.get(name_key)
    return LookupItem(id=int(row[id_key]), name=str(row.get(name_key) or ""), extra=extra)
