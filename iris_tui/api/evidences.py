"""Case evidences (iris-api.md 9): the register of acquired material (images, dumps, logs).

Quirks handled here: updates are not partial (`filename` and the rest are re-sent); custom
attributes are ignored on creation, so they are applied with an update right after; dates must
be ISO datetimes; the evidence-type search endpoint is broken in 2.4.20, so types are resolved
from the type list.
"""

from __future__ import annotations

import datetime as _dt
from functools import cached_property
from typing import Any

from iris_tui.api.comments import Comments
from iris_tui.api.fields import (
    check_text,
    custom_attributes_in,
    invalid,
    iso_datetime,
    kept,
    rename,
    resolve_in,
)
from iris_tui.api.listing import Listing, listing_from
from iris_tui.api.model import Model
from iris_tui.api.resource import Resource
from iris_tui.api.state import ObjectState, fetch_state


class Evidence(Model, forbid_unknown_fields=True):  # typed decodes never drop a key
    """An evidence (list rows and single GETs have the same shape since IRIS 2.3)."""

    id: int
    file_uuid: str | None = None
    filename: str = ""
    file_size: int | None = None
    file_hash: str | None = None
    file_description: str | None = None
    type_id: int | None = None
    # {"id", "name", "description", "creation_date"}; null when there is no type
    type: dict[str, Any] | None = None
    date_added: _dt.datetime | None = None
    acquisition_date: _dt.datetime | None = None
    start_date: _dt.datetime | None = None
    end_date: _dt.datetime | None = None
    case_id: int | None = None
    user_id: int | None = None
    # {"id", "user_name", "user_login", "user_email"}
    user: dict[str, Any] | None = None
    chain_of_custody: Any = None
    custom_attributes: dict[str, Any] | None = None
    modification_history: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self.filename

    @property
    def type_name(self) -> str | None:
        return self.type.get("name") if isinstance(self.type, dict) else None

    @property
    def added_by(self) -> str | None:
        if isinstance(self.user, dict):
            return self.user.get("user_name") or self.user.get("user_login")
        return None


_ALIASES = {
    "size": "file_size",
    "hash": "file_hash",
    "description": "file_description",
    "type": "type_id",
    "evidence_type": "type_id",
}
_DATES = ("acquisition_date", "start_date", "end_date")
_KEPT = ("filename", "file_size", "file_hash", "file_description", "type_id", "chain_of_custody", *_DATES)


class Evidences(Resource):
    """`iris.evidences`: list, get, add, update, delete, state, and `.comments`."""

    @cached_property
    def comments(self) -> Comments:
        return Comments(self._client, "/case/evidences/{id}")

    async def list(self, cid: int) -> Listing[Evidence]:
        """Every evidence of the case, newest first, with `.state`."""
        data = await self._http.data_raw("GET", "/case/evidences/list", cid=cid)
        return listing_from(Evidence, data, "evidences")

    async def get(self, cid: int, evidence_id: int) -> Evidence:
        return Evidence.from_raw(await self._raw(cid, evidence_id))

    async def _raw(self, cid: int, evidence_id: int) -> dict[str, Any]:
        return await self._http.data("GET", f"/case/evidences/{int(evidence_id)}", cid=cid)

    async def state(self, cid: int) -> ObjectState:
        return await fetch_state(self._http, cid, "evidences")

    async def add(
        self,
        cid: int,
        *,
        filename: str,
        size: int | None = None,
        hash: str | None = None,  # noqa: A002 - the name IRIS users know
        description: str | None = None,
        type: int | str | None = None,  # noqa: A002
        acquisition_date: _dt.datetime | str | None = None,
        start_date: _dt.datetime | str | None = None,
        end_date: _dt.datetime | str | None = None,
        chain_of_custody: Any = None,
        custom_attributes: dict[str, Any] | None = None,
        **extra: Any,
    ) -> Evidence:
        """Register an evidence; `type` is an evidence type name or id.

        The server ignores custom attributes on creation; when given, they are set with an
        update right after (two requests).
        """
        body = await self._body(
            {
                "filename": filename, "file_size": size, "file_hash": hash,
                "file_description": description, "type_id": type,
                "acquisition_date": acquisition_date, "start_date": start_date,
                "end_date": end_date, "chain_of_custody": chain_of_custody, **extra,
            }
        )
        attributes = {"custom_attributes": custom_attributes} if custom_attributes else {}
        custom_attributes_in(attributes)
        data = await self._http.data("POST", "/case/evidences/add", cid=cid, json=body)
        evidence = Evidence.from_raw(data)
        if attributes:
            evidence = await self.update(cid, evidence.id, **attributes)
        return evidence

    async def update(self, cid: int, evidence_id: int, **changes: Any) -> Evidence:
        """Change some fields (friendly names as in `add()`, or IRIS's field names).

        Not partial on the server: the evidence is fetched and its fields re-sent with the
        changes. `None` means "leave as is".
        """
        body = await self._body(changes)
        current = await self._raw(cid, evidence_id)
        full = {**kept(current, *_KEPT), **body}
        path = f"/case/evidences/update/{int(evidence_id)}"
        return Evidence.from_raw(await self._http.data("POST", path, cid=cid, json=full))

    async def delete(self, cid: int, evidence_id: int) -> None:
        """Delete the evidence and its comments."""
        await self._http.call("POST", f"/case/evidences/delete/{int(evidence_id)}", cid=cid)

    async def _body(self, values: dict[str, Any]) -> dict[str, Any]:
        body = rename(values, _ALIASES)
        check_text(body, "filename", "file_hash", "file_description")
        if "file_size" in body:
            size = body["file_size"]
            if isinstance(size, str) and size.strip().isdigit():
                size = body["file_size"] = int(size)
            if isinstance(size, bool) or not isinstance(size, int):
                raise invalid("file_size", "Not a valid integer.")
        for name in _DATES:
            if name in body:
                body[name] = iso_datetime(body[name], name)
        custom_attributes_in(body)
        await resolve_in(self._lookups, body, "type_id", "evidence_type")
        return body
