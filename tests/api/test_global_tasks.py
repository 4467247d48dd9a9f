"""Global tasks and "my tasks": replays of the real 2.4.20 exchanges 412-423, 240-241."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from iris_tui.api import IrisClient, IrisNotFoundError, IrisValidationError
from iris_tui.api.global_tasks import GlobalTask, UserTask
from support.replay import ReplayTransport, transcript


def client(*exchanges: Any) -> tuple[IrisClient, ReplayTransport]:
    transport = ReplayTransport([transcript(e) if isinstance(e, str) else e for e in exchanges])
    return IrisClient("http://iris.test", "test-key-not-real", transport=transport, retries=0), transport


def recorded_json(name: str) -> Any:
    return transcript(name)["request"]["json"]


async def test_list_empty_then_with_tasks():
    iris, t = client("412", "417")
    assert await iris.global_tasks.list() == []
    tasks = await iris.global_tasks.list()
    assert [(s.method, s.path, s.query) for s in t.sent] == [("GET", "/global/tasks/list", {})] * 2
    assert all(isinstance(task, GlobalTask) for task in tasks)
    first, second = tasks
    assert first.id == 1 and first.title == "Renew EDR licence for Northwind"
    assert first.assignee == "administrator" and first.status_name == "To do"
    assert first.tag_list == ["admin", "edr"] and second.tag_list == [] and second.task_description is None
    assert first.task_last_update == dt.datetime(2026, 11, 24, 7, 42, 21, 509182, tzinfo=dt.timezone.utc)


async def test_get_and_get_unknown():
    iris, t = client("418", "422")
    task = await iris.global_tasks.get(1)
    assert t.sent[0].path == "/global/tasks/1" and task.task_status_id == 1
    with pytest.raises(IrisNotFoundError) as err:
        await iris.global_tasks.get(99999)
    assert err.value.message == "Global task ID 99999 not found" and err.value.status == 400


async def test_add_resolves_names_and_joins_tags():
    iris, t = client("050", "022", "413")
    task = await iris.global_tasks.add(
        title="Renew EDR licence for Northwind", assignee="administrator", status="to do",
        description="Licence expires 2025-04-01", tags=["admin", "edr"],
    )
    assert [s.path for s in t.sent[:2]] == ["/manage/users/restricted/list", "/manage/task-status/list"]
    add = t.sent[2]
    assert (add.method, add.path) == ("POST", "/global/tasks/add")
    assert add.json == recorded_json("413")
    # a case id is only used for activity logging and never checked; case 1 always exists
    assert add.query == {"cid": "1"}
    assert task.id == 1 and task.task_open_date is not None and task.task_userid_update == 1


async def test_add_with_defaults():
    iris, t = client("022", "414")
    task = await iris.global_tasks.add(title="Global task without cid", assignee=1)
    assert t.sent[1].json == {**recorded_json("414"), "task_description": "", "task_tags": ""}
    assert task.id == 2


async def test_add_unknown_assignee_gives_the_server_field_error():
    iris, t = client("415")
    with pytest.raises(IrisValidationError) as err:
        await iris.global_tasks.add(title="Bad assignee", assignee=999, status=1)
    assert t.sent[0].json["task_assignee_id"] == 999
    # the server's own (plural) key, as it sent it
    assert err.value.fields == {"task_assignees_id": ["Invalid user id for assignee"]}


async def test_add_is_checked_before_sending():
    iris, t = client("050")
    with pytest.raises(IrisValidationError) as err:
        await iris.global_tasks.add(title="x", assignee=1, status=1)
    assert list(err.value.fields) == ["task_title"]
    with pytest.raises(IrisValidationError) as err:
        await iris.global_tasks.add(title="Valid title", assignee="nobody", status=1)
    assert list(err.value.fields) == ["task_assignee_id"]
    assert [s.method for s in t.sent] == ["GET"]  # the user table only


async def test_update_merges_into_the_current_task():
    # the server refuses a partial body (420: "non null expected"), so the task is fetched first
    iris, t = client("418", "419")
    task = await iris.global_tasks.update(1, status=2, description="PO sent to vendor")
    assert [(s.method, s.path) for s in t.sent] == [("GET", "/global/tasks/1"), ("POST", "/global/tasks/update/1")]
    assert t.sent[1].json == recorded_json("419") and t.sent[1].query == {"cid": "1"}
    assert task.task_status_id == 2 and task.task_description == "PO sent to vendor"


async def test_update_of_an_unknown_task_stops_at_the_fetch():
    iris, t = client("422")
    with pytest.raises(IrisNotFoundError):
        await iris.global_tasks.update(99999, status=1)
    assert len(t.sent) == 1


async def test_update_refuses_unknown_fields():
    iris, t = client()
    with pytest.raises(TypeError, match="due_date"):
        await iris.global_tasks.update(1, due_date="tomorrow")
    with pytest.raises(ValueError):
        await iris.global_tasks.update(1)
    assert t.sent == []


async def test_delete():
    iris, t = client("421")
    assert await iris.global_tasks.delete(1) is None
    assert (t.sent[0].method, t.sent[0].path, t.sent[0].json) == ("POST", "/global/tasks/delete/1", {})


async def test_my_tasks_and_status_change():
    iris, t = client("240", "022", "241")
    mine = await iris.global_tasks.my_tasks()
    assert t.sent[0].path == "/user/tasks/list"
    assert all(isinstance(task, UserTask) for task in mine)
    assert [task.id for task in mine] == [5, 4] and mine[1].case_id == 3
    assert mine[1].case_name.startswith("#3 - LockBit") and mine[1].tag_list == ["forensics", "acquisition"]
    updated = await iris.global_tasks.set_my_task_status(3, 4, "Done")
    change = t.sent[2]
    assert (change.method, change.path, change.query) == ("POST", "/user/tasks/status/update", {"cid": "3"})
    assert change.json == recorded_json("241")
    assert (updated.id, updated.case_id, updated.task_status_id) == (4, 3, 4)
