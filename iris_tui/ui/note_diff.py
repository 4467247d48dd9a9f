"""Two versions of a note side by side in time: a unified diff (difflib), and the two choices
built on it — the save conflict (someone changed the note on the server since it was opened)
and the restore prompt (a local draft differs from the server).

Diff lines are server text: each is shown through `clean()` in a `Text`, never as markup, and
the diff is computed in a thread (two 5,000-line notes can take a while).
"""

from __future__ import annotations

import datetime as _dt
import difflib

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from iris_tui.api.notes import Note
from iris_tui.drafts import Draft
from iris_tui.ui.text import clean, plain, safe

DIFF_LIMIT = 3000  # diff lines painted; the rest is counted


def diff_lines(old_title: str, old: str, new_title: str, new: str, *,
               old_label: str, new_label: str) -> list[str]:
    """A unified diff of the titles (when they differ) and the contents."""
    lines: list[str] = []
    if old_title != new_title:
        lines += [f"title {old_label}: {old_title}", f"title {new_label}: {new_title}", ""]
    body = list(difflib.unified_diff(old.splitlines(), new.splitlines(), fromfile=old_label,
                                     tofile=new_label, lineterm="", n=3))
    return lines + (body or ["(the texts are the same)"])


def render_diff(lines: list[str], limit: int = DIFF_LIMIT) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    for line in lines[:limit]:
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("title "):
            style = "bold"
        else:
            style = ""
        out.append(clean(line), style=style)  # clean(): one line, controls visible
        out.append("\n")
    if len(lines) > limit:
        out.append(f"… {len(lines) - limit:,} more diff lines", style="dim italic")
    return out


class DiffView(VerticalScroll):
    """A scrollable diff, computed off the UI thread."""

    DEFAULT_CSS = """
    DiffView { height: 1fr; border: solid $primary-darken-2; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text("Comparing…", style="dim"), classes="diff-body")

    @work(thread=True, exclusive=True, group="diff")
    def compare(self, old_title: str, old: str, new_title: str, new: str, *,
                old_label: str, new_label: str) -> None:
        text = render_diff(diff_lines(old_title, old, new_title, new,
                                      old_label=old_label, new_label=new_label))
        self.app.call_from_thread(self.query_one(".diff-body", Static).update, text)


MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 100%; height: 100%; border: round $warning; background: $surface;
    padding: 0 1; }}
{name} .dialog-title {{ text-style: bold; }}
{name} .dialog-keys {{ height: auto; }}
"""


def _keys(*pairs: tuple[str, str]) -> Text:
    out = Text()
    for n, (key, label) in enumerate(pairs):
        out.append("   " if n else "")
        out.append(key, style="bold reverse")
        out.append(f" {label}")
    return out


def _who(note: Note) -> str:
    change = note.last_change_entry
    when = note.last_change
    parts = []
    if change is not None and change.user:
        parts.append(f"by {plain(change.user, limit=40)}")
    if when is not None:
        parts.append(f"at {when:%Y-%m-%d %H:%M} UTC")
    return " ".join(parts)


def _stamp(iso: str) -> str:
    try:
        return f"{_dt.datetime.fromisoformat(iso):%Y-%m-%d %H:%M} UTC"
    except ValueError:
        return "an unknown time"


class ConflictScreen(ModalScreen[str | None]):
    """Save refused: the server's note changed since it was opened. Answers "mine" (overwrite),
    "theirs" (take the server's, a backup of mine is kept), "new" (save mine as a new note), or
    None (back to editing, nothing sent). `theirs` None: the note was deleted on the server."""

    DEFAULT_CSS = MODAL_CSS.format(name="ConflictScreen")
    BINDINGS = [
        Binding("m", "choose('mine')", "Keep mine", id="conflict.mine"),
        Binding("t", "choose('theirs')", "Take theirs", id="conflict.theirs"),
        Binding("n", "choose('new')", "Mine as new note", id="conflict.new"),
        Binding("escape", "choose(None)", "Back to editing", id="conflict.cancel"),
    ]

    def __init__(self, title: str, text: str, theirs: Note | None) -> None:
        super().__init__()
        self.mine_title, self.mine_text, self.theirs = title, text, theirs

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.theirs is None:
                yield Static("This note was deleted on the server.", classes="dialog-title")
                yield Static(Text("Nothing was saved. Your text is kept in the local draft.", style="dim"))
                yield Static(_keys(("n", "save mine as a new note"), ("esc", "back to editing")),
                             classes="dialog-keys")
                return
            head = Text("Someone changed this note on the server since you opened it", style="bold")
            who = _who(self.theirs)
            if who:
                head.append(f" ({who})")
            yield Static(head, classes="dialog-title")
            yield Static(Text("Nothing was overwritten. - lines: theirs (server), + lines: mine.",
                              style="dim"))
            yield DiffView()
            yield Static(_keys(("m", "keep mine (overwrite)"), ("t", "take theirs"),
                               ("n", "mine as a new note"), ("esc", "back")), classes="dialog-keys")

    def on_mount(self) -> None:
        if self.theirs is not None:
            self.query_one(DiffView).compare(
                self.theirs.title, self.theirs.content, self.mine_title, self.mine_text,
                old_label="theirs", new_label="mine")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and self.theirs is None and parameters and parameters[0] in ("mine", "theirs"):
            return False
        return True

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)


class DraftScreen(ModalScreen[str | None]):
    """Opening a note that has a local draft differing from the server: "restore", "discard"
    (a backup is kept) or None (decide later: the editor closes, the draft stays)."""

    DEFAULT_CSS = MODAL_CSS.format(name="DraftScreen") + """
    DraftScreen DiffView { display: none; }
    DraftScreen.-compare DiffView { display: block; }
    DraftScreen > Vertical { height: auto; max-height: 100%; }
    DraftScreen.-compare > Vertical { height: 100%; }
    """
    BINDINGS = [
        Binding("r", "choose('restore')", "Restore draft", id="draft.restore"),
        Binding("d", "choose('discard')", "Discard draft", id="draft.discard"),
        Binding("c", "compare", "Compare", id="draft.compare"),
        Binding("escape", "choose(None)", "Later", id="draft.later"),
    ]

    def __init__(self, draft: Draft, note: Note) -> None:
        super().__init__()
        self.draft, self.note = draft, note

    def compose(self) -> ComposeResult:
        lines = self.draft.text.count("\n") + 1
        with Vertical():
            head = Text("You have unsaved changes to ", style="bold")
            head.append_text(safe(self.draft.title or "(untitled)", limit=80, style="bold"))
            yield Static(head, classes="dialog-title")
            note = Text(f"Local draft from {_stamp(self.draft.saved_at)}, {lines:,} lines; "
                        "it differs from the server.", style="dim")
            if self.draft.fingerprint and self.draft.fingerprint != self.note.fingerprint:
                note.append("\nThe note also changed on the server since: saving will show both.",
                            style="bold")
            yield Static(note)
            yield DiffView()
            yield Static(_keys(("r", "restore"), ("d", "discard"), ("c", "compare"), ("esc", "later")),
                         classes="dialog-keys")

    def action_compare(self) -> None:
        if not self.has_class("-compare"):
            self.query_one(DiffView).compare(
                self.note.title, self.note.content, self.draft.title, self.draft.text,
                old_label="server", new_label="draft")
        self.toggle_class("-compare")

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
