"""Form fields: a label, one control, and the error shown right under it.

Every field has a `key` (IRIS's request field name, so the server's field errors land on it),
an `initial` value (what the form opened with) and a `value` (what is typed now); `data()` is
the value as it is sent. Server text shown in a control goes through `clean()` first: control
characters become visible. A field the user did not touch is not sent on an update, so the
stored value is kept exactly as it was.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.strip import Strip
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import (
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

from iris_tui.api import IrisError
from iris_tui.api.events import format_offset
from iris_tui.ui.forms.validate import check_tags, parse_datetime, parse_tz
from iris_tui.ui.text import clean, plain, safe

if TYPE_CHECKING:
    from iris_tui.api import IrisClient

Check = Callable[[Any], "str | None"]
LABEL_WIDTH = 18
MULTI_SHOWN = 200  # options a multi-select lists at once (type to filter the rest)


@dataclass(frozen=True)
class Choice:
    """One option of a select: what is shown, what is sent, and other names it answers to."""

    label: Text
    value: Any
    names: tuple[str, ...] = field(default=())

    def matches(self, wanted: Any) -> bool:
        if wanted == self.value:
            return True
        if isinstance(wanted, str):
            folded = wanted.strip().casefold()
            return folded in {n.casefold() for n in (self.label.plain, *self.names)}
        return False


Loader = Callable[[], Awaitable[Sequence[Choice]]]


def client_of(widget: Any) -> IrisClient:
    session = widget.app.session
    assert session is not None
    return session.client


class FormField(Vertical):
    """Base of every field: label | control, then the error line (hidden until needed)."""

    DEFAULT_CSS = f"""
    FormField {{ height: auto; margin-bottom: 0; }}
    FormField > .field-row {{ height: auto; }}
    FormField .field-label {{ width: {LABEL_WIDTH}; padding-right: 1; color: $text-muted; }}
    FormField .field-control {{ width: 1fr; }}
    FormField > .field-error {{ display: none; margin-left: {LABEL_WIDTH}; color: $text-error;
        text-style: bold; height: auto; }}
    FormField.-error > .field-error {{ display: block; }}
    FormField.-error .field-label {{ color: $text-error; }}
    """

    def __init__(
        self,
        key: str,
        label: str | Text,
        *,
        required: bool = False,
        aliases: Iterable[str] = (),
        checks: Iterable[Check] = (),
    ) -> None:
        super().__init__(classes="form-field")
        self.key = key
        self.label_text = label if isinstance(label, Text) else Text(label)
        self.required = required
        self.aliases = frozenset(aliases)
        self.checks = list(checks)
        self.initial: Any = None
        self.attribute: tuple[str, str] | None = None  # (tab, field) of a custom attribute

    def compose(self) -> ComposeResult:
        label = self.label_text.copy()
        if self.required:
            label.append(" *", style="bold")
        with Horizontal(classes="field-row"):
            yield Label(label, classes="field-label")
            yield from self.compose_control()
        yield Static(classes="field-error")

    def compose_control(self) -> ComposeResult:
        yield from ()

    # -- values -----------------------------------------------------------------------------

    @property
    def value(self) -> Any:
        raise NotImplementedError

    def data(self) -> Any:
        """The value as it is sent."""
        return self.value

    def is_empty(self) -> bool:
        value = self.data()
        return value is None or value == "" or value == []

    def changed(self) -> bool:
        return self.value != self.initial

    def answers_to(self, key: str) -> bool:
        return key == self.key or key in self.aliases

    # -- errors -----------------------------------------------------------------------------

    def validate(self) -> str | None:
        """The first problem with what is typed, or None."""
        if self.is_empty():
            return "Required" if self.required else None
        for check in self.checks:
            message = check(self.data())
            if message:
                return message
        return self.own_check()

    def own_check(self) -> str | None:
        return None

    def set_error(self, message: str | None) -> None:
        box = self.query_one(".field-error", Static)
        if message:
            box.update(Text(plain(message, limit=500)))
            self.add_class("-error")
        else:
            box.update("")
            self.remove_class("-error")

    @property
    def error(self) -> str | None:
        return str(self.query_one(".field-error", Static).content) if self.has_class("-error") else None

    def focus_control(self) -> None:
        for widget in self.query(".field-control"):
            if widget.focusable:
                widget.focus()
                return
        focusable = [w for w in self.query("*") if w.focusable]
        if focusable:
            focusable[0].focus()


class TextField(FormField):
    """One line of text."""

    def __init__(
        self,
        key: str,
        label: str | Text,
        value: Any = None,
        *,
        placeholder: str = "",
        min_length: int = 0,
        password: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(key, label, **kw)
        self.initial = clean("" if value is None else value)
        self.placeholder = placeholder
        self.min_length = min_length
        self.password = password

    def compose_control(self) -> ComposeResult:
        yield Input(self.initial, placeholder=self.placeholder, compact=True, password=self.password,
                    suggester=self.suggester(), classes="field-control", select_on_focus=False)

    def suggester(self) -> Suggester | None:
        return None

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> str:
        return self.input.value

    def data(self) -> str:
        return self.value.strip()

    def own_check(self) -> str | None:
        if len(self.data()) < self.min_length:
            return f"At least {self.min_length} characters"
        return None


class TextAreaField(FormField):
    """Several lines (descriptions, raw logs, comments)."""

    DEFAULT_CSS = """
    TextAreaField TextArea { height: 4; }
    TextAreaField.-tall TextArea { height: 8; }
    """

    def __init__(self, key: str, label: str | Text, value: Any = None, *, min_length: int = 0,
                 tall: bool = False, **kw: Any) -> None:
        super().__init__(key, label, **kw)
        self.initial = clean("" if value is None else value, multiline=True)
        self.min_length = min_length
        if tall:
            self.add_class("-tall")

    def compose_control(self) -> ComposeResult:
        yield TextArea(self.initial, compact=True, soft_wrap=True, tab_behavior="focus",
                       placeholder="(several lines)", classes="field-control")

    @property
    def value(self) -> str:
        return self.query_one(TextArea).text

    def data(self) -> str:
        return self.value.strip("\n")

    def own_check(self) -> str | None:
        if len(self.data().strip()) < self.min_length:
            return f"At least {self.min_length} characters"
        return None


class Toggle(Widget, can_focus=True):
    """`[x] yes` / `[ ] no`: readable without colour (Textual's checkbox is a coloured X)."""

    DEFAULT_CSS = """
    Toggle { height: 1; width: 1fr; }
    Toggle:focus { text-style: reverse; }
    """
    BINDINGS = [Binding("space,enter", "toggle", "Toggle", show=False, id="form.toggle")]

    value: reactive[bool] = reactive(False)

    def __init__(self, value: bool, **kw: Any) -> None:
        super().__init__(**kw)
        self.set_reactive(Toggle.value, value)

    def render(self) -> Text:
        return Text("[x] yes" if self.value else "[ ] no")

    def action_toggle(self) -> None:
        self.value = not self.value

    def on_click(self) -> None:
        self.action_toggle()


class CheckboxField(FormField):
    def __init__(self, key: str, label: str | Text, value: Any = False, **kw: Any) -> None:
        super().__init__(key, label, **kw)
        self.initial = bool(value)

    def compose_control(self) -> ComposeResult:
        yield Toggle(self.initial, classes="field-control")

    @property
    def value(self) -> bool:
        return self.query_one(Toggle).value

    def is_empty(self) -> bool:
        return False


class SelectField(FormField):
    """One choice from a list given up front, or loaded in a worker by `loader`.

    `value` may name the initial choice by its value or by one of its names ("Unspecified");
    it is matched when the choices arrive. Until then the form still knows what it will be.
    """

    def __init__(
        self,
        key: str,
        label: str | Text,
        choices: Sequence[Choice] | None = None,
        value: Any = None,
        *,
        loader: Loader | None = None,
        prompt: str = "—",
        **kw: Any,
    ) -> None:
        super().__init__(key, label, **kw)
        self.choices: list[Choice] = list(choices or ())
        self.loader = loader
        self.prompt = prompt
        self.wanted = value  # the initial choice, before it is matched to a loaded option
        self.loaded = loader is None
        self.initial = self._match(value) if self.loaded else value

    def compose_control(self) -> ComposeResult:
        options = [(c.label, c.value) for c in self.choices]
        initial = self.initial if self.loaded and self.initial is not None else Select.NULL
        yield Select(options, prompt=self.prompt, allow_blank=True, value=initial, compact=True,
                     classes="field-control")

    def on_mount(self) -> None:
        if self.loader is not None:
            self.run_worker(self._load(), exclusive=True, group="choices")

    async def _load(self) -> None:
        assert self.loader is not None
        try:
            choices = await self.loader()
        except IrisError as exc:
            self.set_error(f"Could not load the choices: {plain(exc.message, limit=200)}")
            return
        self.set_choices(choices)

    def set_choices(self, choices: Sequence[Choice]) -> None:
        select = self.query_one(Select)
        untouched = not self.loaded or select.value == self.initial or select.is_blank()
        current = self.wanted if untouched else select.value
        self.choices = list(choices)
        select.set_options([(c.label, c.value) for c in self.choices])
        matched = self._match(current)
        if matched is not None:
            select.value = matched
        if not self.loaded:
            self.initial = self._match(self.wanted)
        self.loaded = True

    def _match(self, wanted: Any) -> Any:
        if wanted is None or wanted == "":
            return None
        for choice in self.choices:
            if choice.matches(wanted):
                return choice.value
        return None

    @property
    def value(self) -> Any:
        if not self.loaded:
            return self.wanted
        value = self.query_one(Select).value
        return None if value is Select.NULL else value

    def data(self) -> Any:
        return self.value

    @property
    def selected_label(self) -> str | None:
        """The name of the current choice (e.g. the IOC type name for a type id)."""
        value = self.value
        for choice in self.choices:
            if choice.value == value:
                return choice.names[0] if choice.names else choice.label.plain
        return None


def lookup_loader(widget: Any, kind: str) -> Loader:
    """Choices from one of IRIS's reference tables (types, statuses, TLPs, customers, ...)."""

    async def load() -> list[Choice]:
        items = await client_of(widget).lookups.list(kind)
        return [Choice(safe(item.label, limit=60), item.id, (item.name,)) for item in items]

    return load


class LookupField(SelectField):
    """A select fed by `iris.lookups.list(kind)`."""

    def __init__(self, key: str, label: str | Text, kind: str, value: Any = None, **kw: Any) -> None:
        super().__init__(key, label, value=value, loader=lookup_loader(self, kind), **kw)
        self.kind = kind


class TagSuggester(Suggester):
    """Completes the tag being typed (after the last comma) from the server's tag table."""

    def __init__(self, client: IrisClient) -> None:
        super().__init__(use_cache=True, case_sensitive=True)
        self.client = client

    async def get_suggestion(self, value: str) -> str | None:
        term = value.rpartition(",")[2].strip()
        if len(term) < 2:
            return None
        try:
            found = await self.client.server.tag_suggestions(term)
        except IrisError:
            return None
        folded = term.casefold()
        for tag in found:
            if isinstance(tag, str) and tag.casefold().startswith(folded) and len(tag) > len(term):
                return value + clean(tag[len(term):])
        return None


class TagsField(TextField):
    """Comma-separated tags, with completion from the server's tags."""

    def __init__(self, key: str, label: str | Text = "Tags", value: Any = None, *,
                 limit: int | None = None, **kw: Any) -> None:
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, str):
            value = ", ".join(t.strip() for t in value.split(",") if t.strip())
        super().__init__(key, label, value, placeholder="tag, other tag", **kw)
        self.limit = limit

    def suggester(self) -> Suggester | None:
        return TagSuggester(client_of(self)) if self.app.session is not None else None  # type: ignore[attr-defined]

    def data(self) -> str:
        return ",".join(t.strip() for t in self.value.split(",") if t.strip())

    def changed(self) -> bool:
        return self.data() != ",".join(t.strip() for t in self.initial.split(",") if t.strip())

    def own_check(self) -> str | None:
        return check_tags(self.value, limit=self.limit)


def format_datetime(value: _dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.microsecond:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.strftime("%Y-%m-%d %H:%M:%S")


class DateTimeField(FormField):
    """A date and time; with `with_tz`, the UTC offset it was read in (timeline events).

    `data()` is `(naive datetime, "+HH:MM")` with a timezone, else the naive datetime."""

    DEFAULT_CSS = """
    DateTimeField .field-tz { width: 9; margin-left: 1; }
    """

    def __init__(self, key: str, label: str | Text, value: _dt.datetime | None = None, *,
                 tz: str | None = None, with_tz: bool = False, **kw: Any) -> None:
        super().__init__(key, label, **kw)
        self.with_tz = with_tz
        if with_tz and value is not None and value.tzinfo is not None and tz is None:
            tz = format_offset(value.utcoffset() or _dt.timedelta())
        wall = value.replace(tzinfo=None) if value is not None else None
        self.initial = (format_datetime(wall), tz or ("+00:00" if with_tz else ""))

    def compose_control(self) -> ComposeResult:
        yield Input(self.initial[0], placeholder="YYYY-MM-DD HH:MM:SS", compact=True,
                    classes="field-control field-date", select_on_focus=False)
        if self.with_tz:
            yield Input(self.initial[1], placeholder="+00:00", compact=True, classes="field-tz",
                        select_on_focus=False)

    @property
    def value(self) -> tuple[str, str]:
        date = self.query_one(".field-date", Input).value
        tz = self.query_one(".field-tz", Input).value if self.with_tz else ""
        return (date, tz)

    def is_empty(self) -> bool:
        return not self.value[0].strip()

    def data(self) -> Any:
        date, tz = self.value
        if not date.strip():
            return None
        try:
            wall = parse_datetime(date)
            return (wall, parse_tz(tz)) if self.with_tz else wall
        except ValueError:
            return None

    def own_check(self) -> str | None:
        date, tz = self.value
        try:
            parse_datetime(date)
            if self.with_tz:
                parse_tz(tz)
        except ValueError as exc:
            return str(exc)
        return None


class CheckList(SelectionList[Any]):
    """A SelectionList whose boxes read `[x]` / `[ ]`: visible without colour."""

    def _get_left_gutter_width(self) -> int:
        return 4

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)
        index = self.scroll_offset.y + y
        try:
            option = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        segments = list(line)
        base = (segments[0].style if segments else None) or self.rich_style
        mark = "[x] " if option.value in self._selected else "[ ] "
        style = base + RichStyle(meta={"option": index})
        return Strip([Segment(mark, style), *segments])


class MultiSelectField(FormField):
    """Several choices (linked assets and IOCs, assignees): a filter line and a checklist.

    Only the first few hundred matches are listed, so a case with 100,000 IOCs stays usable:
    type in the filter to find the others. Selections outside the shown ones are kept."""

    DEFAULT_CSS = """
    MultiSelectField .multi { height: auto; }
    MultiSelectField .multi-filter { height: 1; }
    MultiSelectField SelectionList { height: auto; max-height: 6; }
    """

    def __init__(self, key: str, label: str | Text, value: Iterable[Any] = (), *,
                 loader: Loader, **kw: Any) -> None:
        super().__init__(key, label, **kw)
        self.loader = loader
        self.selected: set[Any] = set(value)
        self.initial = sorted(self.selected, key=repr)
        self.choices: list[Choice] = []
        self.loaded = False

    def compose_control(self) -> ComposeResult:
        with Vertical(classes="field-control multi"):
            yield Input(placeholder="type to filter…", compact=True, classes="multi-filter")
            yield CheckList(compact=True)

    def on_mount(self) -> None:
        self.run_worker(self._load(), exclusive=True, group="choices")

    async def _load(self) -> None:
        try:
            choices = await self.loader()
        except IrisError as exc:
            self.set_error(f"Could not load the choices: {plain(exc.message, limit=200)}")
            return
        self.choices = list(choices)
        self.loaded = True
        self._render_options()

    def add_choice(self, choice: Choice, *, select: bool = True) -> None:
        """A new option (an object created from this form), selected."""
        self.choices = [c for c in self.choices if c.value != choice.value] + [choice]
        if select:
            self.selected.add(choice.value)
        self._render_options()

    def _render_options(self) -> None:
        text = self.query_one(".multi-filter", Input).value.strip().casefold()
        shown = [c for c in self.choices if c.value in self.selected]
        for choice in self.choices:
            if len(shown) >= MULTI_SHOWN:
                break
            if choice.value not in self.selected and (not text or text in choice.label.plain.casefold()):
                shown.append(choice)
        if text:
            shown = [c for c in shown if c.value not in self.selected or text in c.label.plain.casefold()]
        box = self.query_one(SelectionList)
        box.clear_options()
        box.add_options([Selection(c.label, c.value, c.value in self.selected) for c in shown])

    @on(Input.Changed, ".multi-filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        if self.loaded:
            self._render_options()

    @on(Input.Submitted, ".multi-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(SelectionList).focus()

    @on(SelectionList.SelectedChanged)
    def _picked(self, event: SelectionList.SelectedChanged[Any]) -> None:
        event.stop()
        box = self.query_one(SelectionList)
        visible = {box.get_option_at_index(i).value for i in range(box.option_count)}
        self.selected = (self.selected - visible) | set(box.selected)

    @property
    def value(self) -> list[Any]:
        return sorted(self.selected, key=repr)

    def focus_control(self) -> None:
        box = self.query_one(CheckList)
        box.focus()
        if box.highlighted is None and box.option_count:
            box.highlighted = 0


def custom_attribute_fields(attributes: Any) -> list[FormField]:
    """IRIS custom attributes (tab -> field -> {type, value, options}) as plain fields.

    `html` and `raw` attributes are read-only in IRIS: not shown here."""
    fields: list[FormField] = []
    if not isinstance(attributes, dict):
        return fields
    for tab, group in attributes.items():
        if not isinstance(group, dict):
            continue
        for name, spec in group.items():
            spec = spec if isinstance(spec, dict) else {"value": spec}
            kind = spec.get("type") or "input_string"
            if kind in ("html", "raw"):
                continue
            label = Text(f"{clean(tab)} › {clean(name)}")
            value = spec.get("value")
            required = bool(spec.get("mandatory"))
            widget: FormField
            if kind == "input_checkbox":
                widget = CheckboxField("custom_attributes", label, bool(value))
            elif kind == "input_select":
                options = [Choice(safe(o, limit=60), o) for o in spec.get("options") or ()]
                widget = SelectField("custom_attributes", label, options, value, required=required)
            elif kind == "input_textfield":
                widget = TextAreaField("custom_attributes", label, value, required=required)
            else:
                widget = TextField("custom_attributes", label, value, required=required)
            widget.attribute = (str(tab), str(name))
            fields.append(widget)
    return fields
