"""The seeded demo data: a consistent ransomware case, other cases, and the scale knobs."""

from __future__ import annotations

import hashlib
import time

import httpx
import pytest

from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.demo.incident import INCIDENT_SOC_ID, seed_incident
from iris_tui.demo.seed import fresh_install
from iris_tui.demo.store import Store

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


@pytest.fixture(scope="module")
def app():
    return create_app(seed="demo")


@pytest.fixture(scope="module")
def store(app):
    return app.store


@pytest.fixture(scope="module")
def cid(store):
    (case_id,) = [c["case_id"] for c in store.cases.values() if c["soc_id"] == INCIDENT_SOC_ID]
    return case_id


def in_case(rows, column, case_id):
    return [r for r in rows.values() if r[column] == case_id]


def test_incident_case(store, cid):
    case = store.cases[cid]
    assert "LockBit" in case["name"] and case["name"].startswith(f"#{cid} - ")
    customer = store.customers[case["client_id"]]
    assert customer["customer_name"] == "Northwind Logistics AG"
    assert case["close_date"] is None and case["state_id"] == 4  # Containment
    assert set(case["case_tags"].split(",")) >= {"ransomware", "lockbit"}


def test_events_link_existing_assets_and_iocs_of_the_case(store, cid):
    events = in_case(store.events, "case_id", cid)
    assert 38 <= len(events) <= 45
    case_assets = {a["asset_id"] for a in in_case(store.assets, "case_id", cid)}
    case_iocs = set(store.ioc_links[cid])
    for event in events:
        assert set(event["event_assets"]) <= case_assets, event["event_title"]
        assert set(event["event_iocs"]) <= case_iocs, event["event_title"]
    assert sum(bool(e["event_assets"]) for e in events) > 30
    assert sum(bool(e["event_iocs"]) for e in events) > 15
    categories = {store.lookup("event_category", "id", e["event_category_id"])["name"] for e in events}
    assert {"Initial Access", "Credential Access", "Lateral Movement", "Exfiltration", "Impact"} <= categories
    dates = sorted(e["event_date"] for e in events)
    assert dates[0].startswith("2025-03-01") and dates[-1].startswith("2025-03-05")


def test_assets_and_iocs(store, cid):
    assets = in_case(store.assets, "case_id", cid)
    types = {store.lookup("asset_type", "asset_id", a["asset_type_id"])["asset_name"] for a in assets}
    assert {"Windows - DC", "Windows - Server", "Windows - Computer", "Windows Account - AD"} <= types
    assert {a["asset_compromise_status_id"] for a in assets} >= {0, 1, 2, 3}
    assert all(a["analysis_status_id"] for a in assets)  # assets without it vanish from the list
    iocs = [store.iocs[i] for i in store.ioc_links[cid]]
    kinds = {store.lookup("ioc_type", "type_id", i["ioc_type_id"])["type_name"] for i in iocs}
    assert {"sha256", "md5", "domain", "ip-src", "ip-dst", "url", "filename"} <= kinds
    assert {i["ioc_tlp_id"] for i in iocs} >= {1, 2, 3, 4}
    for asset_id, ioc_id in store.asset_ioc_links:
        if store.assets[asset_id]["case_id"] == cid:
            assert ioc_id in store.ioc_links[cid]
    assert sum(store.assets[a]["case_id"] == cid for a, _ in store.asset_ioc_links) > 15


def test_tasks_have_statuses_and_assignees_with_access(store, cid):
    tasks = in_case(store.tasks, "task_case_id", cid)
    assert len({t["task_status_id"] for t in tasks}) == 5
    assignees = {u for t in tasks for u in t["task_assignees"]}
    assert len(assignees) >= 3
    for user_id in assignees:
        assert store.access_level(user_id, cid) == 4
    analysts = [u for u in store.users.values() if not u["is_admin"]]
    assert len(analysts) == 3 and all(u["user_active"] for u in analysts)


def test_every_note_is_in_a_directory_of_its_case(store, cid):
    notes = in_case(store.notes, "note_case_id", cid)
    assert len(notes) >= 8
    for note in notes:
        directory = store.note_dirs[note["directory_id"]]
        assert directory["case_id"] == cid
    for directory in in_case(store.note_dirs, "case_id", cid):
        if directory["parent_id"] is not None:
            assert store.note_dirs[directory["parent_id"]]["case_id"] == cid
    assert any(d["parent_id"] for d in store.note_dirs.values() if d["case_id"] == cid)  # nested
    text = "\n".join(n["note_content"] for n in notes)
    for fence in ("```powershell", "```yaml", "```python"):
        assert fence in text
    assert any(len(store.revisions[n["note_id"]]) > 1 for n in notes)


def test_comments_point_at_existing_objects(store, cid):
    tables = {"asset": store.assets, "ioc": store.iocs, "task": store.tasks, "event": store.events,
              "note": store.notes, "evidence": store.evidences}
    comments = in_case(store.comments, "comment_case_id", cid)
    assert {c["object_type"] for c in comments} >= {"asset", "ioc", "task", "event", "note"}
    for comment in comments:
        assert comment["object_id"] in tables[comment["object_type"]]
        assert comment["comment_user_id"] in store.users


def test_datastore_and_evidences(store, cid):
    files = in_case(store.ds_files, "file_case_id", cid)
    assert len(files) >= 5
    for record in files:
        folder = store.ds_folders[record["file_parent_id"]]
        assert folder["path_case_id"] == cid
        data = store.ds_blobs[record["file_id"]].read()
        assert hashlib.sha256(data).hexdigest().upper() == record["file_sha256"]
    (sample,) = [f for f in files if f["file_is_ioc"]]
    assert any(store.iocs[i]["ioc_value"] == sample["file_sha256"] for i in store.ioc_links[cid])
    assert sum(1 for i in store.iocs.values() if i["ioc_value"] == sample["file_sha256"]) == 1
    evidences = in_case(store.evidences, "case_id", cid)
    assert len(evidences) >= 5 and any(e["type_id"] == 42 for e in evidences)


def test_other_cases_open_and_closed_for_other_customers(store, cid):
    others = [c for c in store.cases.values() if c["case_id"] not in (1, cid)]
    assert len(others) >= 4
    assert any(c["close_date"] for c in others) and any(not c["close_date"] for c in others)
    assert len({c["client_id"] for c in others}) >= 4
    for case in others:
        assert store.state(case["case_id"], "ioc") is not None


async def test_every_seeded_object_is_served(app, store, cid):
    async with httpx.AsyncClient(transport=DemoTransport(app), base_url="http://iris.demo", headers=AUTH) as http:
        for path in ("/case/assets/list", "/case/ioc/list", "/case/timeline/events/list", "/case/tasks/list",
                     "/case/evidences/list", "/case/notes/directories/filter", "/datastore/list/tree",
                     "/case/summary/fetch"):
            r = await http.get(path, params={"cid": cid})
            assert r.status_code == 200, (path, r.text[:200])
        r = await http.get("/manage/cases/list")
        assert r.status_code == 200 and len(r.json()["data"]) == len(store.cases)
        for note in in_case(store.notes, "note_case_id", cid):
            r = await http.get(f"/case/notes/{note['note_id']}", params={"cid": cid})
            assert r.status_code == 200
        for record in in_case(store.ds_files, "file_case_id", cid):
            r = await http.get(f"/datastore/file/view/{record['file_id']}", params={"cid": cid})
            assert r.status_code == 200
        for event in in_case(store.events, "case_id", cid)[:5]:
            r = await http.get(f"/case/timeline/events/{event['event_id']}", params={"cid": cid})
            assert r.status_code == 200
        # an analyst's key works on the incident
        analyst = next(u for u in store.users.values() if u["user_login"] == "jmoreau")
        r = await http.get("/case/tasks/list", params={"cid": cid},
                           headers={"Authorization": f"Bearer {analyst['api_key']}"})
        assert r.status_code == 200


def test_seed_is_reproducible(store):
    again = create_app(seed="demo").store
    assert [c["name"] for c in again.cases.values()] == [c["name"] for c in store.cases.values()]
    assert [e["event_date"] for e in again.events.values()] == [e["event_date"] for e in store.events.values()]


async def test_scale_knobs_add_exactly_what_was_asked():
    base = create_app(seed="demo").store
    app = create_app(seed="demo", scale={"cases": 30, "iocs": 500, "events": 400, "assets": 40})
    store = app.store
    (cid,) = [c["case_id"] for c in store.cases.values() if c["soc_id"] == INCIDENT_SOC_ID]
    assert len(store.cases) == len(base.cases) + 30
    assert len(store.iocs) == len(base.iocs) + 500 and len(store.ioc_links[cid]) == len(base.ioc_links[cid]) + 500
    assert len(store.events) == len(base.events) + 400
    assert len(store.assets) == len(base.assets) + 40
    case_assets = {a["asset_id"] for a in store.assets.values() if a["case_id"] == cid}
    for event in store.events.values():
        if event["case_id"] == cid:
            assert set(event["event_assets"]) <= case_assets
            assert set(event["event_iocs"]) <= set(store.ioc_links[cid])
    # synthetic rows have the shape the create_* functions give
    events = [e for e in store.events.values() if e["case_id"] == cid]
    assert len({frozenset(e) for e in events}) == 1
    assert len({frozenset(i) for i in store.iocs.values()}) == 1
    assert len({frozenset(a) for a in store.assets.values()}) == 1
    assert len({frozenset(c) for c in store.cases.values() if c["case_id"] != 1}) == 1
    assert store.state(cid, "timeline")["object_state"] == base.state(cid, "timeline")["object_state"] + 400
    async with httpx.AsyncClient(transport=DemoTransport(app), base_url="http://iris.demo", headers=AUTH) as http:
        for path in ("/case/ioc/list", "/case/timeline/events/list", "/case/assets/list"):
            r = await http.get(path, params={"cid": cid})
            assert r.status_code == 200, path
        r = await http.get("/manage/cases/list")
        assert len(r.json()["data"]) == len(store.cases)


def test_unknown_scale_key_is_refused():
    store = Store()
    fresh_install(store)
    with pytest.raises(ValueError, match="unknown scale keys"):
        seed_incident(store, {"ioc": 10})


def test_a_hundred_thousand_iocs_and_events_seed_quickly():
    started = time.perf_counter()
    app = create_app(seed="demo", scale={"iocs": 100_000, "events": 100_000})
    elapsed = time.perf_counter() - started
    assert len(app.store.iocs) > 100_000 and len(app.store.events) > 100_000
    assert elapsed < 30, elapsed  # ~1.5 s here; a generous bound that still catches quadratic work
