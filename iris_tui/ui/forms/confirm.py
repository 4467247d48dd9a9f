"""Small modals that ask before something happens: yes/no, a typed confirmation for what cannot
be undone (deleting a case), and a pick-one list (a TLP or a task status for several rows)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 64; max-width: 100%; height: auto; max-height: 100%;
    border: round $warning; background: $surface; padding: 0 1; }}
{name} .confirm-title {{ text-style: bold; }}
{name} .confirm-keys {{ color: $text-muted; margin-top: 1; }}
{name} .confirm-error {{ color: $text-error; display: none; }}
{name} .confirm-error.-shown {{ display: block; }}
"""


def _text(value: str | Text) -> Text:
    return value if isinstance(value, Text) else Text(value)


class ConfirmScreen(ModalScreen[bool]):
    """y: yes; n / esc: no (enter does nothing: a stray enter must not delete anything).
    Messages are Text (server strings made safe by callers)."""

    DEFAULT_CSS = _CSS.format(name="ConfirmScreen")
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str | Text, body: str | Text = "", *, yes: str = "yes") -> None:
        super().__init__()
        self.title_text = _text(title)
        self.body = _text(body)
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="confirm-title")
            if self.body.plain:
                yield Static(self.body)
            yield Static(Text(f"y  {self.yes}    n / esc  keep", style="bold"), classes="confirm-keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TypedConfirmScreen(ModalScreen[bool]):
    """For what cannot be undone: the user types one of `accepted` (e.g. the case id or name)."""

    DEFAULT_CSS = _CSS.format(name="TypedConfirmScreen") + """
    TypedConfirmScreen Input { margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm.cancel")]

    def __init__(self, title: str | Text, body: str | Text, accepted: Iterable[str]) -> None:
        super().__init__()
        self.title_text = _text(title)
        self.body = _text(body)
        self.accepted = {a.strip() for a in accepted if a and a.strip()}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="confirm-title")
            yield Static(self.body)
            yield Input(placeholder="type it here, then enter", compact=True)
            yield Static(classes="confirm-error")
            yield Static(Text("enter  confirm    esc  cancel", style="bold"), classes="confirm-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip() in self.accepted:
            self.dismiss(True)
            return
        error = self.query_one(".confirm-error", Static)
        error.update(Text("That does not match; nothing was deleted."))
        error.add_class("-shown")

    def action_cancel(self) -> None:
        self.dismiss(False)


class ChoiceScreen(ModalScreen[Any]):
    """Pick one value (enter), or esc for none. Labels are Text."""

    DEFAULT_CSS = _CSS.format(name="ChoiceScreen") + """
    ChoiceScreen > Vertical { border: round $primary; width: 48; }
    ChoiceScreen OptionList { height: auto; max-height: 14; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str | Text, choices: Sequence[tuple[Text, Any]],
                 current: Any = None) -> None:
        super().__init__()
        self.title_text = _text(title)
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="confirm-title")
            yield OptionList(*(Option(label, id=str(i)) for i, (label, _) in enumerate(self.choices)),
                             compact=True)
            yield Static(Text("enter  choose    esc  cancel", style="bold"), classes="confirm-keys")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        for i, (_, value) in enumerate(self.choices):
            if value == self.current:
                options.highlighted = i

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id or 0)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
