"""Case tasks (iris-api.md 6).

Quirks handled here: list rows call the id `task_id`, single objects `id` (both are `.id`
here); create and update need the `task_assignees_id` key every time (else a 400 about a
"task_assignee_id" removed in v1.5.0); updates are not partial; the update answer shows the
assignees from *before* the update, so the result is corrected here; assignees must have access
to the case (others are dropped silently by the server, refused here).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from iris_tui.api.comments import Comments
from iris_tui.api.fields import check_text, custom_attributes_in, invalid, rename, resolve_in, tags_in
from iris_tui.api.listing import Listing, Page, check_page, listing_from
from iris_tui.api.model import Model, split_tags
from iris_tui.api.resource import Resource
from iris_tui.api.state import ObjectState, fetch_state


class Task(Model):
    """A case task from a list row or a single GET (the latter calls the id `id`)."""

    task_id: int
    task_uuid: str | None = None
    task_title: str = ""
    task_description: str | None = None
    task_tags: str | None = None
    task_status_id: int | None = None
    # list rows only
    status_name: str | None = None
    status_bscolor: str | None = None
    # [{"id", "user" (login), "name"}]; absent from add/status answers
    task_assignees: list[dict[str, Any]] | None = None
    task_case_id: int | None = None
    task_open_date: _dt.datetime | None = None
    task_last_update: _dt.datetime | None = None
    task_close_date: _dt.datetime | None = None
    task_userid_open: int | None = None
    task_userid_update: int | None = None
    task_userid_close: int | None = None
    custom_attributes: dict[str, Any] | None = None
    modification_history: dict[str, Any] | None = None

    @classmethod
    def prepare(cls, raw: dict[str, Any]) -> dict[str, Any]:
        if "task_id" not in raw and "id" in raw:
            raw = dict(raw)
            raw["task_id"] = raw.pop("id")
        return raw

    @property
    def id(self) -> int:
        return self.task_id

    @property
    def title(self) -> str:
        return self.task_title

    @property
    def status(self) -> str | None:
        """The status name when the answer carried it (list rows; /api/v2 nests it)."""
        if self.status_name is not None:
            return self.status_name
        nested = self.extra.get("status")
        return nested.get("status_name") if isinstance(nested, dict) else None

    @property
    def tags(self) -> list[str]:
        return split_tags(self.task_tags)

    @property
    def assignee_ids(self) -> list[int]:
        return [int(a["id"]) for a in self.task_assignees or () if a.get("id") is not None]

    @property
    def assignee_logins(self) -> list[str]:
        return [str(a.get("user") or "") for a in self.task_assignees or ()]

    @property
    def assignee_names(self) -> list[str]:
        return [str(a.get("name") or a.get("user") or "") for a in self.task_assignees or ()]


class CaseUser(Model):
    """A user with access to the case (`/case/users/list`): who a task can be assigned to."""

    user_id: int
    user_login: str = ""
    user_name: str = ""
    user_uuid: str | None = None
    user_email: str | None = None
    user_active: bool | None = None
    user_access_level: int | None = None

    @property
    def id(self) -> int:
        return self.user_id


_ALIASES = {
    "title": "task_title",
    "status": "task_status_id",
    "description": "task_description",
    "tags": "task_tags",
    "assignees": "task_assignees_id",
}


class Tasks(Resource):
    """`iris.tasks`: list, get, add, update, set_status, delete, state, list_page, `.comments`."""

    @cached_property
    def comments(self) -> Comments:
        return Comments(self._client, "/case/tasks/{id}")

    async def list(self, cid: int) -> Listing[Task]:
        """Every task of the case (sorted by status name, descending), with `.state`."""
        data = await self._http.data_raw("GET", "/case/tasks/list", cid=cid)
        return listing_from(Task, data, "tasks")

    async def list_page(self, cid: int, page: int = 1, per_page: int = 10) -> Page[Task]:
        """One page: from `/api/v2` where the server has it (no assignees there), else a slice
        of `list()`."""
        check_page(page, per_page)
        if await self._client.server.has_api_v2():
            body = await self._http.call_bare(
                "GET", f"/api/v2/cases/{int(cid)}/tasks", params={"page": page, "per_page": per_page}
            )
            return Page.from_v2(body, Task, page, per_page)
        return Page.of_list(await self.list(cid), page, per_page)

    async def get(self, cid: int, task_id: int) -> Task:
        return Task.from_raw(await self._raw(cid, task_id))

    async def _raw(self, cid: int, task_id: int) -> dict[str, Any]:
        return await self._http.data("GET", f"/case/tasks/{int(task_id)}", cid=cid)

    async def state(self, cid: int) -> ObjectState:
        return await fetch_state(self._http, cid, "tasks")

    async def assignee_candidates(self, cid: int) -> list[CaseUser]:
        """Users with access to the case, the only ones a task can be assigned to."""
        return CaseUser.list_from_raw(await self._http.data("GET", "/case/users/list", cid=cid))

    async def add(
        self,
        cid: int,
        *,
        title: str,
        status: int | str = "To do",
        assignees: Iterable[int | str] = (),
        description: str | None = None,
        tags: str | list[str] | None = None,
        custom_attributes: dict[str, Any] | None = None,
        **extra: Any,
    ) -> Task:
        """Create a task; `status` by name or id, `assignees` by login, name or id."""
        body = await self._body(
            {
                "task_title": title, "task_status_id": status, "task_description": description,
                "task_tags": tags, "custom_attributes": custom_attributes, **extra,
            }
        )
        custom_attributes_in(body, default={})
        people = await self._assignees(cid, assignees)
        body["task_assignees_id"] = [p["id"] for p in people]
        task = Task.from_raw(await self._http.data("POST", "/case/tasks/add", cid=cid, json=body))
        task.task_assignees = people
        return task

    async def update(self, cid: int, task_id: int, **changes: Any) -> Task:
        """Change some fields (friendly names as in `add()`, or IRIS's field names).

        Not partial on the server: the task is fetched and title, status, assignees,
        description and tags are re-sent. `assignees=[...]` replaces the whole set.
        """
        body = await self._body(changes)
        current = await self._raw(cid, task_id)
        if "task_assignees_id" in body:
            people = await self._assignees(cid, body["task_assignees_id"])
        else:
            people = [a for a in current.get("task_assignees") or () if isinstance(a, dict)]
        full: dict[str, Any] = {
            "task_title": current.get("task_title"),
            "task_status_id": current.get("task_status_id"),
            **{k: current[k] for k in ("task_description", "task_tags") if current.get(k) is not None},
            **body,
            "task_assignees_id": [int(p["id"]) for p in people],
        }
        path = f"/case/tasks/update/{int(task_id)}"
        task = Task.from_raw(await self._http.data("POST", path, cid=cid, json=full))
        task.task_assignees = people  # the answer shows the assignees before the update
        return task

    async def set_status(self, cid: int, task_id: int, status: int | str) -> Task:
        """Change only the status (the answer has no assignees)."""
        status_id = await self._lookups.resolve("task_status", status, field="task_status_id")
        path = f"/case/tasks/status/update/{int(task_id)}"
        data = await self._http.data("POST", path, cid=cid, json={"task_status_id": status_id})
        return Task.from_raw(data)

    async def delete(self, cid: int, task_id: int) -> None:
        await self._http.call("POST", f"/case/tasks/delete/{int(task_id)}", cid=cid)

    async def _body(self, values: dict[str, Any]) -> dict[str, Any]:
        body = rename(values, _ALIASES)
        if "task_assignee_id" in body:
            raise invalid("task_assignees_id", "Use assignees= (a list); task_assignee_id was removed")
        check_text(body, "task_title", "task_description")
        tags_in(body, "task_tags")
        custom_attributes_in(body)
        await resolve_in(self._lookups, body, "task_status_id", "task_status")
        return body

    async def _assignees(self, cid: int, wanted: Any) -> list[dict[str, Any]]:
        """Logins, display names or ids -> `[{"id", "user", "name"}]` of users of the case."""
        if isinstance(wanted, (str, int)):
            wanted = [wanted]
        wanted = list(wanted or ())
        if not wanted:
            return []
        users = await self.assignee_candidates(cid)
        out: list[dict[str, Any]] = []
        for item in wanted:
            user = _match_user(users, item)
            if user is None:
                known = ", ".join(u.user_login for u in users)
                raise invalid(
                    "task_assignees_id",
                    f"{item!r} has no access to this case (assignable: {known or 'nobody'})",
                )
            entry = {"id": user.user_id, "user": user.user_login, "name": user.user_name}
            if entry not in out:
                out.append(entry)
        return out


def _match_user(users: list[CaseUser], item: Any) -> CaseUser | None:
    ident = getattr(item, "id", item)
    if isinstance(ident, int) and not isinstance(ident, bool):
        return next((u for u in users if u.user_id == ident), None)
    text = str(item).strip()
    if text.isdigit():
        return next((u for u in users if u.user_id == int(text)), None)
    wanted = text.casefold()
    for key in ("user_login", "user_name"):
        for user in users:
            if getattr(user, key).casefold() == wanted:
                return user
    return None
