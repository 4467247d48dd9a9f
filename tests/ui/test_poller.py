"""Auto-refresh of the visible workspace tab through IRIS's change counters, and the case list
paging on a huge instance, driven with real keys against the demo server."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

from rich.console import Console

from iris_tui.api import IrisClient
from iris_tui.demo import DEMO_API_KEY, DemoTransport
from iris_tui.demo.incident import INCIDENT_SOC_ID
from iris_tui.demo.routes.cases import create_case
from iris_tui.ui.app import IrisApp
from iris_tui.ui.screens.cases import PAGE_SIZE, CaseListScreen
from iris_tui.ui.session import Session, demo_session

INTERVAL = 0.1
USER = 1


def screen_text(app: IrisApp) -> str:
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True))
    return console.export_text()


async def until(pilot: Any, condition: Callable[[], Any], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time\n" + screen_text(pilot.app))
        await pilot.pause(0.02)


def incident(session: Session) -> int:
    return next(c["case_id"] for c in session.demo.store.cases.values()
                if c["soc_id"] == INCIDENT_SOC_ID)


def requests(session: Session, path: str) -> list[Any]:
    return [r for r in session.demo.received if r.path == path]


def app_for(session: Session, interval: float = INTERVAL) -> IrisApp:
    app = IrisApp(session)
    app.auto_refresh = interval
    return app


async def open_tab(pilot: Any, cid: int, tab_id: str, key: str) -> Any:
    """`:case N`, then the tab's number key; waits for the tab's list."""
    await until(pilot, lambda: isinstance(pilot.app.screen, CaseListScreen))
    await pilot.press("colon", *f"case {cid}", "enter")
    await until(pilot, lambda: hasattr(pilot.app.screen, "tab"))
    await pilot.press(key)
    tab = pilot.app.screen.tab(tab_id)
    await until(pilot, lambda: tab.loaded)
    return tab


def header(app: IrisApp) -> str:
    return screen_text(app).splitlines()[0]


async def test_a_change_made_by_someone_else_appears_after_the_poll() -> None:
    session = demo_session()
    cid = incident(session)
    app = app_for(session)
    async with app.run_test(size=(100, 30)) as pilot:
        tab = await open_tab(pilot, cid, "iocs", "3")
        before = len(tab.rows.all_rows)
        lists = len(requests(session, "/case/ioc/list"))
        # another analyst adds an IOC through the API, with their own client
        async with IrisClient("http://demo.iris", DEMO_API_KEY,
                              transport=DemoTransport(session.demo)) as other:
            await other.iocs.add(cid, value="added-elsewhere.example", ioc_type="domain", tlp="amber")
        await until(pilot, lambda: any(r.ioc_value == "added-elsewhere.example"
                                       for r in tab.rows.all_rows))
        assert len(tab.rows.all_rows) == before + 1
        assert len(requests(session, "/case/ioc/list")) == lists + 1  # one reload, not one per poll
        assert requests(session, "/case/ioc/state")[-1].query["cid"] == str(cid)
        assert "added-elsewhere.example" in screen_text(app) or tab.rows.move_cursor_to_key(
            next(r.ioc_id for r in tab.rows.all_rows if r.ioc_value == "added-elsewhere.example"))
        assert "auto 0.1s" in header(app)


async def test_a_change_in_the_store_reaches_the_timeline() -> None:
    """The store's own counter (store.bump), as any server-side write moves it."""
    session = demo_session()
    store = session.demo.store
    case = create_case(store, USER, case_name="Poll me", case_description="t", case_customer=1)
    cid = case["case_id"]
    app = app_for(session)
    async with app.run_test(size=(100, 30)) as pilot:
        tab = await open_tab(pilot, cid, "timeline", "5")
        assert tab.events == []
        from iris_tui.demo.routes.timeline import create_event

        create_event(store, cid, USER, {
            "event_title": "Seen by the poller", "event_date": "2025-03-03T10:11:12.000000",
            "event_tz": "+00:00", "event_category_id": 1, "event_assets": [], "event_iocs": [],
            "event_in_graph": True, "event_in_summary": False,
        })
        await until(pilot, lambda: [r.event.event_title for r in tab.events] == ["Seen by the poller"])
        assert len(requests(session, "/case/timeline/events/list")) == 2


async def test_nothing_is_reloaded_while_nothing_changes() -> None:
    session = demo_session()
    cid = incident(session)
    app = app_for(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_tab(pilot, cid, "tasks", "4")
        await until(pilot, lambda: len(requests(session, "/case/tasks/state")) >= 4)
        assert len(requests(session, "/case/tasks/list")) == 1
        # only the visible tab is polled
        assert requests(session, "/case/ioc/state") == []
        assert requests(session, "/case/assets/state") == []


async def test_heavy_lists_are_not_polled_until_turned_on() -> None:
    session = demo_session(scale={"iocs": 6_000})
    cid = incident(session)
    app = app_for(session)
    async with app.run_test(size=(100, 30)) as pilot:
        tab = await open_tab(pilot, cid, "iocs", "3")
        assert len(tab.rows.all_rows) > 5_000
        await until(pilot, lambda: "auto off (large list)" in header(app))
        await asyncio.sleep(INTERVAL * 4)
        await pilot.pause()
        assert requests(session, "/case/ioc/state") == []
        # a light tab of the same case is polled
        await pilot.press("4")
        await until(pilot, lambda: len(requests(session, "/case/tasks/state")) >= 1)
        # `a` on the heavy tab turns it on for that tab
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("a")
        await until(pilot, lambda: len(requests(session, "/case/ioc/state")) >= 2)
        assert "auto 0.1s" in header(app)
        assert len(requests(session, "/case/ioc/list")) == 1


async def test_the_toggle_turns_polling_off_and_on() -> None:
    session = demo_session()
    cid = incident(session)
    app = app_for(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_tab(pilot, cid, "assets", "2")
        await until(pilot, lambda: len(requests(session, "/case/assets/state")) >= 1)
        assert "auto 0.1s" in header(app)
        await pilot.press("a")
        await pilot.pause()
        assert "auto off" in header(app)
        polled = len(requests(session, "/case/assets/state"))
        await asyncio.sleep(INTERVAL * 4)
        await pilot.pause()
        assert len(requests(session, "/case/assets/state")) <= polled + 1  # one may have been out
        polled = len(requests(session, "/case/assets/state"))
        await pilot.press("a")
        await until(pilot, lambda: len(requests(session, "/case/assets/state")) >= polled + 2)
        assert "auto 0.1s" in header(app)


async def test_no_polling_under_a_modal_nor_when_configured_off() -> None:
    session = demo_session()
    cid = incident(session)
    app = app_for(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_tab(pilot, cid, "tasks", "4")
        await until(pilot, lambda: len(requests(session, "/case/tasks/state")) >= 1)
        await pilot.press("question_mark")  # the help modal
        await pilot.pause(INTERVAL)
        polled = len(requests(session, "/case/tasks/state"))
        await asyncio.sleep(INTERVAL * 4)
        await pilot.pause()
        assert len(requests(session, "/case/tasks/state")) == polled

    session = demo_session()
    app = app_for(session, interval=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_tab(pilot, cid, "tasks", "4")
        await asyncio.sleep(0.3)
        await pilot.pause()
        assert requests(session, "/case/tasks/state") == []
        assert "auto off" in header(app)


async def test_poll_errors_are_said_once_and_shown_in_the_header() -> None:
    session = demo_session()
    cid = incident(session)
    app = app_for(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_tab(pilot, cid, "tasks", "4")
        session.demo.faults.add("server_error", path="/case/tasks/state", count=-1)
        await until(pilot, lambda: len([r for r in requests(session, "/case/tasks/state")
                                        if r.status == -1]) >= 3)
        await until(pilot, lambda: "(failing)" in header(app))
        warnings = [n for n in app._notifications if "auto-refresh" in n.message]
        assert len(warnings) == 1
        session.demo.faults.clear()
        await until(pilot, lambda: "(failing)" not in header(app))
        assert len(requests(session, "/case/tasks/list")) == 1


async def test_case_list_of_a_huge_instance_asks_for_the_first_page_only() -> None:
    session = demo_session(scale={"cases": 100_000})
    app = IrisApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CaseListScreen)
                    and len(app.screen.rows.all_rows) > 0)
        await pilot.pause(0.2)
        screen = app.screen
        assert screen.total is not None and screen.total > 100_000
        pages = requests(session, "/manage/cases/filter")
        assert [(r.query.get("page"), r.query.get("per_page")) for r in pages] == [("1", str(PAGE_SIZE))]
        assert requests(session, "/manage/cases/list") == []
        assert len(screen.rows.all_rows) == PAGE_SIZE
        # moving down to the end of the page fetches the next page, not everything
        await pilot.press("G")
        await until(pilot, lambda: len(screen.rows.all_rows) == 2 * PAGE_SIZE)
        assert [r.query.get("page") for r in requests(session, "/manage/cases/filter")] == ["1", "2"]
