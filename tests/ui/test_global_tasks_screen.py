"""The global tasks screen at 80×24 against the demo server: `T` on the case list and `:gtasks`
open it; n / e / s / d create, edit, move along and delete a task through the keyboard (the demo
server holds the result); `/` filters; read-only sessions neither see nor run the writes."""

from __future__ import annotations

from typing import Any

from support.editing import choose, fill, form_open, saved, screen_text, until

from iris_tui.ui.app import IrisApp
from iris_tui.ui.forms import ConfirmScreen
from iris_tui.ui.screens.cases import CaseListScreen
from iris_tui.ui.screens.global_tasks import GlobalTasksScreen, next_status
from iris_tui.ui.session import demo_session
from iris_tui.ui.tabs.base import StatusLine


def tasks(app: IrisApp) -> dict[int, dict[str, Any]]:
    return app.session.demo.store.global_tasks  # type: ignore[union-attr]


def status_name(app: IrisApp, task: dict[str, Any]) -> str:
    return app.session.demo.store.lookup("task_status", "id", task["task_status_id"])["status_name"]  # type: ignore[union-attr]


async def open_screen(pilot: Any) -> GlobalTasksScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, CaseListScreen) and app.screen.rows.all_rows)
    await pilot.press("T")
    await until(pilot, lambda: isinstance(app.screen, GlobalTasksScreen))
    screen = app.screen
    await until(pilot, lambda: not screen.query_one(StatusLine).has_class("-shown"))
    return screen


async def test_new_edit_status_cycle_delete() -> None:
    app = IrisApp(demo_session())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot)
        assert "No global tasks" in screen_text(app)
        assert "Global tasks" in screen_text(app).splitlines()[0]

        # n: a new task
        await pilot.press("n")
        form = await form_open(pilot)
        await fill(pilot, "task_title", "Renew EDR licence")
        await choose(pilot, "task_assignee_id", "jmor")
        await saved(pilot, form)
        (task_id,) = tasks(app)
        task = tasks(app)[task_id]
        assert (task["task_title"], task["task_assignee_id"]) == ("Renew EDR licence", 2)
        assert status_name(app, task) == "To do"
        await until(pilot, lambda: screen.rows.cursor_row is not None
                    and screen.rows.cursor_row.task_id == task_id)
        assert "Renew EDR licence" in screen_text(app)

        # e: edit the title; the other fields are kept
        await pilot.press("e")
        form = await form_open(pilot)
        assert form.original.task_id == task_id
        await fill(pilot, "task_title", "Renew EDR licences")
        await saved(pilot, form)
        await until(pilot, lambda: tasks(app)[task_id]["task_title"] == "Renew EDR licences")
        assert tasks(app)[task_id]["task_assignee_id"] == 2
        await until(pilot, lambda: screen.rows.cursor_row.task_title == "Renew EDR licences")

        # s: To do -> In progress -> On hold -> Done -> To do
        seen = []
        for _ in range(4):
            before = status_name(app, tasks(app)[task_id])
            await pilot.press("s")
            await until(pilot, lambda before=before: status_name(app, tasks(app)[task_id]) != before
                        and screen.rows.cursor_row is not None
                        and screen.rows.cursor_row.status_name == status_name(app, tasks(app)[task_id]))
            seen.append(status_name(app, tasks(app)[task_id]))
        assert seen == ["In progress", "On hold", "Done", "To do"]
        assert tasks(app)[task_id]["task_title"] == "Renew EDR licences"

        # d asks; n keeps it, y deletes it
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Renew EDR licences" in screen_text(app)
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen)
        assert task_id in tasks(app)
        await pilot.press("d", "y")
        await until(pilot, lambda: task_id not in tasks(app))
        await until(pilot, lambda: not screen.rows.all_rows)


async def test_filter_and_command_line() -> None:
    session = demo_session()
    app = IrisApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CaseListScreen))
        await session.client.global_tasks.add(title="Rotate the VPN keys", assignee="administrator")
        await session.client.global_tasks.add(title="Order forensic disks", assignee="shaddad",
                                              tags="hardware")
        await pilot.press("colon", *"gtasks", "enter")
        await until(pilot, lambda: isinstance(app.screen, GlobalTasksScreen))
        screen = app.screen
        await until(pilot, lambda: len(screen.rows.all_rows) == 2)
        await pilot.press("slash", *"disks")
        await until(pilot, lambda: [t.task_title for t in screen.rows.rows] == ["Order forensic disks"])
        await pilot.press("escape")  # clears the filter first
        await until(pilot, lambda: len(screen.rows.rows) == 2)
        assert app.screen is screen
        await pilot.press("escape")  # then back to the case list
        await until(pilot, lambda: isinstance(app.screen, CaseListScreen))


async def test_read_only_refuses_every_write() -> None:
    session = demo_session(read_only=True)
    app = IrisApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CaseListScreen))
        await session.client.global_tasks.add(title="Rotate the VPN keys", assignee="administrator")
        screen = await open_screen(pilot)
        await until(pilot, lambda: screen.rows.cursor_row is not None)
        footer = screen_text(app).splitlines()[-1]
        assert "New" not in footer and "Delete" not in footer and "Status" not in footer
        before = [r for r in session.demo.received if r.method == "POST"]
        for key in ("n", "e", "s", "d"):
            await pilot.press(key)
            await pilot.pause()
        # the actions are refused outright, as `:` or a remapped key would reach them
        screen.action_new()
        screen.action_status()
        screen.action_delete()
        await pilot.pause()
        assert app.screen is screen
        assert [r for r in session.demo.received if r.method == "POST"] == before
        assert any("read-only" in n.message for n in app._notifications)
        (task,) = session.demo.store.global_tasks.values()
        assert status_name(app, task) == "To do"


def test_next_status_cycles_and_starts_unknown_ones_at_to_do() -> None:
    assert [next_status(s) for s in ("To do", "in progress", "On hold", "Done", "Canceled", None)] == [
        "In progress", "On hold", "Done", "To do", "To do", "To do"]
