"""`FormScreen`: the modal every editor is built on.

It checks what was typed before sending (errors next to their fields), sends in a worker, puts
the server's field errors next to the fields they name, and on any failure stays open with
everything typed. `esc` on a changed form asks before throwing the changes away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from iris_tui.api import IrisError, IrisServerError, IrisValidationError
from iris_tui.ui.forms.confirm import ConfirmScreen
from iris_tui.ui.forms.fields import FormField
from iris_tui.ui.text import plain

if TYPE_CHECKING:
    from iris_tui.api import IrisClient
    from iris_tui.ui.app import IrisApp


class FormScreen(ModalScreen[Any]):
    """Subclasses yield their fields from `compose_fields()` and send them in `submit()`.

    `values()` maps field keys to what is sent (custom attributes gathered under
    `custom_attributes`); on an update only `changes()` are sent. `check()` adds checks that
    need several fields (e.g. an IOC value against its type). The screen dismisses with what
    `submit()` returned; cancelling dismisses with None.
    """

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form-box { width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1; }
    FormScreen #form-title { text-style: bold; height: 1; }
    FormScreen #form-error { display: none; color: $text-error; height: auto; max-height: 4; }
    FormScreen #form-error.-shown { display: block; }
    FormScreen #form-body { height: auto; max-height: 100%; }
    FormScreen #form-buttons { height: 1; margin-top: 1; align-horizontal: right; }
    FormScreen #form-buttons Button { margin-left: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, title: str | Text, *, editing: bool = False) -> None:
        super().__init__()
        self.title_text = title if isinstance(title, Text) else Text(title)
        self.editing = editing
        self.saving = False

    @property
    def iris(self) -> IrisClient:
        app: IrisApp = self.app  # type: ignore[assignment]
        assert app.session is not None
        return app.session.client

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(self.title_text, id="form-title")
            yield Static(id="form-error")
            with VerticalScroll(id="form-body"):
                yield from self.compose_fields()
            with Horizontal(id="form-buttons"):
                yield from self.compose_buttons()
                yield Button("Save ^s", id="form-save", variant="primary", compact=True)
                yield Button("Cancel esc", id="form-cancel", compact=True)

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def compose_buttons(self) -> ComposeResult:
        """Extra buttons left of Save (the event form's "new IOC")."""
        yield from ()

    def on_mount(self) -> None:
        fields = self.fields
        if fields:
            fields[0].focus_control()

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """enter in a one-line field goes on to the next one (ctrl+s saves)."""
        event.stop()
        self.focus_next()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    # -- values -----------------------------------------------------------------------------

    @property
    def fields(self) -> list[FormField]:
        return list(self.query(FormField))

    def field(self, key: str) -> FormField:
        for item in self.fields:
            if item.key == key and item.attribute is None:
                return item
        raise KeyError(key)

    def values(self, *, only_changed: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        attributes: dict[str, dict[str, Any]] = {}
        attributes_changed = False
        for item in self.fields:
            if item.attribute is not None:
                tab, name = item.attribute
                attributes.setdefault(tab, {})[name] = item.data()
                attributes_changed = attributes_changed or item.changed()
            elif not only_changed or item.changed():
                out[item.key] = item.data()
        if attributes and (attributes_changed or not only_changed):
            # every attribute is re-sent: IRIS keeps only what the submitted form carries
            out["custom_attributes"] = attributes
        return out

    def changes(self) -> dict[str, Any]:
        return self.values(only_changed=True)

    def is_changed(self) -> bool:
        return any(item.changed() for item in self.fields)

    # -- checking ---------------------------------------------------------------------------

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        """Checks across fields: field key -> message."""
        return {}

    def validate(self) -> bool:
        """Every field's own checks, then `check()`; errors shown, first bad field focused."""
        self.show_form_error(None)
        errors: dict[FormField, str] = {}
        for item in self.fields:
            message = item.validate()
            item.set_error(message)
            if message:
                errors[item] = message
        if not errors:
            for key, message in self.check(self.values()).items():
                item = self.field(key)
                item.set_error(message)
                errors[item] = message
        if errors:
            first = next(iter(errors))
            first.focus_control()
            first.scroll_visible(animate=False)
            return False
        return True

    # -- saving -----------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.saving:
            return
        if self.app.refuse_write():  # type: ignore[attr-defined]
            return
        if not self.validate():
            return
        if self.editing and not self.is_changed():
            self.dismiss(None)
            return
        self.saving = True
        button = self.query_one("#form-save", Button)
        button.disabled = True
        button.label = "Saving…"
        self._send(self.changes() if self.editing else self.values())

    @work(exclusive=True, group="form-save")
    async def _send(self, values: dict[str, Any]) -> None:
        try:
            result = await self.submit(values)
        except IrisValidationError as exc:
            self.show_server_errors(exc)
        except IrisServerError as exc:  # an HTML error page says nothing useful
            self.show_form_error(f"Not saved: the server failed (HTTP {exc.status or '?'}). "
                                 "Everything typed is kept: ctrl+s tries again.")
        except IrisError as exc:
            self.show_form_error(f"Not saved: {plain(exc.message or exc, limit=300)}")
        except (ValueError, TypeError) as exc:  # a refusal from the API layer: nothing was sent
            self.show_form_error(f"Not saved: {plain(exc, limit=400)}")
        else:
            self.saving = False
            self.dismiss(result)
            return
        self.saving = False
        button = self.query_one("#form-save", Button)
        button.disabled = False
        button.label = "Save ^s"

    async def submit(self, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def show_server_errors(self, error: IrisValidationError) -> None:
        """The server's (or the API layer's) field errors next to their fields; messages for
        fields this form does not have, or for no field, at the top."""
        loose: list[str] = []
        placed: FormField | None = None
        for key, messages in error.fields.items():
            items = messages if isinstance(messages, list) else [messages]
            text = " ".join(plain(m, limit=300) for m in items)
            target = self.field_for_error(key, text)
            if target is None:
                loose.append(text)
            else:
                target.set_error(text)
                placed = placed or target
        summary = plain(error.message, limit=200) or "The server refused the change"
        if loose:
            self.show_form_error(f"Not saved: {summary}: " + " ".join(loose))
        else:
            self.show_form_error(f"Not saved: {summary} (see the fields below)")
        if placed is not None:
            placed.focus_control()
            placed.scroll_visible(animate=False)

    def field_for_error(self, key: str, message: str) -> FormField | None:
        """The field a server error key refers to (None: show it at the top)."""
        if not key:
            return None
        for item in self.fields:
            if item.attribute is None and item.answers_to(key):
                return item
        if key == "custom_attributes":
            attributes = [item for item in self.fields if item.attribute is not None]
            return attributes[0] if attributes else None
        return None

    def show_form_error(self, message: str | None) -> None:
        box = self.query_one("#form-error", Static)
        if message:
            box.update(Text(message))
            box.add_class("-shown")
        else:
            box.update("")
            box.remove_class("-shown")

    @property
    def form_error(self) -> str:
        box = self.query_one("#form-error", Static)
        return str(box.content) if box.has_class("-shown") else ""

    # -- leaving ----------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self.saving:
            return
        if not self.is_changed():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Discard your changes?", "What you typed in this form will be lost.",
                          yes="discard"),
            answered,
        )
