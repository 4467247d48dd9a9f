"""Opening a case: every tab's requests leave before the tabs are built, the visible tab is built
first, the others after the first paint; big lists paint their first rows before the rest."""

from __future__ import annotations

import gc
import json
import weakref

import msgspec
import pytest
from support.casedata import until

import iris_tui.ui.tabs.timeline as timeline_module
from iris_tui.api import listing
from iris_tui.api.iocs import Ioc
from iris_tui.demo.incident import INCIDENT_SOC_ID
from iris_tui.ui.app import IrisApp
from iris_tui.ui.screens.cases import CaseListScreen
from iris_tui.ui.screens.workspace import CaseWorkspace
from iris_tui.ui.session import demo_session
from iris_tui.ui.tabs.base import CaseTab, ListTab, StatusLine
from iris_tui.ui.tabs.timeline import TimelineTab

LISTS = ("/case/ioc/list", "/case/tasks/list", "/case/timeline/events/list",
         "/case/evidences/list")


def incident(session) -> int:
    return next(c["case_id"] for c in session.demo.store.cases.values()
                if c["soc_id"] == INCIDENT_SOC_ID)


async def case_list(pilot, app) -> None:
    await until(pilot, lambda: isinstance(app.screen, CaseListScreen) and app.screen.rows.all_rows)


def built(app) -> dict[str, CaseTab]:
    return {tab.tab_id: tab for tab in app.screen.query(CaseTab)}


async def test_every_tab_asks_at_once_and_each_tab_is_built_with_its_answer() -> None:
    session = demo_session()
    app = IrisApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await case_list(pilot, app)
        session.demo.latency = 1.5  # no answer can be back while the opening is looked at,
        before = len(session.demo.received)  # even on a busy machine
        app.open_case(incident(session))
        await pilot.pause(0.15)
        asked = {r.path for r in session.demo.received[before:]}
        assert set(LISTS) <= asked  # every list asked for while no answer is back yet
        assert any(path.startswith("/case/assets/") for path in asked)
        workspace = app.screen
        assert isinstance(workspace, CaseWorkspace)
        assert not any(tab.loaded for tab in built(app).values())
        await until(pilot, lambda: len(built(app)) == 8 and all(t.loaded for t in built(app).values()),
                    timeout=10, what="all eight tabs built and loaded")
        paths = [r.path for r in session.demo.received[before:]]
        assert paths.count("/case/timeline/advanced-filter") == 1  # asked once the list was in
        assert paths.index("/case/timeline/advanced-filter") > len(asked) - 1
        tabs = workspace.query_one("TabbedContent")
        assert str(tabs.get_tab("iocs").label).startswith("3 IOCs (")


async def test_a_tab_shown_before_it_is_built_is_built_focused_and_filled() -> None:
    session = demo_session(latency=0.2)
    app = IrisApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await case_list(pilot, app)
        app.open_case(incident(session))
        await until(pilot, lambda: isinstance(app.screen, CaseWorkspace))
        await pilot.press("3")
        await until(pilot, lambda: "iocs" in built(app) and built(app)["iocs"].loaded, timeout=10,
                    what="the IOCs tab")
        iocs = built(app)["iocs"]
        await until(pilot, lambda: iocs.rows.has_focus, what="focus on the IOC list")
        assert len(iocs.rows.all_rows) == app.screen.tab_count("iocs") > 0


async def test_closing_a_case_before_its_answers_cancels_the_early_requests() -> None:
    session = demo_session()
    app = IrisApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await case_list(pilot, app)
        session.demo.latency = 0.5
        app.open_case(incident(session))
        await until(pilot, lambda: isinstance(app.screen, CaseWorkspace)
                    and app.screen.tab("summary").is_mounted)
        workspace = app.screen
        early = [tab._early for tab in workspace._tab_widgets.values() if tab._early is not None]
        app.pop_screen()
        await until(pilot, lambda: early and all(task.done() for task in early),
                    what="the early requests stopped")
        assert any(task.cancelled() for task in early)
        assert isinstance(app.screen, CaseListScreen)


async def test_a_closed_case_leaves_memory_with_its_rows() -> None:
    """The auto-refresh's app signals held the workspace (and 100,000 rows) after it closed."""
    session = demo_session()
    app = IrisApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await case_list(pilot, app)
        app.open_case(incident(session))
        await until(pilot, lambda: isinstance(app.screen, CaseWorkspace)
                    and all(t.loaded for t in built(app).values()) and len(built(app)) == 8,
                    what="every tab loaded")
        closed = weakref.ref(app.screen)
        rows = weakref.ref(app.screen.tab("iocs").rows)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CaseListScreen), what="the case list")
        await pilot.pause(0.2)
        gc.collect()
        assert closed() is None and rows() is None


@pytest.mark.parametrize("tab_id,cls", [("iocs", ListTab), ("timeline", TimelineTab)])
async def test_a_big_list_paints_its_first_rows_before_the_rest(tab_id, cls, monkeypatch) -> None:
    # the answer must come after the tab is built (a preview for an unbuilt tab is skipped)
    session = demo_session(latency=1.0, scale={"iocs": 6_000, "events": 6_000})
    seen: list[tuple[int, str]] = []
    original = cls.show_preview

    def spy(tab, rows, total):
        original(tab, rows, total)
        seen.append((len(tab.rows.all_rows), str(tab.query_one(StatusLine).render())))

    monkeypatch.setattr(cls, "show_preview", spy)
    app = IrisApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await case_list(pilot, app)
        app.open_case(incident(session), tab=tab_id)
        await until(pilot, lambda: isinstance(app.screen, CaseWorkspace)
                    and app.screen.tab(tab_id).loaded, timeout=20, what="the big tab")
        tab = app.screen.tab(tab_id)
        total = len(tab.events if tab_id == "timeline" else tab.rows.all_rows)
        assert total > 6_000
        assert len(seen) == 1
        shown, status = seen[0]
        assert 0 < shown < total / 10
        assert f"of {total:,}" in status
        assert not tab.query_one(StatusLine).has_class("-shown")  # the whole list is in


async def test_the_preview_decodes_like_the_whole_answer() -> None:
    rows = [{"ioc_id": i, "ioc_value": f"h{i}.example", "ioc_type": "domain", "link": []}
            for i in range(1, 12_001)]
    rows[7_000]["ioc_new_field"] = 1  # a key the model does not know: kept in .extra
    body = msgspec.Raw(json.dumps({"ioc": rows, "state": {"object_state": 3}}).encode())
    previews: list[tuple[int, int]] = []

    async def preview(first: list, total: int) -> None:
        previews.append((len(first), total))

    got = await listing.listing_previewed(Ioc, body, "ioc", preview)
    assert previews == [(listing.PREVIEW_ROWS, 12_000)]
    assert got == listing.listing_from(Ioc, body, "ioc")
    assert got[7_000].extra == {"ioc_new_field": 1} and got.state.object_state == 3


async def test_a_timeline_seen_small_asks_its_two_lists_at_once(monkeypatch) -> None:
    """First open: the advanced filter only once the list is known small (two round trips);
    the next opens in the session: both at once."""
    session = demo_session(latency=0.05)
    events = session.client.events
    calls: list[str] = []
    plain_list, plain_filter = events.list, events.filter

    async def listing(*args, **kwargs):
        calls.append("list asked")
        answer = await plain_list(*args, **kwargs)
        calls.append("list in")
        return answer

    async def filtering(*args, **kwargs):
        calls.append("filter asked")
        return await plain_filter(*args, **kwargs)

    monkeypatch.setattr(events, "list", listing)
    monkeypatch.setattr(events, "filter", filtering)
    app = IrisApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await case_list(pilot, app)
        seen = []
        for _ in range(2):
            calls.clear()
            app.open_case(incident(session), tab="timeline")
            await until(pilot, lambda: isinstance(app.screen, CaseWorkspace)
                        and app.screen.tab("timeline").loaded, what="the timeline")
            seen.append((list(calls), app.screen.tab("timeline").events))
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, CaseListScreen), what="the case list")
    (first, _), (second, rows) = seen
    assert first == ["list asked", "list in", "filter asked"]
    assert second.index("filter asked") < second.index("list in")
    assert rows and all(row.info is not None for row in rows)  # asset names known


async def test_a_huge_timeline_never_downloads_the_advanced_filter(monkeypatch) -> None:
    monkeypatch.setattr(timeline_module, "ENRICH_UP_TO", 5)
    session = demo_session()
    app = IrisApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await case_list(pilot, app)
        app.open_case(incident(session), tab="timeline")
        await until(pilot, lambda: isinstance(app.screen, CaseWorkspace)
                    and app.screen.tab("timeline").loaded, what="the timeline")
        assert not [r for r in session.demo.received if r.path == "/case/timeline/advanced-filter"]
        events = app.screen.tab("timeline").events
        assert events and all(row.info is None for row in events)
        assert "A?" in timeline_module._links(events[-1])  # asset counts unknown, said so
