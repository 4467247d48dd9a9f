"""The assets, IOCs, tasks and evidences tabs of the case workspace, driven with real keys at 80×24
against the demo server: rows and counts, `/` filter, the detail pane (full object, custom
attributes, comments), links between assets, IOCs and events, hostile text, and an error on one
tab that `r` retries."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console

from iris_tui.demo.incident import INCIDENT_SOC_ID
from iris_tui.demo.routes.assets import create_asset
from iris_tui.demo.routes.cases import create_case
from iris_tui.demo.routes.comments import add_comment
from iris_tui.demo.routes.evidences import create_evidence
from iris_tui.demo.routes.iocs import add_ioc_to_case
from iris_tui.demo.routes.tasks import create_task
from iris_tui.demo.routes.timeline import create_event
from iris_tui.ui.app import IrisApp
from iris_tui.ui.links import LinksScreen
from iris_tui.ui.session import demo_session
from iris_tui.ui.tabs.base import ListTab

USER = 1
HOSTILE = "[@click=app.quit]x\x1b[31m"
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _attributes(tab: str, name: str, value: Any) -> dict[str, Any]:
    """Custom attributes in their stored form (tab -> field -> descriptor)."""
    return {tab: {name: {"type": "input_string", "mandatory": False, "value": value}}}


class Case:
    """A case of our own in the demo store, so every id and string is known."""

    def __init__(self) -> None:
        self.session = demo_session()  # the seeded incident is there too
        store = self.store
        case = create_case(store, USER, case_name="List tabs", case_description="test",
                           case_customer=1)
        self.cid = cid = case["case_id"]
        ids: dict[str, int] = {}

        def ioc(key: str, **fields: Any) -> None:
            ids[key] = add_ioc_to_case(store, cid, USER, fields)[0]["ioc_id"]

        ioc("evil", ioc_value="evil-c2.example", ioc_type_id=20, ioc_tlp_id=2,
            ioc_description="C2 domain", ioc_tags="c2,beacon",
            custom_attributes=_attributes("MISP", "Event", "MISP-7781"))
        ioc("ip", ioc_value="185.220.101.4", ioc_type_id=77, ioc_tlp_id=1, ioc_tags="exfil")
        ioc("hash", ioc_value=SHA256, ioc_type_id=113, ioc_description="locker.exe")
        ioc("hostile", ioc_value=HOSTILE, ioc_type_id=135)

        def asset(key: str, **fields: Any) -> None:
            ids[key] = create_asset(store, cid, USER, fields)["asset_id"]

        asset("ws", asset_name="WS-FIN-01", asset_type_id=9, asset_ip="10.0.0.12",
              asset_compromise_status_id=1, analysis_status_id=3, asset_info="Dell Latitude 7440",
              asset_domain="acme.local", ioc_links=[ids["evil"], ids["ip"]],
              custom_attributes=_attributes("Details", "Ticket", "INC-4242"))
        asset("dc", asset_name="DC-01", asset_type_id=11, asset_ip="10.0.0.2",
              asset_compromise_status_id=2, analysis_status_id=6, ioc_links=[ids["ip"]])
        asset("svc", asset_name="svc-backup", asset_type_id=21, analysis_status_id=2)

        def event(key: str, title: str, date: str, assets: list[int], iocs: list[int]) -> None:
            ids[key] = create_event(store, cid, USER, {
                "event_title": title, "event_date": date, "event_tz": "+00:00",
                "event_category_id": 1, "event_assets": assets, "event_iocs": iocs,
                "event_in_graph": True, "event_in_summary": False,
            })["event_id"]

        event("beacon", "Beacon to C2", "2025-03-03T10:11:12.000000", [ids["ws"]], [ids["evil"]])
        event("lateral", "RDP from WS-FIN-01 to DC-01", "2025-03-03T11:00:00.000000",
              [ids["ws"], ids["dc"]], [ids["ip"]])

        ids["triage"] = create_task(store, cid, USER, {
            "task_title": "Collect EDR triage", "task_status_id": 2, "task_assignees_id": [USER],
            "task_description": "Run KAPE on WS-FIN-01", "task_tags": "edr",
            "custom_attributes": _attributes("Triage", "Collector", "KAPE 2.1"),
        })["id"]
        ids["krbtgt"] = create_task(store, cid, USER, {
            "task_title": "Reset krbtgt twice", "task_status_id": 1, "task_assignees_id": [],
        })["id"]

        ids["memory"] = create_evidence(store, cid, USER, {
            "filename": "WS-FIN-01_memory.raw", "file_size": 17179869184, "file_hash": SHA256,
            "file_description": "Memory dump", "type_id": 42,
        })["id"]

        add_comment(store, cid, USER, "asset", ids["ws"], "beaconing every 60 s")
        add_comment(store, cid, USER, "ioc", ids["evil"], "seen in the proxy logs")
        add_comment(store, cid, USER, "task", ids["triage"], "KAPE target list attached")
        add_comment(store, cid, USER, "evidence", ids["memory"], "hash checked twice")
        self.ids = ids

    @property
    def store(self) -> Any:
        return self.session.demo.store

    @property
    def received(self) -> list[Any]:
        return self.session.demo.received

    def requests(self, path: str) -> list[Any]:
        return [r for r in self.received if r.path == path]


@pytest.fixture
def case() -> Case:
    return Case()


def screen_text(app: IrisApp) -> str:
    """What the terminal shows, as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True))
    return console.export_text()


async def until(pilot: Any, condition: Callable[[], Any], timeout: float = 5.0) -> None:
    """Let the app run until `condition()` holds (workers, debounce, messages)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time\n" + screen_text(pilot.app))
        await pilot.pause(0.02)


async def open_case(pilot: Any, case: Case) -> None:
    """`:case N` typed on the case list, then wait for the four list tabs to load."""
    await pilot.press("colon", *f"case {case.cid}", "enter")
    await until(pilot, lambda: all(
        tab.loaded for tab in pilot.app.screen.query(ListTab)
        if tab.tab_id in ("assets", "iocs", "tasks", "evidences")
    ))


def tab(app: IrisApp, tab_id: str) -> Any:
    return app.screen.tab(tab_id)


def label(app: IrisApp, tab_id: str) -> str:
    from textual.widgets import TabbedContent

    return str(app.screen.query_one(TabbedContent).get_tab(tab_id).label)


def detail(app: IrisApp, tab_id: str) -> str:
    """The detail pane's text, rendered at the pane's width."""
    from textual.widgets import Static

    body = tab(app, tab_id).query_one("#detail-body", Static)
    console = Console(width=max(body.size.width, 40), file=io.StringIO(), record=True)
    console.print(body.content)
    return console.export_text()


async def test_each_tab_by_number_key_shows_rows_and_counts(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case)
        expected = {"2": ("assets", 3, "WS-FIN-01"), "3": ("iocs", 4, "evil-c2.example"),
                    "4": ("tasks", 2, "Collect EDR triage"), "8": ("evidences", 1, "WS-FIN-01_memory")}
        for key, (tab_id, count, text) in expected.items():
            await pilot.press(key)
            await pilot.pause()
            assert app.screen.query_one("TabbedContent").active == tab_id
            assert len(tab(app, tab_id).rows.rows) == count
            assert label(app, tab_id).endswith(f"({count})")
            assert text in screen_text(app)
        # each list was loaded once, concurrently with the others, from the case's own cid
        for path in ("/case/assets/filter", "/case/ioc/list", "/case/tasks/list", "/case/evidences/list"):
            sent = case.requests(path)
            assert len(sent) == 1 and sent[0].query["cid"] == str(case.cid)


async def test_columns_fit_80_and_show_more_when_wider(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case)
        await pilot.press("3")
        await pilot.pause()
        header = next(line for line in screen_text(app).splitlines() if "Value" in line)
        assert "TLP" in header and "Tags" in header and "Description" not in header
        assert len(header.rstrip()) <= 80
        # the whole SHA-256 is not needed in the list, but its start is
        assert SHA256[:30] in screen_text(app)
        await pilot.press("j", "j")
        cursor = tab(app, "iocs").rows.cursor_row

        await pilot.resize_terminal(130, 40)
        await until(pilot, lambda: "description" in [c.key for c in tab(app, "iocs").rows.columns])
        text = screen_text(app)
        assert "Description" in text and "C2 domain" in text
        assert tab(app, "iocs").rows.cursor_row is cursor  # the swap kept the cursor
        assert tab(app, "iocs").rows.has_focus


async def test_filter_narrows_and_esc_clears(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case)
        await pilot.press("3", "slash", *"c2")
        rows = tab(app, "iocs").rows
        # "c2" matches the domain's value and its tags; the description is searched too
        assert [r.ioc_value for r in rows.rows] == ["evil-c2.example"]
        await pilot.press("backspace", "backspace", *"locker")
        assert [r.ioc_value for r in rows.rows] == [SHA256]  # found by its description only
        await pilot.press("escape")
        assert len(rows.rows) == 4 and rows.has_focus

        await pilot.press("4", "slash", *"administrator", "enter")
        assert [t.task_title for t in tab(app, "tasks").rows.rows] == ["Collect EDR triage"]


async def test_asset_detail_fetches_the_full_object_with_custom_attributes_and_comments(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case)
        await pilot.press("2")
        rows = tab(app, "assets").rows
        assert rows.cursor_row.asset_name == "WS-FIN-01"
        await until(pilot, lambda: "beaconing every 60 s" in detail(app, "assets"))
        text = detail(app, "assets")
        for expected in ("Details › Ticket", "INC-4242", "Dell Latitude 7440", "Compromised",
                         "evil-c2.example (domain)", "185.220.101.4 (ip-dst)", "Started",
                         "Comments (1)", "administrator"):
            assert expected in text, expected
        ws = case.ids["ws"]
        assert len(case.requests(f"/case/assets/{ws}")) == 1
        await pilot.press("y")
        assert app.clipboard == "WS-FIN-01"
        # enter moves into the detail pane (to scroll it), esc back to the list, not off the case
        await pilot.press("enter")
        assert tab(app, "assets").query_one(".detail").has_focus
        await pilot.press("escape")
        assert rows.has_focus and app.screen.case_id == case.cid

        # running down the list and back fetches nothing per passing row, and nothing twice
        # (a long rest time, so a busy test machine cannot make the keys look like pauses)
        tab(app, "assets").detail_delay = 2.0
        await pilot.press("j", "j", "k", "k")
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        assert len(case.requests(f"/case/assets/{ws}")) == 1
        assert not case.requests(f"/case/assets/{case.ids['dc']}")


async def test_task_shows_status_name_assignees_and_custom_attributes(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case)
        await pilot.press("4")
        rows = tab(app, "tasks").rows
        # sorted by status name descending, as IRIS lists them
        assert [t.task_title for t in rows.rows] == ["Reset krbtgt twice", "Collect EDR triage"]
        text = screen_text(app)
        assert "To do" in text and "In progress" in text and "administrator" in text
        await pilot.press("j")
        await until(pilot, lambda: "KAPE target list attached" in detail(app, "tasks"))
        text = detail(app, "tasks")
        assert "Triage › Collector" in text and "KAPE 2.1" in text
        assert "In progress" in text and "administrator (administrator)" in text
        assert case.requests(f"/case/tasks/{case.ids['triage']}")


async def test_evidence_detail_and_copy_of_its_hash(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case)
        await pilot.press("8")
        assert "16.0 GiB" in screen_text(app)
        await until(pilot, lambda: "hash checked twice" in detail(app, "evidences"))
        text = detail(app, "evidences")
        assert "Memory acquisition" in text and "17,179,869,184 bytes" in text
        # list rows are full evidences: no single GET
        assert not case.requests(f"/case/evidences/{case.ids['memory']}")
        await pilot.press("y")
        assert app.clipboard == SHA256


async def test_links_from_an_asset_to_its_iocs_and_events(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case)
        await pilot.press("2", "L")
        await until(pilot, lambda: isinstance(app.screen, LinksScreen)
                    and len(app.screen.rows.rows) == 4)
        links = app.screen.rows.rows
        assert [(link.kind, link.key) for link in links] == [
            ("IOC", case.ids["evil"]), ("IOC", case.ids["ip"]),
            ("Event", case.ids["beacon"]), ("Event", case.ids["lateral"]),
        ]
        assert "Beacon to C2" in screen_text(app)
        sent = case.requests("/case/timeline/advanced-filter")
        assert sent and str(case.ids["ws"]) in sent[-1].query["q"]

        await pilot.press("j", "enter")  # the second link: 185.220.101.4
        await until(pilot, lambda: app.screen.query_one("TabbedContent").active == "iocs")
        iocs = tab(app, "iocs").rows
        await until(pilot, lambda: iocs.has_focus)  # the link picker closes, then focus moves
        assert iocs.cursor_row.ioc_id == case.ids["ip"]


async def test_links_from_an_ioc_to_assets_and_events(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case)
        await pilot.press("3")
        rows = tab(app, "iocs").rows
        rows.move_cursor_to_key(case.ids["ip"])
        await pilot.press("L")
        await until(pilot, lambda: isinstance(app.screen, LinksScreen)
                    and len(app.screen.rows.rows) == 3)
        assert [(link.kind, link.key) for link in app.screen.rows.rows] == [
            ("Asset", case.ids["ws"]), ("Asset", case.ids["dc"]), ("Event", case.ids["lateral"]),
        ]
        # the assets came from the loaded Assets tab, not from another request
        assert len(case.requests("/case/assets/filter")) == 1
        await pilot.press("j", "enter")
        await pilot.pause()
        assert app.screen.query_one("TabbedContent").active == "assets"
        assert tab(app, "assets").rows.cursor_row.asset_name == "DC-01"


async def test_hostile_ioc_value_is_shown_literally(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, case)
        await pilot.press("3")
        rows = tab(app, "iocs").rows
        rows.move_cursor_to_key(case.ids["hostile"])
        await until(pilot, lambda: "Comments (0)" in detail(app, "iocs"))
        shown = "[@click=app.quit]x␛[31m"
        assert shown in screen_text(app)
        assert shown in detail(app, "iocs")
        await pilot.press("y")
        assert app.clipboard == HOSTILE  # the clipboard gets the real value
        await pilot.press("L")
        await until(pilot, lambda: isinstance(app.screen, LinksScreen))
        assert f"Links of IOC {shown}" in screen_text(app)
        await pilot.press("escape")
        assert app.is_running


async def test_error_on_one_tab_while_the_others_load_then_r_retries(case: Case) -> None:
    case.session.demo.faults.add("server_error", path="/case/ioc/list")
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon", *f"case {case.cid}", "enter")
        await until(pilot, lambda: all(tab(app, t).loaded for t in ("assets", "tasks", "evidences")))
        await until(pilot, lambda: "retry" in str(tab(app, "iocs").query_one("StatusLine").content))
        await pilot.press("3")
        await pilot.pause()
        text = screen_text(app)
        assert "Could not load IOCs" in text and "Press r to retry" in text
        assert not tab(app, "iocs").loaded
        assert label(app, "assets").endswith("(3)") and label(app, "iocs") == "3 IOCs"

        await pilot.press("2")
        await pilot.pause()
        assert "Could not load" not in screen_text(app)

        await pilot.press("3", "r")
        await until(pilot, lambda: tab(app, "iocs").loaded)
        assert label(app, "iocs").endswith("(4)")
        assert "Could not load" not in screen_text(app)
        assert len(case.requests("/case/ioc/list")) == 2
        assert len(case.requests("/case/assets/filter")) == 1  # r reloads the shown tab only


async def test_the_seeded_incident_in_every_list_tab() -> None:
    session = demo_session()
    store = session.demo.store
    cid = next(c["case_id"] for c in store.cases.values() if c["soc_id"] == INCIDENT_SOC_ID)
    counts = {
        "assets": sum(1 for a in store.assets.values() if a["case_id"] == cid),
        "iocs": len(store.ioc_links[cid]),
        "tasks": sum(1 for t in store.tasks.values() if t["task_case_id"] == cid),
        "evidences": sum(1 for e in store.evidences.values() if e["case_id"] == cid),
    }
    assert all(counts.values())
    linked = {}
    for asset_id, ioc_id in store.asset_ioc_links:
        linked.setdefault(asset_id, set()).add(ioc_id)
    app = IrisApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon", *f"case {cid}", "enter")
        await until(pilot, lambda: all(tab(app, t).loaded for t in counts))
        for key, tab_id in zip("2348", counts):
            await pilot.press(key)
            assert label(app, tab_id).endswith(f"({counts[tab_id]})")
        await pilot.press("2")
        rows = tab(app, "assets").rows
        asset = next(a for a in rows.rows if a.asset_id in linked)
        rows.move_cursor_to_key(asset.asset_id)
        await pilot.press("L")
        await until(pilot, lambda: isinstance(app.screen, LinksScreen) and app.screen.rows.rows)
        await until(pilot, lambda: "events" in str(app.screen.query_one(".links-status").content))
        iocs = {link.key for link in app.screen.rows.rows if link.kind == "IOC"}
        assert iocs == linked[asset.asset_id]
