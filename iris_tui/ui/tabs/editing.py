"""Writing from the list tabs: `n` new, `e` edit, `d` delete (with confirmation), `C` comments,
and quick actions: `s` moves a task along, `t` sets an IOC's TLP. `space` selects several rows
first: delete, status and TLP then apply to all of them, after one confirmation, with a result
per item. Read-only sessions neither see nor run any of the writes.

`EditableTab` is mixed into a list tab with an `editor`: the object that knows how this tab's
objects are fetched, edited and deleted. It goes *after* the tab's base
(`class AssetsTab(ObjectListTab, EditableTab)`): Textual names a widget's CSS types (and
`query(CaseTab)`) after its first base chain only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.worker import WorkerCancelled, WorkerFailed

from iris_tui.api import IrisError
from iris_tui.ui.forms import (
    AssetForm,
    ChoiceScreen,
    CommentsScreen,
    ConfirmScreen,
    EventForm,
    EvidenceForm,
    FormScreen,
    IocForm,
    TaskForm,
)
from iris_tui.ui.text import plain, safe

if TYPE_CHECKING:
    from iris_tui.api import IrisClient

WRITES = frozenset({"new", "edit", "delete", "status", "tlp"})
QUICK = frozenset({"status", "tlp"})  # shown only on the tab whose editor has them
STATUS_CYCLE = ("To do", "In progress", "On hold", "Done")
BULK_SHOWN = 8  # names listed in a bulk confirmation / result


class Editor:
    """How one tab's objects are read for editing, edited and deleted."""

    noun = "object"
    plural = "objects"
    affects: ClassVar[tuple[str, ...]] = ()  # other tabs whose content a write changes
    quick: ClassVar[frozenset[str]] = frozenset()  # "status", "tlp"

    def accepts(self, row: Any) -> bool:
        return row is not None

    def obj_id(self, row: Any) -> int:
        return int(row.id)

    def name(self, row: Any) -> str:
        return str(getattr(row, "name", "") or self.obj_id(row))

    async def fetch(self, tab: Any, row: Any) -> Any:
        """The object fresh from the server, as the form pre-fills it."""
        raise NotImplementedError

    def form(self, tab: Any, obj: Any) -> FormScreen:
        raise NotImplementedError

    async def delete(self, tab: Any, row: Any) -> str:
        """Delete one object; returns what happened ("deleted")."""
        raise NotImplementedError

    def created(self, result: Any) -> tuple[Any, str]:
        """The new object's key and what to say about it."""
        return result.id, f"{self.noun} added"

    def comments_changed(self, tab: Any, row: Any) -> None:
        tab.show_detail(tab.rows.cursor_row)


class AssetEditor(Editor):
    noun, plural = "asset", "assets"
    affects = ("timeline",)

    async def fetch(self, tab: Any, row: Any) -> Any:
        return await tab.iris.assets.get(tab.cid, row.asset_id)

    def form(self, tab: Any, obj: Any) -> FormScreen:
        return AssetForm(tab.cid, obj)

    async def delete(self, tab: Any, row: Any) -> str:
        await tab.iris.assets.delete(tab.cid, row.asset_id)
        return "deleted"


class IocEditor(Editor):
    noun, plural = "IOC", "IOCs"
    affects = ("assets", "timeline")
    quick = frozenset({"tlp"})

    def name(self, row: Any) -> str:
        return row.ioc_value

    async def fetch(self, tab: Any, row: Any) -> Any:
        return await tab.iris.iocs.get(tab.cid, row.ioc_id)

    def form(self, tab: Any, obj: Any) -> FormScreen:
        return IocForm(tab.cid, obj)

    async def delete(self, tab: Any, row: Any) -> str:
        outcome = await tab.iris.iocs.delete(tab.cid, row.ioc_id)
        return "unlinked (another case still uses it)" if outcome == "unlinked" else "deleted"

    def created(self, result: Any) -> tuple[Any, str]:
        said = {"added": "IOC added",
                "existing": "IOC already known to IRIS: linked as it is (its own description, "
                            "tags and TLP were kept)",
                "linked": "IOC already in this case: nothing changed"}
        return result.id, said.get(result.outcome, "IOC added")


class TaskEditor(Editor):
    noun, plural = "task", "tasks"
    quick = frozenset({"status"})

    def name(self, row: Any) -> str:
        return row.task_title

    async def fetch(self, tab: Any, row: Any) -> Any:
        return await tab.iris.tasks.get(tab.cid, row.task_id)

    def form(self, tab: Any, obj: Any) -> FormScreen:
        return TaskForm(tab.cid, obj)

    async def delete(self, tab: Any, row: Any) -> str:
        await tab.iris.tasks.delete(tab.cid, row.task_id)
        return "deleted"


class EvidenceEditor(Editor):
    noun, plural = "evidence", "evidences"

    def name(self, row: Any) -> str:
        return row.filename

    async def fetch(self, tab: Any, row: Any) -> Any:
        return await tab.iris.evidences.get(tab.cid, row.id)

    def form(self, tab: Any, obj: Any) -> FormScreen:
        return EvidenceForm(tab.cid, obj)

    async def delete(self, tab: Any, row: Any) -> str:
        await tab.iris.evidences.delete(tab.cid, row.id)
        return "deleted"


class EventEditor(Editor):
    """Timeline rows wrap the event (`EventRow`); day separators are not events."""

    noun, plural = "event", "events"

    def accepts(self, row: Any) -> bool:
        return row is not None and hasattr(row, "event")

    def obj_id(self, row: Any) -> int:
        return row.key

    def name(self, row: Any) -> str:
        return row.event.event_title

    async def fetch(self, tab: Any, row: Any) -> Any:
        return await tab.iris.events.get(tab.cid, row.key)

    def form(self, tab: Any, obj: Any) -> FormScreen:
        def created(tab_id: str) -> None:  # an IOC or asset added from the event form
            tab.reload_tabs((tab_id,))

        return EventForm(tab.cid, obj, on_created=created)

    async def delete(self, tab: Any, row: Any) -> str:
        await tab.iris.events.delete(tab.cid, row.key)
        return "deleted"

    def comments_changed(self, tab: Any, row: Any) -> None:
        row.comments = None  # the timeline caches them per row
        tab.show_detail(tab.rows.cursor_row)


class EditableTab(Widget):
    """Mixin for a `ListTab`: the write keys, routed through `editor`."""

    BINDINGS = [
        Binding("n", "new", "New", id="edit.new"),
        Binding("e", "edit", "Edit", id="edit.edit"),
        Binding("d", "delete", "Delete", id="edit.delete"),
        Binding("C", "comments", "Comments", id="edit.comments"),
        Binding("s", "status", "Status", id="edit.status"),
        Binding("t", "tlp", "TLP", id="edit.tlp"),
    ]

    editor: ClassVar[Editor] = Editor()

    # provided by the ListTab this is mixed into
    cid: int
    iris: IrisClient
    rows: Any
    title: str

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in QUICK and action not in self.editor.quick:
            return False
        if action in WRITES and self.app.read_only:  # type: ignore[attr-defined]
            return False
        return super().check_action(action, parameters)

    def _refused(self) -> bool:
        return bool(self.app.refuse_write())  # type: ignore[attr-defined]

    def _targets(self) -> list[Any]:
        return [row for row in self.rows.targets() if self.editor.accepts(row)]

    def _label(self, row: Any) -> Text:
        text = Text(f"{self.editor.noun} ")
        text.append_text(safe(self.editor.name(row), limit=60, style="bold"))
        return text

    # -- new / edit -------------------------------------------------------------------------

    def action_new(self) -> None:
        if self._refused():
            return

        def saved(result: Any) -> None:
            if result is None:
                return
            key, said = self.editor.created(result)
            self.app.notify(said, markup=False)
            self.after_write(key)

        self.app.push_screen(self.editor.form(self, None), saved)

    def action_edit(self) -> None:
        if self._refused():
            return
        row = self.rows.cursor_row
        if self.editor.accepts(row):
            self._open_editor(row)

    @work(exclusive=True, group="edit-open")
    async def _open_editor(self, row: Any) -> None:
        try:
            obj = await self.editor.fetch(self, row)
        except IrisError as exc:
            self.app.notify(f"Cannot edit: {plain(exc.message or exc, limit=300)}",
                            severity="error", markup=False)
            return
        key = self.editor.obj_id(row)

        def saved(result: Any) -> None:
            if result is not None:
                self.app.notify(f"{self.editor.noun} updated", markup=False)
                self.after_write(key)

        self.app.push_screen(self.editor.form(self, obj), saved)

    # -- delete -----------------------------------------------------------------------------

    def action_delete(self) -> None:
        if self._refused():
            return
        rows = self._targets()
        if not rows:
            return
        if len(rows) == 1:
            title = Text("Delete ")
            title.append_text(self._label(rows[0]))
            title.append("?")
            body = Text("")
        else:
            title = Text(f"Delete {len(rows)} {self.editor.plural}?")
            body = self._names(rows)

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_bulk("delete", rows, lambda row: self.editor.delete(self, row))

        self.app.push_screen(ConfirmScreen(title, body, yes="delete"), answered)

    def _names(self, rows: Sequence[Any]) -> Text:
        text = Text()
        for row in rows[:BULK_SHOWN]:
            text.append("• ")
            text.append_text(safe(self.editor.name(row), limit=70))
            text.append("\n")
        if len(rows) > BULK_SHOWN:
            text.append(f"… and {len(rows) - BULK_SHOWN} more\n", style="dim")
        return text

    # -- quick actions ----------------------------------------------------------------------

    def action_status(self) -> None:
        """One task: the next status (To do → In progress → On hold → Done). Several: pick one."""
        if self._refused() or "status" not in self.editor.quick:
            return
        rows = self._targets()
        if len(rows) == 1:
            task = rows[0]
            current = (task.status or "").casefold()
            names = [s.casefold() for s in STATUS_CYCLE]
            step = names.index(current) + 1 if current in names else 0
            following = STATUS_CYCLE[step % len(names)]
            self.run_bulk(f"status {following}", rows,
                          lambda row: self._set_status(row, following), quiet=True)
        elif rows:
            self._pick("task_status", f"Status of {len(rows)} tasks", None,
                       lambda status: self.run_bulk(
                           "status", rows, lambda row: self._set_status(row, status)))

    async def _set_status(self, row: Any, status: Any) -> str:
        task = await self.iris.tasks.set_status(self.cid, row.task_id, status)
        name = await self.iris.lookups.name("task_status", task.task_status_id)
        return f"now {name or status}"

    def action_tlp(self) -> None:
        """The TLP of the IOC under the cursor, or of every selected IOC (IOCs are shared:
        the change shows in every case that links them)."""
        if self._refused() or "tlp" not in self.editor.quick:
            return
        rows = self._targets()
        if not rows:
            return
        many = len(rows) > 1
        title = f"TLP of {len(rows)} IOCs" if many else f"TLP of {plain(rows[0].ioc_value, limit=40)}"
        current = rows[0].ioc_tlp_id if len(rows) == 1 else None
        self._pick("tlp", title, current,
                   lambda tlp: self.run_bulk("TLP", rows, lambda row: self._set_tlp(row, tlp)))

    async def _set_tlp(self, row: Any, tlp: int) -> str:
        await self.iris.iocs.update(self.cid, row.ioc_id, ioc_tlp_id=tlp)
        return f"TLP {await self.iris.lookups.name('tlp', tlp) or tlp}"

    @work(exclusive=True, group="edit-pick")
    async def _pick(self, kind: str, title: str, current: Any, then: Callable[[Any], None]) -> None:
        """A choice from a lookup table (loaded first), then `then(value)`."""
        try:
            items = await self.iris.lookups.list(kind)
        except IrisError as exc:
            self.app.notify(f"Cannot load the choices: {plain(exc.message or exc, limit=200)}",
                            severity="error", markup=False)
            return

        def chosen(value: Any) -> None:
            if value is not None:
                then(value)

        choices = [(safe(item.label, limit=40), item.id) for item in items]
        self.app.push_screen(ChoiceScreen(title, choices, current), chosen)

    # -- running writes ---------------------------------------------------------------------

    @work(group="edit-bulk")
    async def run_bulk(self, what: str, rows: Sequence[Any],
                       call: Callable[[Any], Awaitable[str]], quiet: bool = False) -> None:
        """`call` on each row in turn; one notification with the result of each."""
        done: list[tuple[Any, str]] = []
        failed: list[tuple[Any, str]] = []
        for row in rows:
            try:
                done.append((row, await call(row)))
            except IrisError as exc:
                failed.append((row, plain(exc.message or exc, limit=160)))
        report = Text()
        for row, result in (failed + done)[:BULK_SHOWN]:
            report.append(f"{self.editor.noun} {plain(self.editor.name(row), limit=50)}: {result}\n")
        if len(rows) > BULK_SHOWN:
            report.append(f"… {len(done)} done, {len(failed)} failed in all\n")
        if failed:
            heading = f"{what}: {len(failed)} of {len(rows)} failed\n"
            self.app.notify(heading + report.plain, severity="error", markup=False, timeout=10)
        elif not quiet or len(rows) > 1:
            self.app.notify(f"{what}: done\n" + report.plain, markup=False)
        else:
            self.app.notify(report.plain.strip(), markup=False)
        if done:
            self.rows.select_keys(())
            cursor = self.rows.cursor_row
            self.after_write(self.editor.obj_id(cursor) if self.editor.accepts(cursor) else None)

    def after_write(self, key: Any = None) -> None:
        """Reload this tab (IRIS's change counters miss some writes), keep the cursor on `key`,
        and reload the tabs whose content the write changed."""
        self._reload(key)
        self.reload_tabs(self.editor.affects)

    @work(group="edit-reload")
    async def _reload(self, key: Any) -> None:
        try:
            await self._load().wait()  # CaseTab's loading worker
        except (WorkerCancelled, WorkerFailed):
            return
        if key is not None:
            self.rows.move_cursor_to_key(key)

    def reload_tabs(self, tab_ids: Sequence[str]) -> None:
        screen = self.screen
        for tab_id in tab_ids:
            try:
                other = screen.tab(tab_id)  # type: ignore[attr-defined]
            except (AttributeError, NoMatches):  # not in a workspace, or no such tab
                continue
            if other.loaded:
                other.load()

    # -- comments ---------------------------------------------------------------------------

    def action_comments(self) -> None:
        row = self.rows.cursor_row
        resource = self.comments_resource()  # type: ignore[attr-defined]
        if not self.editor.accepts(row) or resource is None:
            return

        def closed(changed: bool | None) -> None:
            if changed:
                self.editor.comments_changed(self, row)

        self.app.push_screen(
            CommentsScreen(resource, self.cid, self.editor.obj_id(row), self._label(row)), closed)

