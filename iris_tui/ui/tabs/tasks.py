"""Tasks tab: who does what in the case, with each task's status name and assignees."""

from __future__ import annotations

from typing import Any

from iris_tui.api.tasks import Task
from iris_tui.ui.tabs.editing import EditableTab, TaskEditor
from iris_tui.ui.tabs.objects import ObjectListTab, every_field, merged
from iris_tui.ui.widgets.rowlist import Column

# IRIS's bootstrap colour names for task statuses, in 16-colour terms
STATUS_STYLES = {"danger": "red", "warning": "yellow", "success": "green", "muted": "dim",
                 "info": "cyan", "primary": "blue"}


def _status(task: Task) -> str | None:
    return task.status or (f"status {task.task_status_id}" if task.task_status_id else None)


def _assignees(task: Task) -> str:
    return ", ".join(task.assignee_names)


def _person(assignee: dict[str, Any]) -> str:
    """"Jane Moreau (jmoreau)": display name and login."""
    name, login = assignee.get("name"), assignee.get("user")
    return f"{name} ({login})" if name and login else str(name or login or assignee.get("id"))


class TasksTab(ObjectListTab, EditableTab):
    tab_id = "tasks"
    title = "Tasks"
    editor = TaskEditor()

    columns = [
        Column("title", "Title", lambda t: t.task_title, min_width=16),
        Column("status", "Status", _status, width=11, min_width=6,
               style=lambda t: STATUS_STYLES.get(t.status_bscolor or "", "")),
        Column("assignees", "Assignees", _assignees, width=18, min_width=8),
    ]
    wide_columns = [
        Column("tags", "Tags", lambda t: ", ".join(t.tags), width=16),
        Column("opened", "Opened", lambda t: t.task_open_date.date() if t.task_open_date else None,
               width=10),
    ]

    async def fetch(self) -> Any:
        return await self.iris.tasks.list(self.cid)

    async def fetch_one(self, row: Task) -> Task:
        """The single GET adds custom attributes, update dates and who opened the task."""
        return merged(row, await self.iris.tasks.get(self.cid, row.task_id))

    def comments_resource(self) -> Any:
        return self.iris.tasks.comments

    def search_text(self, task: Task) -> str:
        return "\t".join(str(v) for v in (
            task.task_id, task.task_title, task.status, task.task_tags, task.task_description,
            " ".join(task.assignee_names), " ".join(task.assignee_logins),
        ) if v)

    def copy_value(self, task: Task) -> object:
        return task.task_title

    def detail_fields(self, task: Task) -> list[tuple[str, object]]:
        shown: list[tuple[str, object]] = [
            ("Title", task.task_title),
            ("Status", _status(task)),
            ("Assignees", ", ".join(_person(a) for a in task.task_assignees or ())),
            ("Tags", ", ".join(task.tags)),
            ("Description", task.task_description),
            ("Opened", task.task_open_date),
            ("Updated", task.task_last_update),
            ("Closed", task.task_close_date),
            ("Opened by user", task.task_userid_open),
            ("Updated by user", task.task_userid_update),
            ("Closed by user", task.task_userid_close),
            ("ID", task.task_id),
            ("UUID", task.task_uuid),
        ]
        used = {
            "task_title", "task_status_id", "status_name", "status_bscolor", "task_assignees",
            "task_tags", "task_description", "task_open_date", "task_last_update",
            "task_close_date", "task_userid_open", "task_userid_update", "task_userid_close",
            "task_id", "task_uuid", "task_case_id",
        }
        return every_field(task, shown, used)
