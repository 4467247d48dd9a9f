"""Paste IOCs: any block of text in, the IOCs it holds out, added to the case one by one.

Two steps on one screen. First the text (pasted, typed, or read from a file): `ctrl+s` finds
the IOCs (iris_tui.iocparse). Then a table of candidates: `space` includes or excludes a row,
`t` switches its type among those that fit, `l` its TLP (amber by default), `a` adds the
included rows with a progress bar and a result per row. Candidates the case already holds are
marked and left out. `esc` goes back one step and never loses the text: it is kept per case
for the session until everything in it has been added.

The text comes from reports and logs, so from attackers: it is shown through SafeTextArea and
`safe()`, never as markup.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, Input, ProgressBar, Static

from iris_tui.api import IrisError
from iris_tui.iocparse import Candidate, extract, match_key
from iris_tui.ui.chrome import IrisScreen
from iris_tui.ui.tabs.iocs import TLP_STYLES
from iris_tui.ui.text import plain, safe
from iris_tui.ui.widgets.rowlist import Column, RowList
from iris_tui.ui.widgets.safetextarea import SafeTextArea

if TYPE_CHECKING:
    from iris_tui.api import IrisClient
    from iris_tui.ui.app import IrisApp

DEFAULT_TLP = "amber"
FALLBACK_TLPS = ("red", "amber", "green", "clear", "amber+strict")
MAX_FILE = 10 * 1024 * 1024  # bytes read from a file (a bigger text makes the editor crawl)
OUTCOMES = {
    "added": "added",
    "existing": "linked (already in another case)",
    "linked": "already in this case",
}
COUNTED = {"added": "added", "existing": "linked", "linked": "already in the case"}  # "Done: …"

# text not added yet, per client and case: leaving the screen does not lose it
DRAFTS: WeakKeyDictionary[Any, dict[int, str]] = WeakKeyDictionary()


@dataclass(eq=False)
class Row:
    """One candidate as the user has set it up."""

    key: int
    found: Candidate
    kind: str
    tlp: str
    kinds: tuple[str, ...]  # the types `t` cycles through
    in_case: bool = False
    result: str = ""
    done: bool = False  # added or linked: never sent twice

    @property
    def value(self) -> str:
        return self.found.value

    def note(self) -> str:
        if self.result:
            return self.result
        if self.in_case:
            return "in case"
        return "URL host" if self.found.in_url else ""


COLUMNS = [
    Column("value", "Value", lambda r: r.value, min_width=16),
    Column("type", "Type", lambda r: r.kind, width=9, min_width=6),
    Column("tlp", "TLP", lambda r: r.tlp, width=6, min_width=5,
           style=lambda r: TLP_STYLES.get(r.tlp.lower(), "")),
    Column("line", "Line", lambda r: r.found.line, width=5, justify="right", priority=2),
    Column("result", "Result", Row.note, width=20, min_width=8),
]


def read_text_file(path: str) -> str:
    """A text file's content (UTF-8 or UTF-16 with a BOM). Raises OSError/ValueError with a
    message for the user."""
    size = os.path.getsize(path)
    if size > MAX_FILE:
        raise ValueError(f"{size / 1048576:.1f} MiB is too big; the limit is {MAX_FILE // 1048576} MiB")
    with open(path, "rb") as handle:
        data = handle.read(MAX_FILE + 1)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:8192]:
        raise ValueError("this is not a text file (save the report as text first)")
    return data.decode("utf-8-sig", errors="replace")


def error_text(exc: IrisError) -> str:
    text = exc.message or type(exc).__name__
    if exc.fields:
        text += ": " + "; ".join(" ".join(msgs) for msgs in exc.fields.values())
    if exc.status and exc.status >= 500:
        text += f" (HTTP {exc.status})"
    return plain(text, limit=300)


class BulkIocScreen(IrisScreen):
    """Paste text, review the IOCs found in it, add them to case `cid`. Dismisses with True
    when anything was added or linked (the IOCs tab reloads)."""

    HELP_TITLE = "paste IOCs"
    CSS_PATH = "bulk_iocs.tcss"
    BINDINGS = [
        Binding("ctrl+s", "extract", "Extract", id="bulk.extract"),
        Binding("ctrl+o", "open_file", "Read file", id="bulk.file"),
        Binding("t", "cycle_type", "Type", id="bulk.type"),
        Binding("l", "cycle_tlp", "TLP", id="bulk.tlp"),
        Binding("L", "tlp_all", "TLP to all", id="bulk.tlp_all"),
        Binding("a,ctrl+s", "add", "Add", id="bulk.add"),
        Binding("escape", "stop", "Stop", id="bulk.stop"),
        Binding("escape", "back", "Back", id="screen.back"),  # replaces IrisScreen's escape
    ]

    def __init__(self, cid: int, *, case_title: str | None = None) -> None:
        super().__init__()
        self.cid = cid
        self.case_title = case_title or f"#{cid}"
        self.phase = "paste"  # or "review"
        self.adding = False
        self.added_any = False
        self._stop = False
        self._clean = False  # the last add sent everything included, without an error
        self._extracted: str | None = None  # the text the table was made from
        self._choices: dict[str, tuple[str, str, bool]] = {}  # match key -> (type, TLP, included)
        self._tlps: list[str] = list(FALLBACK_TLPS)
        self._note = ""  # shown under the counts: what could not be checked

    @property
    def iris(self) -> IrisClient:
        app: IrisApp = self.app  # type: ignore[assignment]
        assert app.session is not None
        return app.session.client

    def crumbs(self) -> list[str]:
        return [self.case_title, "IOCs", "Paste IOCs"]

    # -- layout -----------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        draft = DRAFTS.get(self.iris, {}).get(self.cid, "")
        with ContentSwitcher(initial="bulk-paste", id="bulk-steps"):
            with Vertical(id="bulk-paste"):
                yield Static(Text("Paste a report, a log or a list (defanged is fine), then "
                                  "ctrl+s to find the IOCs in it."), classes="bulk-hint")
                yield SafeTextArea(draft, id="bulk-text", soft_wrap=True, tab_behavior="focus")
                yield Input(placeholder="…or a file to read: its path, then enter (ctrl+o)",
                            id="bulk-file", compact=True)
                yield Static(id="bulk-paste-status")
            with Vertical(id="bulk-review"):
                yield Static(id="bulk-summary")
                yield RowList(COLUMNS, key=lambda r: r.key, empty_text="No IOCs found in the text")
                yield Static(id="bulk-detail")
                with Horizontal(id="bulk-progress"):
                    yield ProgressBar(show_eta=False, id="bulk-bar")
                    yield Static(id="bulk-progress-text")
                yield Static(Text("space include/exclude   t type   l TLP   L this TLP to all   "
                                  "esc text"), classes="bulk-hint")

    def on_mount(self) -> None:
        self.query_one("#bulk-text", SafeTextArea).focus()

    @property
    def text_area(self) -> SafeTextArea:
        return self.query_one("#bulk-text", SafeTextArea)

    @property
    def table(self) -> RowList:
        return self.query_one(RowList)

    def _set_phase(self, phase: str) -> None:
        self.phase = phase
        self.query_one(ContentSwitcher).current = f"bulk-{phase}"
        (self.table if phase == "review" else self.text_area).focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("extract", "open_file"):
            return self.phase == "paste"
        if action in ("cycle_type", "cycle_tlp", "tlp_all", "add"):
            return self.phase == "review" and not self.adding
        if action == "stop":
            return self.adding
        if action == "back":
            return not self.adding
        if action == "refresh":
            return False
        return super().check_action(action, parameters)

    # -- step 1: the text -------------------------------------------------------------------

    def _say(self, message: str | Text, *, error: bool = False) -> None:
        status = self.query_one("#bulk-paste-status", Static)
        status.set_class(error, "-error")
        status.update(message if isinstance(message, Text) else Text(message))

    def action_open_file(self) -> None:
        self.query_one("#bulk-file", Input).focus()

    @on(Input.Submitted, "#bulk-file")
    def _file_entered(self, event: Input.Submitted) -> None:
        event.stop()
        path = os.path.expanduser(event.value.strip())
        if path:
            self._read_file(path)

    @work(exclusive=True, group="bulk-file")
    async def _read_file(self, path: str) -> None:
        try:
            content = await asyncio.to_thread(read_text_file, path)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._say(Text(f"Cannot read {plain(path, limit=80)}: {plain(reason, limit=200)}"),
                      error=True)
            return
        area = self.text_area
        end = area.document.end
        area.insert(("\n" if area.text and not area.text.endswith("\n") else "") + content, end)
        self.query_one("#bulk-file", Input).value = ""
        area.focus()
        self._say(Text(f"Read {len(content):,} characters from {plain(path, limit=80)}."))

    def action_extract(self) -> None:
        text = self.text_area.text
        self._keep_draft()
        if not text.strip():
            self._say("Nothing to look at yet: paste some text first.", error=True)
            return
        if text == self._extracted and self.table.all_rows:
            self._set_phase("review")  # the same text: keep the table as it was left
            return
        self._say(Text("Looking for IOCs…"))
        self._extract(text)

    @work(exclusive=True, group="bulk-extract")
    async def _extract(self, text: str) -> None:
        try:
            found = await asyncio.to_thread(extract, text)
        except Exception as exc:  # noqa: BLE001 - a parser bug must not end the app and the text
            self._say(Text(f"Could not read the text: {plain(exc, limit=200)}"), error=True)
            return
        self._note = ""
        try:
            existing = {match_key(ioc.ioc_value) for ioc in await self.iris.iocs.list(self.cid)}
        except IrisError as exc:
            existing = set()
            self._note = f"Could not check which of these the case has: {error_text(exc)}"
        known_types = await self._lookups()
        self._remember()
        rows, chosen = [], []
        for n, candidate in enumerate(found):
            key = match_key(candidate.value)
            kinds = tuple(k for k in candidate.alternatives
                          if known_types is None or k in known_types or k == candidate.kind)
            kind, tlp, included = self._choices.get(key, (candidate.kind, self._default_tlp(), True))
            row = Row(n, candidate, kind if kind in kinds else candidate.kind, tlp, kinds,
                      in_case=key in existing)
            rows.append(row)
            if included and not row.in_case:
                chosen.append(n)
        self._extracted = text
        self._clean = False
        table = self.table
        table.set_rows(rows)
        table.select_keys(chosen)
        table.cursor_index = 0
        self.query_one("#bulk-progress").display = False
        self._say("")
        self._set_phase("review")
        self._summarise()

    async def _lookups(self) -> set[str] | None:
        """The server's TLP names (for `l`) and IOC type names (None when unknown)."""
        try:
            self._tlps = [item.name for item in await self.iris.lookups.list("tlp")] or self._tlps
        except IrisError:
            pass
        try:
            return {item.name for item in await self.iris.lookups.list("ioc_type")}
        except IrisError:
            return None

    def _default_tlp(self) -> str:
        return DEFAULT_TLP if DEFAULT_TLP in self._tlps else self._tlps[0]

    def _remember(self) -> None:
        """Keep the choices made in the table, for the same values after a new extraction."""
        selected = self.table.selected_keys
        for row in self.table.all_rows:
            if not row.in_case:
                self._choices[match_key(row.value)] = (row.kind, row.tlp, row.key in selected)

    def _keep_draft(self) -> None:
        text = self.text_area.text
        drafts = DRAFTS.setdefault(self.iris, {})
        if text.strip() and not (self._clean and text == self._extracted):
            drafts[self.cid] = text
        else:
            drafts.pop(self.cid, None)

    # -- step 2: the table ------------------------------------------------------------------

    def _summarise(self) -> None:
        rows = self.table.all_rows
        selected = self.table.selected_keys
        in_case = sum(1 for r in rows if r.in_case)
        text = Text(f"{len(rows)} found · {len(selected)} to add · {in_case} already in the case",
                    style="bold")
        if self._note:
            text.append("\n" + self._note, style="bold")
        self.query_one("#bulk-summary", Static).update(text)

    def _redraw(self) -> None:
        """Rows are changed in place: let the list repaint them (cursor and selection stay)."""
        self.table.set_rows(self.table.all_rows)
        self._show_detail(self.table.cursor_row)

    @on(RowList.Highlighted)
    def _highlighted(self, event: RowList.Highlighted) -> None:
        self._show_detail(event.row)

    @on(RowList.SelectionChanged)
    def _selection_changed(self, event: RowList.SelectionChanged) -> None:
        self._summarise()

    def _show_detail(self, row: Row | None) -> None:
        detail = self.query_one("#bulk-detail", Static)
        if row is None:
            detail.update("")
            return
        found = row.found
        text = Text(f"line {found.line}" + (f", {found.count} times" if found.count > 1 else "")
                    + ": ", style="dim")
        text.append_text(safe(found.raw, limit=120))
        if row.kinds[1:]:
            text.append(f"   t: {' / '.join(row.kinds)}", style="dim")
        if row.result:
            text.append("\n")
            text.append_text(safe(row.result, limit=300))
        detail.update(text)

    def action_cycle_type(self) -> None:
        row = self.table.cursor_row
        if row is None:
            return
        if len(row.kinds) < 2:
            self.notify(f"{row.kind} is the only type that fits this value", markup=False)
            return
        index = row.kinds.index(row.kind) if row.kind in row.kinds else -1
        row.kind = row.kinds[(index + 1) % len(row.kinds)]
        self._redraw()

    def action_cycle_tlp(self) -> None:
        row = self.table.cursor_row
        if row is None:
            return
        index = self._tlps.index(row.tlp) if row.tlp in self._tlps else -1
        row.tlp = self._tlps[(index + 1) % len(self._tlps)]
        self._redraw()

    def action_tlp_all(self) -> None:
        """The cursor row's TLP on every included row."""
        row = self.table.cursor_row
        if row is None:
            return
        for other in self._included():
            other.tlp = row.tlp
        self._redraw()

    def _included(self) -> list[Row]:
        selected = self.table.selected_keys
        return [row for row in self.table.all_rows if row.key in selected]

    # -- step 3: adding ---------------------------------------------------------------------

    def action_add(self) -> None:
        if self.app.refuse_write():  # type: ignore[attr-defined]
            return
        rows = [row for row in self._included() if not row.done]
        if not rows:
            self.notify("Nothing to add: include rows with space first", severity="warning",
                        markup=False)
            return
        self._add(rows)

    def action_stop(self) -> None:
        self._stop = True
        self.query_one("#bulk-progress-text", Static).update(Text("Stopping after this one…"))

    @work(exclusive=True, group="bulk-add")
    async def _add(self, rows: list[Row]) -> None:
        self.adding, self._stop = True, False
        self.refresh_bindings()
        bar = self.query_one("#bulk-bar", ProgressBar)
        bar.update(total=len(rows), progress=0)
        self.query_one("#bulk-progress").display = True
        said = self.query_one("#bulk-progress-text", Static)
        counts: Counter[str] = Counter()
        try:
            for n, row in enumerate(rows):
                if self._stop:
                    for rest in rows[n:]:
                        rest.result = "not sent (stopped)"
                    counts["stopped"] = len(rows) - n
                    break
                said.update(Text(f"{n + 1} of {len(rows)}"))
                await self._add_one(row, counts)
                bar.advance(1)
                self._redraw()
        finally:
            self.adding = False
            self.refresh_bindings()
        self._clean = not counts["failed"] and not counts["stopped"]
        self._keep_draft()
        self._redraw()
        self._summarise()
        parts = [f"{counts[o]} {COUNTED[o]}" for o in COUNTED if counts[o]]
        parts += [f"{counts[k]} {k}" for k in ("failed", "stopped") if counts[k]]
        said.update(Text("Done: " + ", ".join(parts)))

    async def _add_one(self, row: Row, counts: Counter[str]) -> None:
        row.result = "adding…"
        self._redraw()
        try:
            result = await self.iris.iocs.add(self.cid, value=row.value, ioc_type=row.kind,
                                              tlp=row.tlp)
        except IrisError as exc:
            row.result = f"error: {error_text(exc)}"
            counts["failed"] += 1
            return
        row.result = OUTCOMES.get(result.outcome, result.outcome)
        row.done = True
        self.added_any = True
        counts[result.outcome] += 1
        self.table.select_keys(self.table.selected_keys - {row.key})

    # -- leaving ----------------------------------------------------------------------------

    def action_back(self) -> None:
        """From the table back to the text; from the text out (the text is kept)."""
        if self.phase == "review":
            self._remember()
            self._set_phase("paste")
            return
        self._keep_draft()
        self.dismiss(self.added_any)
