"""Timeline tab: the case's events in order, a separator row for each day, IRIS's filter syntax.

The list endpoint's rows have no assets and no source, and the advanced filter's rows have no
ids for their links and skip events whose creator was deleted; so the tab loads both (the list
is the authority on which events exist) and fetches the full event, with its comments, when the
cursor rests on it.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import re
from collections.abc import Iterable
from typing import Any

import msgspec
from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Input, Static

from iris_tui.api import IrisError
from iris_tui.api.comments import Comment
from iris_tui.api.events import FILTER_KEYWORDS, Event, parse_timeline_filter
from iris_tui.api.history import last_change
from iris_tui.api.listing import Listing
from iris_tui.api.model import UTC
from iris_tui.bulk import paused_gc
from iris_tui.ui.links import Link, show_links
from iris_tui.ui.tabs.base import ListTab, StatusLine, custom_attribute_rows, field_table, looked_at
from iris_tui.ui.tabs.editing import EditableTab, EventEditor
from iris_tui.ui.text import plain, safe_block
from iris_tui.ui.widgets.rowlist import Column, RowList

DETAIL_DELAY = 0.15  # seconds the cursor must rest on an event before its full record is fetched
# above this many events the advanced filter (asset names, flags) is not loaded with the list:
# at 100,000 events it would more than double the download; the full event (its assets, flag
# and parent) still comes when the cursor rests on it
ENRICH_UP_TO = 20_000
_QUERY = re.compile(r"^\s*(?:%s)\s*:" % "|".join(FILTER_KEYWORDS), re.IGNORECASE)


def is_query(text: str) -> bool:
    """Whether the filter text is IRIS's `keyword:value AND ...` syntax (else plain text)."""
    return bool(_QUERY.match(text))


class EventRow(msgspec.Struct, gc=False, eq=False):
    """One event of the list: the row the server listed, plus the full event once fetched.

    A big case has 100,000 of them: untracked by the cyclic GC (they never form a cycle), each
    full collection has that many objects fewer to walk while the case is open.
    """

    event: Event
    order: int
    info: Event | None = None  # the advanced filter's row (asset names), when known
    full: Event | None = None
    comments: list[Comment] | None = None

    def __post_init__(self) -> None:
        if self.info is None and self.event.assets is not None:
            self.info = self.event

    @property
    def key(self) -> int:
        return self.event.event_id

    def when(self, utc: bool) -> _dt.datetime | None:
        return self.event.event_date if utc else self.event.when

    @property
    def instant(self) -> _dt.datetime:
        return self.event.event_date or _dt.datetime.min.replace(tzinfo=UTC)

    @property
    def source(self) -> str | None:
        return self.full.event_source if self.full is not None else self.event.event_source

    @property
    def flagged(self) -> bool:
        for ev in (self.full, self.info, self.event):
            if ev is not None and ev.event_is_flagged is not None:
                return bool(ev.event_is_flagged)
        return False

    @property
    def parent_id(self) -> int | None:
        for ev in (self.full, self.info):
            if ev is not None and ev.parent_event_id is not None:
                return ev.parent_event_id
        return None

    @property
    def asset_names(self) -> list[str] | None:
        """`"<name> (<type>)"` of the linked assets; None when not known yet."""
        if self.info is not None and self.info.assets is not None:
            return [str(a.get("name") or "") for a in self.info.assets if isinstance(a, dict)]
        return None

    @property
    def asset_count(self) -> int | None:
        names = self.asset_names
        if names is not None:
            return len(names)
        if self.full is not None and self.full.event_assets is not None:
            return len(self.full.event_assets)
        return None

    @property
    def ioc_values(self) -> list[str]:
        rows = self.event.iocs if self.event.iocs is not None else (self.info.iocs if self.info else None)
        return [str(i.get("ioc_value") or i.get("name") or "") for i in rows or () if isinstance(i, dict)]

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.instant, 1, self.order)

    def search_text(self) -> str:
        ev = self.event
        parts = [ev.event_title, ev.category_name, ev.event_tags, ev.event_content, self.source,
                 *(self.asset_names or ()), *self.ioc_values, str(ev.event_id)]
        return "\t".join(p for p in parts if p).lower()


class DayRow:
    """The separator in front of a day's events; its search text is its events' so that it
    stays visible while any of them matches the filter."""

    def __init__(self, n: int, day: _dt.date, utc: bool, first: EventRow) -> None:
        self.key = ("day", n)
        self.day = day
        self.utc = utc
        self.sort_key = (first.instant, 0, first.order)
        self.events: list[EventRow] = []

    @property
    def label(self) -> str:
        return f"── {self.day:%a %Y-%m-%d}{' UTC' if self.utc else ''} ──"

    def search_text(self) -> str:
        return "\0".join(row.search_text() for row in self.events)


def with_days(events: Iterable[EventRow], utc: bool) -> list[EventRow | DayRow]:
    """The events in order with a DayRow wherever the (displayed) day changes."""
    out: list[EventRow | DayRow] = []
    current: DayRow | None = None
    for row in events:
        when = row.event.naive_when(utc)
        day = when.date() if when is not None else None
        if day is not None and (current is None or current.day != day):
            current = DayRow(len(out), day, utc, row)
            out.append(current)
        if current is not None:
            current.events.append(row)
        out.append(row)
    return out


def _time(row: Any, utc: bool) -> str:
    if isinstance(row, DayRow):
        return ""
    when = row.when(utc)
    return when.strftime("%H:%M:%S") if when is not None else "no date"


def _links(row: Any) -> str:
    if isinstance(row, DayRow):
        return ""
    assets, iocs = row.asset_count, len(row.ioc_values)
    parts = [f"A{assets}" if assets else ("A?" if assets is None else ""), f"I{iocs}" if iocs else ""]
    return " ".join(p for p in parts if p)


def _title(row: Any) -> str:
    if isinstance(row, DayRow):
        return row.label
    prefix = ("⚑ " if row.flagged else "") + ("↳ " if row.parent_id is not None else "")
    return prefix + row.event.event_title


def _style(row: Any) -> str:
    if isinstance(row, DayRow):
        return "bold"
    return "bold" if row.flagged else ""


def _cell(get: Any) -> Any:
    return lambda row: None if isinstance(row, DayRow) else get(row)


WIDE = 110  # from this many cells on, the category, source and tags columns get wider


def columns(tab: TimelineTab, wide: bool = False) -> list[Column]:
    category, source, tags = (20, 18, 16) if wide else (14, 10, 10)
    return [
        Column("time", "time", lambda r: _time(r, tab.utc), width=8, min_width=5,
               sort_key=lambda r: r.sort_key, style=_style),
        Column("category", "category", _cell(lambda r: r.event.category_name), width=category,
               min_width=6),
        Column("title", "title", _title, min_width=12, style=_style),
        Column("source", "source", _cell(lambda r: r.source), width=source, min_width=4),
        Column("tags", "tags", _cell(lambda r: r.event.event_tags), width=tags, min_width=4),
        Column("links", "links", _links, width=6, min_width=4),
    ]


class TimelineList(RowList):
    """A RowList whose day separators only show in chronological order."""

    def sort_by(self, column_key: str, *, reverse: bool | None = None) -> None:
        super().sort_by(column_key, reverse=reverse)
        chronological = column_key == "time" and not self.sort_reverse
        self.set_predicate(None if chronological else (lambda row: not isinstance(row, DayRow)))

    def refresh_rows(self) -> None:
        """Redraw after rows changed in place (a fetched event now knows its source)."""
        self._lines.clear()
        self.refresh()

    def set_columns(self, columns: list[Column]) -> None:
        """Other widths for the same columns (same keys and values: sort and filter hold)."""
        if [(c.key, c.width) for c in columns] == [(c.key, c.width) for c in self.columns]:
            return
        self.columns = tuple(columns)
        self._by_key = {column.key: column for column in self.columns}
        self._widths = None
        self.refresh_rows()


def _when_text(when: _dt.datetime | None, tz: str | None) -> str:
    if when is None:
        return ""
    return when.strftime("%Y-%m-%d %H:%M:%S") + (f" {tz}" if tz else "")


def event_fields(row: EventRow) -> list[tuple[str, object]]:
    """Every field of the event (the full one when fetched), named for people."""
    ev = row.full or row.event
    info = row.info
    utc = ev.event_date.astimezone(UTC) if ev.event_date is not None else None
    assets: object = row.asset_names
    if assets is None and row.full is not None:
        assets = [f"#{i}" for i in row.full.event_assets or ()]
    children = [f"#{c.get('event_id')} {c.get('event_title') or ''}"
                for c in (row.full.children if row.full else None) or () if isinstance(c, dict)]
    added_by = info.user if info is not None and isinstance(info.user, str) else None
    change = last_change(ev.modification_history)
    fields: list[tuple[str, object]] = [
        ("Event", f"#{ev.event_id}"),
        ("Title", ev.event_title),
        ("When", _when_text(row.event.when, ev.event_tz)),
        ("UTC", _when_text(utc, "UTC")),
        ("Category", ev.category_name or row.event.category_name),
        ("Source", row.source if row.full is not None else "…"),
        ("Tags", ev.event_tags),
        ("Assets", assets if assets is not None else "…"),
        ("IOCs", row.ioc_values),
        ("Flagged", row.flagged),
        ("In summary", ev.event_in_summary),
        ("In graph", ev.event_in_graph),
        ("Colour", ev.event_color),
        ("Parent event", f"#{row.parent_id}" if row.parent_id is not None else None),
        ("Child events", children),
        ("Added", _when_text(ev.event_added or (info.event_added if info else None), None)
         + (f" by {added_by}" if added_by else "")),
        ("Last change", f"{change.when:%Y-%m-%d %H:%M:%S} UTC by {change.user}: {change.action}"
         if change else None),
        ("UUID", ev.event_uuid),
    ]
    shown = {"event_assets", "event_iocs", "event_comments_map", "iocs", "assets", "children"}
    for name, value in {**row.event.extra, **(ev.extra if ev is not row.event else {})}.items():
        if name not in shown:
            fields.append((name, value))
    fields += custom_attribute_rows(ev.custom_attributes)
    return [(label, value) for label, value in fields if value not in (None, "", [])]


def event_body(row: EventRow) -> Text:
    """Content, raw text and comments of the event, every string shown literally."""
    ev = row.full or row.event
    out = Text()
    if ev.event_content:
        out.append("\nContent\n", style="bold")
        out.append_text(safe_block(ev.event_content))
        out.append("\n")
    if row.full is not None and ev.event_raw:
        out.append("\nRaw\n", style="bold")
        out.append_text(safe_block(ev.event_raw, style="dim"))
        out.append("\n")
    if row.comments is not None:
        out.append(f"\nComments ({len(row.comments)})\n", style="bold")
        for comment in row.comments:
            out.append(f"{plain(comment.author, limit=40)}  ", style="bold")
            when = comment.comment_date
            out.append(f"{when:%Y-%m-%d %H:%M}\n" if when else "\n", style="dim")
            out.append_text(safe_block(comment.text, limit=5000))
            out.append("\n")
    return out


class TimelineTab(ListTab, EditableTab):
    """Events in order with day separators; `/` takes plain text or `title:rdp AND asset:WS-01`."""

    tab_id = "timeline"
    title = "Timeline"
    editor = EventEditor()
    DEFAULT_CSS = """
    TimelineTab > .filter-note { display: none; height: auto; max-height: 3; padding: 0 1; }
    TimelineTab > .filter-note.-shown { display: block; }
    TimelineTab > .filter-note.-error { color: $error; }
    """
    BINDINGS = [
        Binding("u", "toggle_utc", "UTC", id="timeline.utc"),
        Binding("L", "links", "Links", id="timeline.links"),
    ]

    def __init__(self, cid: int) -> None:
        super().__init__(cid)
        self.utc = False
        self.events: list[EventRow] = []  # the whole timeline, oldest first
        self.shown: list[EventRow] = []  # what the list shows (the server filter's answer)
        self.query_text = ""  # the server filter in force ("" = none)
        self._last_index = 0
        self._pending: Any = None  # an event a link asked for before the timeline had loaded

    def compose_content(self) -> ComposeResult:
        yield Input(placeholder="filter… text, or title:rdp AND asset:WS-01 (esc clears)",
                    classes="filter")
        yield Static(classes="filter-note")
        yield TimelineList(columns(self, self.app.size.width >= WIDE), key=lambda r: r.key, search_text=lambda r: r.search_text(),
                           empty_text="No events in this case")
        with VerticalScroll(classes="detail"):
            yield Static(id="detail-body")

    @staticmethod
    def row_key(row: Any) -> Any:
        return row.key

    def on_resize(self, event: Any) -> None:
        if event.size.width:
            self.rows.set_columns(columns(self, event.size.width >= WIDE))

    # -- loading ----------------------------------------------------------------------------

    async def fetch(self) -> Any:
        """The list, and the advanced filter's rows (asset names, flags) when the list has up
        to ENRICH_UP_TO events. A huge timeline never downloads the latter (63 MB at 100,000
        events, on a jump host's link): it is asked for once the list is known to be small,
        or, when this session saw the case's timeline small before, with the list (one round
        trip instead of two; dropped if the timeline has grown past the limit since)."""
        sizes = self.session.timeline_sizes
        early = None
        if sizes.get(self.cid, ENRICH_UP_TO + 1) <= ENRICH_UP_TO:
            early = asyncio.ensure_future(self.iris.events.filter(self.cid, {}))
            early.add_done_callback(looked_at)
        try:
            listing = await self.iris.events.list(self.cid, preview=self.preview)
        except BaseException:
            if early is not None:
                early.cancel()
            raise
        sizes[self.cid] = len(listing)
        info: dict[int, Event] = {}
        if len(listing) <= ENRICH_UP_TO:
            try:
                found = await (early if early is not None else self.iris.events.filter(self.cid, {}))
                info = {e.event_id: e for e in found}
            except IrisError:
                pass  # the list still shows every event; asset counts read "A?"
        elif early is not None:
            early.cancel()
        with paused_gc():
            rows = [EventRow(ev, n, info.get(ev.event_id)) for n, ev in enumerate(listing)]
        return Listing(rows, listing.state)  # the state: auto-refresh compares it

    def show_preview(self, rows: list[Any], total: int) -> None:
        self._show_rows([EventRow(ev, n) for n, ev in enumerate(rows)])
        self.query_one(StatusLine).loading(f"the timeline (the first {len(rows):,} of {total:,} events shown)")

    def show(self, data: Any) -> None:
        self.events = list(data)
        self.count(len(self.events))
        if self.query_text:
            self.run_query(self.query_text)
        else:
            self._show_rows(self.events)
        if self._pending is not None:
            key, self._pending = self._pending, None
            if not self.select_key(key):
                self.app.notify(f"Timeline: event #{key} is not in this case", severity="warning",
                                markup=False)

    def _show_rows(self, events: list[EventRow]) -> None:
        self.shown = events
        self.rows.set_rows(with_days(events, self.utc))
        self._skip_separator(+1)
        self.show_detail(self.rows.cursor_row)

    # -- filter: plain text locally, IRIS syntax on the server ------------------------------

    def _note(self, message: str | Text = "", *, error: bool = False) -> None:
        note = self.query_one(".filter-note", Static)
        note.set_class(bool(message), "-shown")
        note.set_class(error, "-error")
        note.update(message if isinstance(message, Text) else Text(message))

    @on(Input.Changed, ".filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.prevent_default()  # not ListTab's: a query must not filter locally
        text = event.value
        if is_query(text):
            self.rows.set_filter("")
            self._note("IRIS filter: press enter to run it on the server")
            return
        if self.query_text:
            self.clear_query()
        self._note()
        self.rows.set_filter(text)

    @on(Input.Submitted, ".filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.prevent_default()
        if is_query(event.value):
            try:
                parse_timeline_filter(event.value)
            except ValueError as exc:
                self._note(Text(f"Bad filter: {plain(exc, limit=300)}"), error=True)
                return
            self.run_query(event.value)
        self.rows.focus()

    def run_query(self, text: str) -> None:
        self._note(Text(f"Asking the server: {plain(text, limit=200)}", style="dim"))
        self._server_filter(text)

    @work(exclusive=True, group="timeline-filter")
    async def _server_filter(self, text: str) -> None:
        try:
            found = await self.iris.events.filter(self.cid, parse_timeline_filter(text))
        except ValueError as exc:
            self._note(Text(f"Bad filter: {plain(exc, limit=300)}"), error=True)
            return
        except IrisError as exc:
            self._note(Text(f"The server refused the filter: {plain(exc, limit=300)}"), error=True)
            return
        known = {row.key: row for row in self.events}
        rows = []
        for n, ev in enumerate(found):
            row = EventRow(known[ev.event_id].event if ev.event_id in known else ev, n, ev)
            old = known.get(ev.event_id)
            if old is not None:
                row.full, row.comments = old.full, old.comments
            rows.append(row)
        self.query_text = text
        self.rows.set_filter("")
        self._show_rows(rows)
        self._note(Text(f"{len(rows)} of {len(self.events)} events match {plain(text, limit=120)}"
                        " (server filter, esc clears)"))

    def clear_query(self) -> None:
        """Back to the whole timeline."""
        self.workers.cancel_group(self, "timeline-filter")
        if self.query_text:
            self.query_text = ""
            self._show_rows(self.events)

    def on_key(self, event: Any) -> None:
        if event.key != "escape":
            return
        if self.query_one(".filter", Input).has_focus:
            self.clear_query()
            self._note()  # ListTab's handler then empties and closes the box
        elif self.query_one(".detail", VerticalScroll).has_focus:
            event.stop()
            self.rows.focus()
        elif self.rows.has_focus and (self.query_text or self.rows.filter_text):
            event.stop()  # first esc clears the filter, the next one leaves the case
            self.clear_filter()

    def clear_filter(self) -> None:
        """No server query, no text filter, the box closed."""
        self.clear_query()
        box = self.query_one(".filter", Input)
        box.value = ""
        box.remove_class("-open")
        self.rows.set_filter("")
        self._note()

    @on(RowList.Chosen)
    def _chosen(self, event: RowList.Chosen) -> None:
        """enter: read the detail pane (esc goes back to the list)."""
        if isinstance(event.row, EventRow):
            self.query_one(".detail", VerticalScroll).focus()

    # -- cursor and detail ------------------------------------------------------------------

    def _skip_separator(self, direction: int) -> None:
        rows = self.rows
        index = rows.cursor_index
        if index is None or not isinstance(rows.cursor_row, DayRow):
            return
        target = index + direction
        if not 0 <= target < len(rows.rows) or isinstance(rows.rows[target], DayRow):
            target = index - direction
        if 0 <= target < len(rows.rows):
            rows.cursor_index = target
            if target == 1:  # keep the first day's separator in view (also when laid out later)
                rows.scroll_to(y=0, animate=False, force=True)

    def show_detail(self, row: Any) -> None:
        body = self.query_one("#detail-body", Static)
        if isinstance(row, DayRow):
            index = self.rows.cursor_index or 0
            self._skip_separator(+1 if index >= self._last_index else -1)
            return
        self._last_index = self.rows.cursor_index or 0
        if row is None:
            body.update("")
            return
        body.update(Group(field_table(event_fields(row)), event_body(row)))
        if row.full is None or row.comments is None:
            self._fetch_event(row)

    @work(exclusive=True, group="event-detail")
    async def _fetch_event(self, row: EventRow) -> None:
        await asyncio.sleep(DETAIL_DELAY)  # a cursor running down the list fetches nothing
        try:
            full, comments = await asyncio.gather(
                self.iris.events.get(self.cid, row.key),
                self.iris.events.comments.list(self.cid, row.key),
            )
        except IrisError as exc:
            if self.rows.cursor_row is row:
                self.query_one("#detail-body", Static).update(Group(
                    field_table(event_fields(row)),
                    Text(f"\nCould not load the full event: {plain(exc, limit=200)} (r reloads)",
                         style="dim"),
                ))
            return
        row.full, row.comments = full, comments
        try:
            rows = self.rows
        except NoMatches:  # the case was closed while this waited
            return
        rows.refresh_rows()
        if rows.cursor_row is row:
            self.query_one("#detail-body", Static).update(
                Group(field_table(event_fields(row)), event_body(row))
            )

    # -- keys -------------------------------------------------------------------------------

    def action_toggle_utc(self) -> None:
        self.utc = not self.utc
        self.rows.set_rows(with_days(self.shown, self.utc))
        self._skip_separator(+1)
        self.show_detail(self.rows.cursor_row)
        self.app.notify("times in UTC" if self.utc else "times as entered (each event's own offset)",
                        markup=False, timeout=2)

    def copy_value(self, row: Any) -> object:
        return row.event.event_title if isinstance(row, EventRow) else ""

    def select_key(self, key: Any) -> bool:
        """Put the cursor on event `key` (a link from another tab): the whole timeline first."""
        if not self.loaded:
            self._pending = key  # shown when the timeline arrives
            return True
        self.clear_filter()
        return super().select_key(key)

    def action_links(self) -> None:
        row = self.rows.cursor_row
        if not isinstance(row, EventRow):
            return
        fetching: list[asyncio.Task[Event]] = []

        async def full() -> Event:
            """The full event (its link ids), fetched once for both loaders."""
            if row.full is None:
                if not fetching or fetching[-1].done() and fetching[-1].exception() is not None:
                    fetching.append(asyncio.ensure_future(self.iris.events.get(self.cid, row.key)))
                row.full = await fetching[-1]
            return row.full

        async def assets() -> list[Link]:
            ids = (await full()).event_assets or []
            known = {a.asset_id: a for a in await self._case_rows("assets", self.iris.assets.list)}
            return [Link("Asset", "assets", i, known[i].asset_name if i in known else f"asset #{i}",
                         " ".join(v for v in (known[i].type_name, known[i].asset_ip) if v)
                         if i in known else "") for i in ids]

        async def iocs() -> list[Link]:
            ids = (await full()).event_iocs or []
            values = {int(i["ioc_id"]): str(i.get("ioc_value") or "") for i in row.event.iocs or ()
                      if isinstance(i, dict) and i.get("ioc_id") is not None}
            if any(i not in values for i in ids):
                values.update({c.ioc_id: c.ioc_value for c in await self._case_rows("iocs", self.iris.iocs.list)})
            return [Link("IOC", "iocs", i, values.get(i) or f"IOC #{i}") for i in ids]

        show_links(self, f"Links of event {row.event.event_title}", [("assets", assets), ("IOCs", iocs)])

    async def _case_rows(self, tab_id: str, fetch: Any) -> list[Any]:
        """The rows another tab has loaded already, else a request for them."""
        tab = self.screen.tab(tab_id) if hasattr(self.screen, "tab") else None
        if tab is not None and tab.loaded:
            return list(tab.rows.all_rows)
        return list(await fetch(self.cid))
