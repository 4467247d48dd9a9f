"""Editors for case tasks (several assignees among the case's users) and global tasks (one
assignee among all users)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult

from iris_tui.api.global_tasks import GlobalTask
from iris_tui.api.tasks import Task
from iris_tui.ui.forms.base import FormScreen
from iris_tui.ui.forms.fields import (
    Choice,
    LookupField,
    MultiSelectField,
    TagsField,
    TextAreaField,
    TextField,
    client_of,
    custom_attribute_fields,
)
from iris_tui.ui.forms.objects import form_title, present
from iris_tui.ui.text import safe


class TaskForm(FormScreen):
    def __init__(self, cid: int, task: Task | None = None) -> None:
        super().__init__(form_title("Edit" if task else "New", "task", task and task.task_title),
                         editing=task is not None)
        self.cid = cid
        self.original = task

    def compose_fields(self) -> ComposeResult:
        t = self.original
        yield TextField("task_title", "Title", t and t.task_title, required=True, min_length=2)
        yield LookupField("task_status_id", "Status", "task_status",
                          t.task_status_id if t else "To do", required=True)
        yield MultiSelectField("task_assignees_id", "Assignees", t.assignee_ids if t else (),
                               loader=self._people)
        yield TagsField("task_tags", value=t and t.task_tags)
        yield TextAreaField("task_description", "Description", t and t.task_description)
        if t is not None:
            yield from custom_attribute_fields(t.custom_attributes)

    async def _people(self) -> list[Choice]:
        """Only users with access to the case can be assigned (IRIS drops the others)."""
        users = await client_of(self).tasks.assignee_candidates(self.cid)
        return [Choice(safe(f"{u.user_name} ({u.user_login})", limit=60), u.user_id,
                       (u.user_login,)) for u in users]

    async def submit(self, values: dict[str, Any]) -> Task:
        if self.original is not None:
            return await self.iris.tasks.update(self.cid, self.original.task_id, **values)
        values = present(values)
        return await self.iris.tasks.add(
            self.cid, title=values.pop("task_title"),
            status=values.pop("task_status_id", "To do"),
            assignees=values.pop("task_assignees_id", ()), **values,
        )


# the global-task form's fields -> the API's argument names
_GLOBAL = {"task_title": "title", "task_assignee_id": "assignee", "task_status_id": "status",
           "task_description": "description", "task_tags": "tags"}


class GlobalTaskForm(FormScreen):
    def __init__(self, task: GlobalTask | None = None) -> None:
        super().__init__(form_title("Edit" if task else "New", "global task", task and task.task_title),
                         editing=task is not None)
        self.original = task

    def compose_fields(self) -> ComposeResult:
        t = self.original
        yield TextField("task_title", "Title", t and t.task_title, required=True, min_length=2)
        yield LookupField("task_assignee_id", "Assignee", "user", t and t.task_assignee_id,
                          required=True, aliases=("task_assignees_id",))
        yield LookupField("task_status_id", "Status", "task_status",
                          t.task_status_id if t else "To do", required=True)
        yield TagsField("task_tags", value=t and t.task_tags)
        yield TextAreaField("task_description", "Description", t and t.task_description)

    async def submit(self, values: dict[str, Any]) -> GlobalTask:
        args = {_GLOBAL[k]: v for k, v in values.items()}
        if self.original is not None:
            return await self.iris.global_tasks.update(self.original.task_id, **args)
        return await self.iris.global_tasks.add(**args)
