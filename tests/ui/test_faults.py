"""Failing servers and networks, through the UI at 80×24: HTML 5xx pages, a 302 to /login, a
timeout, a connection reset in the middle of a list, a 401 mid-session (key revoked), a 403 on a
case, malformed JSON. Each time the app says what failed where it failed (the tab's status line,
the form), keeps what the user was doing (rows, filter, cursor; everything typed in a form),
offers a retry that works once the server is back, never shows a traceback and never shows the
API key."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from rich.console import Console
from support.editing import choose, fill, form_open, saved

from iris_tui.api import IrisClient
from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.ui.app import IrisApp
from iris_tui.ui.forms import AssetForm
from iris_tui.ui.session import Session
from iris_tui.ui.tabs.base import CaseTab, StatusLine

TIMEOUT = 0.5  # the client's timeout here: a hanging server fails fast

# fault kind -> what the status line must say
FAULTS = {
    "server_error": "server error 500: 500 Internal Server Error",
    "bad_gateway": "server error 502: 502 Bad Gateway",
    "unavailable": "server error 503",
    "login_redirect": "the API key was refused (revoked?) — reconnect with :profile",
    "timeout": "the server did not answer in time",
    "reset": "connection failed: connection reset",
    "malformed_json": "the server sent malformed JSON",
    "forbidden": "Permission denied [GET /case/ioc/list -> 403]",
    "unauthorized": "the API key was refused (revoked?) — reconnect with :profile",
    "revoked": "the API key was refused (revoked?) — reconnect with :profile [GET /case/ioc/list -> 401]",
}


class Demo:
    def __init__(self) -> None:
        self.app = create_app(seed="demo")
        client = IrisClient("http://demo.iris", DEMO_API_KEY, transport=DemoTransport(self.app),
                            timeout=TIMEOUT, retries=1)
        self.session = Session("demo", "http://demo.iris", client, demo=self.app)
        self.cid = next(c["case_id"] for c in self.app.store.cases.values() if "LockBit" in c["name"])

    def fail(self, kind: str, path: str, method: str | None = None) -> None:
        if kind == "revoked":
            self.app.faults.revoke(DEMO_API_KEY)
        else:
            self.app.faults.add(kind, path=path, method=method, count=-1, hang=5)


def screen_text(app: IrisApp) -> str:
    console = Console(file=io.StringIO(), width=app.size.width, height=app.size.height,
                      color_system=None, force_terminal=False, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.file.getvalue()


def status(widget: Any) -> str:
    line = widget.query_one(StatusLine)
    return " ".join(str(line.content).split()) if line.has_class("-shown") else ""


async def until(pilot: Any, condition: Any, timeout: float = 10.0, what: str = "condition") -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}\n{screen_text(pilot.app)}")


def no_leak(app: IrisApp) -> str:
    text = screen_text(app)
    assert "Traceback" not in text
    assert DEMO_API_KEY not in text
    assert DEMO_API_KEY not in app.export_screenshot()
    assert app.is_running
    return text


async def open_iocs(pilot: Any, demo: Demo) -> Any:
    app = pilot.app
    await pilot.press("colon", *f"case {demo.cid}", "enter")
    await until(pilot, lambda: type(app.screen).__name__ == "CaseWorkspace", what="the workspace")
    await pilot.press("3")
    tab = app.screen.tab("iocs")
    await until(pilot, lambda: tab.loaded, what="the IOCs")
    return tab


@pytest.mark.parametrize("kind", list(FAULTS))
async def test_a_failing_reload_keeps_the_list_filter_and_cursor_and_r_retries(kind: str) -> None:
    demo = Demo()
    app = IrisApp(demo.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_iocs(pilot, demo)
        await pilot.press("slash", *"c2", "enter")
        await pilot.press("j")
        shown = [tab.row_key(r) for r in tab.rows.rows]
        assert 1 < len(shown) < len(tab.rows.all_rows)
        cursor = tab.row_key(tab.rows.cursor_row)

        demo.fail(kind, "/case/ioc/list")
        await pilot.press("r")
        await until(pilot, lambda: "Press r to retry" in status(tab), what="the failure")
        assert f"Could not load IOCs: {FAULTS[kind]}" in status(tab)
        await until(pilot, lambda: "Press r to retry" in screen_text(app), what="it on screen")
        text = no_leak(app)
        assert "Could not load IOCs" in text and "Press r to retry" in text
        assert [tab.row_key(r) for r in tab.rows.rows] == shown  # nothing the user saw is gone
        assert tab.query_one(".filter").value == "c2"
        assert tab.row_key(tab.rows.cursor_row) == cursor

        demo.app.faults.clear()  # the server is back (the key too)
        await pilot.press("r")
        await until(pilot, lambda: not status(tab) and tab.loaded, what="the retry")
        assert [tab.row_key(r) for r in tab.rows.rows] == shown
        assert tab.query_one(".filter").value == "c2"
        no_leak(app)


@pytest.mark.parametrize("kind", ["server_error", "reset", "malformed_json", "login_redirect"])
async def test_the_case_list_says_what_failed_and_r_retries(kind: str) -> None:
    demo = Demo()
    demo.fail(kind, "/manage/cases/filter")
    app = IrisApp(demo.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "Press r to retry" in status(app.screen), what="the failure")
        assert f"Could not load cases: {FAULTS[kind]}" in status(app.screen)
        no_leak(app)
        demo.app.faults.clear()
        await pilot.press("r")
        await until(pilot, lambda: not status(app.screen) and app.screen.rows.all_rows, what="the cases")


async def test_a_403_on_a_case_says_so_on_every_tab() -> None:
    demo = Demo()
    app = IrisApp(demo.session)
    async with app.run_test(size=(80, 24)) as pilot:
        demo.app.store.access[(1, demo.cid)] = 1  # access to the case withdrawn
        await pilot.press("colon", *f"case {demo.cid}", "enter")
        await until(pilot, lambda: type(app.screen).__name__ == "CaseWorkspace", what="the workspace")
        tabs = list(app.screen.query(CaseTab))
        await until(pilot, lambda: all("Press r to retry" in status(t) for t in tabs), what="the failures")
        for tab in tabs:
            assert "Permission denied" in status(tab), tab.tab_id
        no_leak(app)


async def test_a_revoked_key_mid_session_says_reconnect_on_every_tab() -> None:
    demo = Demo()
    app = IrisApp(demo.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_iocs(pilot, demo)
        rows = len(tab.rows.all_rows)
        demo.fail("revoked", "")
        for key in "12345678":
            await pilot.press(key, "r")
        tabs = list(app.screen.query(CaseTab))
        await until(pilot, lambda: all("reconnect with :profile" in status(t) for t in tabs),
                    what="every tab to fail")
        assert len(tab.rows.all_rows) == rows
        no_leak(app)


@pytest.mark.parametrize("kind", ["server_error", "bad_gateway", "login_redirect", "timeout", "reset",
                                  "malformed_json", "forbidden", "unauthorized", "revoked"])
async def test_a_failed_save_keeps_the_form_and_everything_typed(kind: str) -> None:
    demo = Demo()
    app = IrisApp(demo.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon", *f"case {demo.cid}", "enter")
        await until(pilot, lambda: type(app.screen).__name__ == "CaseWorkspace", what="the workspace")
        await pilot.press("2")
        tab = app.screen.tab("assets")
        await until(pilot, lambda: tab.loaded, what="the assets")
        await pilot.press("n")
        form = await form_open(pilot, AssetForm)
        await fill(pilot, "asset_name", "SRV-BACKUP")
        await choose(pilot, "asset_type_id", "Windows - Server")
        await fill(pilot, "asset_description", "Veeam [bold]server[/bold]")
        typed = {f.key: f.value for f in form.fields}
        demo.fail(kind, "/case/assets/add", "POST")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: form.form_error, what="the failure")
        assert app.screen is form and form.form_error.startswith("Not saved")
        assert {f.key: f.value for f in form.fields} == typed
        assert "Not saved" in no_leak(app)
        assert not form.query_one("#form-save").disabled

        demo.app.faults.clear()
        await saved(pilot, form)
        names = [a["asset_name"] for a in demo.app.store.assets.values() if a["case_id"] == demo.cid]
        assert names.count("SRV-BACKUP") == 1


def test_errors_and_logs_never_carry_the_key(caplog: pytest.LogCaptureFixture) -> None:
    """Every error the client raises, in every form the UI shows it, and what is logged."""
    import asyncio
    import logging

    from iris_tui.ui.tabs.base import failure_text

    caplog.set_level(logging.DEBUG)
    errors = []

    async def collect() -> None:
        demo = Demo()
        async with demo.session.client as iris:
            for kind in FAULTS:
                demo.app.faults.clear()
                demo.fail(kind, "/case/ioc/list")
                try:
                    await iris.iocs.list(demo.cid)
                except Exception as exc:  # noqa: BLE001 - every kind is collected
                    errors.append(exc)

    asyncio.run(collect())
    assert len(errors) == len(FAULTS)
    for error in errors:
        for text in (str(error), repr(error), failure_text(error), repr(error.__dict__)):
            assert DEMO_API_KEY not in text
        assert error.__cause__ is None or DEMO_API_KEY not in repr(error.__cause__)
    assert not any(isinstance(error, httpx.HTTPError) for error in errors)
    assert "/case/ioc/list" in caplog.text  # requests were logged, without the key
    assert DEMO_API_KEY not in caplog.text
