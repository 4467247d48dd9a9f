"""What every screen has around its content: the header with breadcrumbs, the `:` command line,
the footer, and the base screen that wires them together."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from iris_tui.ui.text import plain

if TYPE_CHECKING:
    from iris_tui.ui.app import IrisApp


class AppHeader(Static):
    """`profile › #42 Ransomware at ACME › IOCs` … `administrator @ v2.4.20 [READ-ONLY]`."""

    DEFAULT_CSS = """
    AppHeader { dock: top; height: 1; background: $panel; color: $foreground; }
    """

    def on_mount(self) -> None:
        self.refresh_header()

    def refresh_header(self) -> None:
        app: IrisApp = self.app  # type: ignore[assignment]
        screen = self.screen
        crumbs = [app.session.profile if app.session else "not connected"]
        crumbs += getattr(screen, "crumbs", lambda: [])()
        left = Text(" › ".join(plain(c, limit=60) for c in crumbs), style="bold")
        right = Text()
        status = getattr(screen, "header_status", lambda: "")()  # e.g. the workspace's auto-refresh
        if status:
            right.append(f"{status} · ")
        if app.user_label:
            right.append(plain(app.user_label, limit=30))
        if app.server_version:
            right.append(f" @ {plain(app.server_version, limit=20)}")
        if app.session and app.session.read_only:
            right.append(" READ-ONLY", style="bold reverse")
        if app.session and app.session.insecure_storage:
            right.append(" KEY IN PLAIN FILE", style="bold reverse")
        if app.session and app.session.demo is None and app.session.url.lower().startswith("http://"):
            from iris_tui.ui.connect import plain_http_warning

            if plain_http_warning(app.session.url):  # the key travels in clear text
                right.append(" PLAIN HTTP", style="bold reverse")
        width = max(self.size.width, 40)
        left.truncate(max(width - len(right) - 2, 10), overflow="ellipsis")
        pad = max(width - len(left) - len(right) - 1, 1)
        self.update(Text.assemble(" ", left, " " * pad, right))

    def on_resize(self) -> None:
        self.refresh_header()


class CommandLine(Input):
    """The `:` prompt at the bottom: `:case 42`, `:iocs`, `:q`."""

    DEFAULT_CSS = """
    CommandLine { dock: bottom; height: 1; border: none; padding: 0 1; display: none; }
    CommandLine.-open { display: block; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="cmdline.close")]

    def open(self) -> None:
        self.value = ""
        self.add_class("-open")
        self.focus()

    def action_close(self) -> None:
        self.remove_class("-open")
        self.screen.focus_next()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value
        self.action_close()
        if line.strip():
            await self.app.run_command(line)  # type: ignore[attr-defined]


class IrisScreen(Screen):
    """Base of the full screens: header, content (`compose_body`), command line, footer."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="screen.back"),
        Binding("r", "refresh", "Refresh", id="screen.refresh"),
    ]

    def crumbs(self) -> list[str]:
        """Breadcrumbs after the profile name."""
        return []

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield from self.compose_body()
        yield CommandLine(placeholder=":case 42  :iocs  :q", id="cmdline")
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def refresh_header(self) -> None:
        for header in self.query(AppHeader):
            header.refresh_header()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_refresh(self) -> None:
        """Overridden by screens that load data."""
