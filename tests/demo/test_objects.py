"""Case objects of the fake (assets, IOCs, tasks, timeline, evidences, comments): behaviour the
recorded transcripts do not pin down — counters, cross-case sharing, second users, big lists,
hostile text, filters — checked against what iris-api.md says of the real 2.4.20 server."""

from __future__ import annotations

import json
import time
import urllib.parse

import httpx
import pytest

from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.demo.routes.cases import create_case
from iris_tui.demo.routes.evidences import create_evidence
from iris_tui.demo.routes.iocs import add_ioc_to_case
from iris_tui.demo.routes.tasks import create_task
from iris_tui.demo.store import new_uuid

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}
HOSTILE = [
    "[bold]x[/bold] [link=https://evil.example]y[/link]",
    "\x1b[31mRED\x1b[0m \x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
    "<script>alert('x')</script> & \"q\" {{7*7}} ${jndi:ldap://x} %s %n",
    "\u202eevil\u202c \u200bzero-width \u05e9\u05dc\u05d5\u05dd \U0001f525 tab\there\nnewline\rcr\x07",
]


@pytest.fixture
def app():
    return create_app(seed="fresh")


@pytest.fixture
async def http(app):
    async with httpx.AsyncClient(transport=DemoTransport(app), base_url="http://iris.demo",
                                 headers=AUTH, params={"cid": 1}) as client:
        yield client


async def post(http, path, body=None, **kwargs):
    return await http.post(path, json={} if body is None else body, **kwargs)


async def state(http, family, cid=1):
    return (await http.get(f"/case/{family}/state", params={"cid": cid})).json()["data"]["object_state"]


def second_case(app, name="Second incident", customer=1):
    return create_case(app.store, 1, case_name=name, case_description="for tests",
                       case_customer=customer)["case_id"]


def second_user(app, login="jane", case_id=1, level=4):
    store = app.store
    user_id = store.next_id("user")
    store.users[user_id] = {
        "user_id": user_id, "user_uuid": new_uuid(), "user_name": login.title(), "user_login": login,
        "user_email": f"{login}@example.org", "user_active": True, "is_admin": False,
        "user_is_service_account": False, "api_key": f"{login}-key",
    }
    store.access[(user_id, case_id)] = level
    return user_id


async def add_asset(http, name="WS-01", **extra):
    body = {"asset_name": name, "asset_type_id": 9, "analysis_status_id": 1, "custom_attributes": {}, **extra}
    return (await post(http, "/case/assets/add", body)).json()["data"]


async def add_event(http, title="Event", date="2025-03-03T10:00:00.000", tz="+00:00", **extra):
    body = {"event_title": title, "event_date": date, "event_tz": tz, "event_category_id": 1,
            "event_assets": [], "event_iocs": [], **extra}
    r = await post(http, "/case/timeline/events/add", body)
    assert r.status_code == 200, r.text
    return r.json()["data"]


# -- state counters ------------------------------------------------------------------------------

async def test_counters_move_on_writes_but_not_on_the_documented_gaps(http):
    asset = await add_asset(http)
    assert await state(http, "assets") == 1
    await post(http, f"/case/assets/update/{asset['asset_id']}", {"asset_name": "WS-01", "asset_type_id": 9})
    assert await state(http, "assets") == 2
    await post(http, f"/case/assets/{asset['asset_id']}/comments/add", {"comment_text": "x"})
    await post(http, f"/case/assets/delete/{asset['asset_id']}")
    assert await state(http, "assets") == 2  # comments and asset deletion do not move it

    await post(http, "/case/tasks/add", {"task_title": "Triage", "task_status_id": 1, "task_assignees_id": []})
    assert await state(http, "tasks") == 2  # every creation moves it by 2

    event = await add_event(http)
    assert await state(http, "timeline") == 1
    await http.get(f"/case/timeline/events/flag/{event['event_id']}")
    assert await state(http, "timeline") == 1  # flagging does not move it
    await http.get(f"/case/timeline/events/duplicate/{event['event_id']}")
    assert await state(http, "timeline") == 2


async def test_ioc_counter_moves_for_new_rows_only(app, http):
    other = second_case(app)
    body = {"ioc_value": "evil.example", "ioc_type_id": 20, "ioc_tlp_id": 2}
    first = await post(http, "/case/ioc/add", body, params={"cid": other})
    assert first.json()["message"] == "IOC added" and await state(http, "ioc", other) == 1
    linked = await post(http, "/case/ioc/add", {**body, "ioc_description": "ignored"})
    assert linked.json()["message"] == "IOC already existed in DB. Updated with info on DB."
    assert linked.json()["data"]["ioc_description"] is None  # the existing row, unchanged
    assert await state(http, "ioc") == 0
    ioc_id = first.json()["data"]["ioc_id"]
    assert (await post(http, f"/case/ioc/delete/{ioc_id}")).json()["message"] == f"IOC {ioc_id} unlinked"
    assert await state(http, "ioc") == 0
    assert (await http.get(f"/case/ioc/{ioc_id}", params={"cid": other})).status_code == 200


async def test_create_functions_for_seeds_and_other_modules(app):
    store = app.store
    record, message = add_ioc_to_case(store, 1, 1, {"ioc_value": "1.2.3.4", "ioc_type_id": 76})
    again, second = add_ioc_to_case(store, 1, 1, {"ioc_value": "1.2.3.4", "ioc_type_id": 76})
    assert (message, second, again is record) == ("IOC added", "IOC already exists and linked to this case", True)
    create_evidence(store, 1, 1, {"filename": "mem.raw", "custom_attributes": {"x": 1}})
    assert store.state(1, "ioc")["object_state"] == 0  # datastore uploads do not move these
    assert store.state(1, "evidences")["object_state"] == 0
    task = create_task(store, 1, 1, {"task_title": "t", "task_status_id": 1, "task_assignees_id": [1, 999]})
    assert task["task_assignees"] == [1] and store.state(1, "tasks")["object_state"] == 2


# -- big lists -----------------------------------------------------------------------------------

async def test_ten_thousand_iocs_are_listed_quickly(app, http):
    store = app.store
    started = time.perf_counter()
    for n in range(10_000):
        add_ioc_to_case(store, 1, 1, {"ioc_value": f"10.{n // 65536}.{n // 256 % 256}.{n % 256}",
                                      "ioc_type_id": 76, "ioc_tlp_id": 2})
    assert time.perf_counter() - started < 5
    started = time.perf_counter()
    r = await http.get("/case/ioc/list")
    elapsed = time.perf_counter() - started
    assert r.status_code == 200 and len(r.json()["data"]["ioc"]) == 10_000
    assert elapsed < 5, f"listing 10,000 IOCs took {elapsed:.1f}s"


# -- hostile text --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_strings_round_trip_verbatim(http, text):
    asset = await add_asset(http, name=text, asset_description=text, asset_tags=f"{text},b")
    got = (await http.get(f"/case/assets/{asset['asset_id']}")).json()["data"]
    assert (got["asset_name"], got["asset_description"], got["asset_tags"]) == (text, text, f"{text},b")
    ioc = (await post(http, "/case/ioc/add", {"ioc_value": text, "ioc_type_id": 135,
                                              "ioc_description": text})).json()["data"]
    assert (await http.get(f"/case/ioc/{ioc['ioc_id']}")).json()["data"]["ioc_value"] == text
    event = await add_event(http, title=text, event_content=text, event_raw=text)
    got = (await http.get(f"/case/timeline/events/{event['event_id']}")).json()["data"]
    assert (got["event_title"], got["event_content"], got["event_raw"]) == (text, text, text)
    comment = (await post(http, f"/case/assets/{asset['asset_id']}/comments/add",
                          {"comment_text": text})).json()["data"]
    listed = (await http.get(f"/case/assets/{asset['asset_id']}/comments/list")).json()["data"]
    assert [c["comment_text"] for c in listed] == [text] and comment["comment_text"] == text


async def test_nul_characters_are_refused_with_an_html_500_and_no_id_used(http):
    before = await add_asset(http, name="a")
    r = await post(http, "/case/assets/add", {"asset_name": "nul\x00byte", "asset_type_id": 9})
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    after = await add_asset(http, name="b")
    assert after["asset_id"] == before["asset_id"] + 1


# -- assets --------------------------------------------------------------------------------------

async def test_asset_without_analysis_status_is_only_in_filter_and_get(http):
    r = await post(http, "/case/assets/add", {"asset_name": "hidden", "asset_type_id": 9})
    hidden = r.json()["data"]
    assert hidden["analysis_status"] is None and hidden["custom_attributes"] is None
    listed = (await http.get("/case/assets/list")).json()["data"]["assets"]
    filtered = (await http.get("/case/assets/filter")).json()["data"]["assets"]
    assert hidden["asset_id"] not in [a["asset_id"] for a in listed]
    assert hidden["asset_id"] in [a["asset_id"] for a in filtered]


async def test_asset_update_is_not_partial_and_replaces_ioc_links(http):
    asset = await add_asset(http, asset_ip="10.0.0.1")
    ioc = (await post(http, "/case/ioc/add", {"ioc_value": "x.example", "ioc_type_id": 20})).json()["data"]
    r = await post(http, f"/case/assets/update/{asset['asset_id']}", {"asset_description": "only"})
    assert r.json()["data"] == {"asset_type_id": ["Invalid data - non null expected"]}
    r = await post(http, f"/case/assets/update/{asset['asset_id']}",
                   {"asset_name": "WS-01", "asset_type_id": 9, "ioc_links": [ioc["ioc_id"]]})
    assert r.json()["data"]["ioc_links"] == [ioc["ioc_id"]] and r.json()["data"]["asset_ip"] == "10.0.0.1"
    got = (await http.get(f"/case/assets/{asset['asset_id']}")).json()["data"]
    assert [i["ioc_id"] for i in got["linked_ioc"]] == [ioc["ioc_id"]]
    await post(http, f"/case/assets/update/{asset['asset_id']}",
               {"asset_name": "WS-01", "asset_type_id": 9, "ioc_links": []})
    listed = (await http.get("/case/assets/list")).json()["data"]["assets"]
    assert listed[0]["ioc_links"] is None  # null, not [], once empty


async def test_duplicate_asset_is_case_insensitive_per_type(http):
    await add_asset(http, name="NW-DC01")
    r = await post(http, "/case/assets/add", {"asset_name": "nw-dc01", "asset_type_id": 9})
    assert (r.status_code, r.json()["data"]) == (400, ["Asset name already exists in this case"])
    r = await post(http, "/case/assets/add", {"asset_name": "nw-dc01", "asset_type_id": 11})
    assert r.status_code == 200


async def test_deleted_asset_is_detached_and_leaves_events(http):
    asset = await add_asset(http)
    event = await add_event(http, event_assets=[asset["asset_id"]])
    await post(http, f"/case/assets/{asset['asset_id']}/comments/add", {"comment_text": "kept"})
    assert (await post(http, f"/case/assets/delete/{asset['asset_id']}")).json()["message"] == "Deleted"
    assert (await http.get(f"/case/assets/{asset['asset_id']}")).status_code == 400
    got = (await http.get(f"/case/timeline/events/{event['event_id']}")).json()["data"]
    assert got["event_assets"] == []


async def test_similar_assets_of_the_same_customer_are_linked(app, http):
    other = second_case(app)
    await add_asset(http, name="NW-DC01")
    await post(http, "/case/assets/add", {"asset_name": "NW-DC01", "asset_type_id": 9, "analysis_status_id": 2},
               params={"cid": other})
    row = (await http.get("/case/assets/list")).json()["data"]["assets"][0]
    assert [link["case_id"] for link in row["link"]] == [other]


async def test_asset_csv_import_reports_bad_rows_in_the_message(http):
    csv = "NW-A,Windows - Server,desc,10.0.0.1,corp,a|b\nNW-B,Nope,x,,,\n"
    r = await post(http, "/case/assets/upload", {"CSVData": csv})
    assert r.status_code == 200
    assert r.json()["message"].endswith("- NW-B (invalid asset type: Nope) for row 1")
    assert r.json()["data"][0]["asset_tags"] == "a,b"


# -- IOCs ----------------------------------------------------------------------------------------

async def test_ioc_update_is_shared_by_every_case(app, http):
    other = second_case(app)
    ioc = (await post(http, "/case/ioc/add", {"ioc_value": "c2.example", "ioc_type_id": 20})).json()["data"]
    await post(http, "/case/ioc/add", {"ioc_value": "c2.example", "ioc_type_id": 20}, params={"cid": other})
    await post(http, f"/case/ioc/update/{ioc['ioc_id']}", {"ioc_description": "seen twice"},
               params={"cid": other})
    assert (await http.get(f"/case/ioc/{ioc['ioc_id']}")).json()["data"]["ioc_description"] == "seen twice"
    row = (await http.get("/case/ioc/list")).json()["data"]["ioc"][0]
    assert [link["case_id"] for link in row["link"]] == [other]


async def test_ioc_type_regex_is_enforced_only_when_configured(app, http):
    md5 = app.store.lookup("ioc_type", "type_id", 90)
    md5.update(type_validation_regex="[a-f0-9]{32}", type_validation_expect="32 hexadecimal characters")
    r = await post(http, "/case/ioc/add", {"ioc_value": "not-a-md5", "ioc_type_id": 90})
    assert r.json()["data"] == {"ioc_ioc_value": [
        "The input doesn't match the expected format (expected: 32 hexadecimal characters)"]}
    ok = await post(http, "/case/ioc/add", {"ioc_value": "4DCE74B72895E6CC0C9BD94EE5984154", "ioc_type_id": 90})
    assert ok.status_code == 200  # case-insensitive full match
    other = (await post(http, "/case/ioc/add", {"ioc_value": "LB3.exe", "ioc_type_id": 37})).json()["data"]
    r = await post(http, f"/case/ioc/update/{other['ioc_id']}", {"ioc_type_id": 90})
    assert r.status_code == 500  # type changed to a regex type without a value


async def test_ioc_tlp_is_not_validated(http):
    r = await post(http, "/case/ioc/add", {"ioc_value": "a.example", "ioc_type_id": 20, "ioc_tlp_id": 99})
    assert r.status_code == 500
    r = await post(http, "/case/ioc/add", {"ioc_value": "a.example", "ioc_type_id": 20, "ioc_tlp_id": 2 ** 33})
    assert r.json()["data"] == {"ioc_tlp_id": ["Invalid data - max value exceeded"]}
    ok = (await post(http, "/case/ioc/add", {"ioc_value": "a.example", "ioc_type_id": 20})).json()["data"]
    assert ok["ioc_id"] == 2  # the failed INSERT used up id 1, as PostgreSQL's sequence does


async def test_ioc_tags_limit_and_csv_tlp_names(http):
    r = await post(http, "/case/ioc/add", {"ioc_value": "t.example", "ioc_type_id": 20, "ioc_tags": "t" * 513})
    assert r.json()["data"] == {"ioc_tags": ["Longer than maximum length 512."]}
    r = await post(http, "/case/ioc/upload", {"CSVData": "1.1.1.1,ip-dst,d,a|b,amber\n2.2.2.2,ip-dst,d,,purple\n"})
    assert (r.status_code, r.json()["data"]) == (400, {"ioc_tlp_id": ["Invalid data type"]})
    listed = (await http.get("/case/ioc/list")).json()["data"]["ioc"]
    assert [(i["ioc_value"], i["ioc_tags"], i["tlp_name"]) for i in listed] == [("1.1.1.1", "a,b", "amber")]


# -- tasks ---------------------------------------------------------------------------------------

async def test_task_assignees_need_case_access_and_update_shows_the_old_ones(app, http):
    jane = second_user(app)
    outsider = second_user(app, "bob", case_id=second_case(app))
    task = (await post(http, "/case/tasks/add", {"task_title": "Contain", "task_status_id": 1,
                                                 "task_assignees_id": [jane, outsider, 999]})).json()["data"]
    got = (await http.get(f"/case/tasks/{task['id']}")).json()["data"]
    assert [a["user"] for a in got["task_assignees"]] == ["jane"]
    r = await post(http, f"/case/tasks/update/{task['id']}",
                   {"task_title": "Contain", "task_status_id": 2, "task_assignees_id": [1]})
    assert [a["id"] for a in r.json()["data"]["task_assignees"]] == [jane]
    got = (await http.get(f"/case/tasks/{task['id']}")).json()["data"]
    assert [a["id"] for a in got["task_assignees"]] == [1]


async def test_task_list_is_sorted_by_status_name_descending(http):
    for title, status in (("t-a", 2), ("t-b", 1), ("t-c", 3), ("t-d", 1)):
        await post(http, "/case/tasks/add", {"task_title": title, "task_status_id": status,
                                             "task_assignees_id": []})
    rows = (await http.get("/case/tasks/list")).json()["data"]["tasks"]
    assert [r["task_title"] for r in rows] == ["t-b", "t-d", "t-c", "t-a"]  # To do, On hold, In progress


async def test_task_status_update_needs_json(http):
    task = (await post(http, "/case/tasks/add", {"task_title": "x1", "task_status_id": 1,
                                                 "task_assignees_id": []})).json()["data"]
    r = await http.post(f"/case/tasks/status/update/{task['id']}", content=b"")
    assert (r.status_code, r.json()["message"]) == (400, "Invalid request")


# -- timeline ------------------------------------------------------------------------------------

async def test_event_dates_are_stored_in_utc_and_listed_in_utc_order(http):
    late = await add_event(http, "late", "2025-03-03T09:00:00.5", "-05:00")  # 14:00 UTC
    early = await add_event(http, "early", "2025-03-03T12:00:00.000", "+01:00")  # 11:00 UTC
    assert (late["event_date"], late["event_date_wtz"]) == ("2025-03-03T14:00:00.500000", "2025-03-03T09:00:00.500000")
    rows = (await http.get("/case/timeline/events/list")).json()["data"]["timeline"]
    assert [r["event_id"] for r in rows] == [early["event_id"], late["event_id"]]


@pytest.mark.parametrize("date", ["2025-03-03T10:00:00", "2025-03-03 10:00:00.000", "2025-02-30T10:00:00.0"])
async def test_event_date_needs_a_fraction_and_a_real_day(http, date):
    r = await post(http, "/case/timeline/events/add", {"event_title": "x1", "event_date": date, "event_tz": "+00:00",
                                                       "event_category_id": 1, "event_assets": [], "event_iocs": []})
    assert r.json()["data"] == {"event_date": ["Not a valid datetime."]}


async def test_event_sync_links_every_ioc_to_every_asset(http):
    asset = await add_asset(http)
    ioc = (await post(http, "/case/ioc/add", {"ioc_value": "s.example", "ioc_type_id": 20})).json()["data"]
    await add_event(http, event_assets=[asset["asset_id"]], event_iocs=[ioc["ioc_id"]],
                    event_sync_iocs_assets=True)
    got = (await http.get(f"/case/assets/{asset['asset_id']}")).json()["data"]
    assert [i["ioc_id"] for i in got["linked_ioc"]] == [ioc["ioc_id"]]


async def test_advanced_filter_combines_keys_and_decodes_twice(http):
    dc = await add_asset(http, name="NW-DC01")
    fs = await add_asset(http, name="NW-FS02")
    ioc = (await post(http, "/case/ioc/add", {"ioc_value": "1.2.3.4", "ioc_type_id": 76})).json()["data"]
    both = await add_event(http, "RDP 100% both", "2025-03-03T01:00:00.0",
                           event_assets=[dc["asset_id"], fs["asset_id"]], event_iocs=[ioc["ioc_id"]])
    await add_event(http, "rdp dc only", "2025-03-03T02:00:00.0", event_assets=[dc["asset_id"]])
    await add_event(http, "rdp out of range", "2025-03-05T02:00:00.0", event_assets=[dc["asset_id"], fs["asset_id"]])

    async def ids(query):
        q = urllib.parse.quote(json.dumps(query))
        r = await http.get("/case/timeline/advanced-filter", params={"cid": 1, "q": q})
        assert r.json()["message"] == "ok"
        return [row["event_id"] for row in r.json()["data"]["timeline"]]

    window = {"startDate": ["2025-03-03"], "endDate": ["2025-03-04"]}
    assert await ids({"asset": ["nw-dc01", "NW-FS02"], **window}) == [both["event_id"]]
    assert await ids({"title": ["100%"], "ioc": ["1.2.3.4"]}) == [both["event_id"]]
    assert len(await ids({"asset_id": [dc["asset_id"]]})) == 3
    await http.get(f"/case/timeline/events/flag/{both['event_id']}")
    assert await ids({"flag": ["true"]}) == [both["event_id"]]
    r = await http.get("/case/timeline/advanced-filter", params={"q": '{"event_id": ["x"]}'})
    assert r.json()["message"] == "Invalid event id"


async def test_duplicate_keeps_uuid_and_delete_takes_comments(app, http):
    event = await add_event(http, "beacon")
    copy = (await http.get(f"/case/timeline/events/duplicate/{event['event_id']}")).json()["data"]
    assert copy["event_uuid"] == event["event_uuid"] and copy["event_title"] == "[DUPLICATED] - beacon"
    await post(http, f"/case/timeline/events/{copy['event_id']}/comments/add", {"comment_text": "x"})
    got = (await http.get(f"/case/timeline/events/{copy['event_id']}")).json()["data"]
    assert len(got["event_comments_map"]) == 1
    await post(http, f"/case/timeline/events/delete/{copy['event_id']}")
    assert app.store.comments == {}


async def test_convert_date_accepts_epochs_and_layouts(http):
    for value, expected in (("1740973510", ("2025-03-03", "03:45:10.000")),
                            ("1740973510123", ("2025-03-03", "03:45:10.123")),
                            ("2025-03-03 03:45:10", ("2025-03-03", "03:45:10.000"))):
        data = (await post(http, "/case/timeline/events/convert-date", {"date_value": value})).json()["data"]
        assert (data["date"], data["time"], data["tz"]) == (*expected, "+00:00")
    r = await post(http, "/case/timeline/events/convert-date", {"date_value": ""})
    assert (r.status_code, r.json()["message"]) == (400, "Invalid request")


async def test_event_csv_import_is_all_or_nothing(http):
    await add_asset(http, name="NW-DC01")
    header = "event_date,event_tz,event_title,event_category,event_content,event_raw,event_source,event_assets,event_iocs,event_tags\n"
    good = "2025-03-03T02:30:00.000,+00:00,Backups deleted,Impact,,,,NW-DC01,,impact|backup\n"
    bad = "2025-03-03T02:40:00.000,+00:00,Unknown host,Impact,,,,NW-XX,,\n"
    r = await post(http, "/case/timeline/events/csv_upload", {"CSVData": header + good + bad})
    assert r.json()["data"] == {"Error": "Asset not recognized : NW-XX.\nrow number: 2"}
    assert (await http.get("/case/timeline/events/list")).json()["data"]["timeline"] == []
    r = await post(http, "/case/timeline/events/csv_upload", {"CSVData": "title\nx\n"})
    assert r.json()["data"]["error_code"] == "BAD_FIELDS_MAPPING"


# -- evidences -----------------------------------------------------------------------------------

async def test_evidence_update_is_not_partial_and_list_is_newest_first(http):
    first = (await post(http, "/case/evidences/add", {"filename": "a.raw", "type_id": 42,
                                                      "custom_attributes": {"x": {"y": 1}}})).json()["data"]
    second = (await post(http, "/case/evidences/add", {"filename": "b.raw"})).json()["data"]
    assert first["custom_attributes"] == {} and second["type"] is None
    rows = (await http.get("/case/evidences/list")).json()["data"]["evidences"]
    assert [e["id"] for e in rows] == [second["id"], first["id"]]
    r = await post(http, f"/case/evidences/update/{first['id']}", {"file_description": "x"})
    assert r.json()["data"] == {"filename": ["Missing data for required field."]}


# -- comments ------------------------------------------------------------------------------------

async def test_only_the_author_deletes_but_anyone_with_full_access_edits(app, http):
    second_user(app)  # jane, with full access to the case
    asset = await add_asset(http)
    comment = (await post(http, f"/case/assets/{asset['asset_id']}/comments/add",
                          {"comment_text": "mine"})).json()["data"]
    path = f"/case/assets/{asset['asset_id']}/comments/{comment['comment_id']}"
    jane_auth = {"Authorization": "Bearer jane-key"}
    r = await post(http, f"{path}/edit", {"comment_text": "edited by jane"}, headers=jane_auth)
    assert r.json()["data"]["comment_text"] == "edited by jane"
    assert r.json()["data"]["user"]["user_login"] == "administrator"  # the author stays
    r = await post(http, f"{path}/delete", headers=jane_auth)
    assert (r.status_code, r.json()["message"]) == (400, "You are not allowed to delete this comment")
    flat = (await http.get(path)).json()["data"]
    assert (flat["user"], flat["name"]) == ("administrator", "administrator")


async def test_comment_list_is_get_only_and_messages_differ_per_type(http):
    asset = await add_asset(http)
    task = (await post(http, "/case/tasks/add", {"task_title": "x1", "task_status_id": 1,
                                                 "task_assignees_id": []})).json()["data"]
    ioc = (await post(http, "/case/ioc/add", {"ioc_value": "m.example", "ioc_type_id": 20})).json()["data"]
    messages = []
    for path in (f"/case/assets/{asset['asset_id']}", f"/case/tasks/{task['id']}", f"/case/ioc/{ioc['ioc_id']}"):
        messages.append((await post(http, f"{path}/comments/add", {"comment_text": ""})).json()["message"])
    assert messages == ["Asset commented", "Task commented", "Event commented"]
    r = await post(http, f"/case/assets/{asset['asset_id']}/comments/list")
    assert r.status_code == 405 and not r.headers["content-type"].startswith("application/json")
    r = await post(http, "/case/evidences/999/comments/add", {"comment_text": "x"})
    assert r.json()["message"] == "Invalid evidence ID"


async def test_read_only_access_reads_but_cannot_write(app, http):
    second_user(app, "reader", level=2)
    await add_asset(http)
    reader = {"Authorization": "Bearer reader-key"}
    assert (await http.get("/case/assets/list", headers=reader)).status_code == 200
    r = await post(http, "/case/assets/add", {"asset_name": "x", "asset_type_id": 9}, headers=reader)
    assert (r.status_code, r.json()["message"]) == (403, "Permission denied")
    event = await add_event(http)
    r = await http.get(f"/case/timeline/events/flag/{event['event_id']}", headers=reader)
    assert r.status_code == 403  # a GET that writes needs FULL access
