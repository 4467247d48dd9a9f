"""Notes and note directories of the fake: shapes, bare-list errors, revisions, search."""

from __future__ import annotations

import httpx
import pytest

from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.demo.routes.notes import create_directory, create_note

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


@pytest.fixture
def app():
    return create_app(seed="fresh")


@pytest.fixture
async def http(app):
    async with httpx.AsyncClient(transport=DemoTransport(app), base_url="http://iris.demo",
                                 headers=AUTH, params={"cid": 1}) as client:
        yield client


async def post(http, path, body=None):
    return await http.post(path, json={} if body is None else body)


async def test_directory_listing_repeats_nested_and_sorts(http):
    top = (await post(http, "/case/notes/directories/add", {"name": "Investigation"})).json()["data"]
    assert top == {"id": top["id"], "name": "Investigation", "parent_id": None, "case_id": 1}
    sub = (await post(http, "/case/notes/directories/add",
                      {"name": "Hosts", "parent_id": top["id"]})).json()["data"]
    await post(http, "/case/notes/directories/add", {"name": "alpha"})
    for title in ("zeta", "Beta", "alpha"):
        await post(http, "/case/notes/add", {"note_title": title, "directory_id": sub["id"]})
    data = (await http.get("/case/notes/directories/filter")).json()["data"]
    assert [d["name"] for d in data] == ["alpha", "Hosts", "Investigation"]
    hosts, investigation = data[1], data[2]
    assert [n["title"] for n in hosts["notes"]] == ["Beta", "alpha", "zeta"]  # Python's title order
    assert hosts["note_count"] == 3
    assert investigation["notes"] == [] and investigation["note_count"] == 0
    assert investigation["subdirectories"] == [
        {"id": sub["id"], "name": "Hosts", "note_count": 3, "subdirectories": []}]
    assert "parent_id" not in hosts


async def test_directory_errors_are_bare_lists(http):
    r = await post(http, "/case/notes/directories/add", {"name": "x", "parent_id": 424242})
    assert (r.status_code, r.json()["data"]) == (400, ["Invalid parent id for the directory"])
    r = await post(http, "/case/notes/directories/add", {"parent_id": None})
    assert r.json()["data"] == {"name": ["Missing data for required field."]}
    r = await post(http, "/case/notes/directories/update/999", {"name": "x"})
    assert (r.status_code, r.json()["message"]) == (400, "Invalid directory ID")
    r = await post(http, "/case/notes/directories/update/abc", {"name": "x"})
    assert (r.status_code, r.json()["message"]) == (500, "Internal error")


async def test_directory_cannot_become_its_own_parent_or_child(http):
    a = (await post(http, "/case/notes/directories/add", {"name": "a"})).json()["data"]
    b = (await post(http, "/case/notes/directories/add", {"name": "b", "parent_id": a["id"]})).json()["data"]
    for parent in (a["id"], b["id"]):
        r = await post(http, f"/case/notes/directories/update/{a['id']}", {"parent_id": parent})
        assert r.json()["data"] == ["Invalid parent id for the directory"]
    r = await post(http, f"/case/notes/directories/update/{b['id']}", {"parent_id": None, "name": "top"})
    assert r.json()["data"] == {"id": b["id"], "name": "top", "parent_id": None, "case_id": 1}


async def test_note_add_errors_and_long_title(app, http):
    d = (await post(http, "/case/notes/directories/add", {"name": "d"})).json()["data"]
    r = await post(http, "/case/notes/add", {"note_title": "x"})
    assert r.json()["data"] == ["Invalid data - non null expected"]
    r = await post(http, "/case/notes/add", {"note_title": "x", "directory_id": 999})
    assert r.json()["data"] == ["Invalid directory id for the case"]
    r = await post(http, "/case/notes/add", {"note_title": "T" * 156, "directory_id": d["id"]})
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    r = await post(http, "/case/notes/add", {"note_title": "T" * 155, "directory_id": d["id"]})
    assert r.json()["message"] == "Note ID 1 created"  # the failed creation used no id (506/507)
    note = r.json()["data"]
    assert note["custom_attributes"] is None and note["directory"]["name"] == "d"
    assert list(note["modification_history"].values())[0]["action"] == "created note"


async def test_revisions_follow_the_latest_revision_rule(http):
    d = (await post(http, "/case/notes/directories/add", {"name": "d"})).json()["data"]
    n = (await post(http, "/case/notes/add",
                    {"note_title": "t1", "note_content": "c1", "directory_id": d["id"]})).json()["data"]
    nid = n["note_id"]

    async def revisions():
        r = await http.get(f"/case/notes/{nid}/revisions/list")
        assert r.json()["message"] == "ok"
        return [x["revision_number"] for x in r.json()["data"]]

    assert await revisions() == [1]
    await post(http, f"/case/notes/update/{nid}", {"note_content": "c2"})
    rev2 = (await http.get(f"/case/notes/{nid}/revisions/2")).json()["data"]
    assert (rev2["note_title"], rev2["note_content"]) == ("t1", "c1")  # the state *before* the update
    # re-sending the current text still makes a revision: it differs from the latest one
    await post(http, f"/case/notes/update/{nid}", {"note_title": "t1", "note_content": "c2"})
    assert await revisions() == [3, 2, 1]
    # sending the latest revision's text is skipped
    await post(http, f"/case/notes/update/{nid}", {"note_title": "t1", "note_content": "c2"})
    assert await revisions() == [3, 2, 1]
    current = (await http.get(f"/case/notes/{nid}")).json()["data"]
    assert current["note_lastupdate"] == n["note_lastupdate"]  # never refreshed in 2.4.20
    assert current["comments"] == []
    r = await post(http, f"/case/notes/{nid}/revisions/1/delete")
    assert r.json()["message"] == f"Revision 1 of note {nid} deleted"
    assert (await http.get(f"/case/notes/{nid}/revisions/1")).json()["data"] == {}
    r = await post(http, f"/case/notes/{nid}/revisions/1/delete")
    assert r.json() == {"status": "error", "message": "Unexpected error server-side",
                        "data": "Invalid note revision number"}


async def test_update_is_partial_and_unknown_note_is_a_string(http):
    d = (await post(http, "/case/notes/directories/add", {"name": "d"})).json()["data"]
    e = (await post(http, "/case/notes/directories/add", {"name": "e"})).json()["data"]
    n = (await post(http, "/case/notes/add",
                    {"note_title": "t", "note_content": "c", "directory_id": d["id"]})).json()["data"]
    r = await post(http, f"/case/notes/update/{n['note_id']}", {"directory_id": e["id"]})
    moved = r.json()["data"]
    assert (moved["note_title"], moved["note_content"], moved["directory"]["id"]) == ("t", "c", e["id"])
    assert r.json()["message"] == f"Note ID {n['note_id']} saved"
    r = await post(http, "/case/notes/update/9999", {"note_title": "x"})
    assert r.json() == {"status": "error", "message": "Unexpected error server-side",
                        "data": "Invalid note ID for this case"}


async def test_search_reads_the_query_string_only(http):
    d = (await post(http, "/case/notes/directories/add", {"name": "d"})).json()["data"]
    await post(http, "/case/notes/add", {"note_title": "rclone exfil", "directory_id": d["id"]})
    await post(http, "/case/notes/add", {"note_title": "None of it", "note_content": "x", "directory_id": d["id"]})
    await post(http, "/case/notes/add", {"note_title": "a_b 100%", "directory_id": d["id"]})
    found = (await http.get("/case/notes/search", params={"cid": 1, "search_input": "RCLONE"})).json()["data"]
    assert [n["note_title"] for n in found] == ["rclone exfil"]
    assert "comments" not in found[0] and found[0]["directory"]["id"] == d["id"]
    r = await http.post("/case/notes/search", json={"search_input": "rclone"})
    assert [n["note_title"] for n in r.json()["data"]] == ["None of it"]  # searched for "None"
    # ILIKE: `_` and `%` typed by the user are wildcards
    found = (await http.get("/case/notes/search", params={"cid": 1, "search_input": "a%b"})).json()["data"]
    assert [n["note_title"] for n in found] == ["a_b 100%"]


async def test_deletions_move_the_counter_and_cascade(app, http):
    d = (await post(http, "/case/notes/directories/add", {"name": "d"})).json()["data"]
    sub = (await post(http, "/case/notes/directories/add", {"name": "s", "parent_id": d["id"]})).json()["data"]
    a = (await post(http, "/case/notes/add", {"note_title": "a", "directory_id": d["id"]})).json()["data"]
    await post(http, "/case/notes/add", {"note_title": "b", "directory_id": sub["id"]})
    await post(http, f"/case/notes/update/{a['note_id']}", {"note_title": "a2"})
    assert (await http.get("/case/notes/state")).json()["data"]["object_state"] == 0
    r = await post(http, f"/case/notes/delete/{a['note_id']}")
    assert r.json()["message"] == f"Note deleted {a['note_id']}"
    assert a["note_id"] not in app.store.revisions
    assert (await http.get("/case/notes/state")).json()["data"]["object_state"] == 1
    c = (await post(http, "/case/notes/add", {"note_title": "c", "directory_id": d["id"]})).json()["data"]
    r = await post(http, f"/case/notes/directories/delete/{d['id']}")
    assert r.json()["message"] == "Directory deleted"
    assert (await http.get("/case/notes/state")).json()["data"]["object_state"] == 3  # one per note
    assert app.store.note_dirs == {} and c["note_id"] not in app.store.notes
    r = await post(http, f"/case/notes/directories/delete/{d['id']}")
    assert r.json()["message"] == "Invalid directory ID"


async def test_groups_are_gone_even_without_a_key(app):
    async with httpx.AsyncClient(transport=DemoTransport(app), base_url="http://iris.demo") as client:
        r = await client.get("/case/notes/groups/list", params={"cid": 1})
        assert r.status_code == 410
        assert r.json()["message"] == "Endpoint deprecated in v2.4.0. Use /case/notes/directories/filter."
        r = await client.post("/case/notes/groups/add", json={})
        assert r.json()["message"] == "Endpoint deprecated in v2.4.0. Use /case/notes/directories/add."


async def test_other_cases_notes_are_invisible(app, http):
    d = create_directory(app.store, 1, "d")
    note = create_note(app.store, 1, 1, {"note_title": "t", "directory_id": d["id"]})
    r = await http.get(f"/case/notes/{note['note_id']}", params={"cid": 2})
    assert r.status_code == 403  # unknown case
    app.store.cases[2] = dict(app.store.cases[1], case_id=2)
    app.store.init_states(2)
    r = await http.get(f"/case/notes/{note['note_id']}", params={"cid": 2})
    assert (r.status_code, r.json()["message"]) == (400, "Invalid note ID")


def test_create_functions_store_records_with_iris_columns(app):
    store = app.store
    d = create_directory(store, 1, "Playbook")
    assert d == {"id": d["id"], "name": "Playbook", "parent_id": None, "case_id": 1}
    n = create_note(store, 1, 1, {"note_title": "t", "note_content": "c", "directory_id": str(d["id"])})
    assert n["directory_id"] == d["id"] and n["note_case_id"] == 1 and n["note_user"] == 1
    assert [r["revision_number"] for r in store.revisions[n["note_id"]]] == [1]
    m = create_note(store, 1, 1, {"note_title": "t", "directory_id": d["id"]}, revision=False)
    assert store.revisions.get(m["note_id"], []) == []
    assert store.state(1, "notes")["object_state"] == 0


async def test_note_get_embeds_its_comments_and_delete_removes_them(app, http):
    d = create_directory(app.store, 1, "d")
    note = create_note(app.store, 1, 1, {"note_title": "t", "directory_id": d["id"]})
    other = create_note(app.store, 1, 1, {"note_title": "u", "directory_id": d["id"]})
    for text in ("first", "second"):
        r = await post(http, f"/case/notes/{note['note_id']}/comments/add", {"comment_text": text})
        assert r.status_code == 200
    await post(http, f"/case/notes/{other['note_id']}/comments/add", {"comment_text": "elsewhere"})
    data = (await http.get(f"/case/notes/{note['note_id']}")).json()["data"]
    assert [c["comment_text"] for c in data["comments"]] == ["first", "second"]
    assert data["comments"][0]["user"]["user_login"] == "administrator"
    await post(http, f"/case/notes/delete/{note['note_id']}")
    assert [c["comment_text"] for c in app.store.comments.values()] == ["elsewhere"]
