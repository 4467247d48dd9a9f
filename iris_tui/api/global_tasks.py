"""Global tasks (not tied to a case, one assignee) and "my case tasks" of the dashboard.

The global-task writes need a case id in the query only for activity logging; the server resolves
it without any access check (iris-api.md 14), so case #1, which can never be deleted, always works.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from iris_tui.api.errors import IrisValidationError
from iris_tui.api.model import Model, join_tags, split_tags
from iris_tui.api.resource import Resource

# the case id sent with global-task writes (see module docstring)
LOG_CASE = 1


class GlobalTask(Model):
    """A global task: list/get rows carry `user_name`/`status_name`, add/update answers dates."""

    task_id: int
    task_uuid: str | None = None
    task_title: str = ""
    task_description: str | None = None
    task_tags: str | None = None
    task_assignee_id: int | None = None
    user_name: str | None = None
    task_status_id: int | None = None
    status_name: str | None = None
    status_bscolor: str | None = None
    task_open_date: _dt.datetime | None = None
    task_last_update: _dt.datetime | None = None
    task_close_date: _dt.datetime | None = None
    task_userid_open: int | None = None
    task_userid_update: int | None = None
    task_userid_close: int | None = None

    @property
    def id(self) -> int:
        return self.task_id

    @property
    def title(self) -> str:
        return self.task_title

    @property
    def assignee(self) -> str | None:
        return self.user_name

    @property
    def tag_list(self) -> list[str]:
        return split_tags(self.task_tags)


class UserTask(Model):
    """A row of `/user/tasks/list`: an open case task assigned to me, with its case."""

    task_id: int
    task_title: str = ""
    task_description: str | None = None
    task_tags: str | None = None
    task_last_update: _dt.datetime | None = None
    case_id: int | None = None
    task_case: str | None = None
    task_status_id: int | None = None
    status_name: str | None = None
    status_bscolor: str | None = None

    @property
    def id(self) -> int:
        return self.task_id

    @property
    def title(self) -> str:
        return self.task_title

    @property
    def case_name(self) -> str | None:
        return self.task_case

    @property
    def tag_list(self) -> list[str]:
        return split_tags(self.task_tags)


# friendly argument -> (request key, lookup kind)
_FIELDS: dict[str, tuple[str, str | None]] = {
    "title": ("task_title", None),
    "assignee": ("task_assignee_id", "user"),
    "status": ("task_status_id", "task_status"),
    "description": ("task_description", None),
    "tags": ("task_tags", None),
}


class GlobalTasks(Resource):
    """`iris.global_tasks.list()`, `add(title=..., assignee=...)`, `update(id, status="Done")`."""

    async def list(self) -> list[GlobalTask]:
        """Every global task (tasks whose assignee or status was deleted are not listed)."""
        data = await self._http.data("GET", "/global/tasks/list")
        return GlobalTask.list_from_raw((data or {}).get("tasks"))

    async def get(self, task_id: int) -> GlobalTask:
        return GlobalTask.from_raw(await self._http.data("GET", f"/global/tasks/{int(task_id)}"))

    async def add(
        self,
        *,
        title: str,
        assignee: int | str,
        status: int | str = "To do",
        description: str = "",
        tags: str | list[str] | None = None,
    ) -> GlobalTask:
        body = await self._body(
            {"title": title, "assignee": assignee, "status": status,
             "description": description, "tags": tags}
        )
        data = await self._http.data("POST", "/global/tasks/add", cid=LOG_CASE, json=body)
        return GlobalTask.from_raw(data)

    async def update(self, task_id: int, **changes: Any) -> GlobalTask:
        """Change some fields (title, assignee, status, description, tags).

        The server wants the whole task (a partial body fails with "non null expected"), so the
        current task is fetched and the changes merged into it.
        """
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise TypeError(f"unknown global task field(s): {', '.join(sorted(unknown))}")
        if not changes:
            raise ValueError("nothing to update")
        current = await self.get(task_id)
        merged: dict[str, Any] = {
            "title": current.task_title,
            "assignee": current.task_assignee_id,
            "status": current.task_status_id,
            "description": current.task_description or "",
            "tags": current.task_tags or "",
        }
        merged.update(changes)
        body = await self._body(merged)
        data = await self._http.data(
            "POST", f"/global/tasks/update/{int(task_id)}", cid=LOG_CASE, json=body
        )
        return GlobalTask.from_raw(data)

    async def delete(self, task_id: int) -> None:
        await self._http.call("POST", f"/global/tasks/delete/{int(task_id)}", cid=LOG_CASE)

    async def my_tasks(self) -> list[UserTask]:
        """Open (not Done/Canceled) case tasks assigned to me, across all cases."""
        data = await self._http.data("GET", "/user/tasks/list")
        return UserTask.list_from_raw((data or {}).get("tasks"))

    async def set_my_task_status(self, case_id: int, task_id: int, status: int | str) -> UserTask:
        """Move one of my case tasks to another status from the dashboard."""
        status_id = await self._lookups.resolve("task_status", status, field="task_status_id")
        data = await self._http.data(
            "POST", "/user/tasks/status/update", cid=case_id,
            json={"task_id": int(task_id), "case_id": int(case_id), "task_status_id": status_id},
        )
        # the answer is the case-task object (`id`, `task_case_id`): keep this module's shape
        row = dict(data or {})
        row["task_id"] = row.pop("id", task_id)
        row["case_id"] = row.pop("task_case_id", case_id)
        return UserTask.from_raw(row)

    async def _body(self, values: dict[str, Any]) -> dict[str, Any]:
        title = values["title"]
        if not isinstance(title, str) or len(title.strip()) < 2:
            raise IrisValidationError(
                "invalid global task", fields={"task_title": ["Shorter than minimum length 2."]}
            )
        body: dict[str, Any] = {}
        for name, value in values.items():
            key, kind = _FIELDS[name]
            if kind:
                value = await self._lookups.resolve(kind, value, field=key)
            elif name == "tags":
                value = join_tags(value)
            body[key] = value
        if body["task_assignee_id"] is None:
            raise IrisValidationError(
                "invalid global task",
                fields={"task_assignee_id": ["A global task needs an assignee."]},
            )
        if body["task_status_id"] is None:
            raise IrisValidationError(
                "invalid global task", fields={"task_status_id": ["A global task needs a status."]}
            )
        return body
