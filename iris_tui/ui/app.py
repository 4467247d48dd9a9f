"""`IrisApp`: the Textual application — session, global keys, commands, themes, keymap."""

from __future__ import annotations

from collections.abc import Mapping

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

from iris_tui.api import IrisError
from iris_tui.ui.commands import TAB_COMMANDS, CommandError, IrisCommands, parse
from iris_tui.ui.poller import DEFAULT_INTERVAL
from iris_tui.ui.session import Session
from iris_tui.ui.text import plain


class IrisApp(App):
    """iris-tui. Starts on the case list of `session` (or the connect screen without one)."""

    TITLE = "iris-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {IrisCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("colon", "command_line", "Command", id="app.command"),
        Binding("ctrl+p", "command_palette", "Palette", id="app.palette", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", show=False, priority=True),
    ]

    auto_refresh: float = DEFAULT_INTERVAL  # seconds between change checks of the visible tab; 0: off
    user_label: reactive[str] = reactive("")
    server_version: reactive[str] = reactive("")

    def __init__(
        self,
        session: Session | None,
        *,
        keymap: Mapping[str, str] | None = None,
        theme: str | None = None,
        profile: str | None = None,
        read_only: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.start_profile = profile  # without a session: the profile whose key the app asks for
        self.force_read_only = read_only  # --read-only holds for every profile of this run
        self._keymap = dict(keymap or {})
        self._theme_name = theme

    # -- start-up ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self._theme_name:
            self.set_theme(self._theme_name)
        if self._keymap:
            self.set_keymap(self._keymap)
        if self.session is None:
            from iris_tui.ui.screens.connect import ConnectScreen

            self.push_screen(ConnectScreen(self.start_profile))
        else:
            self.start_session(self.session)

    def start_session(self, session: Session) -> None:
        """Show the case list of `session` (also used when switching profile)."""
        from iris_tui.ui.screens.cases import CaseListScreen

        self.session = session
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(CaseListScreen())
        self.load_identity()

    @work(exclusive=True, group="identity")
    async def load_identity(self) -> None:
        """User and server version for the header; failures show on the case list, not here."""
        assert self.session is not None
        try:
            versions = await self.session.client.versions()
            self.server_version = versions.iris_current
            user = await self.session.client.whoami()
            self.user_label = user.user_login or user.user_name
        except IrisError:
            return

    def watch_user_label(self) -> None:
        self._refresh_headers()

    def watch_server_version(self) -> None:
        self._refresh_headers()

    def _refresh_headers(self) -> None:
        refresh = getattr(self.screen, "refresh_header", None)
        if refresh is not None:
            refresh()

    # -- themes -----------------------------------------------------------------------------

    def set_theme(self, name: str) -> bool:
        if name not in self.available_themes:
            self.notify(f"unknown theme {name!r}; try ansi-dark, ansi-light, textual-dark",
                        severity="warning", markup=False)
            return False
        self.theme = name
        return True

    # -- read-only ----------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return bool(self.session and self.session.read_only)

    def refuse_write(self) -> bool:
        """True (and says so) when this session must not write."""
        if self.read_only:
            self.notify("read-only profile: changes are disabled", severity="warning", markup=False)
            return True
        return False

    # -- global actions -----------------------------------------------------------------------

    def action_help(self) -> None:
        from iris_tui.ui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_command_line(self) -> None:
        from iris_tui.ui.chrome import CommandLine

        lines = self.screen.query(CommandLine)
        if lines:
            lines.first().open()

    async def run_command(self, line: str) -> None:
        """Run one `:` command (also what the palette calls)."""
        try:
            name, arg = parse(line)
        except CommandError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        if self.session is None and name not in ("q", "help", "theme", "profile"):
            self.notify("not connected: pick or add a profile first", severity="warning",
                        markup=False)
        elif name == "q":
            self.exit()
        elif name == "help":
            self.action_help()
        elif name == "theme":
            self.set_theme(arg)
        elif name == "refresh":
            action = getattr(self.screen, "action_refresh", None)
            if action:
                action()
        elif name == "cases":
            while len(self.screen_stack) > 2:
                self.pop_screen()
        elif name == "gtasks":
            self.open_global_tasks()
        elif name == "case":
            if not arg.lstrip("#").isdigit():
                self.notify(f"not a case id: {plain(arg, limit=40)}", severity="warning", markup=False)
                return
            self.open_case(int(arg.lstrip("#")))
        elif name in TAB_COMMANDS:
            self.show_tab(TAB_COMMANDS[name])
        elif name == "profile":
            from iris_tui.ui.screens.connect import open_profile

            open_profile(self, arg or None)

    def open_case(self, case_id: int, tab: str | None = None) -> None:
        from iris_tui.ui.screens.workspace import CaseWorkspace

        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.push_screen(CaseWorkspace(case_id, tab=tab))

    def open_global_tasks(self) -> None:
        from iris_tui.ui.screens.global_tasks import GlobalTasksScreen

        if not isinstance(self.screen, GlobalTasksScreen):
            self.push_screen(GlobalTasksScreen())

    def show_tab(self, tab: str) -> None:
        from iris_tui.ui.screens.workspace import CaseWorkspace

        for screen in reversed(self.screen_stack):
            if isinstance(screen, CaseWorkspace):
                while self.screen is not screen:
                    self.pop_screen()
                screen.show_tab(tab)
                return
        self.notify("open a case first (:case 42)", severity="warning", markup=False)
