"""What every workspace tab shares: loading in a worker, its own loading/error state with retry,
and a count for the tab label. `ListTab` adds the list, `/` filter, sort and a detail pane."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Input, Static

from iris_tui.api import IrisAuthError, IrisError
from iris_tui.ui.text import plain, safe, safe_block
from iris_tui.ui.widgets.rowlist import Column, RowList

if TYPE_CHECKING:
    from iris_tui.api import IrisClient
    from iris_tui.ui.app import IrisApp
    from iris_tui.ui.session import Session


class StatusLine(Static):
    """Where a tab says it is loading, or what failed and how to retry."""

    DEFAULT_CSS = """
    StatusLine { height: auto; padding: 0 1; display: none; }
    StatusLine.-shown { display: block; }
    StatusLine.-error { color: $error; }
    """

    def loading(self, what: str) -> None:
        self.remove_class("-error")
        self.add_class("-shown")
        self.update(Text(f"Loading {what}…", style="dim"))

    def failed(self, what: str, error: Exception) -> None:
        self.add_class("-shown", "-error")
        self.update(Text.assemble(
            (f"Could not load {what}: ", "bold"), failure_text(error), "\nPress r to retry.",
        ))

    def clear(self) -> None:
        self.remove_class("-shown", "-error")
        self.update("")


def failure_text(error: Exception) -> str:
    """What failed, in words to act on: a refused key (revoked, expired, or an SSO proxy sending
    the login page) needs a reconnect, not a retry."""
    if isinstance(error, IrisAuthError):
        where = " ".join(p for p in (error.method, error.path) if p)
        status = f" -> {error.status}" if error.status is not None else ""
        return f"the API key was refused (revoked?) — reconnect with :profile [{where}{status}]"
    return plain(error, limit=300)


class CaseTab(Vertical):
    """A tab of the case workspace. Subclasses implement `fetch()` and `show()`."""

    tab_id: ClassVar[str] = ""
    title: ClassVar[str] = ""

    class Counted(Message):
        """The tab knows how many objects it shows (for the tab label)."""

        def __init__(self, tab_id: str, count: int | None) -> None:
            super().__init__()
            self.tab_id = tab_id
            self.count = count

    def __init__(self, cid: int) -> None:
        super().__init__(id=f"tab-{self.tab_id}")
        self.cid = cid
        self.loaded = False
        self.object_state: Any = None  # the change counter the last list came with (auto-refresh)
        self._early: asyncio.Task[Any] | None = None  # a fetch sent before the tab was built

    def prefetch(self) -> None:
        """Send this tab's requests now, before its widgets exist: opening a case overlaps the
        network wait with building the screen. The first `load()` takes the answer."""
        self._early = asyncio.ensure_future(self.fetch())
        self._early.add_done_callback(looked_at)

    def drop_prefetch(self) -> None:
        """The tab will never load (its case closed first): stop its early requests."""
        if self._early is not None:
            self._early.cancel()
            self._early = None

    @property
    def session(self) -> Session:
        app: IrisApp = self.app  # type: ignore[assignment]
        assert app.session is not None
        return app.session

    @property
    def iris(self) -> IrisClient:
        return self.session.client

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield from self.compose_content()

    def compose_content(self) -> ComposeResult:
        yield from ()

    def load(self) -> None:
        try:
            status = self.query_one(StatusLine)
        except NoMatches:  # removed before it could load (its case closed at once)
            return
        status.loading(self.title)
        self._load()

    @work(exclusive=True, group="load")
    async def _load(self) -> None:
        early, self._early = self._early, None
        try:
            data = await (early if early is not None else self.fetch())
        except IrisError as exc:
            self.query_one(StatusLine).failed(self.title, exc)
            return
        self.query_one(StatusLine).clear()
        self.loaded = True
        self.object_state = getattr(data, "state", None)
        self.show(data)

    async def fetch(self) -> Any:
        raise NotImplementedError

    async def preview(self, rows: list[Any], total: int) -> None:
        """The first rows of a big first load, painted while the rest is decoded (the API's
        `preview=` callback). Later loads keep the full list on screen instead."""
        if self.loaded or not self.is_mounted:
            return
        self.show_preview(rows, total)
        painted = asyncio.get_running_loop().create_future()
        self.call_after_refresh(lambda: painted.done() or painted.set_result(None))
        await painted

    def show_preview(self, rows: list[Any], total: int) -> None:
        """Tabs that pass `preview=` to the API show the first rows here."""

    def show(self, data: Any) -> None:
        raise NotImplementedError

    def count(self, n: int | None) -> None:
        self.post_message(self.Counted(self.tab_id, n))


def looked_at(task: asyncio.Future[Any]) -> None:
    """A request nobody awaited (its case was closed, its answer no longer wanted) fails
    quietly; whoever awaits it still sees the error."""
    if not task.cancelled():
        task.exception()


def field_table(fields: Sequence[tuple[str, object]]) -> Table:
    """Label/value rows; every label and value through the one rendering rule."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(style="bold", no_wrap=True, max_width=24)
    table.add_column(ratio=1)
    for label, value in fields:
        if isinstance(value, Text):
            table.add_row(safe(label, limit=80), value)
        else:
            table.add_row(safe(label, limit=80), safe_block(_show(value), limit=5000, lines=50))
    return table


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()  # type: ignore[union-attr]
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v)}" for k, v in value.items())
    return str(value)


def custom_attribute_rows(attributes: Any) -> list[tuple[str, object]]:
    """IRIS custom attributes (tab -> field -> {type, value}) as plain label/value rows."""
    rows: list[tuple[str, object]] = []
    if not isinstance(attributes, dict):
        return rows
    for tab, fields in attributes.items():
        if not isinstance(fields, dict):
            continue
        for name, descriptor in fields.items():
            value = descriptor.get("value") if isinstance(descriptor, dict) else descriptor
            rows.append((f"{tab} › {name}", value))
    return rows


class ListTab(CaseTab):
    """A list of case objects with `/` filter, sort, a detail pane and the object's comments."""

    DEFAULT_CSS = """
    ListTab { height: 1fr; }
    ListTab > RowList { height: 1fr; min-height: 5; }
    ListTab > .filter { display: none; height: 1; border: none; padding: 0 1; }
    ListTab > .filter.-open { display: block; }
    ListTab > .detail { height: 45%; border-top: solid $primary-darken-2; padding: 0 1; }
    """
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="list.filter"),
        Binding("y", "copy", "Copy", id="list.copy"),
    ]

    columns: ClassVar[list[Column]] = []
    detail_delay: ClassVar[float] = 0.15  # seconds the cursor must rest before the detail loads

    def __init__(self, cid: int) -> None:
        super().__init__(cid)
        self._details: dict[Any, Any] = {}  # key -> the full object, from `fetch_one()`

    def compose_content(self) -> ComposeResult:
        yield Input(placeholder="filter… (esc clears)", classes="filter")
        yield RowList(self.columns, key=self.row_key, empty_text=f"No {self.title.lower()} in this case")
        with VerticalScroll(classes="detail"):
            yield Static(id="detail-body")

    @staticmethod
    def row_key(row: Any) -> Any:
        return row.id

    @property
    def rows(self) -> RowList:
        return self.query_one(RowList)

    def show_preview(self, rows: list[Any], total: int) -> None:
        self.rows.set_rows(rows)
        self.query_one(StatusLine).loading(f"{self.title} (the first {len(rows):,} of {total:,} shown)")

    def show(self, data: Any) -> None:
        self._details.clear()
        self.rows.set_rows(list(data))
        self.count(len(data))
        self.show_detail(self.rows.cursor_row)

    # -- filter -----------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one(".filter", Input)
        box.add_class("-open")
        box.focus()

    @on(Input.Changed, ".filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.rows.set_filter(event.value)

    @on(Input.Submitted, ".filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.rows.focus()

    def on_key(self, event: Any) -> None:
        box = self.query_one(".filter", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.value = ""
            box.remove_class("-open")
            self.rows.set_filter("")
            self.rows.focus()

    # -- detail -----------------------------------------------------------------------------

    @on(RowList.Highlighted)
    def _highlighted(self, event: RowList.Highlighted) -> None:
        self.show_detail(event.row)

    def show_detail(self, row: Any) -> None:
        body = self.query_one("#detail-body", Static)
        if row is None:
            body.update("")
            return
        body.update(Group(field_table(self.detail_fields(self.detail_of(row)))))
        self.load_comments(row)

    def detail_of(self, row: Any) -> Any:
        """The full object of `row` when it was fetched already, else the row itself."""
        return self._details.get(self.row_key(row), row)

    async def fetch_one(self, row: Any) -> Any:
        """The full object for the detail pane (list rows can be thinner); default: the row."""
        return row

    def detail_fields(self, row: Any) -> list[tuple[str, object]]:
        """Every field of the object, custom attributes included."""
        data = row.to_dict() if hasattr(row, "to_dict") else dict(row)
        attributes = data.pop("custom_attributes", None)
        data.pop("modification_history", None)
        return [(k, v) for k, v in data.items()] + custom_attribute_rows(attributes)

    def comments_resource(self) -> Any:
        """The `.comments` of this tab's API resource, or None."""
        return None

    @work(exclusive=True, group="comments")
    async def load_comments(self, row: Any) -> None:
        """The full object (once per key) and the comments of the highlighted row. Waits for
        the cursor to rest first, so holding `j` does not send a request per row."""
        await asyncio.sleep(self.detail_delay)
        key = self.row_key(row)
        notes: list[Text] = []
        if key not in self._details:
            try:
                self._details[key] = await self.fetch_one(row)
            except IrisError as exc:
                notes.append(Text(f"full object: {plain(exc, limit=200)}", style="dim"))
        resource = self.comments_resource()
        if resource is None:
            lines = Text()
        else:
            try:
                comments = await resource.list(self.cid, key)
            except IrisError as exc:
                lines = Text(f"comments: {plain(exc, limit=200)}", style="dim")
            else:
                lines = Text()
                lines.append(f"\nComments ({len(comments)})\n", style="bold")
                for comment in comments:
                    lines.append(f"{plain(comment.author, limit=40)}  ", style="bold")
                    lines.append(f"{_show(comment.comment_date)}\n", style="dim")
                    lines.append_text(safe_block(comment.text, limit=5000))
                    lines.append("\n")
        try:
            current = self.rows.cursor_row
            body = self.query_one("#detail-body", Static)
        except NoMatches:  # the app closed while this waited
            return
        if current is row:
            body.update(Group(field_table(self.detail_fields(self.detail_of(row))), *notes, lines))

    def action_copy(self) -> None:
        row = self.rows.cursor_row
        if row is None:
            return
        value = self.copy_value(row)
        self.app.copy_to_clipboard(str(value))
        self.app.notify(f"copied {plain(value, limit=50)}", markup=False)

    def copy_value(self, row: Any) -> object:
        return self.row_key(row)

    def select_key(self, key: Any) -> bool:
        """Move the cursor to the object with this key (used by link navigation)."""
        self.rows.set_filter("")
        return self.rows.move_cursor_to_key(key)


__all__ = ["CaseTab", "Column", "ListTab", "StatusLine", "field_table", "safe"]
