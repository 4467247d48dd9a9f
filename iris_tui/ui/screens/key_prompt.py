"""The API key prompt: for a profile with no stored key. The key is checked with the server, then
kept in memory for this run only; the lookup's notes say why the user is asked."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from iris_tui import auth_cli
from iris_tui import config as cfg
from iris_tui import credentials as creds
from iris_tui.ui.connect import failure, plain_http_warning
from iris_tui.ui.text import plain, safe
from iris_tui.ui.widgets.fields import Note


class KeyPrompt(ModalScreen[str | None]):
    """Asks for the key of a profile with no stored key; checks it before handing it back."""

    HELP_TITLE = "API key"
    CSS_PATH = "key_prompt.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="keyprompt.cancel")]

    def __init__(self, profile: cfg.Profile, notes: tuple[str, ...] | list[str] = ()) -> None:
        super().__init__()
        self.profile = profile
        self.notes = tuple(notes)

    def compose(self) -> ComposeResult:
        with Vertical(id="key-box"):
            yield Static(Text.assemble(("API key for ", "bold"), safe(self.profile.name, limit=64),
                                       "  ", safe(self.profile.url, limit=120, style="dim")))
            why = Text("No stored key was found", style="bold")
            why.append(":" if self.notes else ".")
            for note in self.notes:
                why.append("\n• " + plain(note, limit=300), style="")
            yield Static(why, id="prompt-notes")
            yield Static(Text(
                "The key stays in memory until you quit. To store it: iris-tui auth login "
                f"--profile {self.profile.name}", style="dim"))
            yield Input(password=True, placeholder="paste the API key, then enter", id="prompt-key",
                        compact=True)
            yield Note(id="prompt-msg")
            yield Static(Text("enter connect · esc cancel", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#prompt-key", Input).focus()
        warning = plain_http_warning(self.profile.url)
        if warning:
            self.query_one("#prompt-msg", Note).say(warning, "warning")

    @on(Input.Submitted, "#prompt-key")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        key = event.value.strip()
        problem = creds.key_problem(key)
        if problem:
            self.query_one("#prompt-msg", Note).say(f"no usable API key: {problem}")
            return
        self._check(key)

    @work(exclusive=True, group="key-prompt")
    async def _check(self, key: str) -> None:
        note = self.query_one("#prompt-msg", Note)
        note.say(f"Checking the key with {self.profile.url}…", "info")
        try:
            await auth_cli.check_key(self.profile, key)
        except Exception as exc:  # noqa: BLE001 - a sentence next to the field, never a traceback
            note.say(failure(exc, self.profile, key)[1])
            return
        self.dismiss(key)

    def action_cancel(self) -> None:
        self.dismiss(None)
