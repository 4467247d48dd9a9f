"""Connecting: add a profile (URL, masked key, TLS choice, test, save), pick one, switch profile
without restarting; a profile without a stored key goes through the key prompt."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, ContentSwitcher, Input, Label, OptionList, RadioSet, Static
from textual.widgets.option_list import Option

from iris_tui import auth_cli
from iris_tui import config as cfg
from iris_tui import credentials as creds
from iris_tui.ui.chrome import IrisScreen
from iris_tui.ui.connect import (
    failure,
    make_session,
    plain_http_warning,
    session_from_lookup,
    switch_session,
)
from iris_tui.ui.screens.key_prompt import KeyPrompt
from iris_tui.ui.text import plain
from iris_tui.ui.widgets.fields import Note, StateCheckbox, StateRadioButton

if TYPE_CHECKING:
    from iris_tui.api.server import ServerVersions, User
    from iris_tui.ui.app import IrisApp

TLS_VERIFY, TLS_OFF, TLS_CA = "tls-verify", "tls-off", "tls-ca"


def open_profile(app: IrisApp, name: str | None) -> None:
    """`:profile [NAME]` and the palette: connect to NAME, or show the picker."""
    if isinstance(app.screen, ConnectScreen):
        app.screen.start(name, picker=True)
    else:
        app.push_screen(ConnectScreen(name, picker=True))


def _connected(versions: ServerVersions, user: User) -> str:
    who = user.user_login or user.user_name or "?"
    return (f"Connected: IRIS {versions.iris_current or '?'} (API {versions.api_current or '?'}), "
            f"signed in as {who}.")


class ConnectScreen(IrisScreen):
    """No session yet, or switching: the profile picker, the new-profile form, or a wait line
    while a profile's key is looked up."""

    HELP_TITLE = "connect"
    CSS_PATH = "connect.tcss"
    BINDINGS = [
        Binding("a", "add", "Add profile", id="connect.add"),
        Binding("ctrl+t", "test", "Test", id="connect.test"),
        Binding("ctrl+s", "save", "Save", id="connect.save"),
    ]

    def __init__(self, profile: str | None = None, *, picker: bool = False) -> None:
        super().__init__()
        self._wanted = profile
        self._picker_first = picker
        self.config = cfg.Config()
        self.pane = "connect-wait"

    # -- layout -----------------------------------------------------------------------------

    def crumbs(self) -> list[str]:
        return [{"connect-picker": "Profiles", "connect-form": "New profile"}.get(self.pane, "Connect")]

    def compose_body(self) -> ComposeResult:
        with ContentSwitcher(initial="connect-wait", id="connect-modes"):
            yield Static(id="connect-wait")
            with Vertical(id="connect-picker"):
                yield Static(Text("Connect to a profile", style="bold"), classes="title")
                yield OptionList(id="profiles", compact=True)
                yield Note(id="picker-msg")
                yield Static(Text("enter connect · a add a profile", style="dim"))
            with VerticalScroll(id="connect-form"):
                yield Static(Text("Add an IRIS server", style="bold"), classes="title")
                yield from self._row("Profile", Input(placeholder="a short name, e.g. prod",
                                                      id="name", compact=True))
                yield Note(id="name-msg")
                yield from self._row("URL", Input(placeholder="https://iris.example.org", id="url",
                                                  compact=True))
                yield Note(id="url-msg")
                yield from self._row("API key", Input(password=True, compact=True, id="key",
                                                      placeholder="from IRIS › My settings"))
                yield Note(id="key-msg")
                with Horizontal(classes="row"):
                    yield Label("TLS", classes="label")
                    with RadioSet(id="tls", compact=True):
                        yield StateRadioButton("verify", value=True, id=TLS_VERIFY, compact=True)
                        yield StateRadioButton("don't verify", id=TLS_OFF, compact=True)
                        yield StateRadioButton("CA bundle", id=TLS_CA, compact=True)
                yield from self._row("CA file", Input(placeholder="/path/to/ca.pem", id="ca",
                                                      compact=True), row_id="ca-row")
                yield Note(id="tls-msg")
                with Horizontal(classes="row"):
                    yield Label("", classes="label")
                    yield StateCheckbox("store the key in a plain file (insecure, mode 0600)",
                                        id="insecure", compact=True)
                yield Note(id="store-msg")
                with Horizontal(classes="row buttons"):
                    yield Label("", classes="label")
                    yield Button("Test", id="test", compact=True)
                    yield Button("Save", id="save", variant="primary", compact=True)
                yield Note(id="result")

    @staticmethod
    def _row(label: str, field: Input, row_id: str | None = None) -> ComposeResult:
        with Horizontal(classes="row", id=row_id):
            yield Label(label, classes="label")
            yield field

    def on_mount(self) -> None:
        self.start(self._wanted, picker=self._picker_first)

    def _set_mode(self, mode: str) -> None:
        self.pane = mode
        self.query_one(ContentSwitcher).current = mode
        self.refresh_header()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add":
            return self.pane == "connect-picker"
        if action in ("test", "save"):
            return self.pane == "connect-form"
        return True

    @property
    def _app(self) -> IrisApp:
        return self.app  # type: ignore[return-value]

    # -- what to show -------------------------------------------------------------------------

    def start(self, name: str | None, *, picker: bool = False) -> None:
        """Connect to `name`; else the picker (asked for, or several profiles and no default),
        the form (no profile yet) or the default profile."""
        try:
            self.config = cfg.load()
        except cfg.ConfigError as exc:
            self._wait(f"The config file cannot be used: {exc}\nFix it, then restart iris-tui.",
                       error=True)
            return
        if name is not None:
            self.connect(name)
        elif not self.config.profiles:
            self.show_form()
        elif picker:
            self.show_picker()
        else:
            try:
                self.connect(self.config.profile(None).name)
            except cfg.ConfigError:
                self.show_picker()

    def _wait(self, text: str, *, error: bool = False) -> None:
        self.query_one("#connect-wait", Static).update(
            Text(text, style="bold red" if error else "dim"))
        self._set_mode("connect-wait")

    def show_picker(self, message: str = "") -> None:
        if not self.config.profiles:
            self.show_form()
            return
        options = self.query_one("#profiles", OptionList)
        options.clear_options()
        current = self._app.session.profile if self._app.session else None
        for name, profile in self.config.profiles.items():
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append(plain(name, limit=30), style="bold")
            label.append("  ")
            label.append(plain(profile.url, limit=80))
            tags = [t for t, on_ in (("default", name == self.config.default_profile),
                                     ("read-only", profile.read_only),
                                     ("current", name == current)) if on_]
            if tags:
                label.append(f"  ({', '.join(tags)})", style="dim")
            options.add_option(Option(label, id=name))
        names = list(self.config.profiles)
        preferred = current or self.config.default_profile
        options.highlighted = names.index(preferred) if preferred in names else 0
        self.query_one("#picker-msg", Note).say(message, "warning")
        self._set_mode("connect-picker")
        options.focus()

    def show_form(self) -> None:
        name = self.query_one("#name", Input)
        if not name.value and not self.config.profiles:
            name.value = "default"
        self._set_mode("connect-form")
        self.query_one("#url" if name.value else "#name", Input).focus()

    # -- the picker ---------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#profiles")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.connect(event.option.id)

    def action_add(self) -> None:
        self.show_form()

    def action_back(self) -> None:
        if self.pane == "connect-form" and self.config.profiles:
            self.show_picker()
        else:
            super().action_back()

    def action_refresh(self) -> None:
        if self.pane == "connect-picker":
            self.start(None, picker=True)

    @work(exclusive=True, group="connect")
    async def connect(self, name: str) -> None:
        """Look the key up off the event loop; ask for it when no source has one."""
        profile = self.config.profiles.get(name)
        if profile is None:
            known = ", ".join(sorted(self.config.profiles)) or "none"
            self.show_picker(f"no profile named {name!r} (known: {known})")
            return
        read_only = self._app.force_read_only
        self._wait(f"Looking for the API key of {plain(name)}…")
        found = await creds.lookup_key_async(profile)
        try:
            if found.key is not None:
                session = session_from_lookup(profile, found, read_only=read_only)
            else:
                key = await self.app.push_screen_wait(KeyPrompt(profile, found.notes))
                if key is None:
                    self.show_picker(f"no key given for {name!r}")
                    return
                session = make_session(profile, key, read_only=read_only, notes=found.notes)
        except cfg.ConfigError as exc:
            self.show_picker(str(exc))
            return
        switch_session(self._app, session)

    # -- the form -----------------------------------------------------------------------------

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _say(self, field: str, text: str, kind: str = "error") -> None:
        self.query_one(f"#{field}-msg" if field != "result" else "#result", Note).say(text, kind)

    def _tls_choice(self) -> str:
        pressed = self.query_one("#tls", RadioSet).pressed_button
        return pressed.id if pressed is not None and pressed.id else TLS_VERIFY

    @on(Input.Changed, "#url")
    @on(RadioSet.Changed, "#tls")
    def _warnings(self) -> None:
        """Standing warnings while typing: plain http, certificate checks off."""
        self._say("url", plain_http_warning(self._value("url")) or "", "warning")
        tls = self._tls_choice()
        self.query_one("#ca-row").display = tls == TLS_CA
        self._say("tls", "certificate checks off: anyone on the path can read the key; prefer a "
                         "CA bundle" if tls == TLS_OFF else "", "warning")

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        if event.input.id in ("name", "url", "key", "ca"):
            event.stop()
            self.focus_next()

    @on(Button.Pressed, "#test")
    def action_test(self) -> None:
        self._check(save=False)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self._check(save=True)

    def _read_form(self, *, save: bool) -> tuple[cfg.Profile, str] | None:
        """The profile and key typed in, or None with a message next to each bad field. Nothing
        typed is ever cleared."""
        for field in ("name", "url", "key", "tls", "store", "result"):
            self._say(field, "")
        self._warnings()
        ok = True
        name = self._value("name")
        if save:  # a test needs no name
            try:
                cfg.check_profile_name(name)
                if name in self.config.profiles:
                    raise cfg.ConfigError(f"a profile named {name!r} exists already: pick "
                                          f"another name, or switch to it with :profile {name}")
            except cfg.ConfigError as exc:
                self._say("name", str(exc))
                ok = False
        url = self._value("url")
        try:
            cfg.check_url(url)
        except cfg.ConfigError as exc:
            self._say("url", str(exc))
            ok = False
        key = self.query_one("#key", Input).value.strip()
        problem = creds.key_problem(key)
        if problem:
            self._say("key", f"no usable API key: {problem}")
            ok = False
        verify: bool | str = self._tls_choice() != TLS_OFF
        if self._tls_choice() == TLS_CA:
            path = Path(self._value("ca")).expanduser()
            if not self._value("ca") or not path.is_file():
                self._say("tls", "give the path of a CA certificate file (PEM)")
                ok = False
            verify = str(path.resolve())
        if not ok:
            return None
        return cfg.Profile(name=name if save else "new", url=url, verify=verify), key

    @work(exclusive=True, group="connect-check")
    async def _check(self, *, save: bool) -> None:
        """Test: versions + whoami. Save: the same, then store the key and the profile. Nothing
        is stored unless the server accepted the key."""
        form = self._read_form(save=save)
        if form is None:
            return
        profile, key = form
        self._say("result", f"Checking {profile.url}…", "info")
        try:
            versions, user = await auth_cli.check_key(profile, key)
        except Exception as exc:  # noqa: BLE001 - a sentence next to the field, never a traceback
            field, text = failure(exc, profile, key)
            self._say(field, text)
            if field != "result":
                self._say("result", "Connection failed" + (": nothing was saved." if save else "."))
            return
        self._say("result", _connected(versions, user), "ok")
        if save:
            await self._save(profile, key)

    async def _save(self, profile: cfg.Profile, key: str) -> None:
        insecure = self.query_one("#insecure", Checkbox).value
        try:
            where = await creds.store_key_async(profile.name, key, insecure_storage=insecure)
        except creds.CredentialError as exc:
            text = creds.redact(str(exc), key)
            head, cli_hint, _ = text.partition(". Use --insecure-storage")
            if cli_hint:
                text = (f"{head}. Tick \"store the key in a plain file\", or give the profile an "
                        f"api_key_command, or set {creds.env_var(profile.name)}.")
            self._say("store", text)
            self._say("result", "The key could not be stored: nothing was saved.")
            return
        try:
            config = cfg.load()
            config.set_profile(profile)
            config.save()
        except (cfg.ConfigError, OSError) as exc:
            self._say("result", f"The key was stored ({where}) but the profile was not: {exc}")
            return
        if insecure:
            told = f"stored in plain text in {where.removeprefix('file ')} (mode 0600)"
        else:
            told = f"stored in the OS keyring ({where})"
        self.app.notify(f"Profile {profile.name!r} saved; its key is {told}.", markup=False,
                        timeout=8)
        try:
            session = make_session(profile, key, insecure_storage=insecure,
                                   read_only=self._app.force_read_only)
        except cfg.ConfigError as exc:
            self._say("result", str(exc))
            return
        switch_session(self._app, session)
