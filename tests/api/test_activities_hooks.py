"""Activities (real 2.4.20 exchanges 409-411, 104) and manual module hooks.

A fresh server has no module with manual hooks, so the hook exchanges are synthetic: built in the
recorded format from the server code (iris-web `dim_tasks_routes`: list rows `manual_hook_ui_name`,
`hook_name`, `module_name`; the call reads `hook_name`, `hook_ui_name`, `module_name`, `type`,
`targets` and answers "Queued task with N objects", or an error whose data lists per-id problems).
"""

from __future__ import annotations

from typing import Any

import pytest

from iris_tui.api import IrisBadRequestError, IrisClient, IrisValidationError
from iris_tui.api.activities import Activity, CaseActivity
from support.replay import ReplayTransport, transcript


def client(*exchanges: Any) -> tuple[IrisClient, ReplayTransport]:
    transport = ReplayTransport([transcript(e) if isinstance(e, str) else e for e in exchanges])
    return IrisClient("http://iris.test", "test-key-not-real", transport=transport, retries=0), transport


def synthetic(method: str, path: str, status: int, envelope: dict[str, Any]) -> dict[str, Any]:
    return {
        "request": {"method": method, "path": path},
        "response": {"status": status, "headers": {"content-type": "application/json"},
                     "body_is_json": True, "body": envelope},
    }


# -- activities ----------------------------------------------------------------------------


async def test_user_and_all_activities():
    iris, t = client("410", "411")
    mine = await iris.activities.list()
    everything = await iris.activities.list(all=True)
    assert [(s.path, s.query) for s in t.sent] == [("/activities/list", {}), ("/activities/list-all", {})]
    assert all(isinstance(a, Activity) for a in mine)
    first = mine[0]
    assert first.case_id == 3 and first.case_name.startswith("#3 - LockBit")
    assert first.user == "administrator" and first.user_input is False and first.is_from_api is True
    assert first.activity_desc == 'Folder "5" deleted from ds'
    assert len(everything) >= len(mine)
    assert mine[0].activity_date >= mine[-1].activity_date
    # list-all rows without a case put the user's id under user_name (411)
    caseless = [a for a in everything if a.case_id is None]
    assert caseless and caseless[0].user_id == 1 and caseless[0].user_name is None
    assert caseless[0].activity_desc == 'Deleted task "notify cyber insurer"'


async def test_case_activities():
    iris, t = client("409")
    rows = await iris.activities.case(3)
    assert (t.sent[0].path, t.sent[0].query) == ("/case/activities/list", {"cid": "3"})
    assert all(isinstance(a, CaseActivity) for a in rows)
    assert rows[0].user == "administrator" and rows[0].activity_desc.startswith("Folder")
    assert rows[0].activity_date.tzinfo is not None


async def test_log_a_line():
    iris, t = client("104")
    entry = await iris.activities.log(3, "Call with Northwind CISO: containment approved, NW-FS02 to be isolated.")
    assert t.sent[0].query == {"cid": "3"} and t.sent[0].json == transcript("104")["request"]["json"]
    assert entry.user_input is True and entry.activity_date is None and entry.extra["registry"] is None


# -- hooks -----------------------------------------------------------------------------------


OPTIONS = synthetic("GET", "/dim/hooks/options/ioc/list", 200, {"status": "success", "message": "", "data": [
    {"manual_hook_ui_name": "Get VT insights", "hook_name": "on_manual_trigger_ioc", "module_name": "iris_vt_module"},
]})


async def test_list_hooks_for_a_type():
    iris, t = client(OPTIONS)
    options = await iris.hooks.list("ioc")
    assert (t.sent[0].method, t.sent[0].path, t.sent[0].query) == ("GET", "/dim/hooks/options/ioc/list", {})
    assert options[0].label == "Get VT insights" and options[0].module_name == "iris_vt_module"


async def test_trigger_sends_what_the_server_reads():
    queued = synthetic("POST", "/dim/hooks/call", 200, {"status": "success", "message": "Queued task with 2 objects", "data": []})
    iris, t = client(queued)
    message = await iris.hooks.trigger(
        3, module="iris_vt_module", hook_ui_name="Get VT insights", object_type="ioc", object_ids=[10, "11"],
    )
    sent = t.sent[0]
    assert (sent.method, sent.path, sent.query) == ("POST", "/dim/hooks/call", {"cid": "3"})
    assert sent.json == {
        "hook_name": "on_manual_trigger_ioc", "hook_ui_name": "Get VT insights",
        "module_name": "iris_vt_module", "type": "ioc", "targets": [10, 11],
    }
    assert message == "Queued task with 2 objects"


async def test_trigger_with_an_explicit_hook_name():
    queued = synthetic("POST", "/dim/hooks/call", 200, {"status": "success", "message": "Queued task with 1 objects", "data": []})
    iris, t = client(queued)
    await iris.hooks.trigger(3, module="m", hook_ui_name="Run", object_type="case", object_ids=[3],
                             hook_name="on_manual_trigger_case")
    assert t.sent[0].json["hook_name"] == "on_manual_trigger_case" and t.sent[0].json["type"] == "case"


async def test_trigger_errors_carry_the_per_object_reasons():
    failed = synthetic("POST", "/dim/hooks/call", 400, {
        "status": "error", "message": "Errors encountered during processing of data. Queued task with 1 objects",
        "data": ["Object ID 99 not found"],
    })
    iris, _ = client(failed)
    with pytest.raises(IrisBadRequestError) as err:
        await iris.hooks.trigger(3, module="m", hook_ui_name="Run", object_type="asset", object_ids=[1, 99])
    assert "Object ID 99 not found" in str(err.value) and err.value.data == ["Object ID 99 not found"]


async def test_bad_hook_input_is_refused_before_sending():
    iris, t = client()
    with pytest.raises(IrisValidationError) as err:
        await iris.hooks.trigger(3, module="m", hook_ui_name="Run", object_type="datastore", object_ids=[1])
    assert list(err.value.fields) == ["type"]
    with pytest.raises(IrisValidationError) as err:
        await iris.hooks.trigger(3, module="m", hook_ui_name="Run", object_type="ioc", object_ids=[])
    assert list(err.value.fields) == ["targets"]
    with pytest.raises(IrisValidationError):
        await iris.hooks.list("../../admin")
    assert t.sent == []
