"""Timeline tab against the demo server, at 80×24: day separators, UTC toggle, local and
server-side filters, the detail pane, links, hostile text."""

from __future__ import annotations

import json
import urllib.parse

from support.casedata import (
    HOSTILE, add_event, build_case, open_tab, requests, screen_text, settle, terminal_output, until,
)

from iris_tui.ui.app import IrisApp
from iris_tui.ui.tabs.timeline import DayRow, EventRow, TimelineTab, is_query

FILTER = "/case/timeline/advanced-filter"


def shape(tab: TimelineTab) -> list[str]:
    """The visible rows: day labels and event titles."""
    return [row.label if isinstance(row, DayRow) else row.event.event_title for row in tab.rows.rows]


def sent_filters(demo) -> list[dict]:
    """The advanced-filter objects the server received (q is percent-encoded JSON, 7.6)."""
    return [json.loads(urllib.parse.unquote(r.query["q"])) for r in requests(demo, FILTER)]


async def test_day_separators_and_the_cursor_skips_them():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "timeline")
        assert shape(tab) == [
            "── Sun 2025-03-02 ──", "VPN login as jdoe",
            # 00:30 at +01:00 is shown on the day the analyst typed
            "── Mon 2025-03-03 ──", "RDP session to DC-01", HOSTILE,
            "── Tue 2025-03-04 ──", "Encryption starts",
        ]
        text = screen_text(app)
        assert "── Sun 2025-03-02 ──" in text and "── Tue 2025-03-04 ──" in text
        assert "22:14:05" in text and "00:30:00" in text
        assert "Timeline (4)" in text  # events, not separators
        # the cursor never rests on a separator
        assert tab.rows.cursor_row.key == data.ids["vpn"]
        await pilot.press("j")
        assert tab.rows.cursor_row.key == data.ids["rdp"]
        await pilot.press("k")
        assert tab.rows.cursor_row.key == data.ids["vpn"]
        await pilot.press("k")  # the separator above the first event: stay on the event
        assert tab.rows.cursor_row.key == data.ids["vpn"]
        await pilot.press("G")
        assert tab.rows.cursor_row.key == data.ids["enc"]


async def test_u_shows_utc_times_and_days():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "timeline")
        await pilot.press("u")
        assert shape(tab) == [
            "── Sun 2025-03-02 UTC ──", "VPN login as jdoe", "RDP session to DC-01",
            "── Mon 2025-03-03 UTC ──", HOSTILE,
            "── Tue 2025-03-04 UTC ──", "Encryption starts",
        ]
        text = screen_text(app)
        assert "21:14:05" in text and "23:30:00" in text
        await pilot.press("u")
        assert "── Mon 2025-03-03 ──" in shape(tab)


async def test_sorting_hides_separators_until_back_in_time_order():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "timeline")
        await pilot.press("o", "o")  # time, then category
        assert tab.rows.sort_column == "category"
        assert not any(isinstance(r, DayRow) for r in tab.rows.rows)
        assert len(tab.rows.rows) == 4
        tab.rows.sort_by("time", reverse=False)
        await pilot.pause()
        assert isinstance(tab.rows.rows[0], DayRow)


async def test_title_filter_runs_on_the_server_and_narrows_the_list():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "timeline")
        assert sent_filters(data.demo) == [{}]  # the load: asset names for every event
        await pilot.press("slash", *"title:rdp")
        # typing a query asks nothing yet, and does not filter locally
        assert sent_filters(data.demo) == [{}]
        assert "press enter" in screen_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: tab.query_text == "title:rdp", what="the server filter")
        assert sent_filters(data.demo) == [{}, {"title": ["rdp"]}]
        assert requests(data.demo, FILTER)[-1].query["cid"] == "1"
        assert shape(tab) == ["── Mon 2025-03-03 ──", "RDP session to DC-01"]
        assert "1 of 4 events match title:rdp" in screen_text(app)
        # a compound query, keywords in any case
        await pilot.press("slash", "ctrl+u", *"Asset:WS-01 AND tag:vpn", "enter")
        await until(pilot, lambda: tab.query_text.startswith("Asset"), what="the second filter")
        assert sent_filters(data.demo)[-1] == {"asset": ["WS-01"], "tag": ["vpn"]}
        assert shape(tab) == ["── Sun 2025-03-02 ──", "VPN login as jdoe"]
        # esc on the list: back to the whole timeline, without asking the server again
        assert tab.rows.has_focus
        await pilot.press("escape")
        assert len([r for r in tab.rows.rows if isinstance(r, EventRow)]) == 4
        assert len(sent_filters(data.demo)) == 3
        assert tab.query_text == "" and "match" not in screen_text(app)
        assert type(app.screen).__name__ == "CaseWorkspace"  # the next esc leaves the case


async def test_a_bad_query_shows_a_message_and_keeps_the_list():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "timeline")
        await pilot.press("slash", *"title:rdp AND nonsense", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Bad filter: expected keyword:value, got 'nonsense'" in text
        assert sent_filters(data.demo) == [{}]  # nothing sent
        assert len([r for r in tab.rows.rows if isinstance(r, EventRow)]) == 4
        await pilot.press("ctrl+u", *"event_id:abc", "enter")
        await pilot.pause()
        assert "event_id: expected a number" in screen_text(app)
        # a server that fails the request: said where the filter is, the list stays
        data.demo.faults.add("server_error", path=FILTER)
        await pilot.press("ctrl+u", *"title:rdp", "enter")
        await until(pilot, lambda: "refused the filter" in screen_text(app), what="the error")
        assert tab.query_text == ""
        assert len([r for r in tab.rows.rows if isinstance(r, EventRow)]) == 4


async def test_plain_text_filters_locally():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "timeline")
        before = len(data.demo.received)
        await pilot.press("slash", *"encrypt")
        assert shape(tab) == ["── Tue 2025-03-04 ──", "Encryption starts"]
        # asset names and IOC values are searched too; separators follow their events
        await pilot.press("ctrl+u", *"evil.example")
        assert shape(tab) == ["── Sun 2025-03-02 ──", "VPN login as jdoe"]
        await pilot.press("ctrl+u", *"http://x")  # a colon, but no keyword: plain text
        assert shape(tab) == []
        await settle(pilot, app)
        assert not [r for r in data.demo.received[before:] if r.path == FILTER]
        await pilot.press("escape")
        assert len(shape(tab)) == 7


def test_what_counts_as_a_query():
    assert is_query("title:rdp")
    assert is_query("  ASSET: WS-01 AND title:x")
    assert is_query("startDate:2025-03-01")
    assert not is_query("rdp")
    assert not is_query("http://evil.example")
    assert not is_query("titles:rdp")


async def test_detail_pane_has_every_field_content_raw_and_comments():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "timeline")
        await until(pilot, lambda: tab.rows.cursor_row.full is not None, what="the full event")
        assert requests(data.demo, f"/case/timeline/events/{data.ids['vpn']}")
        assert requests(data.demo, f"/case/timeline/events/{data.ids['vpn']}/comments/list")
        body = tab.query_one("#detail-body")
        await pilot.press("enter")  # into the detail pane
        text = "\n".join(strip.text for strip in body.render_lines(body.region.reset_offset))
        for expected in ("2025-03-02 22:14:05 +01:00", "2025-03-02 21:14:05 UTC", "FortiGate",
                         "WS-01 (Windows - Computer)", "evil.example", "First login, no MFA.",
                         "date=2025-03-02 logid=0100", "Comments (1)", "confirmed by the firewall team"):
            assert expected in text
        # the list learnt the source once the full event came
        assert "FortiGate" in screen_text(app)
        await pilot.press("escape")
        assert tab.rows.has_focus


async def test_links_open_and_follow_to_the_asset():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "timeline")
        await pilot.press("j")  # the RDP event: two assets
        await pilot.press("L")
        await until(pilot, lambda: "2 assets, 0 IOCs" in screen_text(app), what="the links")
        text = screen_text(app)
        assert "WS-01" in text and "DC-01" in text
        await pilot.press("j", "enter")
        await until(pilot, lambda: app.screen.query_one("TabbedContent").active == "assets",
                    what="the assets tab")
        assets = app.screen.tab("assets")
        await until(pilot, lambda: assets.rows.cursor_row is not None
                    and assets.rows.cursor_row.asset_id == data.ids["dc"], what="the asset")
        assert tab.rows.cursor_row.key == data.ids["rdp"]


async def test_a_link_from_an_ioc_lands_on_the_event():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "timeline")
        await pilot.press("G")
        app.screen.goto("timeline", data.ids["rdp"])
        await pilot.pause()
        assert tab.rows.cursor_row.key == data.ids["rdp"]


async def test_hostile_title_is_shown_literally():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "timeline")
        await pilot.press("j", "j")
        assert tab.rows.cursor_row.key == data.ids["hostile"]
        await settle(pilot, app)
        text = screen_text(app)
        assert "[bold red]x[/] [@click=app.quit]q[/]" in text
        assert "␛[31mred␛]52;c;aGk=␇" in text and "<U+202E>gpj.exe" in text
        raw = terminal_output(app)
        assert "\x1b]52" not in raw and "\x1b[31mred" not in raw and "\u202e" not in raw
        assert app.is_running  # the [@click=app.quit] was not live


async def test_the_list_survives_a_failing_advanced_filter():
    data = build_case()
    data.demo.faults.add("server_error", path=FILTER)
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "timeline")
        assert len([r for r in tab.rows.rows if isinstance(r, EventRow)]) == 4
        assert "A?" in screen_text(app)  # asset links unknown, not "none"


async def test_wider_terminal_widens_the_columns():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "timeline")
        assert "Lateral Movem…" in screen_text(app)
        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: "Lateral Movement " in screen_text(app), what="wide columns")
        assert tab.rows.cursor_row.key == data.ids["vpn"]


async def test_loaded_while_hidden_it_still_shows_the_first_day():
    data = build_case()
    for n in range(20):  # more rows than the list shows
        add_event(data.demo.store, f"later event {n}", f"2025-03-05T10:{n:02d}:00.000000", "+00:00")
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon", *"case 1", "enter")
        await until(pilot, lambda: bool(app.screen.query("#tab-timeline")), what="the workspace")
        tab = app.screen.query_one("#tab-timeline")
        await until(pilot, lambda: tab.loaded, what="the timeline, on the summary tab")
        await settle(pilot, app)
        await pilot.press("5")
        lines = screen_text(app).splitlines()
        first = next(i for i, line in enumerate(lines) if "time" in line and "category" in line)
        assert "── Sun 2025-03-02 ──" in lines[first + 1]
        assert "VPN login as jdoe" in lines[first + 2]
