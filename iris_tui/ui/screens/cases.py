"""The case list: page through the server's cases, filter as you type, open one with enter."""

from __future__ import annotations

import contextlib
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled, WorkerFailed

from iris_tui.api import IrisError
from iris_tui.api.cases import CaseDetails
from iris_tui.ui.chrome import IrisScreen
from iris_tui.ui.tabs.base import StatusLine
from iris_tui.ui.text import plain
from iris_tui.ui.widgets.rowlist import Column, RowList

PAGE_SIZE = 100
PREFETCH = 25  # fetch the next page when the cursor is this close to the end
LOAD_ALL_UP_TO = 2000  # below this many cases, load every page so sorting is exact


def _outcome(case: CaseDetails) -> str:
    return (case.status_name or "").replace("_", " ")


def _state(case: CaseDetails) -> str:
    if not case.is_open:
        return "closed"
    return case.state_label or "open"


COLUMNS = [
    Column("id", "ID", lambda c: c.case_id, width=6, justify="right"),
    Column("name", "Name", lambda c: c.bare_title, min_width=20),
    Column("customer", "Customer", lambda c: c.customer, width=16),
    Column("state", "State", _state, width=11,
           style=lambda c: "dim" if not c.is_open else ""),
    Column("opened", "Opened", lambda c: c.opened_on, width=10),
    Column("owner", "Owner", lambda c: c.owner_name, width=14, priority=2),
    Column("outcome", "Outcome", _outcome, width=14, priority=3),
    Column("soc", "SOC id", lambda c: c.soc_id, width=14, priority=4),
    Column("closed", "Closed", lambda c: c.closed_on, width=10, priority=5),
    Column("classification", "Classification", lambda c: c.classification.name if c.classification else None,
           width=20, priority=6),
    Column("tags", "Tags", lambda c: ", ".join(c.tag_list), width=16, priority=7),
]


def case_line(case: CaseDetails) -> Text:
    """Everything about the highlighted case on two lines (the columns do not fit at 80×24)."""
    parts = [
        ("#", str(case.case_id)), ("customer ", case.customer), ("state ", _state(case)),
        ("outcome ", _outcome(case)), ("owner ", case.owner_name), ("opened ", case.opened_on),
        ("closed ", case.closed_on), ("soc ", case.soc_id),
        ("class ", case.classification.name if case.classification else None),
        ("severity ", case.severity_label), ("tags ", ", ".join(case.tag_list)),
    ]
    text = Text(plain(case.bare_title, limit=200) + "\n", style="bold")
    for label, value in parts:
        if value in (None, ""):
            continue
        text.append(label, style="dim")
        text.append(plain(value, limit=60))
        text.append("  ")
    return text


class CaseListScreen(IrisScreen):
    HELP_TITLE = "case list"
    DEFAULT_CSS = """
    CaseListScreen #case-filter { display: none; height: 1; border: none; padding: 0 1; }
    CaseListScreen #case-filter.-open { display: block; }
    CaseListScreen RowList { height: 1fr; }
    CaseListScreen #case-info { height: 3; padding: 0 1; border-top: solid $primary-darken-2; }
    CaseListScreen #case-count { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="cases.filter"),
        Binding("c", "toggle_closed", "Closed on/off", id="cases.toggle_closed"),
        Binding("enter", "open", "Open", show=False, id="cases.open"),
        Binding("n", "new", "New", id="cases.new"),
        Binding("e", "edit", "Edit", id="cases.edit"),
        Binding("T", "global_tasks", "Global tasks", id="cases.global_tasks", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_closed = True
        self.total: int | None = None
        self.pages_loaded = 0
        self.has_more = False
        self._query = ""

    def crumbs(self) -> list[str]:
        return ["Cases"]

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="filter cases… (esc clears)", id="case-filter")
        yield StatusLine()
        yield RowList(COLUMNS, key=lambda c: c.case_id, search_text=self._search_text,
                      multi_select=False, empty_text="No cases")
        yield Static(id="case-count")
        yield Static(id="case-info")

    @staticmethod
    def _search_text(case: CaseDetails) -> str:
        return " ".join(str(v) for v in (
            case.case_id, case.name, case.customer, case.soc_id, case.owner_name,
            " ".join(case.tag_list), case.classification.name if case.classification else "",
        ) if v)

    @property
    def rows(self) -> RowList:
        return self.query_one(RowList)

    def on_mount(self) -> None:
        self.rows.focus()
        self.action_refresh()

    # -- loading ----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.pages_loaded = 0
        self.query_one(StatusLine).loading("cases")
        self.load_page(1, replace=True)

    @work(exclusive=True, group="cases")
    async def load_page(self, page: int, replace: bool = False) -> None:
        iris = self.app.session.client  # type: ignore[attr-defined]
        filters: dict[str, Any] = {}
        if self._query:
            filters["case_name"] = self._query
        try:
            result = await iris.cases.filter(page=page, per_page=PAGE_SIZE, order_by="case_id",
                                             sort_dir="desc", **filters)
        except IrisError as exc:
            self.query_one(StatusLine).failed("cases", exc)
            return
        self.query_one(StatusLine).clear()
        self.total = result.total
        self.pages_loaded = page
        self.has_more = result.has_next and bool(result.cases)
        rows = list(result.cases) if replace else list(self.rows.all_rows) + list(result.cases)
        self.rows.set_rows(rows)
        self._update_count()
        if self.has_more and (self.total or 0) <= LOAD_ALL_UP_TO:
            self.load_page(page + 1)

    def _update_count(self) -> None:
        loaded = len(self.rows.all_rows)
        shown = len(self.rows.rows)
        text = f"{shown} shown · {loaded} loaded of {self.total if self.total is not None else '?'} cases"
        if not self.show_closed:
            text += " · closed hidden (c)"
        if self.has_more:
            text += " · more below"
        self.query_one("#case-count", Static).update(Text(text))

    # -- list events --------------------------------------------------------------------------

    @on(RowList.Highlighted)
    def _highlighted(self, event: RowList.Highlighted) -> None:
        info = self.query_one("#case-info", Static)
        info.update(case_line(event.row) if event.row is not None else "")
        index = self.rows.cursor_index
        if self.has_more and index is not None and index >= len(self.rows.rows) - PREFETCH:
            self.load_page(self.pages_loaded + 1)

    @on(RowList.Chosen)
    def _chosen(self, event: RowList.Chosen) -> None:
        self._open(event.row)

    def action_open(self) -> None:
        self._open(self.rows.cursor_row)

    def _open(self, case: CaseDetails | None) -> None:
        if case is not None:
            self.app.open_case(case.case_id)  # type: ignore[attr-defined]

    # -- filter and closed cases --------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#case-filter", Input)
        box.add_class("-open")
        box.focus()

    @on(Input.Changed, "#case-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.rows.set_filter(event.value)
        self._update_count()
        if self.has_more or self._query:
            self._server_filter(event.value)

    @work(exclusive=True, group="server-filter")
    async def _server_filter(self, text: str) -> None:
        """Not everything is loaded: also ask the server (debounced), for names beyond page 1."""
        import asyncio

        await asyncio.sleep(0.35)
        self._query = text.strip()
        self.load_page(1, replace=True)

    @on(Input.Submitted, "#case-filter")
    def _filter_submitted(self) -> None:
        self.rows.focus()

    def on_key(self, event: Any) -> None:
        box = self.query_one("#case-filter", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.value = ""
            box.remove_class("-open")
            self.rows.focus()

    def action_toggle_closed(self) -> None:
        self.show_closed = not self.show_closed
        self.rows.set_predicate(None if self.show_closed else (lambda c: c.is_open))
        self._update_count()

    def action_global_tasks(self) -> None:
        self.app.open_global_tasks()  # type: ignore[attr-defined]

    # -- writes (the editor is in iris_tui.ui.forms.case) -------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new", "edit") and self.app.read_only:  # type: ignore[attr-defined]
            return False
        return True

    def action_new(self) -> None:
        if not self.app.refuse_write():  # type: ignore[attr-defined]
            from iris_tui.ui.forms.case import new_case  # the forms load on first use, not at start

            new_case(self, lambda record: self.reload_at(record.case_id))

    def action_edit(self) -> None:
        case = self.rows.cursor_row
        if case is not None and not self.app.refuse_write():  # type: ignore[attr-defined]
            from iris_tui.ui.forms.case import edit_case

            edit_case(self, case.case_id, lambda: self.reload_at(case.case_id))

    @work(group="cases-reload")
    async def reload_at(self, case_id: int) -> None:
        """After a write: page 1 again (newest first), with the cursor on the case."""
        self.pages_loaded = 0
        with contextlib.suppress(WorkerCancelled, WorkerFailed):  # cancelled by the next page
            await self.load_page(1, replace=True).wait()
        self.rows.move_cursor_to_key(case_id)
