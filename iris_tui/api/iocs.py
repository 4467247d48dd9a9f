"""Case IOCs (iris-api.md 5): indicators shared between cases.

Quirks handled here: the list key is `ioc` (singular); an IOC is one row per (value, type) on
the whole server, so "add" may link an existing IOC and ignore the submitted fields (the message
says which, see `IocAddResult`); unknown TLP ids make the server answer an HTML 500, so TLPs are
checked against the TLP table first; tags are limited to 512 characters; "delete" only unlinks an
IOC that another case still uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from iris_tui.api.comments import Comments
from iris_tui.api.fields import check_text, custom_attributes_in, invalid, rename, resolve_in, tags_in
from iris_tui.api.listing import Listing, Page, Preview, check_page, listing_previewed
from iris_tui.api.model import Model, split_tags
from iris_tui.api.resource import Resource
from iris_tui.api.state import ObjectState, fetch_state

TAGS_LIMIT = 512

AddOutcome = Literal["added", "existing", "linked"]


class Ioc(Model, forbid_unknown_fields=True):  # typed decodes never drop a key
    """An IOC from a list row (`ioc_type` a name, TLP flattened) or an object (nested type).

    Kept lean on purpose: a case can hold 100,000 of them.
    """

    repeated = ("ioc_type", "ioc_tags", "tlp_name", "tlp_bscolor")

    ioc_id: int
    ioc_uuid: str | None = None
    ioc_value: str = ""
    ioc_type_id: int | None = None
    ioc_type: str | dict[str, Any] | None = None
    ioc_description: str | None = None
    ioc_tags: str | None = None
    ioc_tlp_id: int | None = None
    tlp_name: str | None = None
    tlp_bscolor: str | None = None
    ioc_misp: Any = None
    misp_link: Any = None
    # other accessible cases that link the same IOC (list rows). A tuple: the empty one is
    # shared, where 100,000 empty lists cost 5 MB and slowed every full GC collection
    link: tuple[Any, ...] | None = None
    user_id: int | None = None
    custom_attributes: dict[str, Any] | None = None
    ioc_enrichment: Any = None
    modification_history: dict[str, Any] | None = None
    # /api/v2 (develop) only
    case_id: int | None = None
    tlp: dict[str, Any] | None = None

    @property
    def id(self) -> int:
        return self.ioc_id

    @property
    def value(self) -> str:
        return self.ioc_value

    @property
    def type_name(self) -> str | None:
        if isinstance(self.ioc_type, dict):
            return self.ioc_type.get("type_name")
        return self.ioc_type

    @property
    def tlp_label(self) -> str | None:
        """The TLP name when the answer carried it (list rows, /api/v2); else look up the id."""
        if self.tlp_name is not None:
            return self.tlp_name
        return self.tlp.get("tlp_name") if isinstance(self.tlp, dict) else None

    @property
    def tags(self) -> list[str]:
        return split_tags(self.ioc_tags)

    @property
    def other_cases(self) -> list[dict[str, Any]]:
        """`[{"case_id", "case_name", "client_name"}]` of other cases linking this IOC."""
        return [c for c in self.link or () if isinstance(c, dict)]


@dataclass(frozen=True)
class IocAddResult:
    """What `Iocs.add` did: `outcome` is "added" (new IOC), "existing" (the value+type already
    existed in another case and was linked as it is: the submitted description, tags and TLP
    were ignored) or "linked" (already linked to this case, nothing changed)."""

    ioc: Ioc
    outcome: AddOutcome
    message: str

    @property
    def created(self) -> bool:
        return self.outcome == "added"

    @property
    def id(self) -> int:
        return self.ioc.ioc_id


def add_outcome(message: str) -> AddOutcome:
    text = message.lower()
    if "already existed in db" in text:
        return "existing"
    if "already exists" in text or "linked to this case" in text:
        return "linked"
    return "added"


_ALIASES = {
    "value": "ioc_value",
    "ioc_type": "ioc_type_id",
    "type": "ioc_type_id",
    "tlp": "ioc_tlp_id",
    "description": "ioc_description",
    "tags": "ioc_tags",
    "enrichment": "ioc_enrichment",
}


class Iocs(Resource):
    """`iris.iocs`: list, get, add, update, delete, state, list_page, and `.comments`."""

    @cached_property
    def comments(self) -> Comments:
        return Comments(self._client, "/case/ioc/{id}")

    async def list(self, cid: int, *, preview: Preview | None = None) -> Listing[Ioc]:
        """Every IOC linked to the case (ordered by type name), with `.state`. `preview`
        gets the first rows of a big list before the rest is decoded (see `listing_previewed`)."""
        data = await self._http.data_raw("GET", "/case/ioc/list", cid=cid)
        return await listing_previewed(Ioc, data, "ioc", preview)

    async def list_page(self, cid: int, page: int = 1, per_page: int = 10) -> Page[Ioc]:
        """One page: from `/api/v2` where the server has it, else a slice of `list()`."""
        check_page(page, per_page)
        if await self._client.server.has_api_v2():
            body = await self._http.call_bare(
                "GET", f"/api/v2/cases/{int(cid)}/iocs", params={"page": page, "per_page": per_page}
            )
            return Page.from_v2(body, Ioc, page, per_page)
        return Page.of_list(await self.list(cid), page, per_page)

    async def get(self, cid: int, ioc_id: int) -> Ioc:
        return Ioc.from_raw(await self._http.data("GET", f"/case/ioc/{int(ioc_id)}", cid=cid))

    async def state(self, cid: int) -> ObjectState:
        return await fetch_state(self._http, cid, "ioc")

    async def add(
        self,
        cid: int,
        *,
        value: str,
        ioc_type: int | str,
        tlp: int | str | None = None,
        description: str | None = None,
        tags: str | list[str] | None = None,
        custom_attributes: dict[str, Any] | None = None,
        **extra: Any,
    ) -> IocAddResult:
        """Create the IOC, or link the existing one with the same value and type.

        Check `result.outcome`: when the IOC already existed, the server kept its own
        description, tags and TLP and ignored these.
        """
        if ioc_type is None:  # the server's answer names no field ("Not a valid IOC type")
            raise invalid("ioc_type_id", "Missing data for required field.")
        body = await self._body(
            {
                "ioc_value": value, "ioc_type_id": ioc_type, "ioc_tlp_id": tlp,
                "ioc_description": description, "ioc_tags": tags,
                "custom_attributes": custom_attributes, **extra,
            }
        )
        custom_attributes_in(body, default={})
        envelope = await self._http.call("POST", "/case/ioc/add", cid=cid, json=body)
        return IocAddResult(Ioc.from_raw(envelope.data), add_outcome(envelope.message), envelope.message)

    async def update(self, cid: int, ioc_id: int, **changes: Any) -> Ioc:
        """Partial update (friendly names as in `add()`, or IRIS's field names).

        The change applies to every case that links the IOC. A type change always re-sends the
        value: without it the server fails (HTML 500) when the new type has a validation regex.
        """
        body = await self._body(changes)
        if "ioc_type_id" in body and "ioc_value" not in body:
            body["ioc_value"] = (await self.get(cid, ioc_id)).ioc_value
        path = f"/case/ioc/update/{int(ioc_id)}"
        return Ioc.from_raw(await self._http.data("POST", path, cid=cid, json=body))

    async def delete(self, cid: int, ioc_id: int) -> Literal["deleted", "unlinked"]:
        """Remove the IOC from the case: "deleted" when no other case used it (its comments
        and links go too), "unlinked" when another case still links it."""
        envelope = await self._http.call("POST", f"/case/ioc/delete/{int(ioc_id)}", cid=cid)
        return "unlinked" if "unlinked" in envelope.message.lower() else "deleted"

    async def _body(self, values: dict[str, Any]) -> dict[str, Any]:
        body = rename(values, _ALIASES)
        check_text(body, "ioc_value", "ioc_description")
        if "ioc_value" in body and not body["ioc_value"]:
            raise invalid("ioc_value", "Shorter than minimum length 1.")
        tags_in(body, "ioc_tags", limit=TAGS_LIMIT)
        custom_attributes_in(body)
        await resolve_in(self._lookups, body, "ioc_type_id", "ioc_type")
        await self._check_tlp(body)
        return body

    async def _check_tlp(self, body: dict[str, Any]) -> None:
        """Resolve a TLP name and make sure an id exists: the server does not check it."""
        if body.get("ioc_tlp_id") is None:
            return
        tlp = await self._lookups.resolve("tlp", body["ioc_tlp_id"], field="ioc_tlp_id")
        known = await self._lookups.list("tlp")
        if tlp not in {item.id for item in known}:
            names = ", ".join(f"{i.id} {i.name}" for i in known)
            raise invalid("ioc_tlp_id", f"Unknown TLP id {tlp}; known: {names}")
        body["ioc_tlp_id"] = tlp
