"""Small pieces of forms: a message under a field, and toggles whose state shows without colour."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Checkbox, RadioButton, Static

from iris_tui.ui.text import plain


class Note(Static):
    """A message under a field: an error, a warning or an ok, hidden when empty."""

    DEFAULT_CSS = """
    Note { height: auto; padding: 0 0 0 12; display: none; }
    Note.-shown { display: block; }
    Note.-error { color: $error; }
    Note.-warning { color: $warning; }
    Note.-ok { color: $success; }
    """

    def say(self, text: str, kind: str = "error") -> None:
        self.remove_class("-error", "-warning", "-ok", "-info")
        if not text:
            self.remove_class("-shown")
            self.update("")
            return
        self.add_class("-shown", f"-{kind}")
        marks = {"error": "✗ ", "warning": "! ", "ok": "✓ ", "info": ""}
        self.update(Text(marks[kind] + plain(text, limit=600)))

    @property
    def text(self) -> str:
        return str(self.content)


class StateCheckbox(Checkbox):
    """Checked or not in the glyph itself, not only in its colour (NO_COLOR, 16 colours)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        return "X" if self.value else " "


class StateRadioButton(RadioButton):
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802
        return "●" if self.value else " "
