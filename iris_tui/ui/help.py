"""`?`: the keys that work on the screen underneath, with their binding ids (for remapping)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def format_key(key: str) -> str:
    names = {"question_mark": "?", "colon": ":", "slash": "/", "left_square_bracket": "[",
             "right_square_bracket": "]", "space": "space", "escape": "esc", "full_stop": "."}
    return names.get(key, key)


def screen_keys(screen: Screen) -> list[tuple[str, str, str]]:
    """(key, description, binding id) for every active binding of `screen`."""
    rows = []
    seen = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        label = binding.description or binding.action
        if (label, binding.id) in seen:
            continue
        seen.add((label, binding.id))
        rows.append((format_key(key), label, binding.id or ""))
    return rows


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 72; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", show=False, id="help.close2"),
        Binding("q", "dismiss", "Close", show=False, id="help.close3"),
    ]

    def __init__(self, target: Screen) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_header=True, header_style="bold")
        table.add_column("key", no_wrap=True)
        table.add_column("does")
        table.add_column("binding id (remap in config)", style="dim", no_wrap=True)
        for key, label, ident in screen_keys(self.target):
            table.add_row(Text(key), Text(label), Text(ident))
        title = Text(f"Keys — {getattr(self.target, 'HELP_TITLE', type(self.target).__name__)}",
                     style="bold")
        with VerticalScroll():
            yield Static(title)
            yield Static(table)
            yield Static(Text("Also :  command line (:case 42, :iocs, :q)   ctrl+p  palette   esc  back",
                              style="dim"))
