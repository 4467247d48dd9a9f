"""Case tasks against recorded exchanges of a real IRIS 2.4.20 (and develop's /api/v2)."""

from __future__ import annotations

import pytest

from iris_tui.api import IrisBadRequestError, IrisNotFoundError, IrisValidationError
from iris_tui.api.listing import Listing
from iris_tui.api.tasks import Task
from support.case_objects import CID, at, dev, recorded, replay, sent_json

ADMIN = {"id": 1, "user": "administrator", "name": "administrator"}


async def test_list_rows_use_task_id_and_carry_status_names():
    iris, transport = replay("208", "217")
    assert await iris.tasks.list(CID) == []
    tasks = await iris.tasks.list(CID)
    assert isinstance(tasks, Listing) and transport.sent[1].path == "/case/tasks/list"
    assert transport.sent[1].query == {"cid": "3"}
    assert [t.id for t in tasks] == [r["task_id"] for r in recorded("217")["tasks"]]
    first = tasks[0]
    assert first.title == "Isolate NW-FS02 and NW-FS03 from the network"
    assert first.status == "To do" and first.assignee_logins == ["administrator"]
    assert first.task_open_date.tzinfo is not None and first.tags == ["containment"]
    assert tasks.state.object_state == 8


async def test_get_uses_id_and_state():
    iris, transport = replay("219", "218", "226")
    task = await iris.tasks.get(CID, 3)
    state = await iris.tasks.state(CID)
    with pytest.raises(IrisNotFoundError) as exc:
        await iris.tasks.get(CID, 99999)
    assert [s.path for s in transport.sent] == ["/case/tasks/3", "/case/tasks/state", "/case/tasks/99999"]
    assert task.id == task.task_id == 3 and "id" not in task.extra
    assert task.assignee_ids == [1] and task.assignee_names == ["administrator"]
    assert task.status is None and task.task_status_id == 1  # objects carry only the id
    assert state.object_state == 8
    assert exc.value.message == "Invalid task ID for this case"


async def test_add_resolves_status_and_assignees():
    iris, transport = replay("022", "090", "209")
    task = await iris.tasks.add(
        CID, title="Isolate NW-FS02 and NW-FS03 from the network", status="to do",
        assignees=["Administrator"],
        description="Use EDR network containment; keep VLAN 20 mgmt access.", tags=["containment"],
    )
    assert [s.path for s in transport.sent] == [
        "/manage/task-status/list", "/case/users/list", "/case/tasks/add",
    ]
    assert transport.sent[1].query == {"cid": "3"}
    assert transport.sent[-1].json == sent_json("209")
    assert task.id == 3 and task.task_assignees == [ADMIN]  # the add answer has none


async def test_add_without_assignees_still_sends_the_key():
    iris, transport = replay("512")
    sent = sent_json("512")
    task = await iris.tasks.add(
        CID, title=sent["task_title"], status=1, description=sent["task_description"],
        tags="a, b",
    )
    body = transport.sent[0].json
    assert body["task_assignees_id"] == []  # without the key: 400 "task_assignee_id is not valid"
    assert {k: body[k] for k in sent} == sent
    assert task.title == "[bold]x[/bold] \x1b[31m" and task.assignee_ids == []


async def test_assignee_without_case_access_is_refused():
    # the server would drop the unknown id silently (216)
    iris, transport = replay("090")
    with pytest.raises(IrisValidationError) as exc:
        await iris.tasks.add(CID, title="Unknown assignee", status=1, assignees=[999])
    assert "task_assignees_id" in exc.value.fields
    assert "administrator" in exc.value.fields["task_assignees_id"][0]
    assert [s.path for s in transport.sent] == ["/case/users/list"]


async def test_add_errors_carry_fields():
    iris, _ = replay("215", "214")
    with pytest.raises(IrisValidationError) as status:
        await iris.tasks.add(CID, title="Bad status", status=99)
    with pytest.raises(IrisValidationError) as title:
        await iris.tasks.add(CID, title=None, status=1)
    assert status.value.fields == {"task_status_id": ["Invalid task status ID"]}
    assert title.value.fields == {"task_title": ["Missing data for required field."]}


async def test_legacy_assignee_key_is_refused():
    iris, transport = replay()
    with pytest.raises(IrisValidationError):
        await iris.tasks.add(CID, title="Legacy key", status=1, task_assignee_id=1)
    assert transport.sent == []


async def test_update_fetches_merges_and_fixes_the_stale_assignees():
    iris, transport = replay("022", "221", "090", "220")
    task = await iris.tasks.update(
        CID, 5, title="Reset krbtgt password twice (10h apart)", status="To do",
        assignees=[1], description="Eradication phase started.", tags="eradication,ad",
    )
    assert [(s.method, s.path) for s in transport.sent] == [
        ("GET", "/manage/task-status/list"), ("GET", "/case/tasks/5"),
        ("GET", "/case/users/list"), ("POST", "/case/tasks/update/5"),
    ]
    assert transport.sent[-1].json == sent_json("220")
    assert recorded("220")["task_assignees"] == []  # the server shows the old assignees...
    assert task.task_assignees == [ADMIN]  # ...corrected here


async def test_update_of_one_field_resends_the_rest():
    iris, transport = replay("219", at("220", "POST", "/case/tasks/update/3"))
    task = await iris.tasks.update(CID, 3, description="Done through EDR")
    current = recorded("219")
    assert transport.sent[-1].json == {
        "task_title": current["task_title"], "task_status_id": current["task_status_id"],
        "task_description": "Done through EDR", "task_tags": current["task_tags"],
        "task_assignees_id": [1],
    }
    assert task.task_assignees == current["task_assignees"]


async def test_set_status():
    iris, transport = replay("022", "223", "224")
    task = await iris.tasks.set_status(CID, 3, "Done")
    with pytest.raises(IrisBadRequestError) as exc:
        await iris.tasks.set_status(CID, 3, 99)
    post = transport.sent[1]
    assert (post.method, post.path, post.query) == ("POST", "/case/tasks/status/update/3", {"cid": "3"})
    assert post.json == {"task_status_id": 4}
    assert task.task_status_id == 4 and task.task_close_date is None
    assert exc.value.message == "Invalid status"


async def test_delete_and_again():
    iris, transport = replay("238", "239")
    assert await iris.tasks.delete(CID, 7) is None
    with pytest.raises(IrisNotFoundError) as exc:
        await iris.tasks.delete(CID, 7)
    assert (transport.sent[0].path, transport.sent[0].json) == ("/case/tasks/delete/7", {})
    assert exc.value.message == "Invalid task ID for this case"


async def test_assignee_candidates():
    iris, transport = replay("090")
    users = await iris.tasks.assignee_candidates(CID)
    assert [(u.id, u.user_login, u.user_access_level) for u in users] == [(1, "administrator", 4)]


async def test_list_page_uses_api_v2_when_present():
    iris, transport = replay(dev("002"), dev("040"))
    page = await iris.tasks.list_page(2, page=1, per_page=10)
    assert transport.sent[1].path == "/api/v2/cases/2/tasks"
    assert page.total == 1 and page[0].id == 1 and page[0].status == "To do"
    assert page[0].task_assignees is None  # v2 tasks have no assignees


async def test_list_page_without_api_v2():
    iris, _ = replay("465", "217")
    page = await iris.tasks.list_page(CID, page=2, per_page=3)
    assert [t.id for t in page] == [r["task_id"] for r in recorded("217")["tasks"][3:6]]
    assert page.total == 4 and page.last_page == 2 and not page.has_next


def test_model_accepts_both_id_keys():
    assert Task.from_raw({"task_id": 5}).id == 5
    assert Task.from_raw({"id": 6, "task_title": "t"}).id == 6
