"""Cases: list, filter, get, create (validated here), update, close/reopen, summary, reports.

IRIS names the same case fields differently per endpoint (`case_name` vs `name`, `case_customer` vs
`client_id` vs `customer_id`...), so each answer shape has its own model with the server's own
keys, and every model offers the same convenience properties (`id`, `title`, `bare_title`,
`is_open`, `customer`, `customer_id`, `owner_name`, `state_label`, `tag_list`, `opened_on`,
`closed_on`): the UI does not care which endpoint a case came from.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from iris_tui.api.activities import ActivityEntry, CaseActivity
from iris_tui.api.download import Progress, stream_to_file
from iris_tui.api.errors import (
    IrisError,
    IrisNotFoundError,
    IrisPermissionError,
    IrisValidationError,
)
from iris_tui.api.model import Model, join_tags, split_tags
from iris_tui.api.resource import Resource
from iris_tui.api.state import ObjectState, fetch_state

SOC_ID_MAX = 256
ACCESS_LEVELS = {"deny_all": 1, "read_only": 2, "full_access": 4}


# -- nested objects of the "details" shape ---------------------------------------------------


class Protagonist(Model):
    role: str = ""
    name: str = ""
    contact: str | None = None
    user_name: str | None = None
    user_login: str | None = None


class UserRef(Model):
    id: int | None = None
    user_name: str | None = None
    user_login: str | None = None
    user_email: str | None = None


class CustomerRef(Model):
    customer_id: int | None = None
    customer_name: str | None = None
    customer_description: str | None = None
    customer_sla: str | None = None
    client_uuid: str | None = None
    custom_attributes: dict[str, Any] | None = None


class ClassificationRef(Model):
    id: int | None = None
    name: str | None = None
    name_expanded: str | None = None
    description: str | None = None


class StateRef(Model):
    state_id: int | None = None
    state_name: str | None = None
    state_description: str | None = None
    protected: bool | None = None


class SeverityRef(Model):
    severity_id: int | None = None
    severity_name: str | None = None
    severity_description: str | None = None


class TagRef(Model):
    id: int | None = None
    tag_title: str = ""


# -- the case shapes -------------------------------------------------------------------------


def _bare(name: str, case_id: int) -> str:
    """The name without the `#<id> - ` prefix the server adds."""
    return re.sub(rf"^#{case_id} - ", "", name or "", count=1)


class CaseListItem(Model):
    """A row of `/manage/cases/list` (dates arrive as MM/DD/YYYY, no close date as "")."""

    case_id: int
    case_uuid: str | None = None
    case_name: str = ""
    case_description: str | None = None
    case_soc_id: str | None = None
    client_name: str | None = None
    case_open_date: _dt.date | None = None
    case_close_date: _dt.date | None = None
    opened_by_user_id: int | None = None
    opened_by: str | None = None
    owner_id: int | None = None
    owner: str | None = None
    classification_id: int | None = None
    classification: str | None = None
    state_id: int | None = None
    state_name: str | None = None
    access_level: int | None = None

    @classmethod
    def prepare(cls, raw: dict[str, Any]) -> dict[str, Any]:
        raw = dict(raw)
        for key in ("case_open_date", "case_close_date"):
            raw[key] = _us_date(raw.get(key))
        return raw

    id = property(lambda self: self.case_id)
    title = property(lambda self: self.case_name)
    bare_title = property(lambda self: _bare(self.case_name, self.case_id))
    is_open = property(lambda self: self.case_close_date is None)
    customer = property(lambda self: self.client_name)
    customer_id = property(lambda self: None)
    owner_name = property(lambda self: self.owner)
    state_label = property(lambda self: self.state_name)
    tag_list = property(lambda self: [])
    opened_on = property(lambda self: self.case_open_date)
    closed_on = property(lambda self: self.case_close_date)


class Case(Model):
    """`/manage/cases/{id}`: the summary view, with names (customer, owner) and tags."""

    case_id: int
    case_uuid: str | None = None
    case_name: str = ""
    case_description: str | None = None
    case_soc_id: str | None = None
    customer_id: int | None = None
    customer_name: str | None = None
    open_date: _dt.date | None = None
    close_date: _dt.date | None = None
    initial_date: _dt.datetime | None = None
    open_by_user_id: int | None = None
    open_by_user: str | None = None
    owner_id: int | None = None
    owner: str | None = None
    reviewer_id: int | None = None
    reviewer: str | None = None
    status_id: int | None = None
    status_name: str | None = None
    state_id: int | None = None
    state_name: str | None = None
    classification_id: int | None = None
    classification: str | None = None
    case_tags: str | None = None
    protagonists: list[Protagonist] = []
    custom_attributes: dict[str, Any] | None = None
    modification_history: dict[str, Any] | None = None

    id = property(lambda self: self.case_id)
    title = property(lambda self: self.case_name)
    bare_title = property(lambda self: _bare(self.case_name, self.case_id))
    is_open = property(lambda self: self.close_date is None)
    customer = property(lambda self: self.customer_name)
    owner_name = property(lambda self: self.owner)
    state_label = property(lambda self: self.state_name)
    tag_list = property(lambda self: split_tags(self.case_tags))
    opened_on = property(lambda self: self.open_date)
    closed_on = property(lambda self: self.close_date)


class CaseDetails(Model):
    """The full case with nested objects (`/case/meta`, `/manage/cases/filter`, `/user/cases/list`).

    `status_name` is the raw outcome enum name here (`true_positive_with_impact`).
    """

    case_id: int
    case_uuid: str | None = None
    name: str = ""
    description: str | None = None
    soc_id: str | None = None
    client_id: int | None = None
    user_id: int | None = None
    owner_id: int | None = None
    reviewer_id: int | None = None
    open_date: _dt.date | None = None
    close_date: _dt.date | None = None
    initial_date: _dt.datetime | None = None
    closing_note: str | None = None
    status_id: int | None = None
    status_name: str | None = None
    state_id: int | None = None
    classification_id: int | None = None
    severity_id: int | None = None
    review_status_id: int | None = None
    client: CustomerRef | None = None
    owner: UserRef | None = None
    user: UserRef | None = None
    reviewer: UserRef | None = None
    classification: ClassificationRef | None = None
    state: StateRef | None = None
    severity: SeverityRef | None = None
    review_status: dict[str, Any] | None = None
    tags: list[TagRef] = []
    protagonists: list[Protagonist] = []
    alerts: list[Any] = []
    note_directories: list[Any] = []
    custom_attributes: dict[str, Any] | None = None
    modification_history: dict[str, Any] | None = None

    id = property(lambda self: self.case_id)
    title = property(lambda self: self.name)
    bare_title = property(lambda self: _bare(self.name, self.case_id))
    is_open = property(lambda self: self.close_date is None)
    customer = property(lambda self: self.client.customer_name if self.client else None)
    customer_id = property(lambda self: self.client_id)
    owner_name = property(lambda self: self.owner.user_name if self.owner else None)
    state_label = property(lambda self: self.state.state_name if self.state else None)
    severity_label = property(lambda self: self.severity.severity_name if self.severity else None)
    tag_list = property(lambda self: [t.tag_title for t in self.tags if t.tag_title])
    opened_on = property(lambda self: self.open_date)
    closed_on = property(lambda self: self.close_date)

    @classmethod
    def from_v2(cls, raw: dict[str, Any]) -> CaseDetails:
        """A develop `/api/v2` case (`case_name`, `case_customer_id`, nested owner/state)."""
        if not isinstance(raw, dict):
            return cls.from_raw(raw)  # raises IrisProtocolError
        row = _renamed(raw, {"case_name": "name", "case_description": "description",
                             "case_soc_id": "soc_id", "case_customer_id": "client_id"})
        _lift_ids(row)
        if isinstance(row.get("case_tags"), str):
            row["tags"] = [{"tag_title": t} for t in split_tags(row.pop("case_tags"))]
        return cls.from_raw(row)


class CaseRecord(Model):
    """The "edit" form that create, update, close, reopen and review answer (`case_customer`)."""

    case_id: int
    case_uuid: str | None = None
    case_name: str = ""
    case_description: str | None = None
    case_soc_id: str | None = None
    case_customer: int | None = None
    classification_id: int | None = None
    severity_id: int | None = None
    state_id: int | None = None
    status_id: int | None = None
    owner_id: int | None = None
    user_id: int | None = None
    reviewer_id: int | None = None
    review_status_id: int | None = None
    open_date: _dt.date | None = None
    close_date: _dt.date | None = None
    initial_date: _dt.datetime | None = None
    closing_note: str | None = None
    case_tags: str | None = None
    protagonists: list[Protagonist] | None = None
    custom_attributes: dict[str, Any] | None = None
    modification_history: dict[str, Any] | None = None

    id = property(lambda self: self.case_id)
    title = property(lambda self: self.case_name)
    bare_title = property(lambda self: _bare(self.case_name, self.case_id))
    is_open = property(lambda self: self.close_date is None)
    customer = property(lambda self: None)
    customer_id = property(lambda self: self.case_customer)
    owner_name = property(lambda self: _nested(self.extra, "owner", "user_name"))  # v2 only
    state_label = property(lambda self: _nested(self.extra, "state", "state_name"))  # v2 only
    tag_list = property(lambda self: split_tags(self.case_tags))
    opened_on = property(lambda self: self.open_date)
    closed_on = property(lambda self: self.close_date)

    @classmethod
    def from_v2(cls, raw: dict[str, Any]) -> CaseRecord:
        if not isinstance(raw, dict):
            return cls.from_raw(raw)  # raises IrisProtocolError
        row = _renamed(raw, {"case_customer_id": "case_customer"})
        _lift_ids(row)
        return cls.from_raw(row)


class CasePage(Model):
    """One page of `filter()`; `next_page` is None on the last page."""

    total: int = 0
    last_page: int = 0
    current_page: int = 1
    next_page: int | None = None
    cases: list[CaseDetails] = []

    @property
    def has_next(self) -> bool:
        return self.next_page is not None


class CaseSummary(Model):
    """The case description (markdown) and its CRC-32 (`zlib.crc32` of the UTF-8 text)."""

    case_description: str = ""
    crc32: int = 0


class CaseUser(Model):
    """A user with access to the case (`/case/users/list`): the task assignee candidates."""

    user_id: int
    user_uuid: str | None = None
    user_name: str | None = None
    user_login: str | None = None
    user_email: str | None = None
    user_active: bool | None = None
    user_access_level: int | None = None

    @property
    def label(self) -> str:
        return self.user_name or self.user_login or str(self.user_id)


class CaseSearchHit(Model):
    """A row of `/context/search-cases` (the case picker); `access` is "[Read-only]" or ""."""

    case_id: int
    name: str = ""
    owner_id: int | None = None
    customer_name: str | None = None
    close_date: _dt.date | None = None
    access_level: int | None = None
    access: str | None = None

    id = property(lambda self: self.case_id)
    title = property(lambda self: self.name)
    bare_title = property(lambda self: _bare(self.name, self.case_id))
    is_open = property(lambda self: self.close_date is None)
    customer = property(lambda self: self.customer_name)
    read_only = property(lambda self: self.access_level is not None and self.access_level < 4)


class CaseReview(Model):
    """A row of `/user/reviews/list`: a case I am asked to review."""

    case_id: int
    name: str = ""
    status_id: int | None = None
    status_name: str | None = None


# -- helpers ---------------------------------------------------------------------------------


def _us_date(value: Any) -> Any:
    """`/manage/cases/list` dates: "MM/DD/YYYY", "" for none; ISO passes unchanged."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", value):
        month, day, year = (int(p) for p in value.split("/"))
        with contextlib.suppress(ValueError):  # else left for the model to reject
            return _dt.date(year, month, day).isoformat()
    return value


def _renamed(raw: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    return {names.get(k, k): v for k, v in raw.items()}


def _lift_ids(row: dict[str, Any]) -> None:
    """v2 nests owner/state: copy their ids where the legacy shapes have flat columns."""
    owner, state = row.get("owner"), row.get("state")
    if "owner_id" not in row and isinstance(owner, dict):
        row["owner_id"] = owner.get("id")
    if "state_id" not in row and isinstance(state, dict):
        row["state_id"] = state.get("state_id")


def _nested(extra: dict[str, Any], key: str, sub: str) -> Any:
    value = extra.get(key)
    return value.get(sub) if isinstance(value, dict) else None


def _invalid(field: str, message: str) -> IrisValidationError:
    return IrisValidationError(f"invalid case: {message}", fields={field: [message]})


def _check_text(field: str, value: Any, *, minimum: int = 0, maximum: int | None = None) -> str:
    if not isinstance(value, str):
        raise _invalid(field, "Not a valid string.")
    if len(value.strip()) < minimum:
        raise _invalid(field, f"Shorter than minimum length {minimum}.")
    if maximum is not None and len(value) > maximum:
        raise _invalid(field, f"Longer than maximum length {maximum}.")
    return value


def _iso_datetime(value: Any) -> str:
    """IRIS stores naive UTC datetimes: aware values are converted, strings pass unchanged."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, _dt.date):
        return _dt.datetime.combine(value, _dt.time()).isoformat()
    return str(value)


def _protagonists(value: Any) -> list[dict[str, Any]]:
    out = []
    for item in value or ():
        row = item.to_dict() if isinstance(item, Model) else dict(item)
        out.append({"role": row.get("role") or "", "name": row.get("name") or "",
                    "contact": row.get("contact") or ""})
    return out


# update(): friendly name -> (request key, lookup kind or converter tag)
_UPDATE_FIELDS: dict[str, tuple[str, str | None]] = {
    "name": ("case_name", None),
    "description": ("case_description", None),
    "soc_id": ("case_soc_id", None),
    "customer": ("case_customer", "customer"),
    "classification": ("classification_id", "classification"),
    "state": ("state_id", "case_state"),
    "outcome": ("status_id", "outcome"),
    "severity": ("severity_id", "severity"),
    "owner": ("owner_id", "user"),
    "reviewer": ("reviewer_id", "user"),
    "tags": ("case_tags", "tags"),
    "protagonists": ("protagonists", "protagonists"),
    "custom_attributes": ("custom_attributes", None),
    "initial_date": ("initial_date", "datetime"),
}
_CONVERTERS = (None, "tags", "protagonists", "datetime")  # the others are lookup kinds
# the server's own keys are accepted too
_UPDATE_ALIASES = {key: name for name, (key, _) in _UPDATE_FIELDS.items()}
# what None (or "") means per request key: the value that clears it
_CLEARABLE = {"classification_id": "", "reviewer_id": "", "case_tags": "", "protagonists": []}

# filter(): friendly name -> query key; lookup-backed query keys
_FILTER_ALIASES = {
    "ids": "case_ids", "name": "case_name", "description": "case_description",
    "soc_id": "case_soc_id", "customer": "case_customer_id",
    "classification": "case_classification_id", "owner": "case_owner_id",
    "opened_by": "case_opening_user_id", "severity": "case_severity_id", "state": "case_state_id",
}
_FILTER_LOOKUPS = {
    "case_customer_id": "customer", "case_classification_id": "classification",
    "case_owner_id": "user", "case_opening_user_id": "user", "case_severity_id": "severity",
    "case_state_id": "case_state",
}
_FILTER_KEYS = frozenset(
    {*_FILTER_ALIASES.values(), "start_open_date", "end_open_date", "is_open"}
)
CLOSED_STATE = 9  # the protected "Closed" case state (iris-api.md 3.1)


class Cases(Resource):
    """`iris.cases`: everything about a case as a whole."""

    # -- reading -----------------------------------------------------------------------------

    async def list(self) -> list[CaseListItem]:
        """Every case I can access (not paginated, oldest first)."""
        return CaseListItem.list_from_raw(await self._http.data("GET", "/manage/cases/list"))

    async def filter(
        self,
        *,
        page: int = 1,
        per_page: int = 50,
        order_by: str | None = None,
        sort_dir: str = "asc",
        **filters: Any,
    ) -> CasePage:
        """One page of cases, filtered server-side.

        Filters take the server's names (`case_name`, `case_state_id`, ...) or short ones
        (`name`, `state`, `customer`, `owner`, ...); lookup-backed ones accept names. `ids` takes
        a list. `is_open` is native on `/api/v2`; on 2.4 `is_open=False` becomes the Closed state
        filter and `is_open=True` drops closed cases from the page (totals stay the server's).
        """
        if page < 1 or per_page < 1:
            raise ValueError("page and per_page count from 1")
        if sort_dir not in ("asc", "desc"):
            raise ValueError("sort_dir is 'asc' or 'desc'")
        query = await self._filter_query(filters)
        query.update(page=page, per_page=per_page, order_by=order_by, sort_dir=sort_dir)
        if await self._client.server.has_api_v2():
            if "is_open" in query:
                query["is_open"] = "true" if query["is_open"] else "false"
            body = await self._http.call_bare("GET", "/api/v2/cases", params=query)
            body = body if isinstance(body, dict) else {}
            current = int(body.get("current_page") or page)
            return CasePage(
                total=int(body.get("total") or 0),
                last_page=int(body.get("last_page") or 0),
                current_page=current,
                next_page=current + 1 if body.get("next_page") else None,
                cases=[CaseDetails.from_v2(r) for r in body.get("data") or ()],
            )
        is_open = query.pop("is_open", None)
        if is_open is False and "case_state_id" not in query:
            query["case_state_id"] = CLOSED_STATE
        data = await self._http.data("GET", "/manage/cases/filter", params=query)
        data = data if isinstance(data, dict) else {}
        cases = CaseDetails.list_from_raw(data.get("cases"))
        if is_open is not None:
            cases = [c for c in cases if c.is_open == is_open]
        return CasePage(
            total=int(data.get("total") or 0),
            last_page=int(data.get("last_page") or 0),
            current_page=int(data.get("current_page") or page),
            next_page=data.get("next_page"),
            cases=cases,
        )

    async def get(self, case_id: int) -> Case:
        """One case (summary view). The legacy view is used on every server: it carries the
        customer/owner names, tags and protagonists that the develop `/api/v2` object lacks."""
        return Case.from_raw(await self._http.data("GET", f"/manage/cases/{int(case_id)}"))

    async def meta(self, cid: int) -> CaseDetails:
        """The full case object with nested customer, owner, state, severity, tags."""
        return CaseDetails.from_raw(await self._http.data("GET", "/case/meta", cid=cid))

    async def exists(self, cid: int) -> bool:
        """Whether the case exists and I may read it (unknown cases answer 403 on IRIS)."""
        try:
            await self._http.call("GET", "/case/exists", cid=cid)
        except (IrisPermissionError, IrisNotFoundError):
            return False
        return True

    async def summary(self, cid: int) -> CaseSummary:
        return CaseSummary.from_raw(await self._http.data("GET", "/case/summary/fetch", cid=cid))

    async def users(self, cid: int) -> list[CaseUser]:
        """Users with access to the case: the list to offer as task assignees."""
        return CaseUser.list_from_raw(await self._http.data("GET", "/case/users/list", cid=cid))

    async def search(self, text: str) -> list[CaseSearchHit]:
        """Up to 100 cases whose name or customer contains `text` (my own cases first)."""
        data = await self._http.data("GET", "/context/search-cases", params={"q": text})
        return CaseSearchHit.list_from_raw(data)

    async def my_cases(self, show_closed: bool = False) -> list[CaseDetails]:
        """Cases I own (open ones unless `show_closed`)."""
        params = {"show_closed": "true"} if show_closed else None
        data = await self._http.data("GET", "/user/cases/list", params=params)
        return CaseDetails.list_from_raw(data)

    async def my_reviews(self) -> list[CaseReview]:
        """Cases where I am the reviewer and the review is not done."""
        return CaseReview.list_from_raw(await self._http.data("GET", "/user/reviews/list"))

    async def activities(self, cid: int) -> list[CaseActivity]:
        return await self._client.activities.case(cid)

    async def export(self, cid: int) -> dict[str, Any]:
        """The whole case as JSON (`case`, `assets`, `iocs`, `timeline`, ...): for backups."""
        return dict(await self._http.data("GET", "/case/export", cid=cid) or {})

    async def graph(self, cid: int) -> dict[str, Any]:
        """The `nodes`/`edges` of the case graph (assets and IOCs)."""
        return dict(await self._http.data("GET", "/case/graph/getdata", cid=cid) or {})

    async def state(self, cid: int, family: str) -> ObjectState:
        """The change counter of one family: assets, ioc, tasks, timeline, evidences, notes."""
        return await fetch_state(self._http, cid, family)

    # -- writing -----------------------------------------------------------------------------

    async def add(
        self,
        *,
        name: str,
        description: str,
        customer: int | str,
        soc_id: str = "",
        classification: int | str | None = None,
        severity: int | str | None = None,
        template: int | str | None = None,
        custom_attributes: dict[str, Any] | None = None,
        tags: str | Iterable[str] | None = None,
        owner: int | str | None = None,
        reviewer: int | str | None = None,
        state: int | str | None = None,
        outcome: int | str | None = None,
        protagonists: Iterable[Any] | None = None,
        initial_date: _dt.datetime | str | None = None,
    ) -> CaseRecord:
        """Create a case, validated here first.

        IRIS 2.4 answers every creation failure with the same "Error creating case - check
        server logs", so the rules are checked before sending and reported per field (request
        names: `case_name`, `case_customer`, ...). Columns the server refuses or ignores at
        creation (tags, owner, reviewer, state, outcome, protagonists, initial date) are applied
        by an update right after; their names are resolved before the case is created.
        """
        _check_text("case_name", name, minimum=2)
        _check_text("case_description", description, minimum=2)
        _check_text("case_soc_id", soc_id, maximum=SOC_ID_MAX)
        body: dict[str, Any] = {
            "case_name": name,
            "case_description": description,
            "case_soc_id": soc_id,
            "case_customer": await self._existing("customer", customer, "case_customer"),
        }
        if classification not in (None, ""):
            body["classification_id"] = await self._existing(
                "classification", classification, "classification_id"
            )
        if severity not in (None, ""):
            body["severity_id"] = await self._existing("severity", severity, "severity_id")
        if template not in (None, ""):
            # a string, or the server fails with its generic error (iris-api.md 3.7)
            ident = await self._existing("case_template", template, "case_template_id")
            body["case_template_id"] = str(ident)
        if custom_attributes is not None:
            body["custom_attributes"] = dict(custom_attributes)
        later = {
            k: v for k, v in {
                "tags": tags, "owner": owner, "reviewer": reviewer, "state": state,
                "outcome": outcome, "protagonists": protagonists, "initial_date": initial_date,
            }.items() if v is not None and v != "" and v != []
        }
        follow_up = await self._update_body(later) if later else {}

        if await self._client.server.has_api_v2():
            raw = await self._http.call_bare("POST", "/api/v2/cases", json=body)
            created = CaseRecord.from_v2(raw)
        else:
            raw = await self._http.data("POST", "/manage/cases/add", json=body)
            created = CaseRecord.from_raw(raw)
        if not follow_up:
            return created
        try:
            return await self._send_update(created.case_id, follow_up)
        except IrisError as exc:
            raise type(exc)(
                f"case #{created.case_id} was created, but setting {', '.join(later)} failed: "
                f"{exc.message}",
                method=exc.method, path=exc.path, status=exc.status, data=exc.data,
                fields=exc.fields,
            ) from None

    async def update(self, case_id: int, **changes: Any) -> CaseRecord:
        """Change some fields; only the given ones are sent (the server's update is partial).

        Names: name, description, soc_id, customer, classification, state, outcome, severity,
        owner, reviewer, tags (list or comma string; replaces all), protagonists (replaces all),
        custom_attributes, initial_date; the server's own keys work too. None clears what can be
        cleared (classification, reviewer, tags, protagonists).
        """
        if not changes:
            raise ValueError("nothing to update")
        return await self._send_update(case_id, await self._update_body(changes))

    async def close(self, case_id: int) -> CaseRecord:
        data = await self._http.data("POST", f"/manage/cases/close/{int(case_id)}")
        return CaseRecord.from_raw(data)

    async def reopen(self, case_id: int) -> CaseRecord:
        data = await self._http.data("POST", f"/manage/cases/reopen/{int(case_id)}")
        return CaseRecord.from_raw(data)

    async def delete(self, case_id: int) -> None:
        """Delete a case and everything in it (case #1 cannot be deleted)."""
        if await self._client.server.has_api_v2():
            await self._http.call_bare("DELETE", f"/api/v2/cases/{int(case_id)}")
        else:
            await self._http.call("POST", f"/manage/cases/delete/{int(case_id)}")

    async def set_summary(self, cid: int, text: str) -> int:
        """Replace the whole description; returns its new CRC-32.

        Anyone editing the summary in the web UI gets overwritten: compare `summary().crc32`
        with the one you started from before calling this.
        """
        data = await self._http.data(
            "POST", "/case/summary/update", cid=cid, json={"case_description": text}
        )
        return int(data)

    async def set_outcome(self, cid: int, outcome: int | str) -> int:
        """Set the outcome (e.g. "True positive with impact"); returns its id."""
        status_id = await self._lookups.resolve("outcome", outcome, field="status_id")
        if status_id is None:
            raise _invalid("status_id", "An outcome is required.")
        data = await self._http.data(
            "POST", "/case/update-status", cid=cid, json={"status_id": status_id}
        )
        return int(data)

    async def review(self, cid: int, action: str, reviewer: int | str | None = None) -> CaseRecord:
        """Move the review workflow: request (with a reviewer), start, done, cancel, no_review,
        to_review. The reviewer needs full access to the case."""
        body: dict[str, Any] = {"action": action}
        if reviewer is not None:
            body["reviewer_id"] = await self._lookups.resolve("user", reviewer, field="reviewer_id")
        data = await self._http.data("POST", "/case/review/update", cid=cid, json=body)
        return CaseRecord.from_raw(data)

    async def add_task_log(self, cid: int, text: str) -> ActivityEntry:
        """A manual line in the case's activity log."""
        return await self._client.activities.log(cid, text)

    async def set_access(self, cid: int, user: int | str, level: int | str) -> None:
        """Grant a user deny_all (1), read_only (2) or full_access (4) on the case.

        Changing your own access is refused ("I can't let you do that, Dave")."""
        if isinstance(level, str) and not level.isdigit():
            if level not in ACCESS_LEVELS:
                choices = ", ".join(ACCESS_LEVELS)
                raise _invalid("access_level", f"Unknown access level {level!r}; one of {choices}")
            level = ACCESS_LEVELS[level]
        level = int(level)
        if level not in ACCESS_LEVELS.values():
            raise _invalid("access_level", "Access level is 1, 2 or 4.")
        user_id = await self._lookups.resolve("user", user, field="user_id")
        await self._http.call(
            "POST", "/case/access/set-user", cid=cid,
            json={"user_id": user_id, "case_id": int(cid), "access_level": level},
        )

    # -- reports -----------------------------------------------------------------------------

    async def download_investigation_report(
        self,
        cid: int,
        template_id: int,
        dest: str | os.PathLike[str],
        *,
        safe_mode: bool = False,
        progress: Progress | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Render an investigation report template and save it; returns the file written.

        `dest` is a file path, or an existing folder (the server's file name is used). The
        bytes go to a temporary file next to it, renamed once complete and removed on any
        failure; an existing file is only replaced with `overwrite`. `safe_mode` renders
        without user-controlled HTML. `progress(done, total)` gets byte counts (total or None).
        """
        return await self._download(
            cid, f"/case/report/generate-investigation/{int(template_id)}",
            {"safe-mode": "true" if safe_mode else "false"}, dest, progress, overwrite,
        )

    async def download_activity_report(
        self,
        cid: int,
        template_id: int,
        dest: str | os.PathLike[str],
        *,
        progress: Progress | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Render an activities report template and save it (as the investigation report)."""
        return await self._download(
            cid, f"/case/report/generate-activities/{int(template_id)}", None, dest, progress,
            overwrite,
        )

    # -- internals ---------------------------------------------------------------------------

    async def _existing(self, kind: str, value: int | str, field: str) -> int:
        """Resolve a name or id and make sure it exists (creation errors are otherwise silent).

        When the table cannot be read (403: e.g. no `customers_read`), a numeric id is sent as is.
        """
        ident = await self._lookups.resolve(kind, value, field=field)
        if ident is None:
            raise _invalid(field, "Missing data for required field.")
        try:
            known = await self._lookups.name(kind, ident)
        except IrisPermissionError:
            return ident
        if known is None:
            label = kind.replace("_", " ")
            raise _invalid(field, f"Unknown {label} id {ident}.")
        return ident

    async def _update_body(self, changes: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for arg, value in changes.items():
            name = arg if arg in _UPDATE_FIELDS else _UPDATE_ALIASES.get(arg)
            if name is None:
                raise TypeError(
                    f"unknown case field {arg!r}; one of {', '.join(_UPDATE_FIELDS)}"
                )
            key, how = _UPDATE_FIELDS[name]
            if how not in _CONVERTERS:
                value = await self._lookups.resolve(how, value, field=key)  # "" -> None
            if value is None or (value == "" and key in _CLEARABLE):
                if key not in _CLEARABLE:
                    raise _invalid(key, "Cannot be cleared.")
                body[key] = _CLEARABLE[key]
            elif key == "case_name":
                body[key] = _check_text(key, value, minimum=2)
            elif key == "case_description":
                body[key] = _check_text(key, value, minimum=2)
            elif key == "case_soc_id":
                body[key] = _check_text(key, value, maximum=SOC_ID_MAX)
            elif how == "tags":
                body[key] = join_tags(value)
            elif how == "protagonists":
                body[key] = _protagonists(value)
            elif how == "datetime":
                body[key] = _iso_datetime(value)
            else:
                body[key] = value
        return body

    async def _filter_query(self, filters: dict[str, Any]) -> dict[str, Any]:
        query: dict[str, Any] = {}
        for arg, value in filters.items():
            key = _FILTER_ALIASES.get(arg, arg)
            if key not in _FILTER_KEYS:
                raise TypeError(f"unknown case filter {arg!r}")
            if value is None:
                continue
            if key in _FILTER_LOOKUPS:
                value = await self._lookups.resolve(_FILTER_LOOKUPS[key], value, field=key)
            elif key == "case_ids" and not isinstance(value, (str, int)):
                value = ",".join(str(i) for i in value)
            elif key in ("start_open_date", "end_open_date") and isinstance(value, _dt.date):
                value = value.strftime("%Y-%m-%d")
            elif key == "is_open":
                value = bool(value)
            query[key] = value
        return query

    async def _send_update(self, case_id: int, body: dict[str, Any]) -> CaseRecord:
        if await self._client.server.has_api_v2():
            raw = await self._http.call_bare("PUT", f"/api/v2/cases/{int(case_id)}", json=body)
            return CaseRecord.from_v2(raw)
        data = await self._http.data("POST", f"/manage/cases/update/{int(case_id)}", json=body)
        return CaseRecord.from_raw(data)

    async def _download(
        self,
        cid: int,
        path: str,
        params: dict[str, Any] | None,
        dest: str | os.PathLike[str],
        progress: Progress | None,
        overwrite: bool,
    ) -> Path:
        # report routes do not check access and render case 1 for an unknown cid (iris-api.md 16)
        if not await self.exists(cid):
            raise IrisNotFoundError(
                f"case {cid} does not exist or is not accessible", method="GET", path=path
            )
        return await stream_to_file(
            self._http, path, dest, cid=cid, params=params, fallback_name=f"case-{cid}-report",
            progress=progress, overwrite=overwrite,
        )
