"""Global tasks: the team's to-do list outside any case (one assignee each). `n` `e` `d` write,
`s` moves a task along; read-only sessions neither see nor run the writes."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled, WorkerFailed

from iris_tui.api import IrisError
from iris_tui.api.global_tasks import GlobalTask
from iris_tui.ui.chrome import IrisScreen
from iris_tui.ui.tabs.base import StatusLine
from iris_tui.ui.text import plain, safe
from iris_tui.ui.widgets.rowlist import Column, RowList

STATUS_CYCLE = ("To do", "In progress", "On hold", "Done")
WRITES = frozenset({"new", "edit", "delete", "status"})

COLUMNS = [
    Column("title", "Title", lambda t: t.task_title, min_width=16),
    Column("status", "Status", lambda t: t.status_name, width=11),
    Column("assignee", "Assignee", lambda t: t.user_name, width=14),
    Column("tags", "Tags", lambda t: ", ".join(t.tag_list), width=14, priority=2),
    Column("updated", "Last update",
           lambda t: f"{t.task_last_update:%Y-%m-%d %H:%M}" if t.task_last_update else "",
           width=16, sort_key=lambda t: t.task_last_update.timestamp() if t.task_last_update else 0.0),
]


def task_line(task: GlobalTask) -> Text:
    """The highlighted task's description under the list (it does not fit in a column)."""
    text = safe(task.task_title or "(untitled)", limit=200, style="bold")
    text.append(f"  #{task.task_id}", style="dim")
    if task.task_description:
        text.append("\n")
        text.append(plain(task.task_description, limit=300))
    return text


def next_status(current: str | None) -> str:
    """To do → In progress → On hold → Done → To do; any other status starts at To do."""
    names = [s.casefold() for s in STATUS_CYCLE]
    current = (current or "").casefold()
    return STATUS_CYCLE[(names.index(current) + 1) % len(names)] if current in names else STATUS_CYCLE[0]


class GlobalTasksScreen(IrisScreen):
    HELP_TITLE = "global tasks"
    DEFAULT_CSS = """
    GlobalTasksScreen #gtask-filter { display: none; height: 1; border: none; padding: 0 1; }
    GlobalTasksScreen #gtask-filter.-open { display: block; }
    GlobalTasksScreen RowList { height: 1fr; }
    GlobalTasksScreen #gtask-info { height: 3; padding: 0 1; border-top: solid $primary-darken-2; }
    """
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="gtasks.filter"),
        Binding("n", "new", "New", id="gtasks.new"),
        Binding("e", "edit", "Edit", id="gtasks.edit"),
        Binding("d", "delete", "Delete", id="gtasks.delete"),
        Binding("s", "status", "Status", id="gtasks.status"),
    ]

    def crumbs(self) -> list[str]:
        return ["Global tasks"]

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="filter tasks… (esc clears)", id="gtask-filter")
        yield StatusLine()
        yield RowList(COLUMNS, key=lambda t: t.task_id, search_text=self._search_text,
                      multi_select=False, empty_text="No global tasks")
        yield Static(id="gtask-info")

    @staticmethod
    def _search_text(task: GlobalTask) -> str:
        return " ".join(str(v) for v in (task.task_id, task.task_title, task.status_name,
                                           task.user_name, task.task_tags, task.task_description) if v)

    @property
    def rows(self) -> RowList:
        return self.query_one(RowList)

    @property
    def iris(self) -> Any:
        return self.app.session.client  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.rows.focus()
        self.action_refresh()

    # -- loading ----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.query_one(StatusLine).loading("global tasks")
        self.load()

    @work(exclusive=True, group="gtasks")
    async def load(self) -> None:
        try:
            tasks = await self.iris.global_tasks.list()
        except IrisError as exc:
            self.query_one(StatusLine).failed("global tasks", exc)
            return
        self.query_one(StatusLine).clear()
        self.rows.set_rows(tasks)

    @work(group="gtasks-reload")
    async def reload_at(self, task_id: int | None) -> None:
        """After a write: the list again, with the cursor on the task."""
        self.query_one(StatusLine).loading("global tasks")
        try:
            await self.load().wait()
        except (WorkerCancelled, WorkerFailed):
            return
        if task_id is not None:
            self.rows.move_cursor_to_key(task_id)

    @on(RowList.Highlighted)
    def _highlighted(self, event: RowList.Highlighted) -> None:
        info = self.query_one("#gtask-info", Static)
        info.update(task_line(event.row) if event.row is not None else "")

    # -- filter -----------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#gtask-filter", Input)
        box.add_class("-open")
        box.focus()

    @on(Input.Changed, "#gtask-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.rows.set_filter(event.value)

    @on(Input.Submitted, "#gtask-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.rows.focus()

    def on_key(self, event: Any) -> None:
        box = self.query_one("#gtask-filter", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.value = ""
            box.remove_class("-open")
            self.rows.focus()

    # -- writes -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITES and self.app.read_only:  # type: ignore[attr-defined]
            return False
        return True

    def action_new(self) -> None:
        if self.app.refuse_write():  # type: ignore[attr-defined]
            return
        from iris_tui.ui.forms.tasks import GlobalTaskForm  # the forms load on first use

        def saved(task: GlobalTask | None) -> None:
            if task is not None:
                self.app.notify("global task added", markup=False)
                self.reload_at(task.task_id)

        self.app.push_screen(GlobalTaskForm(), saved)

    def action_edit(self) -> None:
        task = self.rows.cursor_row
        if task is not None and not self.app.refuse_write():  # type: ignore[attr-defined]
            self._open_editor(task.task_id)

    @work(exclusive=True, group="gtasks-edit")
    async def _open_editor(self, task_id: int) -> None:
        from iris_tui.ui.forms.tasks import GlobalTaskForm

        try:
            task = await self.iris.global_tasks.get(task_id)
        except IrisError as exc:
            self.app.notify(f"Cannot edit: {plain(exc.message or exc, limit=300)}",
                            severity="error", markup=False)
            return

        def saved(result: GlobalTask | None) -> None:
            if result is not None:
                self.app.notify("global task updated", markup=False)
                self.reload_at(task_id)

        self.app.push_screen(GlobalTaskForm(task), saved)

    def action_delete(self) -> None:
        task = self.rows.cursor_row
        if task is None or self.app.refuse_write():  # type: ignore[attr-defined]
            return
        from iris_tui.ui.forms.confirm import ConfirmScreen

        title = Text("Delete global task ")
        title.append_text(safe(task.task_title or "(untitled)", limit=60, style="bold"))
        title.append("?")

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(task)

        self.app.push_screen(ConfirmScreen(title, yes="delete"), answered)

    @work(group="gtasks-write")
    async def _delete(self, task: GlobalTask) -> None:
        try:
            await self.iris.global_tasks.delete(task.task_id)
        except IrisError as exc:
            self.app.notify(f"Not deleted: {plain(exc.message or exc, limit=300)}",
                            severity="error", markup=False)
            return
        self.app.notify("global task deleted", markup=False)
        self.reload_at(None)

    def action_status(self) -> None:
        task = self.rows.cursor_row
        if task is None or self.app.refuse_write():  # type: ignore[attr-defined]
            return
        self._set_status(task, next_status(task.status_name))

    @work(group="gtasks-write")
    async def _set_status(self, task: GlobalTask, status: str) -> None:
        try:
            await self.iris.global_tasks.update(task.task_id, status=status)
        except IrisError as exc:
            self.app.notify(f"Status not changed: {plain(exc.message or exc, limit=300)}",
                            severity="error", markup=False)
            return
        self.app.notify(f"{plain(task.task_title, limit=50)}: now {status}", markup=False)
        self.reload_at(task.task_id)
