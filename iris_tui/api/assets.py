"""Case assets (iris-api.md 4): hosts, accounts, network gear.

Quirks handled here: `/case/assets/list` silently leaves out assets without an analysis status,
so `list()` reads `/case/assets/filter` (2.4.15+) and falls back to the list on older servers;
list rows carry type and status as *names* while single objects nest them; updates are not
partial (name and type always re-sent); `ioc_links` is `null` when empty and, when sent,
replaces every link.
"""

from __future__ import annotations

import datetime as _dt
from functools import cached_property
from typing import Any

from iris_tui.api.comments import Comments
from iris_tui.api.errors import IrisNotFoundError
from iris_tui.api.fields import (
    check_text,
    custom_attributes_in,
    ids_in,
    invalid,
    rename,
    resolve_in,
    tags_in,
)
from iris_tui.api.listing import Listing, Page, check_page, listing_from
from iris_tui.api.model import Model, split_tags
from iris_tui.api.resource import Resource
from iris_tui.api.state import ObjectState, fetch_state

COMPROMISE_STATUSES = {0: "To be determined", 1: "Compromised", 2: "Not compromised", 3: "Unknown"}


class Asset(Model, forbid_unknown_fields=True):  # typed decodes never drop a key
    """An asset from a list row (names as strings) or a single GET (nested objects)."""

    repeated = ("asset_type", "analysis_status", "asset_tags", "asset_icon_compromised",
                "asset_icon_not_compromised")

    asset_id: int
    asset_uuid: str | None = None
    asset_name: str = ""
    asset_description: str | None = None
    asset_domain: str | None = None
    asset_ip: str | None = None
    asset_info: str | None = None
    asset_tags: str | None = None
    asset_type_id: int | None = None
    asset_type: str | dict[str, Any] | None = None
    analysis_status_id: int | None = None
    analysis_status: str | dict[str, Any] | None = None
    asset_compromise_status_id: int | None = None
    asset_icon_compromised: str | None = None
    asset_icon_not_compromised: str | None = None
    case_id: int | None = None
    user_id: int | None = None
    date_added: _dt.datetime | None = None
    date_update: _dt.datetime | None = None
    custom_attributes: dict[str, Any] | None = None
    asset_enrichment: Any = None
    modification_history: dict[str, Any] | None = None
    alerts: list[Any] | None = None
    # same-named assets of other cases (list rows and /filter)
    link: list[dict[str, Any]] | None = None
    # list rows: [{"ioc_id", "ioc_value", "asset_id"}]; update answer: the ids sent; null if none
    ioc_links: list[Any] | None = None
    # single GET only: the linked IOCs with their type name
    linked_ioc: list[dict[str, Any]] | None = None

    @property
    def id(self) -> int:
        return self.asset_id

    @property
    def name(self) -> str:
        return self.asset_name

    @property
    def type_name(self) -> str | None:
        if isinstance(self.asset_type, dict):
            return self.asset_type.get("asset_name")
        return self.asset_type

    @property
    def status_name(self) -> str | None:
        if isinstance(self.analysis_status, dict):
            return self.analysis_status.get("name")
        return self.analysis_status

    @property
    def compromised(self) -> bool:
        return self.asset_compromise_status_id == 1

    @property
    def compromise_name(self) -> str | None:
        return COMPROMISE_STATUSES.get(self.asset_compromise_status_id)  # type: ignore[arg-type]

    @property
    def tags(self) -> list[str]:
        return split_tags(self.asset_tags)

    @property
    def ioc_ids(self) -> list[int]:
        """Ids of the linked IOCs, whichever shape the answer used."""
        if self.linked_ioc:
            return [int(i["ioc_id"]) for i in self.linked_ioc if isinstance(i, dict)]
        out: list[int] = []
        for item in self.ioc_links or ():
            if isinstance(item, dict) and item.get("ioc_id") is not None:
                out.append(int(item["ioc_id"]))
            elif isinstance(item, int):
                out.append(item)
        return out


_ALIASES = {
    "name": "asset_name",
    "asset_type": "asset_type_id",
    "type": "asset_type_id",
    "analysis_status": "analysis_status_id",
    "compromise_status": "asset_compromise_status_id",
    "description": "asset_description",
    "domain": "asset_domain",
    "ip": "asset_ip",
    "info": "asset_info",
    "tags": "asset_tags",
    "enrichment": "asset_enrichment",
}
_TEXT = ("asset_name", "asset_description", "asset_domain", "asset_ip", "asset_info")


class Assets(Resource):
    """`iris.assets`: list, get, add, update, delete, state, list_page, and `.comments`."""

    _has_filter: bool | None = None

    @cached_property
    def comments(self) -> Comments:
        return Comments(self._client, "/case/assets/{id}")

    async def list(self, cid: int) -> Listing[Asset]:
        """Every asset of the case with `.state`, including those without an analysis status."""
        if self._has_filter is not False:
            try:
                data = await self._http.data_raw("GET", "/case/assets/filter", cid=cid)
            except IrisNotFoundError as exc:
                if exc.status != 404:  # a 400 "invalid ..." is a real answer
                    raise
                self._has_filter = False  # before 2.4.15
            else:
                self._has_filter = True
                return listing_from(Asset, data, "assets")
        data = await self._http.data_raw("GET", "/case/assets/list", cid=cid)
        return listing_from(Asset, data, "assets")

    async def list_page(self, cid: int, page: int = 1, per_page: int = 10) -> Page[Asset]:
        """One page: from `/api/v2` where the server has it, else a slice of `list()`."""
        check_page(page, per_page)
        if await self._client.server.has_api_v2():
            body = await self._http.call_bare(
                "GET", f"/api/v2/cases/{int(cid)}/assets",
                params={"page": page, "per_page": per_page},
            )
            return Page.from_v2(body, Asset, page, per_page)
        return Page.of_list(await self.list(cid), page, per_page)

    async def get(self, cid: int, asset_id: int) -> Asset:
        """One asset with `linked_ioc`, `asset_info` and `custom_attributes`."""
        return Asset.from_raw(await self._raw(cid, asset_id))

    async def _raw(self, cid: int, asset_id: int) -> dict[str, Any]:
        return await self._http.data("GET", f"/case/assets/{int(asset_id)}", cid=cid)

    async def state(self, cid: int) -> ObjectState:
        return await fetch_state(self._http, cid, "assets")

    async def add(
        self,
        cid: int,
        *,
        name: str,
        asset_type: int | str,
        analysis_status: int | str | None = "Unspecified",
        compromise_status: int | str | None = None,
        description: str | None = None,
        domain: str | None = None,
        ip: str | None = None,
        info: str | None = None,
        tags: str | list[str] | None = None,
        ioc_links: list[int] | None = None,
        custom_attributes: dict[str, Any] | None = None,
        **extra: Any,
    ) -> Asset:
        """Create an asset; types and statuses by name or id.

        The analysis status defaults to "Unspecified": an asset without one is invisible in
        `/case/assets/list`. `custom_attributes` defaults to `{}` because an asset stored with
        `null` attributes cannot get any later (HTML 500 on update).
        """
        body = await self._body(
            {
                "asset_name": name, "asset_type_id": asset_type,
                "analysis_status_id": analysis_status,
                "asset_compromise_status_id": compromise_status,
                "asset_description": description, "asset_domain": domain, "asset_ip": ip,
                "asset_info": info, "asset_tags": tags, "ioc_links": ioc_links,
                "custom_attributes": custom_attributes, **extra,
            }
        )
        custom_attributes_in(body, default={})
        data = await self._http.data("POST", "/case/assets/add", cid=cid, json=body)
        return Asset.from_raw(data)

    async def update(self, cid: int, asset_id: int, **changes: Any) -> Asset:
        """Change some fields (friendly names as in `add()`, or IRIS's field names).

        The server wants name and type on every update, so the asset is fetched first; other
        fields it keeps when left out. `ioc_links`, when given, replaces every link (`[]`
        unlinks all). `None` means "leave as is"; `""` clears a text field.
        """
        body = await self._body(changes)
        current = await self._raw(cid, asset_id)
        if body.get("custom_attributes") and current.get("custom_attributes") is None:
            raise invalid(
                "custom_attributes",
                "This asset was created without custom attributes; IRIS 2.4 cannot add any "
                "to it later",
            )
        full = {"asset_name": current.get("asset_name"), "asset_type_id": current.get("asset_type_id")}
        full.update(body)
        path = f"/case/assets/update/{int(asset_id)}"
        return Asset.from_raw(await self._http.data("POST", path, cid=cid, json=full))

    async def delete(self, cid: int, asset_id: int) -> None:
        """Detach the asset from the case (IRIS 2.4 keeps the row; the state does not move)."""
        await self._http.call("POST", f"/case/assets/delete/{int(asset_id)}", cid=cid)

    async def _body(self, values: dict[str, Any]) -> dict[str, Any]:
        body = rename(values, _ALIASES)
        check_text(body, *_TEXT)
        tags_in(body, "asset_tags")
        ids_in(body, "ioc_links")
        custom_attributes_in(body)
        await resolve_in(self._lookups, body, "asset_type_id", "asset_type")
        await resolve_in(self._lookups, body, "analysis_status_id", "analysis_status")
        await resolve_in(self._lookups, body, "asset_compromise_status_id", "compromise_status")
        # the server stores any integer here; only 0-3 mean something
        if body.get("asset_compromise_status_id") not in (None, *COMPROMISE_STATUSES):
            raise invalid("asset_compromise_status_id", "Unknown compromise status; one of 0-3")
        return body
