"""Connecting from inside the app: the add-profile form against the in-process demo IRIS, the
profile picker, switching profile without restarting, and the in-memory key prompt. At 80×24,
with the real config and keyring replaced (iris_env) and the key checked by a real server fake."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Callable

import certifi
import pytest
from textual.css.query import NoMatches
from textual.widgets import Checkbox, Input, OptionList, RadioButton

from iris_tui import auth_cli
from iris_tui import config as cfg
from iris_tui import credentials as creds
from iris_tui.api import IrisClient
from iris_tui.api.errors import IrisAuthError, IrisConnectionError
from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.ui import connect as ui_connect
from iris_tui.ui.app import IrisApp
from iris_tui.ui.chrome import AppHeader
from iris_tui.ui.commands import IrisCommands
from iris_tui.ui.screens.cases import CaseListScreen
from iris_tui.ui.connect import failure
from iris_tui.ui.screens.connect import ConnectScreen
from iris_tui.ui.screens.key_prompt import KeyPrompt
from iris_tui.ui.widgets.fields import Note
from support.fake_keyrings import MemoryKeyring, iris_env, use_keyring  # noqa: F401 (fixtures)

URL = "https://iris.example.test"
SIZE = (80, 24)
WRONG_KEY = "wrong-key-1234567890abcdef-not-valid"


@pytest.fixture(autouse=True)
def _isolated(iris_env):
    return iris_env


@pytest.fixture
def demo(monkeypatch):
    """One fake IRIS in-process: every client the app or the key check builds talks to it."""
    server = create_app(seed="fresh")
    server.clients = []

    def factory(url, key, **options):
        server.clients.append((url, options))
        kept = {k: v for k, v in options.items() if k not in ("retries", "proxy")}
        client = IrisClient(url, key, transport=DemoTransport(server), retries=0, **kept)
        server.built = client
        return client

    monkeypatch.setattr(ui_connect, "client_factory", factory)
    monkeypatch.setattr(auth_cli, "make_client", factory)
    return server


@pytest.fixture
def memory_keyring(use_keyring):
    return use_keyring(MemoryKeyring())


def save_profiles(*profiles: cfg.Profile, default: str | None = None) -> None:
    config = cfg.Config(profiles={p.name: p for p in profiles}, default_profile=default)
    config.save()


def _holds(condition: Callable[[], object]) -> bool:
    try:
        return bool(condition())
    except NoMatches:  # a screen pushed but not composed yet
        return False


async def until(pilot, condition: Callable[[], object], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not _holds(condition):
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {condition.__doc__ or condition}")
        await pilot.pause(0.05)


async def type_in(pilot, selector: str, text: str) -> None:
    """Clear the field, focus it and type, key by key."""
    field = pilot.app.screen.query_one(selector, Input)
    field.value = ""
    field.focus()
    await pilot.pause()
    await pilot.press(*text)


def note(app: IrisApp, note_id: str) -> str:
    return app.screen.query_one(f"#{note_id}", Note).text


def header(app: IrisApp) -> str:
    return str(app.screen.query_one(AppHeader).content)


def on_case_list(app: IrisApp) -> bool:
    return isinstance(app.screen, CaseListScreen)


async def fill_form(pilot, *, name: str = "prod", url: str = URL, key: str = DEMO_API_KEY) -> None:
    await type_in(pilot, "#name", name)
    await type_in(pilot, "#url", url)
    await type_in(pilot, "#key", key)


# -- no profile: the add form -----------------------------------------------------------------

async def test_no_config_shows_the_connect_form():
    app = IrisApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen)
                    and app.screen.pane == "connect-form")
        screen = app.screen
        assert screen.query_one("#name", Input).value == "default"
        assert screen.query_one("#key", Input).password is True
        assert screen.query_one("#url", Input).has_focus
        assert "not connected" in header(app) and "New profile" in header(app)
        # nothing works without a session, and says so
        await app.run_command("case 1")
        await pilot.pause()
        assert isinstance(app.screen, ConnectScreen)


async def test_test_then_save_stores_profile_and_key_and_opens_the_case_list(demo, memory_keyring):
    app = IrisApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        await fill_form(pilot)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: "v2.4.20" in note(app, "result"))
        assert "administrator" in note(app, "result")
        assert [r.path for r in demo.received[-2:]] == ["/api/versions", "/user/whoami"]
        assert not cfg.config_path().exists()  # Test stores nothing

        app.screen.query_one("#save").press()
        await until(pilot, lambda: on_case_list(app))
        await until(pilot, lambda: app.user_label == "administrator")
        assert "prod" in header(app)
        assert app.session.profile == "prod" and app.session.insecure_storage is False

    text = cfg.config_path().read_text()
    assert URL in text and DEMO_API_KEY not in text
    config = cfg.load()
    assert config.default_profile == "prod" and config.profiles["prod"].verify is True
    assert memory_keyring.entries == {(creds.SERVICE, "prod"): DEMO_API_KEY}
    assert not creds.credentials_path().exists()
    url, options = demo.clients[-1]
    assert url == URL and options["verify"] is True and options["timeout"] == cfg.DEFAULT_TIMEOUT


async def test_wrong_key_is_explained_next_to_the_key_and_keeps_what_was_typed(demo, memory_keyring):
    app = IrisApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        await fill_form(pilot, key=WRONG_KEY)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: note(app, "key-msg"))
        assert "Authentication required" in note(app, "key-msg")
        assert WRONG_KEY not in note(app, "key-msg")
        assert "nothing was saved" in note(app, "result")
        screen = app.screen
        assert isinstance(screen, ConnectScreen)
        assert screen.query_one("#url", Input).value == URL
        assert screen.query_one("#name", Input).value == "prod"
        assert screen.query_one("#key", Input).value == WRONG_KEY
    assert not cfg.config_path().exists()
    assert memory_keyring.entries == {}


async def test_bad_fields_each_get_their_message_and_nothing_is_sent(demo):
    app = IrisApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        before = len(demo.received)
        await fill_form(pilot, name="bad name", url="iris.example.test", key="")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: note(app, "url-msg"))
        assert "invalid profile name" in note(app, "name-msg")
        assert "invalid URL" in note(app, "url-msg")
        assert "it is empty" in note(app, "key-msg")
        assert len(demo.received) == before
        assert app.screen.query_one("#url", Input).value == "iris.example.test"

        await type_in(pilot, "#name", "")
        await pilot.press("ctrl+t")  # a test needs no name
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert note(app, "name-msg") == ""
        assert "invalid URL" in note(app, "url-msg")


async def test_plain_http_is_warned_except_on_loopback():
    app = IrisApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        await type_in(pilot, "#url", "http://iris.example.test")
        assert "unencrypted" in note(app, "url-msg")
        await type_in(pilot, "#url", "http://127.0.0.1:8000")
        assert note(app, "url-msg") == ""
        await type_in(pilot, "#url", URL)
        assert note(app, "url-msg") == ""


async def test_no_keyring_refuses_to_store_unless_the_plain_file_is_ticked(demo):
    """iris_env has no usable keyring: saving says why and stores nothing; ticking the box
    stores the key in a 0600 file and the header keeps warning about it."""
    app = IrisApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        await fill_form(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: note(app, "store-msg"))
        assert "NoKeyringError" in note(app, "store-msg")
        assert "plain file" in note(app, "store-msg")
        assert not cfg.config_path().exists() and not creds.credentials_path().exists()

        app.screen.query_one("#insecure", Checkbox).value = True
        await pilot.press("ctrl+s")
        await until(pilot, lambda: on_case_list(app))
        assert app.session.insecure_storage is True
        assert "KEY IN PLAIN FILE" in header(app)
    path = creds.credentials_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert DEMO_API_KEY in path.read_text()
    assert DEMO_API_KEY not in cfg.config_path().read_text()


async def test_ca_bundle_choice_is_checked_and_saved(demo, memory_keyring):
    app = IrisApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        await fill_form(pilot)
        app.screen.query_one("#tls-ca", RadioButton).value = True
        await pilot.pause()
        assert app.screen.query_one("#ca-row").display
        await type_in(pilot, "#ca", "/nonexistent/ca.pem")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: note(app, "tls-msg"))
        assert "CA certificate file" in note(app, "tls-msg")

        await type_in(pilot, "#ca", certifi.where())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: on_case_list(app))
    assert cfg.load().profiles["prod"].verify == certifi.where()
    assert demo.clients[-1][1]["verify"] == certifi.where()


async def test_dont_verify_is_warned():
    app = IrisApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        app.screen.query_one("#tls-off", RadioButton).value = True
        await pilot.pause()
        assert "certificate checks off" in note(app, "tls-msg")


# -- several profiles: the picker ---------------------------------------------------------------

async def test_several_profiles_show_the_picker_and_enter_connects(demo, memory_keyring, monkeypatch):
    save_profiles(cfg.Profile("prod", URL), cfg.Profile("other", "https://other.example.test"))
    memory_keyring.set_password(creds.SERVICE, "prod", DEMO_API_KEY)
    memory_keyring.set_password(creds.SERVICE, "other", DEMO_API_KEY)
    config = cfg.load()
    assert ui_connect.session_for_profile(config, None) is None
    app = IrisApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen)
                    and app.screen.pane == "connect-picker")
        options = app.screen.query_one("#profiles", OptionList)
        assert options.has_focus and options.option_count == 2
        await pilot.press("down", "enter")
        await until(pilot, lambda: on_case_list(app))
        assert app.session.profile == "other"
        assert header(app).lstrip().startswith("other")
        assert demo.clients[-1][0] == "https://other.example.test"


async def test_picker_a_adds_a_profile_and_esc_goes_back(demo):
    save_profiles(cfg.Profile("prod", URL), cfg.Profile("other", "https://other.example.test"))
    app = IrisApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen)
                    and app.screen.pane == "connect-picker")
        await pilot.press("a")
        assert app.screen.pane == "connect-form"
        assert app.screen.query_one("#name", Input).value == ""  # "default" only for the first
        await pilot.press("escape")
        assert app.screen.pane == "connect-picker"


# -- switching without restarting -----------------------------------------------------------------

async def test_profile_command_switches_without_restart(demo, memory_keyring):
    save_profiles(cfg.Profile("prod", URL), cfg.Profile("other", "https://other.example.test"),
                  default="prod")
    memory_keyring.set_password(creds.SERVICE, "prod", DEMO_API_KEY)
    memory_keyring.set_password(creds.SERVICE, "other", DEMO_API_KEY)
    session = ui_connect.session_for_profile(cfg.load(), None)
    assert session is not None and session.profile == "prod"
    old_http = session.client._http._client
    app = IrisApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on_case_list(app))
        assert header(app).lstrip().startswith("prod")
        await pilot.press("colon", *"profile other", "enter")
        await until(pilot, lambda: on_case_list(app) and app.session.profile == "other")
        assert header(app).lstrip().startswith("other")
        assert len(app.screen_stack) == 2  # connect screen gone, no stacked case lists
        await until(pilot, lambda: old_http.is_closed)
        assert not app.session.client._http._client.is_closed


async def test_profile_alone_and_the_palette_open_the_picker(demo, memory_keyring):
    save_profiles(cfg.Profile("prod", URL), cfg.Profile("other", "https://other.example.test"),
                  default="prod")
    memory_keyring.set_password(creds.SERVICE, "prod", DEMO_API_KEY)
    app = IrisApp(ui_connect.session_for_profile(cfg.load(), None))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on_case_list(app))
        provider = IrisCommands(app.screen)
        hits = [hit async for hit in provider.search("switch")]
        assert [str(h.text) for h in hits] == ["Switch profile…"]
        await hits[0].command()
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen)
                    and app.screen.pane == "connect-picker")
        assert "current" in str(app.screen.query_one("#profiles", OptionList).get_option_at_index(0).prompt)
        await pilot.press("escape")
        assert on_case_list(app) and app.session.profile == "prod"
        await app.run_command("profile nosuch")
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen)
                    and note(app, "picker-msg"))
        assert "no profile named 'nosuch'" in note(app, "picker-msg")


# -- no stored key: the key prompt ------------------------------------------------------------------

async def test_profile_without_key_asks_for_it_and_keeps_it_in_memory(demo):
    save_profiles(cfg.Profile("prod", URL))
    assert ui_connect.session_for_profile(cfg.load(), None) is None  # no keyring, no file
    app = IrisApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, KeyPrompt))
        notes = str(app.screen.query_one("#prompt-notes").content)
        assert "keyring: none usable" in notes and "NoKeyringError" in notes
        await type_in(pilot, "#prompt-key", WRONG_KEY)
        await pilot.press("enter")
        await until(pilot, lambda: note(app, "prompt-msg").startswith("✗"))
        assert "Authentication required" in note(app, "prompt-msg")
        assert isinstance(app.screen, KeyPrompt)

        await type_in(pilot, "#prompt-key", DEMO_API_KEY)
        await pilot.press("enter")
        await until(pilot, lambda: on_case_list(app))
        assert app.session.profile == "prod" and app.session.insecure_storage is False
        assert any("NoKeyringError" in n for n in app.session.notes)
    assert not creds.credentials_path().exists()
    assert DEMO_API_KEY not in cfg.config_path().read_text()


async def test_cancelled_key_prompt_goes_to_the_picker(demo):
    save_profiles(cfg.Profile("prod", URL))
    app = IrisApp(None, profile="prod")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, KeyPrompt))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen)
                    and app.screen.pane == "connect-picker")
        assert "no key given for 'prod'" in note(app, "picker-msg")
        assert app.session is None


async def test_read_only_flag_holds_for_a_profile_picked_in_the_app(demo, memory_keyring):
    save_profiles(cfg.Profile("prod", URL))
    app = IrisApp(None, profile="prod", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, KeyPrompt))
        await type_in(pilot, "#prompt-key", DEMO_API_KEY)
        await pilot.press("enter")
        await until(pilot, lambda: on_case_list(app))
        assert app.session.read_only and "READ-ONLY" in header(app)


# -- session_for_profile (what launch calls) ------------------------------------------------------

def test_session_for_profile_picks_and_builds(demo, monkeypatch):
    assert ui_connect.session_for_profile(cfg.load(), None) is None  # no profile at all
    save_profiles(
        cfg.Profile("prod", URL, verify=False, proxy="http://proxy.example:3128", timeout=12,
                    read_only=True),
        cfg.Profile("other", "https://other.example.test"),
    )
    config = cfg.load()
    with pytest.raises(KeyError, match="no profile named 'nope'"):
        ui_connect.session_for_profile(config, "nope")
    assert ui_connect.session_for_profile(config, None) is None  # several, no default
    monkeypatch.setenv(creds.env_var("prod"), DEMO_API_KEY)
    session = ui_connect.session_for_profile(config, "prod")
    assert session.profile == "prod" and session.url == URL and session.read_only
    assert demo.clients[-1] == (URL, {"verify": False, "proxy": "http://proxy.example:3128",
                                      "timeout": 12.0})
    other = ui_connect.session_for_profile(config, "other")
    assert other is None  # the env var is per profile
    monkeypatch.setenv(creds.ENV_KEY, DEMO_API_KEY)
    other = ui_connect.session_for_profile(config, "other", read_only=True)
    assert other.read_only and not other.insecure_storage


def test_session_from_the_plain_file_is_marked_insecure(demo):
    save_profiles(cfg.Profile("prod", URL))
    creds.store_key("prod", DEMO_API_KEY, insecure_storage=True)
    session = ui_connect.session_for_profile(cfg.load(), None)
    assert session.insecure_storage is True


def test_unusable_ca_bundle_is_a_config_error_not_a_traceback(tmp_path):
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    profile = cfg.Profile("prod", URL, verify=str(bad))
    with pytest.raises(cfg.ConfigError, match="cannot use the CA bundle"):
        ui_connect.make_session(profile, DEMO_API_KEY)


async def test_unreachable_server_is_explained_next_to_the_url(demo, memory_keyring):
    demo.faults.add("reset", path="/api/versions")
    app = IrisApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        await fill_form(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: note(app, "url-msg"))
        assert f"cannot reach {URL}" in note(app, "url-msg")
        assert "nothing was saved" in note(app, "result")
    assert not cfg.config_path().exists() and memory_keyring.entries == {}


def test_failures_point_at_the_field_to_fix():
    profile = cfg.Profile("prod", URL)
    self_signed = IrisConnectionError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate "
        "(_ssl.c:1006)", method="GET", path="/api/versions")
    field, text = failure(self_signed, profile, DEMO_API_KEY)
    assert field == "tls" and "self-signed certificate" in text and "CA bundle" in text
    assert "--ca-bundle" not in text  # the app's words, not the CLI's
    assert failure(IrisAuthError("Authentication required"), profile, DEMO_API_KEY)[0] == "key"
    assert failure(IrisConnectionError("refused"), profile, DEMO_API_KEY)[0] == "url"
    field, text = failure(ValueError(f"odd {DEMO_API_KEY}"), profile, DEMO_API_KEY)
    assert field == "result" and DEMO_API_KEY not in text


def test_launch_refuses_an_unknown_profile_or_an_unusable_ca_bundle(tmp_path, capsys, monkeypatch):
    import argparse

    from iris_tui.ui.launch import launch

    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    save_profiles(cfg.Profile("prod", URL, verify=str(bad)))
    args = argparse.Namespace(demo=False, profile="nope", read_only=False, theme=None,
                              no_mouse=True, demo_latency=0.0)
    assert launch(args) == 2
    assert "no profile named 'nope' (known: prod)" in capsys.readouterr().err
    monkeypatch.setenv(creds.env_var("prod"), DEMO_API_KEY)
    args.profile = "prod"
    assert launch(args) == 2
    assert "cannot use the CA bundle" in capsys.readouterr().err
