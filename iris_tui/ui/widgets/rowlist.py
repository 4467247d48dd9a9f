"""`RowList`: the one list widget for every large list (cases, assets, IOCs, events, …).

Textual's DataTable renders and stores every cell up front (10–18 s for 100,000 rows here). A
RowList keeps the caller's row objects as they are and renders only the lines on screen through
the line API, so showing 100,000 IOCs costs about as much as showing 40. Filtering narrows the
previous matches while the text grows; sorting computes each row's key once per column.

Rows are shown through `safe()`: they come from the server, so from attackers' infrastructure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Union, overload

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from iris_tui.ui.text import safe

GAP = 1  # cells between two columns
GUTTER = 2  # "● " in front of each row when rows can be selected
INDEX_AHEAD = 5_000  # from this many rows, build the search index in the background
INDEX_CHUNK = 2_000  # rows indexed between two turns of the event loop (a few ms)
_MISSING = object()

RowIndices = Union[range, list]


@dataclass(frozen=True)
class Column:
    """How one column gets its cell from a row, how wide it is and how it sorts."""

    key: str
    label: str
    value: Callable[[Any], object]
    width: int | None = None  # fixed width in cells; None shares what the fixed ones leave
    min_width: int = 4
    sort_key: Callable[[Any], Any] | None = None  # defaults to `value`; None sorts last
    style: Callable[[Any], str] | None = None  # a Rich style for this cell of this row
    justify: str = "left"  # "left", "right" or "center"
    priority: int = 0  # when the list is too narrow, higher numbers are hidden first (0: always)


def cell_text(value: object) -> str:
    """A cell value as text: dates to the minute, None as nothing, lists joined."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat(" ", "minutes")[:16]  # "YYYY-MM-DD HH:MM", twice strftime's speed
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(cell_text(item) for item in value)
    return str(value)


def fit(text: str, width: int, justify: str = "left") -> str:
    """`text` in exactly `width` cells: cut with "…" or padded."""
    if width <= 0:
        return ""
    length = len(text) if text.isascii() else cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…"
    pad = width - length
    if not pad:
        return text
    if justify == "right":
        return " " * pad + text
    if justify == "center":
        left = pad // 2
        return " " * left + text + " " * (pad - left)
    return text + " " * pad


def column_widths(columns: Sequence[Column], width: int) -> list[int]:
    """Fixed widths first (shrunk toward their minimum if they do not fit), flex columns share
    the rest equally; a column that still does not fit is cut at the widget's edge."""
    shown = list(range(len(columns)))

    def room(indices: list[int]) -> int:
        return max(0, width - GAP * (len(indices) - 1))

    def wanted(indices: list[int]) -> int:
        return sum(columns[i].width or columns[i].min_width for i in indices)

    # hide optional columns (highest priority number first) until the rest fit
    while wanted(shown) > room(shown):
        optional = [i for i in shown if columns[i].priority > 0]
        if not optional:
            break
        shown.remove(max(optional, key=lambda i: (columns[i].priority, i)))
    available = room(shown)
    flex = [i for i in shown if columns[i].width is None]
    widths = [(col.width or 0) if i in shown else 0 for i, col in enumerate(columns)]
    need = sum(widths) + sum(columns[i].min_width for i in flex)
    # shrink the widest fixed columns one cell at a time (never below their minimum)
    while need > available:
        shrinkable = [i for i in shown
                      if columns[i].width is not None and widths[i] > columns[i].min_width]
        if not shrinkable:
            break
        widest = max(shrinkable, key=widths.__getitem__)
        widths[widest] -= 1
        need -= 1
    if flex:
        rest = max(0, available - sum(widths))
        share, extra = divmod(rest, len(flex))
        for n, i in enumerate(flex):
            widths[i] = max(columns[i].min_width, share + (1 if n < extra else 0))
    return widths


def _sort_value(value: object) -> object:
    if isinstance(value, str):
        return value.casefold()
    return value


def _fallback_sort_value(value: object) -> tuple[str, str]:
    """For columns mixing types that do not compare (e.g. int and str)."""
    return (type(value).__name__, cell_text(value).casefold())


class _Visible(Sequence):
    """The visible rows in order, without copying 100,000 references on every call."""

    __slots__ = ("_rows", "_view")

    def __init__(self, rows: list[Any], view: RowIndices) -> None:
        self._rows = rows
        self._view = view

    def __len__(self) -> int:
        return len(self._view)

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self._rows[i] for i in self._view[index]]
        return self._rows[self._view[index]]


class RowList(ScrollView, can_focus=True, inherit_bindings=False):
    """A keyboard-first list of rows with a header, `/` filter, sort and multi-selection."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="rowlist.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="rowlist.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="rowlist.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="rowlist.page_down"),
        Binding("home,g", "first", "First", show=False, id="rowlist.first"),
        Binding("end,G,shift+g", "last", "Last", show=False, id="rowlist.last"),
        Binding("space", "toggle_select", "Select", show=False, id="rowlist.toggle"),
        Binding("enter", "choose", "Open", show=False, id="rowlist.choose"),
        Binding("o", "sort_next", "Sort", id="rowlist.sort"),
        Binding("O,shift+o", "sort_reverse", "Reverse", show=False, id="rowlist.reverse"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "rowlist--header",
        "rowlist--cursor",
        "rowlist--selected",
        "rowlist--empty",
    }

    # reverse (not a colour) marks the cursor: it stays visible in 16 colours and with NO_COLOR
    DEFAULT_CSS = """
    RowList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        & > .rowlist--header { text-style: bold; color: $text-primary; }
        & > .rowlist--cursor { text-style: underline; }
        &:focus > .rowlist--cursor { text-style: reverse; }
        & > .rowlist--selected { text-style: bold; color: $text-accent; }
        & > .rowlist--empty { color: $text-muted; text-style: italic; }
    }
    """

    class Highlighted(Message):
        """The cursor is on another row (or on none: `row` is None)."""

        def __init__(self, rowlist: RowList, row: Any) -> None:
            super().__init__()
            self.rowlist = rowlist
            self.row = row

        @property
        def control(self) -> RowList:
            return self.rowlist

    class Chosen(Message):
        """Enter (or a double click) on a row."""

        def __init__(self, rowlist: RowList, row: Any) -> None:
            super().__init__()
            self.rowlist = rowlist
            self.row = row

        @property
        def control(self) -> RowList:
            return self.rowlist

    class SelectionChanged(Message):
        """The set of selected keys changed."""

        def __init__(self, rowlist: RowList, keys: frozenset[Hashable]) -> None:
            super().__init__()
            self.rowlist = rowlist
            self.keys = keys

        @property
        def control(self) -> RowList:
            return self.rowlist

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        key: Callable[[Any], Hashable] = lambda r: r.id,
        search_text: Callable[[Any], str] | None = None,
        multi_select: bool = True,
        empty_text: str = "Nothing here",
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        if not columns:
            raise ValueError("a RowList needs at least one column")
        self.columns: tuple[Column, ...] = tuple(columns)
        self._by_key = {col.key: col for col in self.columns}
        self._key = key
        self._search_text = search_text
        self.multi_select = multi_select
        self.empty_text = empty_text

        self._rows: list[Any] = []
        self._keys: list[Hashable] | None = None  # built on first need
        self._search: list[str] = []  # lowercase search strings, one per row, built ahead
        self._mask: list[bool] | None = None  # the predicate's verdict per row
        self._predicate: Callable[[Any], bool] | None = None
        self._filter = ""
        self._sort_column: str | None = None
        self._sort_reverse = False
        self._sorted: dict[str, tuple[list[int], list[int]]] = {}  # ascending non-None, None
        self._order: RowIndices = range(0)  # all rows, in sort order
        self._view: RowIndices = range(0)  # visible rows (indices into _rows), in order
        self._cursor = 0
        self._selected: set[Hashable] = set()
        self._highlighted: Any = _MISSING
        self._widths: tuple[int, list[int]] | None = None
        self._lines: LRUCache[tuple, Strip] = LRUCache(256)

    # -- data -------------------------------------------------------------------------------

    def set_rows(self, rows: Iterable[Any]) -> None:
        """Replace the data; the cursor stays on the same key, the selection keeps the keys that
        still exist, filter and sort stay."""
        old_key = _MISSING if self.cursor_row is None else self._key(self.cursor_row)
        old_cursor = self._cursor
        self._rows = list(rows)
        self._keys = None
        self._search = []
        self._sorted = {}
        self._lines.clear()
        if self._predicate is not None:
            predicate = self._predicate
            self._mask = [bool(predicate(row)) for row in self._rows]
        if self._selected:
            kept = self._selected.intersection(self._key_list())
            if kept != self._selected:
                self._selected = kept
                self._post(self.SelectionChanged(self, frozenset(kept)))
        self._order = self._sort_order()
        self._view = self._filtered(self._order)
        position = self._position_of_key(old_key) if old_key is not _MISSING else None
        self._cursor = old_cursor if position is None else position
        self._view_changed()
        self._index_ahead()

    def set_filter(self, text: str) -> None:
        """Show only rows whose search text contains `text` (case-insensitive); "" clears."""
        text = text.lower()
        if text == self._filter:
            return
        narrowing = bool(self._filter) and self._filter in text
        self._filter = text
        row = self._cursor_index_in_rows()
        self._view = self._filtered(self._view if narrowing else self._order)
        self._follow_row(row)

    def set_predicate(self, fn: Callable[[Any], bool] | None) -> None:
        """An extra filter on top of the text filter (e.g. hide closed cases)."""
        self._predicate = fn
        self._mask = None if fn is None else [bool(fn(row)) for row in self._rows]
        row = self._cursor_index_in_rows()
        self._view = self._filtered(self._order)
        self._follow_row(row)

    def sort_by(self, column_key: str, *, reverse: bool | None = None) -> None:
        """Sort by a column; `reverse=None` toggles the direction when it is already the sort
        column (and means ascending otherwise). Rows without a value always come last."""
        if column_key not in self._by_key:
            raise KeyError(f"no column {column_key!r}")
        if reverse is None:
            reverse = not self._sort_reverse if column_key == self._sort_column else False
        self._sort_column = column_key
        self._sort_reverse = reverse
        row = self._cursor_index_in_rows()
        self._order = self._sort_order()
        self._view = self._filtered(self._order)
        self._lines.clear()  # the header's arrow
        self._follow_row(row)

    @property
    def sort_column(self) -> str | None:
        return self._sort_column

    @property
    def sort_reverse(self) -> bool:
        return self._sort_reverse

    @property
    def filter_text(self) -> str:
        return self._filter

    def set_loading(self, loading: bool) -> None:
        """Show Textual's loading indicator over the list."""
        self.loading = loading

    # -- reading ----------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[Any]:
        """The visible rows, in display order."""
        return _Visible(self._rows, self._view)

    @property
    def all_rows(self) -> Sequence[Any]:
        """Every row, filtered or not, in the order given to `set_rows`."""
        return self._rows

    @property
    def cursor_index(self) -> int | None:
        """The cursor's position among the visible rows (None when nothing is visible)."""
        return self._cursor if self._view else None

    @cursor_index.setter
    def cursor_index(self, index: int) -> None:
        self._move_cursor(index)

    @property
    def cursor_row(self) -> Any | None:
        return self._rows[self._view[self._cursor]] if self._view else None

    @property
    def selected_keys(self) -> frozenset[Hashable]:
        return frozenset(self._selected)

    @property
    def selected(self) -> list[Any]:
        """Every row whose key is selected (visible or not), in `set_rows` order."""
        if not self._selected:
            return []
        chosen = self._selected
        return [row for row, key in zip(self._rows, self._key_list()) if key in chosen]

    def targets(self) -> list[Any]:
        """What an action applies to: the visible selected rows, else the cursor row.

        Rows hidden by the filter are not targets, so a bulk action never touches what the
        user cannot see."""
        if self._selected:
            chosen, key = self._selected, self._key
            visible = [self._rows[i] for i in self._view if key(self._rows[i]) in chosen]
            if visible:
                return visible
        row = self.cursor_row
        return [] if row is None else [row]

    def move_cursor_to_key(self, key: Hashable) -> bool:
        """Put the cursor on the visible row with this key; False if there is none."""
        position = self._position_of_key(key)
        if position is None:
            return False
        self._move_cursor(position, center=True)
        return True

    def select_keys(self, keys: Iterable[Hashable]) -> None:
        """Replace the selection (keys that do not exist are ignored)."""
        wanted = set(keys).intersection(self._key_list()) if self._rows else set()
        if wanted != self._selected:
            self._selected = wanted
            self._lines.clear()
            self.refresh()
            self._post(self.SelectionChanged(self, frozenset(wanted)))

    # -- internals: data --------------------------------------------------------------------

    def _key_list(self) -> list[Hashable]:
        if self._keys is None:
            key = self._key
            self._keys = [key(row) for row in self._rows]
        return self._keys

    def _search_list(self) -> list[str]:
        """The search strings of all rows (finishing what `_index_ahead` has not done yet)."""
        search = self._search
        if len(search) < len(self._rows):
            search.extend(self._search_strings(self._rows[len(search):]))
        return search

    def _search_strings(self, rows: list[Any]) -> list[str]:
        if self._search_text is not None:
            text = self._search_text
            return [text(row).lower() for row in rows]
        cells = [list(map(cell_text, map(col.value, rows))) for col in self.columns]
        return ["\t".join(values).lower() for values in zip(*cells)]

    def _index_ahead(self) -> None:
        """Build the search index of a large list in small steps while the user reads it, so
        the first key typed in the filter does not wait for 100,000 rows."""
        if len(self._rows) >= INDEX_AHEAD and self.is_attached:
            self.run_worker(self._build_index(), group="rowlist-index", exclusive=True)

    async def _build_index(self) -> None:
        rows, search = self._rows, self._search
        while len(search) < len(rows):
            await asyncio.sleep(0)
            if self._rows is not rows:
                return
            done = len(search)
            search.extend(self._search_strings(rows[done:done + INDEX_CHUNK]))

    def _on_mount(self) -> None:
        self._index_ahead()

    def _sort_order(self) -> RowIndices:
        if self._sort_column is None:
            return range(len(self._rows))
        present, missing = self._sorted_by(self._by_key[self._sort_column])
        return (present[::-1] if self._sort_reverse else present) + missing

    def _sorted_by(self, column: Column) -> tuple[list[int], list[int]]:
        """Row indices with a value in ascending order, and those without (cached per column)."""
        cached = self._sorted.get(column.key)
        if cached is None:
            get = column.sort_key or column.value
            values = [get(row) for row in self._rows]
            present = [i for i, v in enumerate(values) if v is not None]
            missing = [i for i, v in enumerate(values) if v is None]
            keys = [_sort_value(v) for v in values]
            try:
                present.sort(key=keys.__getitem__)
            except TypeError:
                keys = [_fallback_sort_value(v) for v in values]
                present.sort(key=keys.__getitem__)
            cached = self._sorted[column.key] = (present, missing)
        return cached

    def _filtered(self, base: RowIndices) -> RowIndices:
        """The indices of `base` that pass the predicate and contain the filter text."""
        mask, text = self._mask, self._filter
        if mask is None and not text:
            return base
        if not text:
            return [i for i in base if mask[i]]  # type: ignore[index]
        search = self._search_list()
        if mask is None:
            return [i for i in base if text in search[i]]
        return [i for i in base if mask[i] and text in search[i]]

    def _position_of_key(self, key: Hashable) -> int | None:
        keys = self._key_list()
        try:
            row = keys.index(key)
        except ValueError:
            return None
        return self._position_of_row(row)

    def _position_of_row(self, row: int) -> int | None:
        try:
            return self._view.index(row)
        except ValueError:
            return None

    def _cursor_index_in_rows(self) -> int | None:
        return self._view[self._cursor] if self._view else None

    def _follow_row(self, row: int | None) -> None:
        """After the view changed: keep the cursor on the same row, or go to the first."""
        position = None if row is None else self._position_of_row(row)
        self._cursor = position or 0
        self._view_changed()

    # -- internals: cursor and screen -------------------------------------------------------

    def _view_changed(self) -> None:
        self._cursor = max(0, min(self._cursor, len(self._view) - 1))
        self.virtual_size = Size(0, len(self._view) + 1)
        self.refresh()
        self._scroll_to_cursor()
        self._announce()

    def _post(self, message: Message) -> None:
        if self.is_attached:
            self.post_message(message)

    def _announce(self) -> None:
        """Post Highlighted when the row under the cursor is another object than before."""
        row = self.cursor_row
        if row is not self._highlighted:
            self._highlighted = row
            self._post(self.Highlighted(self, row))

    @property
    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _move_cursor(self, index: int, *, center: bool = False) -> None:
        if not self._view:
            return
        index = max(0, min(index, len(self._view) - 1))
        old = self._cursor
        self._cursor = index
        if old != index:
            self.refresh_line(old + 1)
            self.refresh_line(index + 1)
        self._scroll_to_cursor(center=center)
        self._announce()

    def _scroll_to_cursor(self, *, center: bool = False) -> None:
        top = round(self.scroll_y)
        body = self._body_height
        if center and not top <= self._cursor < top + body:
            target = self._cursor - body // 2
        elif self._cursor < top:
            target = self._cursor
        elif self._cursor >= top + body:
            target = self._cursor - body + 1
        else:
            target = top
        target = max(0, min(target, len(self._view) - body))
        if target != top:
            self.scroll_to(y=target, animate=False, force=True)

    def _layout(self, width: int) -> list[int]:
        if self._widths is None or self._widths[0] != width:
            gutter = GUTTER if self.multi_select else 0
            self._widths = (width, column_widths(self.columns, width - gutter))
        return self._widths[1]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()

    def _on_resize(self, event: events.Resize) -> None:
        self._lines.clear()
        self._scroll_to_cursor()

    # -- rendering --------------------------------------------------------------------------

    @property
    def _inner_width(self) -> int:
        """The width the columns share: the content less the scrollbar's column."""
        return self.scrollable_content_region.width

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            return self._header_line(width, base)
        position = self.scroll_offset.y + y - 1
        if not self._view:
            return self._empty_line(y, width, base)
        if position >= len(self._view):
            return Strip.blank(width, base)
        row_index = self._view[position]
        row = self._rows[row_index]
        is_cursor = position == self._cursor
        is_selected = bool(self._selected) and self._key(row) in self._selected
        cache_key = (row_index, width, self._inner_width, is_cursor, is_selected, self.has_focus)
        strip = self._lines.get(cache_key)
        if strip is None:
            strip = self._row_line(row, width, base, is_cursor, is_selected)
            self._lines[cache_key] = strip
        return strip

    def _row_line(self, row: Any, width: int, base: Style, is_cursor: bool, is_selected: bool) -> Strip:
        if is_selected:
            base += self.get_component_rich_style("rowlist--selected", partial=True)
        cursor = self.get_component_rich_style("rowlist--cursor", partial=True) if is_cursor else None
        line_style = base + cursor if cursor else base
        segments: list[Segment] = []
        if self.multi_select:
            segments.append(Segment("● " if is_selected else "  ", line_style))
        visible = [(c, w) for c, w in zip(self.columns, self._layout(self._inner_width)) if w]
        last = len(visible) - 1
        for n, (column, cell_width) in enumerate(visible):
            text = fit(safe(cell_text(column.value(row))).plain, cell_width, column.justify)
            style = base
            if column.style is not None:
                extra = column.style(row)
                if extra:
                    style = base + Style.parse(extra)
            if cursor:
                style = style + cursor
            segments.append(Segment(text, style))
            if n < last:
                segments.append(Segment(" " * GAP, line_style))
        return Strip(segments).crop_extend(0, width, line_style)

    def _header_line(self, width: int, base: Style) -> Strip:
        inner = self._inner_width
        cache_key = ("header", width, inner, self._sort_column, self._sort_reverse, self.has_focus)
        strip = self._lines.get(cache_key)
        if strip is not None:
            return strip
        style = base + self.get_component_rich_style("rowlist--header", partial=True)
        parts = []
        for column, cell_width in zip(self.columns, self._layout(inner)):
            if not cell_width:
                continue
            label = safe(column.label).plain
            if column.key == self._sort_column:
                arrow = "▼" if self._sort_reverse else "▲"
                label = fit(label, max(0, cell_width - 2)).rstrip() + " " + arrow
            parts.append(fit(label, cell_width, column.justify))
        text = (" " * GUTTER if self.multi_select else "") + (" " * GAP).join(parts)
        strip = Strip([Segment(text, style)]).crop_extend(0, width, style)
        self._lines[cache_key] = strip
        return strip

    def _empty_line(self, y: int, width: int, base: Style) -> Strip:
        if y != max(1, self.size.height // 3):
            return Strip.blank(width, base)
        if self._rows:
            message = f"No rows match “{self._filter}”" if self._filter else "No rows match"
        else:
            message = self.empty_text
        style = base + self.get_component_rich_style("rowlist--empty", partial=True)
        return Strip([Segment(fit(safe(message).plain, width, "center"), style)])

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_select" and not self.multi_select:
            return False
        return True

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_page_down(self) -> None:
        self._page(1)

    def _page(self, direction: int) -> None:
        """Scroll by a page and keep the cursor at the same place on screen."""
        if not self._view:
            return
        body = self._body_height
        top = round(self.scroll_y)
        new_top = max(0, min(top + direction * body, len(self._view) - body))
        if new_top != top:
            self.scroll_to(y=new_top, animate=False, force=True)
        self._move_cursor(self._cursor + direction * body)

    def action_first(self) -> None:
        self._move_cursor(0)

    def action_last(self) -> None:
        self._move_cursor(len(self._view) - 1)

    def action_toggle_select(self) -> None:
        """Select or unselect the cursor row, then move down (to select a run of rows)."""
        row = self.cursor_row
        if row is None or not self.multi_select:
            return
        key = self._key(row)
        if key in self._selected:
            self._selected.discard(key)
        else:
            self._selected.add(key)
        self.refresh_line(self._cursor + 1)
        self._post(self.SelectionChanged(self, frozenset(self._selected)))
        self._move_cursor(self._cursor + 1)

    def action_choose(self) -> None:
        row = self.cursor_row
        if row is not None:
            self.post_message(self.Chosen(self, row))

    def action_sort_next(self) -> None:
        """Sort by the next column (the first one when unsorted)."""
        keys = [col.key for col in self.columns]
        if self._sort_column is None:
            self.sort_by(keys[0], reverse=False)
        else:
            self.sort_by(keys[(keys.index(self._sort_column) + 1) % len(keys)], reverse=False)

    def action_sort_reverse(self) -> None:
        if self._sort_column is None:
            self.sort_by(self.columns[0].key, reverse=True)
        else:
            self.sort_by(self._sort_column, reverse=not self._sort_reverse)

    # -- mouse ------------------------------------------------------------------------------

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.sort_by(column.key)
            return
        position = self.scroll_offset.y + offset.y - 1
        if not 0 <= position < len(self._view):
            return
        self._move_cursor(position)
        if event.chain >= 2:
            self.action_choose()

    def _column_at(self, x: int) -> Column | None:
        x -= GUTTER if self.multi_select else 0
        for column, cell_width in zip(self.columns, self._layout(self._inner_width)):
            if not cell_width:  # hidden: the list is too narrow for it
                continue
            if x < cell_width + GAP:
                return column if x >= 0 else None
            x -= cell_width + GAP
        return None
