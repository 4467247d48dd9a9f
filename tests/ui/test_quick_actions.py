"""Quick actions from the lists at 80×24: `s` moves a task along, `t` sets an IOC's TLP, and
`space` selects several rows for one bulk delete / status / TLP change with one confirmation
and a result per item; read-only sessions refuse them."""

from __future__ import annotations

from typing import Any

import pytest
from support.editing import CID, USER, Case, open_tab, screen_text, until

from iris_tui.demo.routes.assets import create_asset
from iris_tui.demo.routes.iocs import add_ioc_to_case
from iris_tui.demo.routes.tasks import create_task
from iris_tui.ui.app import IrisApp
from iris_tui.ui.forms import ChoiceScreen, ConfirmScreen


@pytest.fixture
def case() -> Case:
    case = Case()
    store = case.store
    case.ids["task2"] = create_task(store, CID, USER, {
        "task_title": "Block C2 at the proxy", "task_status_id": 1, "task_assignees_id": []})["id"]
    case.ids["ioc2"] = add_ioc_to_case(store, CID, USER, {
        "ioc_value": "185.220.101.4", "ioc_type_id": 77, "ioc_tlp_id": 3})[0]["ioc_id"]
    case.ids["asset2"] = create_asset(store, CID, USER, {
        "asset_name": "DC-01", "asset_type_id": 11, "analysis_status_id": 1})["asset_id"]
    return case


def messages(app: IrisApp) -> list[str]:
    return [n.message for n in app._notifications]


def status_of(case: Case, key: str) -> int:
    return case.store.tasks[case.ids[key]]["task_status_id"]


async def cursor_to(pilot: Any, tab: Any, key: Any) -> None:
    assert tab.rows.move_cursor_to_key(key)
    await pilot.pause()


async def test_s_cycles_a_tasks_status(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, "4", "tasks")
        assert "s Status" in screen_text(app).splitlines()[-1]
        await cursor_to(pilot, tab, case.ids["task"])
        seen = []
        for _ in range(4):
            before = len(case.sent("POST", f"/case/tasks/status/update/{case.ids['task']}"))
            await pilot.press("s")
            await until(pilot, lambda: len(case.sent(
                "POST", f"/case/tasks/status/update/{case.ids['task']}")) == before + 1)
            await until(pilot, lambda: tab.rows.cursor_row is not None
                        and tab.rows.cursor_row.task_status_id == status_of(case, "task"))
            seen.append(status_of(case, "task"))
        assert seen == [2, 3, 4, 1]  # In progress, On hold, Done, back to To do
        assert status_of(case, "task2") == 1
        assert "now In progress" in messages(app)[0]
        # the key belongs to the tasks tab only
        await pilot.press("2")
        await pilot.pause()
        assert "Status" not in screen_text(app).splitlines()[-1]


async def test_bulk_status_asks_once_then_reports_each(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, "4", "tasks")
        tab.rows.action_first()
        await pilot.press("space", "space")  # selects the two tasks
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        assert "Status of 2 tasks" in screen_text(app)
        await pilot.press("down", "down", "down", "enter")  # To do, In progress, On hold, Done
        await until(pilot, lambda: status_of(case, "task") == 4 and status_of(case, "task2") == 4)
        await until(pilot, lambda: any("status: done" in m for m in messages(app)))
        report = next(m for m in messages(app) if "status: done" in m)
        assert "Collect EDR triage: now Done" in report and "Block C2 at the proxy: now Done" in report
        await until(pilot, lambda: not tab.rows.selected_keys)


async def test_t_sets_one_iocs_tlp_from_a_picker(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, "3", "iocs")
        await cursor_to(pilot, tab, case.ids["ioc"])
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        picker = app.screen
        assert "TLP of evil-c2.example" in screen_text(app)
        assert picker.choices[picker.query_one("OptionList").highlighted][1] == 2  # its amber
        await pilot.press("up", "enter")
        await until(pilot, lambda: case.store.iocs[case.ids["ioc"]]["ioc_tlp_id"] == 1)
        assert case.store.iocs[case.ids["ioc2"]]["ioc_tlp_id"] == 3
        sent = case.sent("POST", f"/case/ioc/update/{case.ids['ioc']}")[-1]
        assert sent.json == {"ioc_tlp_id": 1}
        await until(pilot, lambda: tab.rows.cursor_row is not None
                    and tab.rows.cursor_row.tlp_label == "red")


async def test_bulk_tlp(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, "3", "iocs")
        tab.rows.select_keys([case.ids["ioc"], case.ids["ioc2"]])
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        assert "TLP of 2 IOCs" in screen_text(app)
        await pilot.press("down", "down", "down", "enter")  # red, amber, green, clear
        await until(pilot, lambda: all(case.store.iocs[case.ids[k]]["ioc_tlp_id"] == 4
                                       for k in ("ioc", "ioc2")))
        # esc on the picker changes nothing
        tab.rows.select_keys([case.ids["ioc"], case.ids["ioc2"]])
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        writes = len(case.sent("POST", "/case/ioc/update/"))
        await pilot.press("escape")
        await pilot.pause()
        assert len(case.sent("POST", "/case/ioc/update/")) == writes


async def test_bulk_delete_one_confirmation_and_a_result_per_item(case: Case) -> None:
    first, second = case.ids["asset"], case.ids["asset2"]
    case.session.demo.faults.add("server_error", path=f"/case/assets/delete/{second}")
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, "2", "assets")
        tab.rows.select_keys([first, second])
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        text = screen_text(app)
        assert "Delete 2 assets?" in text and "• WS-FIN-01" in text and "• DC-01" in text
        await pilot.press("y")
        await until(pilot, lambda: any("1 of 2 failed" in m for m in messages(app)))
        report = next(m for m in messages(app) if "1 of 2 failed" in m)
        assert "asset DC-01: " in report and "asset WS-FIN-01: deleted" in report
        assert case.store.assets[first]["case_id"] is None  # IRIS detaches deleted assets
        assert case.store.assets[second]["case_id"] == CID
        await until(pilot, lambda: [a.asset_id for a in tab.rows.all_rows] == [second])
        # declining deletes nothing
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await pilot.pause()
        assert case.store.assets[second]["case_id"] == CID


async def test_read_only_refuses_quick_actions() -> None:
    case = Case(read_only=True)
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, "4", "tasks")
        assert "Status" not in screen_text(app).splitlines()[-1]
        await pilot.press("s")
        await pilot.pause()
        tab.action_status()
        await pilot.press("3")
        await pilot.pause()
        app.screen.tab("iocs").action_tlp()
        await pilot.pause()
        assert not isinstance(app.screen, ChoiceScreen)
        assert sum("read-only" in m for m in messages(app)) == 2
        assert [r for r in case.session.demo.received if r.method == "POST"] == []
        assert tab.rows.cursor_row is not None
