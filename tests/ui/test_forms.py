"""The editors, driven with real keys at 80×24 against the demo server: create, edit and delete
one object of each kind and check what the server holds afterwards; each validation path
(client-side next to the field, server field errors next to the field, server bare-list errors
at the top, a failed save) keeps everything typed; esc on a changed form asks; read-only
sessions refuse every write."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from support.editing import (
    CID,
    MD5,
    USER,
    Case,
    asset_ids,
    choose,
    fill,
    form_open,
    open_tab,
    saved,
    screen_text,
    until,
)

from iris_tui.ui.app import IrisApp
from iris_tui.ui.forms import (
    AssetForm,
    CommentsScreen,
    ConfirmScreen,
    GlobalTaskForm,
    IocForm,
    TypedConfirmScreen,
)
from iris_tui.ui.forms.validate import check_ioc_value, check_ips, check_tags, parse_datetime, parse_tz
from iris_tui.ui.screens.cases import CaseListScreen
from iris_tui.ui.screens.workspace import CaseWorkspace


@pytest.fixture
def case() -> Case:
    return Case()


# -- create, edit, delete one of each ----------------------------------------------------------


async def test_asset_new_edit_delete(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, "2", "assets")
        await pilot.press("n")
        form = await form_open(pilot, AssetForm)
        assert "New asset" in screen_text(app)
        await fill(pilot, "asset_name", "DC-01")
        await choose(pilot, "asset_type_id", "Windows - DC")
        await fill(pilot, "asset_ip", "10.0.0.2")
        await fill(pilot, "asset_tags", "dc, tier0")
        await saved(pilot, form)
        new_id = asset_ids(case)["DC-01"]
        stored = case.store.assets[new_id]
        assert stored["asset_type_id"] == 11
        assert (stored["asset_ip"], stored["asset_tags"]) == ("10.0.0.2", "dc,tier0")
        assert stored["analysis_status_id"] == 1  # "Unspecified": else the list would skip it
        await until(pilot, lambda: tab.rows.cursor_row is not None and tab.rows.cursor_row.asset_id == new_id)
        assert "DC-01" in screen_text(app)

        await pilot.press("e")
        form = await form_open(pilot, AssetForm)
        assert form.field("asset_name").value == "DC-01"
        assert form.field("asset_type_id").value == 11
        await fill(pilot, "asset_ip", "10.0.0.3")
        await saved(pilot, form)
        update = case.sent("POST", f"/case/assets/update/{new_id}")[-1]
        assert update.json["asset_ip"] == "10.0.0.3"
        assert "asset_tags" not in update.json or update.json["asset_tags"] == "dc,tier0"
        assert case.store.assets[new_id]["asset_ip"] == "10.0.0.3"

        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Delete asset DC-01?" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: "DC-01" not in asset_ids(case))
        assert [a.asset_name for a in await case.iris.assets.list(CID)] == ["WS-FIN-01"]
        await until(pilot, lambda: [a.asset_name for a in tab.rows.all_rows] == ["WS-FIN-01"])


async def test_ioc_new_edit_delete(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, "3", "iocs")
        await pilot.press("n")
        form = await form_open(pilot, IocForm)
        await fill(pilot, "ioc_value", MD5)
        await choose(pilot, "ioc_type_id", "md5")
        await choose(pilot, "ioc_tlp_id", "red")
        await saved(pilot, form)
        ioc_id = next(i for i, row in case.store.iocs.items() if row["ioc_value"] == MD5)
        assert (case.store.iocs[ioc_id]["ioc_type_id"], case.store.iocs[ioc_id]["ioc_tlp_id"]) == (90, 1)
        await until(pilot, lambda: tab.rows.cursor_row is not None and tab.rows.cursor_row.ioc_id == ioc_id)

        await pilot.press("e")
        form = await form_open(pilot, IocForm)
        await fill(pilot, "ioc_description", "EICAR test file")
        await saved(pilot, form)
        assert case.store.iocs[ioc_id]["ioc_description"] == "EICAR test file"
        # a partial update: only what changed
        sent = case.sent("POST", f"/case/ioc/update/{ioc_id}")[-1]
        assert sent.json == {"ioc_description": "EICAR test file"}

        await pilot.press("d", "y")
        await until(pilot, lambda: ioc_id not in case.store.ioc_links[CID])
        assert [i.ioc_value for i in await case.iris.iocs.list(CID)] == ["evil-c2.example"]


async def test_task_new_edit_delete(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, "4", "tasks")
        await pilot.press("n")
        form = await form_open(pilot)
        await fill(pilot, "task_title", "Reset krbtgt twice")
        await choose(pilot, "task_status_id", "In progress")
        form.field("task_assignees_id").focus_control()
        await pilot.press("space")  # the one user with access: administrator
        await saved(pilot, form)
        task_id = next(i for i, t in case.store.tasks.items() if t["task_title"] == "Reset krbtgt twice")
        task = await case.iris.tasks.get(CID, task_id)
        assert task.task_status_id == 2 and task.assignee_ids == [USER]
        await until(pilot, lambda: tab.rows.cursor_row is not None and tab.rows.cursor_row.task_id == task_id)

        await pilot.press("e")
        form = await form_open(pilot)
        assert form.field("task_assignees_id").value == [USER]
        await fill(pilot, "task_title", "Reset krbtgt (twice)")
        await saved(pilot, form)
        task = await case.iris.tasks.get(CID, task_id)
        assert task.task_title == "Reset krbtgt (twice)" and task.assignee_ids == [USER]

        await pilot.press("d", "y")
        await until(pilot, lambda: task_id not in case.store.tasks)


async def test_event_new_with_links_edit_delete(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, "5", "timeline")
        await pilot.press("n")
        form = await form_open(pilot)
        await fill(pilot, "event_title", "Beacon to C2")
        form.field("event_date").focus_control()
        await pilot.press("end", "ctrl+u", *"2025-03-03 10:11:12", "tab", "end", "ctrl+u", *"+02:00")
        await choose(pilot, "event_category_id", "Command")
        form.field("event_assets").focus_control()
        await pilot.press("space")
        form.field("event_iocs").focus_control()
        await pilot.press("space")
        await fill(pilot, "event_source", "proxy")
        await saved(pilot, form)
        event_id = next(i for i, e in case.store.events.items() if e["event_title"] == "Beacon to C2")
        event = await case.iris.events.get(CID, event_id)
        assert event.event_tz == "+02:00"
        assert event.event_date == dt.datetime(2025, 3, 3, 8, 11, 12, tzinfo=dt.timezone.utc)
        assert (event.event_category_id, event.event_source) == (13, "proxy")
        assert (event.event_assets, event.event_iocs) == ([case.ids["asset"]], [case.ids["ioc"]])
        assert event.event_in_graph is True and event.event_in_summary is False
        await until(pilot, lambda: getattr(tab.rows.cursor_row, "key", None) == event_id)

        await pilot.press("e")
        form = await form_open(pilot)
        assert form.field("event_date").value == ("2025-03-03 10:11:12", "+02:00")
        form.field("event_in_summary").focus_control()
        await pilot.press("space")
        await saved(pilot, form)
        event = await case.iris.events.get(CID, event_id)
        assert event.event_in_summary is True
        assert event.event_tz == "+02:00" and event.event_iocs == [case.ids["ioc"]]

        await pilot.press("d", "y")
        await until(pilot, lambda: event_id not in case.store.events)


async def test_event_form_adds_a_new_ioc_and_asset_without_leaving(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(pilot, "5", "timeline")
        await pilot.press("n")
        event_form = await form_open(pilot)
        await fill(pilot, "event_title", "Exfil over HTTPS")
        await pilot.press("ctrl+o")
        ioc_form = await form_open(pilot, IocForm)
        await fill(pilot, "ioc_value", "185.220.101.4")
        await choose(pilot, "ioc_type_id", "ip-dst")
        await saved(pilot, ioc_form)
        assert app.screen is event_form
        # the typed title is still there, the new IOC listed and ticked
        assert event_form.field("event_title").value == "Exfil over HTTPS"
        new_ioc = next(i for i, r in case.store.iocs.items() if r["ioc_value"] == "185.220.101.4")
        assert event_form.field("event_iocs").value == [new_ioc]
        await pilot.press("ctrl+t")
        asset_form = await form_open(pilot, AssetForm)
        await fill(pilot, "asset_name", "PROXY-01")
        await choose(pilot, "asset_type_id", "Linux - Server")
        await saved(pilot, asset_form)
        new_asset = asset_ids(case)["PROXY-01"]
        assert event_form.field("event_assets").value == [new_asset]
        await saved(pilot, event_form)
        event_id = next(i for i, e in case.store.events.items() if e["event_title"] == "Exfil over HTTPS")
        event = await case.iris.events.get(CID, event_id)
        assert (event.event_iocs, event.event_assets) == ([new_ioc], [new_asset])
        # the IOCs and assets tabs show the new objects
        await until(pilot, lambda: new_ioc in {r.ioc_id for r in app.screen.tab("iocs").rows.all_rows})
        await until(pilot, lambda: new_asset in {r.asset_id for r in app.screen.tab("assets").rows.all_rows})


async def test_evidence_new_edit_delete(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, "8", "evidences")
        await pilot.press("n")
        form = await form_open(pilot)
        await fill(pilot, "filename", "DC-01.E01")
        await fill(pilot, "file_size", "4096")
        await fill(pilot, "acquisition_date", "2025-03-04 09:00")
        await saved(pilot, form)
        ev_id = next(i for i, e in case.store.evidences.items() if e["filename"] == "DC-01.E01")
        evidence = await case.iris.evidences.get(CID, ev_id)
        assert evidence.file_size == 4096
        assert evidence.acquisition_date == dt.datetime(2025, 3, 4, 9, 0, tzinfo=dt.timezone.utc)
        await until(pilot, lambda: tab.rows.cursor_row is not None and tab.rows.cursor_row.id == ev_id)
        await pilot.press("e")
        form = await form_open(pilot)
        await fill(pilot, "file_hash", MD5)
        await saved(pilot, form)
        assert (await case.iris.evidences.get(CID, ev_id)).file_hash == MD5
        await pilot.press("d", "y")
        await until(pilot, lambda: ev_id not in case.store.evidences)


async def test_case_new_edit_close_reopen_delete(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CaseListScreen) and app.screen.rows.rows)
        await pilot.press("n")
        form = await form_open(pilot)
        await fill(pilot, "case_name", "Phishing wave")
        await choose(pilot, "case_customer", "IrisInitial")
        await fill(pilot, "case_soc_id", "SOC-4411")
        await fill(pilot, "case_description", "Mails with a fake invoice")
        await saved(pilot, form)
        new_id = max(case.store.cases)
        stored = case.store.cases[new_id]
        assert stored["name"] == f"#{new_id} - Phishing wave" and stored["soc_id"] == "SOC-4411"
        await until(pilot, lambda: app.screen.rows.cursor_row is not None
                    and app.screen.rows.cursor_row.case_id == new_id)

        await pilot.press("e")
        form = await form_open(pilot)
        assert form.field("case_name").value == "Phishing wave"
        await fill(pilot, "case_tags", "phishing, finance")
        await saved(pilot, form)
        meta = await case.iris.cases.meta(new_id)
        assert meta.tag_list == ["phishing", "finance"]

        # close, reopen and delete from the case's Summary tab
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CaseWorkspace)
                    and app.screen.tab("summary").case is not None)
        footer = screen_text(app).splitlines()[-1]
        assert "Close" in footer and "Delete" in footer
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: case.store.cases[new_id]["close_date"] is not None)
        await until(pilot, lambda: "Reopen" in screen_text(app).splitlines()[-1])
        cases = app.screen_stack[1]  # the case list underneath follows
        await until(pilot, lambda: any(c.case_id == new_id and not c.is_open for c in cases.rows.all_rows))
        await pilot.press("o", "y")
        await until(pilot, lambda: case.store.cases[new_id]["close_date"] is None)

        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, TypedConfirmScreen))
        await pilot.press(*"nope", "enter")
        await pilot.pause()
        assert "does not match" in screen_text(app) and new_id in case.store.cases
        await pilot.press("end", "ctrl+u", *str(new_id), "enter")
        await until(pilot, lambda: new_id not in case.store.cases)
        await until(pilot, lambda: isinstance(app.screen, CaseListScreen))


async def test_comments_add_edit_delete(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(pilot, "2", "assets")
        await pilot.press("C")
        await until(pilot, lambda: isinstance(app.screen, CommentsScreen) and app.screen.comments)
        assert "seen beaconing" in screen_text(app)
        await pilot.press("n")
        form = await form_open(pilot)
        await pilot.press(*"C2 confirmed")
        await saved(pilot, form)
        texts = lambda: sorted(c["comment_text"] for c in case.store.comments.values())  # noqa: E731
        assert texts() == ["C2 confirmed", "seen beaconing"]
        await until(pilot, lambda: len(app.screen.comments) == 2)
        await pilot.press("e")  # the newest comment is highlighted
        form = await form_open(pilot)
        await pilot.press("end", *" by the proxy logs")
        await saved(pilot, form)
        assert texts() == ["C2 confirmed by the proxy logs", "seen beaconing"]
        await until(pilot, lambda: any("proxy" in c.text for c in app.screen.comments))
        await pilot.press("d", "y")
        await until(pilot, lambda: texts() == ["seen beaconing"])
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CaseWorkspace))


async def test_global_task_new_and_edit(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(GlobalTaskForm())
        form = await form_open(pilot)
        await fill(pilot, "task_title", "Renew EDR licence")
        await choose(pilot, "task_assignee_id", "admin")
        await saved(pilot, form)
        (task,) = await case.iris.global_tasks.list()
        assert (task.task_title, task.task_assignee_id) == ("Renew EDR licence", USER)
        assert task.status_name == "To do"
        app.push_screen(GlobalTaskForm(task))
        form = await form_open(pilot)
        await choose(pilot, "task_status_id", "Done")
        await saved(pilot, form)
        assert (await case.iris.global_tasks.get(task.task_id)).status_name == "Done"


# -- validation --------------------------------------------------------------------------------


def field_error(app: IrisApp, key: str) -> str | None:
    return app.screen.field(key).error


async def test_client_side_errors_show_next_to_their_field_and_nothing_is_sent(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(pilot, "2", "assets")
        await pilot.press("n")
        form = await form_open(pilot, AssetForm)
        await fill(pilot, "asset_ip", "10.0.0.300")
        await fill(pilot, "asset_domain", "acme.local")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert field_error(app, "asset_name") == "Required"
        assert field_error(app, "asset_type_id") == "Required"
        assert "Not an IPv4 or IPv6 address" in field_error(app, "asset_ip")
        assert field_error(app, "asset_domain") is None
        text = screen_text(app)
        # the message is on the line under its field
        lines = text.splitlines()
        ip_line = next(n for n, line in enumerate(lines) if "10.0.0.300" in line)
        assert "Not an IPv4 or IPv6 address" in lines[ip_line + 1]
        assert form.field("asset_name").input.has_focus  # the first bad field
        assert not case.sent("POST", "/case/assets/add")
        # fixing a field clears its error on the next try
        await fill(pilot, "asset_name", "FW-EDGE")
        await pilot.press("enter")  # on to the next field, not a save
        assert app.focused is form.field("asset_type_id").query_one("Select")
        assert not case.sent("POST", "/case/assets/add")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert field_error(app, "asset_name") is None and field_error(app, "asset_ip")
        assert form.field("asset_domain").value == "acme.local"


async def test_hash_of_the_wrong_length_for_its_type(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(pilot, "3", "iocs")
        await pilot.press("n")
        form = await form_open(pilot, IocForm)
        await fill(pilot, "ioc_value", MD5[:-1])
        await choose(pilot, "ioc_type_id", "md5")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert field_error(app, "ioc_value") == "A md5 is 32 hexadecimal characters (got 31)"
        assert not case.sent("POST", "/case/ioc/add")
        await fill(pilot, "ioc_value", MD5)
        await saved(pilot, form)
        assert any(r["ioc_value"] == MD5 for r in case.store.iocs.values())


async def test_server_field_error_lands_next_to_the_field(case: Case) -> None:
    """The type's validation regex is checked by the server only; it names `ioc_ioc_value`."""
    domain = case.store.lookup("ioc_type", "type_id", 20)
    domain["type_validation_regex"] = r"[a-z0-9.-]+\.[a-z]{2,}"
    domain["type_validation_expect"] = "a domain name"
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(pilot, "3", "iocs")
        await pilot.press("n")
        form = await form_open(pilot, IocForm)
        await fill(pilot, "ioc_value", "not a domain")
        await choose(pilot, "ioc_type_id", "domain")
        await fill(pilot, "ioc_tags", "c2")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: field_error(app, "ioc_value"))
        assert app.screen is form
        assert "expected: a domain name" in field_error(app, "ioc_value")
        assert "Data error" in form.form_error
        assert form.field("ioc_value").value == "not a domain" and form.field("ioc_tags").value == "c2"
        assert case.sent("POST", "/case/ioc/add")


async def test_server_bare_list_error_shows_at_the_top(case: Case) -> None:
    """A duplicate asset name: IRIS answers a list of messages that names no field."""
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(pilot, "2", "assets")
        await pilot.press("n")
        form = await form_open(pilot, AssetForm)
        await fill(pilot, "asset_name", "ws-fin-01")
        await choose(pilot, "asset_type_id", "Windows - Computer")
        await fill(pilot, "asset_description", "same host, other case")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: form.form_error)
        assert "Asset name already exists in this case" in form.form_error
        assert "Asset name already exists in this case" in screen_text(app)
        assert all(f.error is None for f in form.fields)
        assert form.field("asset_description").value == "same host, other case"
        assert len(asset_ids(case)) == 1


async def test_api_field_error_lands_next_to_the_field(case: Case) -> None:
    """Refusals of the API layer (here: 513 characters of IOC tags) carry field names too."""
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form = IocForm(CID)
        app.push_screen(form)
        await form_open(pilot, IocForm)
        await fill(pilot, "ioc_value", "evil.example")
        await choose(pilot, "ioc_type_id", "domain")
        form.field("ioc_tags").limit = None  # let it through the form's own check
        form.field("ioc_tags").input.value = "x" * 513
        await pilot.press("ctrl+s")
        await until(pilot, lambda: field_error(app, "ioc_tags"))
        assert "512" in field_error(app, "ioc_tags")
        assert not case.sent("POST", "/case/ioc/add")


async def test_failed_save_keeps_the_form_open_with_everything_typed(case: Case) -> None:
    case.session.demo.faults.add("server_error", path="/case/assets/add")
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(pilot, "2", "assets")
        await pilot.press("n")
        form = await form_open(pilot, AssetForm)
        await fill(pilot, "asset_name", "SRV-BACKUP")
        await choose(pilot, "asset_type_id", "Windows - Server")
        await fill(pilot, "asset_ip", "10.0.5.5")
        await fill(pilot, "asset_tags", "backup")
        await fill(pilot, "asset_description", "Veeam")
        typed = {f.key: f.value for f in form.fields}
        await pilot.press("ctrl+s")
        await until(pilot, lambda: form.form_error)
        assert app.screen is form and "HTTP 500" in form.form_error
        assert "Not saved" in screen_text(app)
        assert {f.key: f.value for f in form.fields} == typed
        assert not form.query_one("#form-save").disabled
        # the server is back: the same form saves
        await saved(pilot, form)
        assert "SRV-BACKUP" in asset_ids(case)


async def test_esc_asks_only_when_something_changed(case: Case) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(pilot, "2", "assets")
        await pilot.press("n")
        form = await form_open(pilot, AssetForm)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CaseWorkspace))

        await pilot.press("e")  # an unchanged edit closes at once too
        form = await form_open(pilot, AssetForm)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CaseWorkspace))

        await pilot.press("n")
        form = await form_open(pilot, AssetForm)
        await pilot.press(*"half typed")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Discard your changes?" in screen_text(app)
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form)
        assert form.field("asset_name").value == "half typed"
        await pilot.press("escape", "y")
        await until(pilot, lambda: isinstance(app.screen, CaseWorkspace))
        assert not case.sent("POST", "/case/assets/add")


async def test_read_only_hides_and_refuses_every_write() -> None:
    case = Case(read_only=True)
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CaseListScreen) and app.screen.rows.rows)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, CaseListScreen)
        tab = await open_tab(pilot, "2", "assets")
        footer = screen_text(app).splitlines()[-1]
        assert "New" not in footer and "Delete" not in footer
        await pilot.press("n", "e", "d")
        await pilot.pause()
        assert isinstance(app.screen, CaseWorkspace)
        tab.action_delete()  # e.g. from a remapped key or the palette
        await pilot.pause()
        assert any("read-only" in n.message for n in app._notifications)
        assert not isinstance(app.screen, ConfirmScreen)
        # the summary tab: no close, reopen or delete
        await pilot.press("1")
        await until(pilot, lambda: app.screen.tab("summary").case is not None)
        footer = screen_text(app).splitlines()[-1]
        assert "Close" not in footer and "Delete" not in footer
        await pilot.press("c", "D")
        await pilot.pause()
        assert isinstance(app.screen, CaseWorkspace)
        # comments can be read, not written
        await pilot.press("2", "C")
        await until(pilot, lambda: isinstance(app.screen, CommentsScreen) and app.screen.comments)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, CommentsScreen)
        assert [r for r in case.session.demo.received if r.method == "POST"] == []


HOSTILE = "[@click=app.quit]x\x1b[31m"


async def test_hostile_values_are_shown_literally_and_kept_when_untouched(case: Case) -> None:
    case.store.assets[case.ids["asset"]]["asset_name"] = HOSTILE
    case.store.assets[case.ids["asset"]]["custom_attributes"] = {
        "Details": {"Ticket": {"type": "input_string", "mandatory": False, "value": "INC-1"},
                    "[b]Escalated[/b]": {"type": "input_checkbox", "mandatory": False, "value": False},
                    "Help": {"type": "html", "mandatory": False, "value": "<b>read-only</b>"}}}
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(pilot, "2", "assets")
        await pilot.press("e")
        form = await form_open(pilot, AssetForm)
        text = screen_text(app)
        assert "Edit asset [@click=app.quit]x␛[31m" in text
        labels = [f.label_text.plain for f in form.fields if f.attribute]
        assert labels == ["Details › Ticket", "Details › [b]Escalated[/b]"]  # not html ones
        await fill(pilot, "asset_ip", "10.0.0.13")
        ticket = next(f for f in form.fields if f.attribute == ("Details", "Ticket"))
        ticket.focus_control()
        await pilot.pause()
        assert "Details › Ticket  INC-1" in screen_text(app)  # scrolled into view
        await pilot.press("end", "ctrl+u", *"INC-2")
        await saved(pilot, form)
        stored = case.store.assets[case.ids["asset"]]
        assert stored["asset_name"] == HOSTILE  # sent back exactly as it was
        assert stored["asset_ip"] == "10.0.0.13"
        details = stored["custom_attributes"]["Details"]
        assert details["Ticket"]["value"] == "INC-2"
        assert details["[b]Escalated[/b]"]["value"] is False
        sent = case.sent("POST", f"/case/assets/update/{case.ids['asset']}")[-1].json
        assert sent["custom_attributes"] == {"Details": {"Ticket": "INC-2", "[b]Escalated[/b]": False}}


async def test_tags_complete_from_the_server_and_are_sent_as_one_string(case: Case) -> None:
    case.store.register_tags("beaconing,lateral-movement")
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(IocForm(CID))
        form = await form_open(pilot, IocForm)
        await fill(pilot, "ioc_value", "evil.example")
        await choose(pilot, "ioc_type_id", "domain")
        await fill(pilot, "ioc_tags", "c2, Bea")
        await until(pilot, lambda: "c2, Beaconing" in screen_text(app))  # the suggestion, dimmed
        await pilot.press("right")  # takes it
        assert form.field("ioc_tags").value == "c2, Beaconing"
        assert "Bea" in [r.query["term"] for r in case.sent("GET", "/manage/tags/suggest")]
        await saved(pilot, form)
        assert case.sent("POST", "/case/ioc/add")[-1].json["ioc_tags"] == "c2,Beaconing"


@pytest.mark.parametrize(("kind", "value", "error"), [
    ("md5", MD5, None),
    ("md5", MD5.upper(), None),
    ("md5", MD5[:-1], "A md5 is 32 hexadecimal characters (got 31)"),
    ("sha1", "z" * 40, "A sha1 is 40 hexadecimal characters (got 40)"),
    ("sha256", "a" * 64, None),
    ("sha512", "a" * 127, "A sha512 is 128 hexadecimal characters (got 127)"),
    ("filename|md5", f"invoice.exe|{MD5}", None),
    ("filename|sha256", f"invoice.exe|{MD5}", "A sha256 is 64 hexadecimal characters (got 32)"),
    ("ip-dst", "185.220.101.4", None),
    ("ip-src", "2001:db8::1", None),
    ("ip-any", "185.220.101.400", "Not an IPv4 or IPv6 address: '185.220.101.400'"),
    ("ip-dst|port", "10.0.0.1|443", None),
    ("ip-dst|port", "10.0.0.1|99999", "Not a port number: '99999'"),
    ("domain", "anything goes", None),  # IRIS checks a type's regex itself, when it has one
    (None, "x", None),
])
def test_ioc_value_checks(kind: str | None, value: str, error: str | None) -> None:
    assert check_ioc_value(kind, value) == error


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-03-03 10:11:12", dt.datetime(2025, 3, 3, 10, 11, 12)),
    ("2025-03-03T10:11", dt.datetime(2025, 3, 3, 10, 11)),
    ("2025-03-03 10:11:12.5", dt.datetime(2025, 3, 3, 10, 11, 12, 500000)),
    ("2025-03-03", dt.datetime(2025, 3, 3)),
    ("2025-02-30 10:00", "Not a date: use YYYY-MM-DD HH:MM[:SS]"),
    ("03/03/2025", "Not a date: use YYYY-MM-DD HH:MM[:SS]"),
    ("2025-03-03 10:11:12+02:00", "Put the UTC offset in the timezone field"),
])
def test_dates(text: str, expected: Any) -> None:
    if isinstance(expected, str):
        with pytest.raises(ValueError, match=re.escape(expected)):
            parse_datetime(text)
    else:
        assert parse_datetime(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("+02:00", "+02:00"), ("-0530", "-05:30"), ("Z", "+00:00"), ("", "+00:00"), ("utc", "+00:00"),
    ("CET", None), ("+25:00", None),
])
def test_offsets(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ValueError):
            parse_tz(text)
    else:
        assert parse_tz(text) == expected


def test_tags_and_addresses() -> None:
    assert check_tags("a, b") is None
    assert check_tags("a\x1b[31m") == "Tags cannot contain control characters"
    assert check_tags(", ".join(["x" * 100] * 6), limit=512) == \
        "Tags are 605 characters long; IRIS keeps at most 512"
    assert check_ips("10.0.0.1, 10.0.0.2") is None
    assert check_ips("10.0.0.1, host") == "Not an IPv4 or IPv6 address: 'host'"
