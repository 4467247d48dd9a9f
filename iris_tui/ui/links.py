"""Links between case objects (asset ↔ IOC ↔ event): `L` on a row lists what it is linked to,
and enter follows a link to the workspace tab that shows that object (`workspace.goto`).

A tab gives `show_links()` one loader per kind of link, so links that cost a request (events)
load next to those that do not, and one failing source does not hide the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from iris_tui.api import IrisError
from iris_tui.ui.text import plain, safe
from iris_tui.ui.widgets.rowlist import Column, RowList


@dataclass(frozen=True)
class Link:
    """One linked object: `tab_id` and `key` are what `workspace.goto()` takes."""

    kind: str  # "Asset", "IOC", "Event"
    tab_id: str  # the workspace tab that lists it
    key: Any  # its key in that tab (the object id)
    label: str  # server text (name, value, title): shown through safe()
    detail: str = ""  # type, IP, date…


Loader = Callable[[], Awaitable[Sequence[Link]]]

COLUMNS = [
    Column("kind", "Kind", lambda link: link.kind, width=6),
    Column("id", "ID", lambda link: link.key, width=6, justify="right"),
    Column("label", "Linked object", lambda link: link.label, min_width=16),
    Column("detail", "", lambda link: link.detail, width=22, min_width=8),
]


class LinksScreen(ModalScreen[Optional[Link]]):
    """What one object is linked to; enter picks a link, esc closes, r retries what failed."""

    DEFAULT_CSS = """
    LinksScreen { align: center middle; }
    LinksScreen > Vertical { width: 90; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1; }
    LinksScreen .links-title { height: 1; text-style: bold; }
    LinksScreen .links-status { height: auto; max-height: 4; color: $text-muted; }
    LinksScreen .links-status.-error { color: $error; }
    LinksScreen RowList { height: auto; min-height: 4; max-height: 70vh; }
    LinksScreen .links-keys { height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="links.close"),
        Binding("r", "retry", "Retry", id="links.retry"),
    ]

    def __init__(self, title: str, sources: Sequence[tuple[str, Loader]]) -> None:
        super().__init__()
        self.title_text = title
        self.sources = list(sources)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe(self.title_text, limit=120), classes="links-title")
            yield Static(classes="links-status")
            yield RowList(COLUMNS, key=lambda link: (link.tab_id, link.key), multi_select=False,
                          empty_text="No linked objects")
            yield Static(Text("enter go to   esc close   r retry"), classes="links-keys")

    @property
    def rows(self) -> RowList:
        return self.query_one(RowList)

    def on_mount(self) -> None:
        self.rows.focus()
        self.load()

    def action_retry(self) -> None:
        self.load()

    @work(exclusive=True, group="links")
    async def load(self) -> None:
        status = self.query_one(".links-status", Static)
        status.remove_class("-error")
        status.update(Text("Loading " + ", ".join(name for name, _ in self.sources) + "…"))
        results = await asyncio.gather(
            *(loader() for _, loader in self.sources), return_exceptions=True
        )
        links: list[Link] = []
        found: list[str] = []
        failed = Text()
        for (name, _), result in zip(self.sources, results):
            if isinstance(result, IrisError):
                failed.append(f"{name}: could not load ({plain(result, limit=160)}); r retries\n")
            elif isinstance(result, BaseException):
                raise result
            else:
                links.extend(result)
                found.append(f"{len(result)} {name}")
        self.rows.set_rows(links)
        if failed:
            status.add_class("-error")
            failed.rstrip()
            status.update(failed)
        else:
            status.update(Text(", ".join(found)))

    @on(RowList.Chosen)
    def _chosen(self, event: RowList.Chosen) -> None:
        event.stop()
        self.dismiss(event.row)


def show_links(owner: Widget, title: str, sources: Sequence[tuple[str, Loader]]) -> None:
    """Open the links of an object; a chosen link is followed on `owner`'s workspace."""
    workspace = owner.screen

    def follow(link: Link | None) -> None:
        if link is not None and hasattr(workspace, "goto"):
            workspace.goto(link.tab_id, link.key)

    owner.app.push_screen(LinksScreen(title, sources), follow)
