"""What the assets, IOCs, tasks and evidences tabs share on top of `ListTab`: more columns when
the terminal is wide, a filter over every useful field (not only the visible columns), the full
object merged into the thin list row, and links that wait for a tab still loading."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import msgspec
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from iris_tui.api.model import Model
from iris_tui.ui.tabs.base import ListTab, custom_attribute_rows
from iris_tui.ui.widgets.rowlist import Column, RowList

WIDE = 110  # from this many cells on, a tab adds its `wide_columns`
NOISE = frozenset({"modification_history", "custom_attributes", "extra"})


def merged(row: Model, full: Model) -> Model:
    """`full` (a single GET) completed with what only the list row had (names, links)."""
    kept = {
        name: getattr(row, name)
        for name in row.__struct_fields__
        if name != "extra" and getattr(full, name) is None and getattr(row, name) is not None
    }
    out = msgspec.structs.replace(full, **kept)
    out.extra = {**row.extra, **full.extra}
    return out


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def every_field(obj: Model, shown: list[tuple[str, object]], used: Iterable[str]) -> list[tuple[str, object]]:
    """The curated rows (empty ones left out), then every other non-empty field under its IRIS
    name, then the custom attributes (all of them: an empty one is still a field to fill)."""
    skip = NOISE.union(used)
    rows = [(label, value) for label, value in shown if not is_empty(value)]
    for name, value in obj.to_dict().items():
        if name not in skip and not is_empty(value):
            rows.append((name, value))
    return rows + custom_attribute_rows(obj.custom_attributes)  # type: ignore[attr-defined]


def human_size(size: int | None) -> str | None:
    if size is None:
        return None
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return None  # pragma: no cover - the loop always returns


def when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else ""


def links_hint(what: str) -> Text:
    return Text(f"press L for {what}", style="dim")


class ObjectListTab(ListTab):
    """A `ListTab` of one kind of case object."""

    wide_columns: ClassVar[list[Column]] = []

    def __init__(self, cid: int) -> None:
        super().__init__(cid)
        self._pending: Any = None  # a link followed before the list had loaded

    # -- columns and filter -----------------------------------------------------------------

    def columns_for(self, width: int) -> list[Column]:
        return self.columns + self.wide_columns if width >= WIDE else list(self.columns)

    def search_text(self, row: Any) -> str:
        """What `/` searches in: more than the columns, and the same at every width."""
        raise NotImplementedError

    def _row_list(self, columns: list[Column]) -> RowList:
        return RowList(columns, key=self.row_key, search_text=self.search_text,
                       empty_text=f"No {self.title.lower()} in this case")

    def compose_content(self) -> ComposeResult:
        yield Input(placeholder="filter… (esc clears)", classes="filter")
        yield self._row_list(self.columns_for(self.app.size.width))
        with VerticalScroll(classes="detail"):
            yield Static(id="detail-body")

    async def on_resize(self, event: events.Resize) -> None:
        """Swap in the column set that fits the new width, keeping rows, filter, sort, cursor
        and selection."""
        width = event.size.width
        columns = self.columns_for(width)
        old = self.rows
        if not width or [c.key for c in columns] == [c.key for c in old.columns]:
            return
        new = self._row_list(columns)
        await self.mount(new, after=old)
        new.set_rows(old.all_rows)
        new.set_filter(old.filter_text)
        if old.sort_column in {c.key for c in columns}:
            new.sort_by(old.sort_column, reverse=old.sort_reverse)  # type: ignore[arg-type]
        if old.cursor_row is not None:
            new.move_cursor_to_key(self.row_key(old.cursor_row))
        new.select_keys(old.selected_keys)
        focused = old.has_focus
        await old.remove()
        if focused:
            new.focus()

    # -- detail -----------------------------------------------------------------------------

    async def full(self, row: Any) -> Any:
        """The full object of `row`, fetched once."""
        key = self.row_key(row)
        if key not in self._details:
            self._details[key] = await self.fetch_one(row)
        return self._details[key]

    @on(RowList.Chosen)
    def _chosen(self, event: RowList.Chosen) -> None:
        """enter: read the detail pane (esc goes back to the list)."""
        self.query_one(".detail", VerticalScroll).focus()

    def on_key(self, event: events.Key) -> None:
        detail = self.query_one(".detail", VerticalScroll)
        if event.key == "escape" and detail.has_focus:
            event.stop()
            self.rows.focus()
            return
        super().on_key(event)

    # -- links ------------------------------------------------------------------------------

    def select_key(self, key: Any) -> bool:
        if not self.loaded:
            self._pending = key  # shown when the list arrives
            return True
        box = self.query_one(".filter", Input)
        box.value = ""
        box.remove_class("-open")
        return super().select_key(key)

    def show(self, data: Any) -> None:
        super().show(data)
        if self._pending is not None:
            key, self._pending = self._pending, None
            if not self.select_key(key):
                self.app.notify(f"{self.title}: #{key} is not in this case's list",
                                severity="warning", markup=False)
