"""Cases, lookups, global tasks and the misc endpoints of the fake: behaviour the recorded
transcripts do not pin down (many cases, a second user, deletion cascades, quirks of 2.4.20
described in iris-api.md)."""

from __future__ import annotations

import zlib

import httpx
import pytest

from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.demo.routes.cases import create_case, delete_case
from iris_tui.demo.routes.global_tasks import create_global_task
from iris_tui.demo.store import new_uuid

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


@pytest.fixture
def app():
    return create_app(seed="fresh")


@pytest.fixture
async def http(app):
    async with httpx.AsyncClient(transport=DemoTransport(app), base_url="http://iris.demo",
                                 headers=AUTH) as client:
        yield client


def new_case(app, name, **fields):
    fields = {"case_description": "for tests", "case_soc_id": "", "case_customer": 1, **fields}
    return create_case(app.store, 1, case_name=name, **fields)["case_id"]


def add_user(app, login="jane", permissions=0x1):
    store = app.store
    user_id = store.next_id("user")
    store.users[user_id] = {
        "user_id": user_id, "user_uuid": new_uuid(), "user_name": login.title(),
        "user_login": login, "user_email": f"{login}@example.org", "user_active": True,
        "is_admin": False, "user_is_service_account": False, "api_key": f"key-{login}",
        "permissions": permissions,
    }
    return user_id, {"Authorization": f"Bearer key-{login}"}


async def data(response, status=200):
    assert response.status_code == status, response.text[:300]
    return response.json()["data"]


# -- filter and list ----------------------------------------------------------------------------

async def test_filter_pages_through_many_cases_in_the_requested_order(app, http):
    for n in range(25):
        new_case(app, f"Case {n:02d}")
    page = await data(await http.get("/manage/cases/filter", params={
        "order_by": "name", "sort_dir": "desc", "per_page": 10, "page": 2, "draw": 7}))
    assert page["total"] == 26
    assert (page["current_page"], page["last_page"], page["next_page"], page["draw"]) == (2, 3, 3, 7)
    expected = sorted((c["name"] for c in app.store.cases.values()), reverse=True)
    assert [c["name"] for c in page["cases"]] == expected[10:20]  # "#9 - ..." > "#26 - ..."
    last = await data(await http.get("/manage/cases/filter", params={
        "order_by": "name", "sort_dir": "desc", "per_page": 10, "page": 3}))
    assert [c["name"] for c in last["cases"]] == expected[20:]
    assert last["next_page"] is None
    by_id = await data(await http.get("/manage/cases/filter", params={"order_by": "case_id", "per_page": 5}))
    assert [c["case_id"] for c in by_id["cases"]] == [1, 2, 3, 4, 5]


async def test_filter_by_fields_and_search_value(app, http):
    first = new_case(app, "Phishing wave", severity_id=5)
    new_case(app, "phishing again", case_soc_id="SOC-9")
    by_name = await data(await http.get("/manage/cases/filter", params={"case_name": "PHISHING"}))
    assert by_name["total"] == 2  # case-insensitive
    search = await data(await http.get("/manage/cases/filter", params={"search[value]": "Phishing"}))
    assert [c["case_id"] for c in search["cases"]] == [first]  # case-sensitive
    by_severity = await data(await http.get("/manage/cases/filter", params={"case_severity_id": 5}))
    assert [c["case_id"] for c in by_severity["cases"]] == [first]
    by_ids = await data(await http.get("/manage/cases/filter", params={"case_ids": f"1,{first}"}))
    assert sorted(c["case_id"] for c in by_ids["cases"]) == [1, first]
    by_soc = await data(await http.get("/manage/cases/filter", params={"case_soc_id": "SOC-9"}))
    assert by_soc["total"] == 1


async def test_list_formats_dates_like_the_case_list_page(app, http):
    case_id = new_case(app, "Closed one")
    await http.post(f"/manage/cases/close/{case_id}", json={})
    rows = {r["case_id"]: r for r in await data(await http.get("/manage/cases/list"))}
    opened = app.store.cases[case_id]["open_date"]  # YYYY-MM-DD
    assert rows[case_id]["case_open_date"] == f"{opened[5:7]}/{opened[8:10]}/{opened[:4]}"
    assert rows[case_id]["case_close_date"] == rows[case_id]["case_open_date"]
    assert rows[1]["case_close_date"] == ""


# -- creation and update -----------------------------------------------------------------------

async def test_failed_creations_answer_the_generic_error_and_use_no_case_id(app, http):
    bodies = [
        {"case_name": "x", "case_description": "desc", "case_soc_id": "", "case_customer": 1},
        {"case_name": "ok", "case_description": "desc", "case_customer": 1},
        {"case_name": "ok", "case_description": "desc", "case_soc_id": "", "case_customer": 99},
        {"case_name": "ok", "case_description": "desc", "case_soc_id": "", "case_customer": 1,
         "owner_id": 1},
        {"case_name": "ok", "case_description": "desc", "case_soc_id": "", "case_customer": 1,
         "case_template_id": 1},
    ]
    for body in bodies:
        response = await http.post("/manage/cases/add", json=body)
        assert response.status_code == 400
        assert response.json() == {"status": "error", "data": [],
                                   "message": "Error creating case - check server logs"}
    created = await data(await http.post("/manage/cases/add", json={
        "case_name": "L" * 300, "case_description": "long", "case_soc_id": "", "case_customer": "1"}))
    assert created["case_id"] == 2
    assert created["case_name"] == "#2 - " + "L" * 200
    assert created["severity_id"] == 4 and created["state_id"] == 3


async def test_update_keeps_one_prefix_and_closed_state_closes(app, http):
    case_id = new_case(app, "Rename me")
    renamed = await data(await http.post(f"/manage/cases/update/{case_id}",
                                         json={"case_name": f"#{case_id} - Renamed"}))
    assert renamed["case_name"] == f"#{case_id} - Renamed"
    closed = await data(await http.post(f"/manage/cases/update/{case_id}", json={"state_id": 9}))
    assert closed["close_date"] is not None
    reopened = await data(await http.post(f"/manage/cases/update/{case_id}", json={"state_id": 4}))
    assert reopened["close_date"] is None
    tagged = await data(await http.post(f"/manage/cases/update/{case_id}",
                                        json={"case_tags": "a, b,,c"}))
    assert tagged["case_tags"] == "a,b,c"
    assert app.store.tags["b"]["cases"] == [case_id]
    cleared = await data(await http.post(f"/manage/cases/update/{case_id}", json={"case_tags": ""}))
    assert cleared["case_tags"] == "" and app.store.tags["b"]["cases"] == []


async def test_update_errors(app, http):
    case_id = new_case(app, "Target")
    bad_customer = await http.post(f"/manage/cases/update/{case_id}", json={"case_customer": 42})
    assert bad_customer.json()["message"] == "Invalid customer ID. Permission denied."
    short = await http.post(f"/manage/cases/update/{case_id}", json={"case_name": "x"})
    assert short.json()["data"] == {"case_name": ["Shorter than minimum length 2."]}
    tags_list = await http.post(f"/manage/cases/update/{case_id}", json={"case_tags": ["a"]})
    assert tags_list.status_code == 500 and "html" in tags_list.headers["content-type"]


async def test_summary_crc_is_zlib_crc32(app, http):
    text = "## Summary\n\nÜnïcödé 🔥"
    response = await http.post("/case/summary/update", params={"cid": 1},
                               json={"case_description": text})
    assert await data(response) == zlib.crc32(text.encode())
    fetched = await data(await http.get("/case/summary/fetch", params={"cid": 1}))
    assert fetched == {"case_description": text, "crc32": zlib.crc32(text.encode())}


async def test_review_flow_feeds_the_reviews_list(app, http):
    case_id = new_case(app, "Review me")
    await http.post("/case/review/update", params={"cid": case_id},
                    json={"action": "request", "reviewer_id": 1})
    pending = await data(await http.get("/user/reviews/list"))
    assert pending == [{"case_id": case_id, "name": f"#{case_id} - Review me",
                        "status_name": "Pending review", "status_id": 3}]
    await http.post("/case/review/update", params={"cid": case_id}, json={"action": "done"})
    assert await data(await http.get("/user/reviews/list")) == []


# -- deletion ----------------------------------------------------------------------------------

async def test_deleting_a_case_removes_its_objects_but_keeps_shared_iocs(app, http):
    case_id = new_case(app, "Doomed")
    params = {"cid": case_id}
    asset = await data(await http.post("/case/assets/add", params=params, json={
        "asset_name": "WS-01", "asset_type_id": 9, "analysis_status_id": 1, "custom_attributes": {}}))
    own = await data(await http.post("/case/ioc/add", params=params, json={
        "ioc_value": "only.here.example", "ioc_type_id": 20, "ioc_tlp_id": 2}))
    shared = await data(await http.post("/case/ioc/add", params=params, json={
        "ioc_value": "198.51.100.9", "ioc_type_id": 77, "ioc_tlp_id": 2}))
    await http.post("/case/ioc/add", params={"cid": 1}, json={
        "ioc_value": "198.51.100.9", "ioc_type_id": 77, "ioc_tlp_id": 2})
    await http.post("/case/tasks/add", params=params, json={
        "task_title": "Triage", "task_status_id": 1, "task_assignees_id": [1]})
    await http.post("/case/tasklog/add", params=params, json={"log_content": "note to self"})
    await http.post(f"/case/assets/{asset['asset_id']}/comments/add", params=params,
                    json={"comment_text": "seen"})

    response = await http.post(f"/manage/cases/delete/{case_id}", json={})
    assert (await data(response)) == []

    store = app.store
    assert case_id not in store.cases
    assert asset["asset_id"] not in store.assets
    assert not [t for t in store.tasks.values() if t.get("task_case_id") == case_id]
    assert not [c for c in store.comments.values() if c.get("comment_case_id") == case_id]
    assert not [a for a in store.activities if a.get("case_id") == case_id]
    assert not [k for k in store.states if k[0] == case_id]
    assert own["ioc_id"] not in store.iocs
    assert shared["ioc_id"] in store.iocs and shared["ioc_id"] in store.ioc_links[1]
    gone = await http.get("/case/meta", params={"cid": case_id})
    assert gone.status_code == 403
    again = await http.post(f"/manage/cases/delete/{case_id}", json={})
    assert again.status_code == 400


async def test_primary_case_cannot_be_deleted(app, http):
    response = await http.post("/manage/cases/delete/1", json={})
    assert response.status_code == 400
    assert response.json()["message"] == "Cannot delete a primary case to keep consistency"
    assert 1 in app.store.cases


# -- access ------------------------------------------------------------------------------------

async def test_unknown_case_is_403_on_case_endpoints_and_400_for_the_administrator(app, http):
    for path in ("/case/meta", "/case/summary/fetch", "/case/exists", "/case/users/list"):
        response = await http.get(path, params={"cid": 4242})
        assert response.status_code == 403, path
        assert response.json()["data"]["case_id"] == 4242
    response = await http.get("/manage/cases/4242")
    assert response.status_code == 400
    assert response.json()["message"] == "Case ID 4242 not found"


async def test_second_user_sees_only_granted_cases(app, http):
    hidden = new_case(app, "Hidden")
    shared = new_case(app, "Shared")
    user_id, headers = add_user(app)
    granted = await http.post("/case/access/set-user", params={"cid": shared},
                              json={"user_id": user_id, "case_id": shared, "access_level": 2})
    assert granted.status_code == 200
    rows = await data(await http.get("/manage/cases/list", headers=headers))
    assert [(r["case_id"], r["access_level"]) for r in rows] == [(shared, 2)]
    picker = await data(await http.get("/context/search-cases", headers=headers))
    assert picker[0]["access"] == "[Read-only]"
    denied = await http.get(f"/manage/cases/{hidden}", headers=headers)
    assert denied.status_code == 403
    unknown = await http.get("/manage/cases/4242", headers=headers)
    assert unknown.status_code == 403
    write = await http.post(f"/manage/cases/update/{shared}", headers=headers,
                            json={"case_soc_id": "x"})
    assert write.status_code == 403
    users = await data(await http.get("/case/users/list", params={"cid": shared}))
    assert {u["user_login"]: u["user_access_level"] for u in users} == {"administrator": 4, "jane": 2}
    no_perm = await http.get("/manage/customers/list", headers=headers)
    assert no_perm.status_code == 403 and no_perm.json()["data"] == []


async def test_setting_own_access_is_refused(app, http):
    response = await http.post("/case/access/set-user", params={"cid": 1},
                               json={"user_id": 1, "case_id": 1, "access_level": 1})
    assert response.json()["message"] == "I can't let you do that, Dave"


# -- lookups, tags, activities, search, alerts --------------------------------------------------

async def test_lookup_quirks(app, http):
    unknown = await http.get("/manage/alert-status/99")
    assert unknown.status_code == 200 and unknown.json()["data"] == {}
    raw = await data(await http.get("/manage/ioc-types/113"))
    assert raw["registry"] is None
    nothing = await http.post("/manage/analysis-status/search", json={"analysis_status": "zzz"})
    assert nothing.status_code == 400 and nothing.json()["message"] == "No analysis status found"
    broken = await http.post("/manage/evidence-types/search", json={"evidence_type_name": "x"})
    assert broken.status_code == 500 and "html" in broken.headers["content-type"]


async def test_tag_suggestions_are_not_enveloped_and_tags_page(app, http):
    app.store.register_tags(",".join(f"tag{n:02d}" for n in range(20)))
    suggest = (await http.get("/manage/tags/suggest", params={"term": "TAG"})).json()
    assert set(suggest) == {"suggestions"} and len(suggest["suggestions"]) == 15
    page = await data(await http.get("/manage/tags/filter", params={"page": 4, "per_page": 6}))
    assert (page["total"], page["last_page"], page["next_page"]) == (20, 4, None)
    assert [t["tag_title"] for t in page["tags"]] == ["tag18", "tag19"]


async def test_activities_hide_non_ui_entries_from_the_user_list(app, http):
    app.store.log_activity(1, 1, "File x downloaded", display_in_ui=False)
    app.store.log_activity(1, None, "Added customer acme")
    shown = await data(await http.get("/activities/list"))
    assert [a["activity_desc"] for a in shown] == ["Added customer acme"]
    everything = await data(await http.get("/activities/list-all"))
    assert everything[0] == {"case_name": None, "user_name": 1, "activity_date": everything[0]["activity_date"],
                             "activity_desc": "Added customer acme", "user_input": False,
                             "is_from_api": True}
    assert everything[1]["activity_desc"] == "File x downloaded"
    case_log = await data(await http.get("/case/activities/list", params={"cid": 1}))
    assert case_log == []


async def test_global_ioc_search_uses_sql_like_on_the_value(app, http):
    await http.post("/case/ioc/add", params={"cid": 1}, json={
        "ioc_value": "evil.example.com", "ioc_type_id": 20, "ioc_tlp_id": 2})
    await http.post("/case/ioc/add", params={"cid": 1}, json={
        "ioc_value": "no-tlp.example.com", "ioc_type_id": 20})
    exact = await data(await http.post("/search", json={"search_type": "ioc", "search_value": "evil"}))
    assert exact == []
    wild = await data(await http.post("/search", json={"search_type": "ioc", "search_value": "%.example.%"}))
    assert [r["ioc_name"] for r in wild] == ["evil.example.com"]  # IOCs without TLP are skipped


async def test_closing_a_case_closes_its_alerts(app, http):
    alert = await data(await http.post("/alerts/add", json={
        "alert_title": "Beacon", "alert_severity_id": 5, "alert_status_id": 2, "alert_customer_id": 1}))
    case_id = new_case(app, "From alert", )
    app.store.alerts[alert["alert_id"]]["cases"].append(case_id)
    await http.post(f"/manage/cases/update/{case_id}", json={"status_id": 1})
    await http.post(f"/manage/cases/close/{case_id}", json={})
    closed = await data(await http.get(f"/alerts/{alert['alert_id']}"))
    assert (closed["alert_status_id"], closed["alert_resolution_status_id"]) == (6, 1)
    await http.post(f"/manage/cases/reopen/{case_id}", json={})
    assert (await data(await http.get(f"/alerts/{alert['alert_id']}")))["alert_status_id"] == 7
    delete_case(app.store, case_id)
    assert app.store.alerts[alert["alert_id"]]["cases"] == []


async def test_report_without_template_is_404_and_with_one_an_attachment(app, http):
    missing = await http.get("/case/report/generate-investigation/1", params={"cid": 1})
    assert missing.status_code == 404 and missing.json()["message"] == "Unknown report"
    app.store.lookups["report_template"] = [{"id": 1, "name": "md", "type_name": "Investigation",
                                            "naming_format": "report_{case_id}"}]
    report = await http.get("/case/report/generate-investigation/1", params={"cid": 4242})
    assert report.status_code == 200
    assert report.headers["content-disposition"] == 'attachment; filename="report_1.md"'
    assert report.text.startswith("# #1 - Initial Demo")


# -- global tasks ------------------------------------------------------------------------------

async def test_global_tasks_of_a_removed_assignee_are_not_listed(app, http):
    user_id, _ = add_user(app)
    create_global_task(app.store, 1, {"task_title": "Mine", "task_assignee_id": 1, "task_status_id": 1})
    create_global_task(app.store, 1, {"task_title": "Jane's", "task_assignee_id": user_id,
                                      "task_status_id": 2})
    listed = await data(await http.get("/global/tasks/list"))
    assert [t["task_title"] for t in listed["tasks"]] == ["Mine", "Jane's"]
    del app.store.users[user_id]
    listed = await data(await http.get("/global/tasks/list"))
    assert [t["task_title"] for t in listed["tasks"]] == ["Mine"]


async def test_my_tasks_lists_open_assigned_case_tasks_across_cases(app, http):
    other = new_case(app, "Other")
    for cid, title, status in ((1, "Open here", 1), (other, "Open there", 2), (other, "Done", 4)):
        await http.post("/case/tasks/add", params={"cid": cid}, json={
            "task_title": title, "task_status_id": status, "task_assignees_id": [1]})
    mine = await data(await http.get("/user/tasks/list"))
    assert sorted(t["task_title"] for t in mine["tasks"]) == ["Open here", "Open there"]
    task = next(t for t in mine["tasks"] if t["task_title"] == "Open there")
    assert task["case_id"] == other and task["task_case"] == f"#{other} - Other"
    done = await http.post("/user/tasks/status/update", params={"cid": 1},
                           json={"task_id": task["task_id"], "case_id": other, "task_status_id": 4})
    assert (await data(done))["task_status_id"] == 4
    mine = await data(await http.get("/user/tasks/list"))
    assert [t["task_title"] for t in mine["tasks"]] == ["Open here"]


async def test_case_charts_count_cases_per_opening_day(app, http):
    new_case(app, "Today too")
    labels, counts = await data(await http.get("/dashboard/case_charts"))
    day = app.store.cases[1]["open_date"]
    assert labels == [f"{int(day[8:10])}/{int(day[5:7])}/{day[:4]}"] and counts == [2]
