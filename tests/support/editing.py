"""A demo case with one object of each kind, and the keys-and-wait helpers the editor tests share."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

from rich.console import Console

from iris_tui.demo.routes.assets import create_asset
from iris_tui.demo.routes.comments import add_comment
from iris_tui.demo.routes.evidences import create_evidence
from iris_tui.demo.routes.iocs import add_ioc_to_case
from iris_tui.demo.routes.tasks import create_task
from iris_tui.demo.routes.timeline import create_event
from iris_tui.ui.app import IrisApp
from iris_tui.ui.forms import FormScreen
from iris_tui.ui.forms.fields import MultiSelectField, SelectField
from iris_tui.ui.screens.workspace import CaseWorkspace
from iris_tui.ui.session import Session
from support.casedata import fresh_session

CID = 1
USER = 1
MD5 = "44d88612fea8a8f36de82e1278abb02f"


class Case:
    """Case #1 of a fresh demo server with one object of each kind."""

    def __init__(self, *, read_only: bool = False) -> None:
        self.session: Session = fresh_session()
        self.session.read_only = read_only
        store = self.store
        self.ids: dict[str, int] = {}
        self.ids["ioc"] = add_ioc_to_case(store, CID, USER, {
            "ioc_value": "evil-c2.example", "ioc_type_id": 20, "ioc_tlp_id": 2,
            "ioc_description": "C2", "custom_attributes": {}})[0]["ioc_id"]
        self.ids["asset"] = create_asset(store, CID, USER, {
            "asset_name": "WS-FIN-01", "asset_type_id": 9, "analysis_status_id": 1,
            "asset_ip": "10.0.0.12", "custom_attributes": {}})["asset_id"]
        self.ids["task"] = create_task(store, CID, USER, {
            "task_title": "Collect EDR triage", "task_status_id": 1, "task_assignees_id": [],
            "custom_attributes": {}})["id"]
        self.ids["event"] = create_event(store, CID, USER, {
            "event_title": "VPN login", "event_date": "2025-03-02T22:14:05.000000",
            "event_tz": "+01:00", "event_category_id": 4, "event_assets": [self.ids["asset"]],
            "event_iocs": [], "event_in_graph": True, "event_in_summary": False,
            "custom_attributes": {}})["event_id"]
        self.ids["evidence"] = create_evidence(store, CID, USER, {
            "filename": "WS-FIN-01_memory.raw", "file_size": 1024, "type_id": 1})["id"]
        self.ids["comment"] = add_comment(store, CID, USER, "asset", self.ids["asset"],
                                          "seen beaconing")["comment_id"]

    @property
    def store(self) -> Any:
        return self.session.demo.store

    @property
    def iris(self) -> Any:
        return self.session.client

    def sent(self, method: str, path: str) -> list[Any]:
        return [r for r in self.session.demo.received if r.method == method and r.path.startswith(path)]


# -- helpers -----------------------------------------------------------------------------------


def screen_text(app: IrisApp) -> str:
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True))
    return console.export_text()


async def until(pilot: Any, condition: Callable[[], Any], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time\n" + screen_text(pilot.app))
        await pilot.pause(0.02)


async def open_tab(pilot: Any, key: str, tab_id: str) -> Any:
    """`:case 1`, then the tab's number key; waits for the tab's list."""
    await pilot.press("colon", *f"case {CID}", "enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, CaseWorkspace))
    await pilot.press(key)
    tab = pilot.app.screen.tab(tab_id)
    await until(pilot, lambda: tab.loaded and tab.rows.cursor_row is not None)
    tab.rows.focus()
    await pilot.pause()
    return tab


async def form_open(pilot: Any, kind: type = FormScreen) -> Any:
    await until(pilot, lambda: isinstance(pilot.app.screen, kind))
    screen = pilot.app.screen
    await until(pilot, lambda: screen.fields and all(
        f.loaded for f in screen.fields if isinstance(f, (SelectField, MultiSelectField))))
    return screen


async def fill(pilot: Any, key: str, text: str) -> None:
    """Focus the field, empty it, type `text`."""
    pilot.app.screen.field(key).focus_control()
    await pilot.pause()
    await pilot.press("end", "ctrl+u", *text)


async def choose(pilot: Any, key: str, text: str) -> None:
    """Open the select, type the start of a choice, take it."""
    pilot.app.screen.field(key).focus_control()
    await pilot.press("enter", *text, "enter")
    await pilot.pause()


async def saved(pilot: Any, form: Any) -> None:
    await pilot.press("ctrl+s")
    await until(pilot, lambda: form not in pilot.app.screen_stack)


def asset_ids(case: Case) -> dict[str, int]:
    return {a["asset_name"]: i for i, a in case.store.assets.items() if a.get("case_id") == CID}
