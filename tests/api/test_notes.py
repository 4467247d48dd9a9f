"""Notes: replays of the real 2.4.20 exchanges 322-373, plus the pre-2.4 notes groups mode."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import httpx
import pytest

from iris_tui.api import (
    IrisBadRequestError,
    IrisClient,
    IrisNotFoundError,
    IrisUnsupportedError,
    IrisValidationError,
)
from iris_tui.api.notes import Directory, Note, NoteRef, build_tree, find_directory, note_fingerprint
from support.replay import replay_client, transcript

CID = 3
VERSIONS = "001"  # /api/versions of 2.4.20: the notes resource asks once which model the server has


def sent_paths(transport) -> list[tuple[str, str]]:
    return [(s.method, s.path) for s in transport.sent]


# -- directories -------------------------------------------------------------------------------


async def test_directories_of_a_new_case():
    iris, transport = replay_client(VERSIONS, "322")
    assert await iris.notes.directories(CID) == []
    assert transport.sent[1].path == "/case/notes/directories/filter"
    assert transport.sent[1].query == {"cid": "3"}


async def test_add_directories():
    iris, transport = replay_client(VERSIONS, "323", "324", "325")
    top = await iris.notes.add_directory(CID, "Investigation")
    assert transport.sent[1].json == {"name": "Investigation", "parent_id": None}
    assert (top.id, top.name, top.parent_id, top.case_id) == (2, "Investigation", None, 3)

    sub = await iris.notes.add_directory(CID, "Host analysis", parent=top)
    assert transport.sent[2].json == {"name": "Host analysis", "parent_id": 2}
    assert (sub.id, sub.parent_id) == (3, 2)

    other = await iris.notes.add_directory(CID, "Reporting", parent=None)
    assert other.id == 4 and other.parent_id is None
    assert sent_paths(transport).count(("GET", "/api/versions")) == 1  # asked once, then cached


async def test_add_directory_errors_name_their_field():
    iris, _ = replay_client(VERSIONS, "326", "327")
    with pytest.raises(IrisValidationError) as err:
        await iris.notes.add_directory(CID, "")  # replayed: the server's answer to a missing name
    assert err.value.fields == {"name": ["Missing data for required field."]}
    # the server answers a bare list; the client says which field it is about
    with pytest.raises(IrisValidationError) as err:
        await iris.notes.add_directory(CID, "x", parent=99999)
    assert err.value.fields == {"parent_id": ["Invalid parent id for the directory"]}


async def test_rename_directory():
    iris, transport = replay_client(VERSIONS, "328", "329")
    renamed = await iris.notes.rename_directory(CID, 4, "Reporting & lessons learned")
    assert transport.sent[1].path == "/case/notes/directories/update/4"
    assert transport.sent[1].json == {"name": "Reporting & lessons learned"}
    assert renamed.name == "Reporting & lessons learned"
    with pytest.raises(IrisNotFoundError, match="Invalid directory ID"):
        await iris.notes.rename_directory(CID, 99999, "x")


async def test_directory_tree_is_rebuilt_from_the_flat_listing():
    iris, _ = replay_client(VERSIONS, "334")
    roots = await iris.notes.directories(CID)
    # "Host analysis" is listed at top level too, but it is a child of "Investigation"
    assert [(d.id, d.name, d.parent_id) for d in roots] == [
        (2, "Investigation", None), (4, "Reporting & lessons learned", None),
    ]
    investigation, reporting = roots
    assert investigation.notes == []
    (host,) = investigation.children
    assert (host.id, host.name, host.parent_id, host.path) == (3, "Host analysis", 2, ("Investigation", "Host analysis"))
    # the notes come from the top-level entry, the only one that carries them
    assert [(n.id, n.title, n.directory_id) for n in host.notes] == [(2, "NW-FS02 - encryption analysis", 3)]
    assert [n.title for n in reporting.notes] == ["Executive summary"]
    assert host.children == [] and find_directory(roots, 3) is host


async def test_get_directory_finds_nested_ones():
    iris, transport = replay_client(VERSIONS, "334", "334")
    host = await iris.notes.get_directory(CID, 3)
    assert (host.name, host.parent_id, [n.id for n in host.notes]) == ("Host analysis", 2, [2])
    with pytest.raises(IrisNotFoundError):
        await iris.notes.get_directory(CID, 99)
    # never the single-directory route the official client calls: it does not exist (355)
    assert {p for _, p in sent_paths(transport)} == {"/api/versions", "/case/notes/directories/filter"}


async def test_list_flattens_the_tree_with_paths():
    iris, _ = replay_client(VERSIONS, "334")
    notes = await iris.notes.list(CID)
    assert [(n.id, n.directory_id, n.path) for n in notes] == [
        (2, 3, "Investigation / Host analysis"),
        (3, 4, "Reporting & lessons learned"),
    ]
    assert all(isinstance(n, NoteRef) for n in notes)


def test_build_tree_handles_deep_nesting_and_cycles():
    entries = [
        {"id": 1, "name": "a", "notes": [{"id": 9, "title": "z"}, {"id": 8, "title": "B"}],
         "subdirectories": [{"id": 2, "name": "b", "subdirectories": [{"id": 3, "name": "c", "subdirectories": []}]}]},
        {"id": 2, "name": "b", "notes": [], "subdirectories": [{"id": 3, "name": "c", "subdirectories": []}]},
        {"id": 3, "name": "c", "notes": [{"id": 7, "title": "deep"}], "subdirectories": []},
        # a cycle the server should never send: both stay visible
        {"id": 5, "name": "x", "subdirectories": [{"id": 6, "name": "y"}]},
        {"id": 6, "name": "y", "subdirectories": [{"id": 5, "name": "x"}]},
    ]
    roots = build_tree(entries)
    a = roots[0]
    assert [n.title for n in a.notes] == ["B", "z"]  # by title, case-insensitive
    c = find_directory(roots, 3)
    assert c.path == ("a", "b", "c") and c.parent_id == 2 and c.notes[0].directory_path == ("a", "b", "c")
    assert sorted(d.id for d in a.walk()) == [1, 2, 3]
    assert sorted(d.id for r in roots for d in r.walk()) == [1, 2, 3, 5, 6]


async def test_delete_directory_and_final_tree():
    iris, transport = replay_client(VERSIONS, "369", "370", "371", "372", "373")
    scratch = await iris.notes.add_directory(CID, "Scratch")
    await iris.notes.add(CID, directory=scratch, title="scratch", content="tmp")
    assert await iris.notes.delete_directory(CID, scratch) is None
    assert sent_paths(transport)[3] == ("POST", "/case/notes/directories/delete/5")
    with pytest.raises(IrisNotFoundError):
        await iris.notes.delete_directory(CID, 5)
    roots = await iris.notes.directories(CID)
    assert find_directory(roots, 5) is None
    assert [n.title for n in await _notes_of(roots)] == ["NW-FS02 - encryption & exfiltration analysis"]
    assert not any(p.startswith("/case/notes/groups") for _, p in sent_paths(transport))


async def _notes_of(roots: list[Directory]) -> list[NoteRef]:
    return [n for r in roots for d in r.walk() for n in d.notes]


# -- notes -------------------------------------------------------------------------------------


async def test_add_note():
    iris, transport = replay_client(VERSIONS, "330", "331")
    content = "# NW-FS02\n\n* LB3.exe started 03:45:10 UTC by svc_veeam\n* VSS deleted via vssadmin\n"
    note = await iris.notes.add(CID, directory=3, title="NW-FS02 - encryption analysis", content=content)
    assert transport.sent[1].json == transcript("330")["request"]["json"]
    assert isinstance(note, Note)
    assert (note.id, note.title, note.content, note.directory_id) == (2, "NW-FS02 - encryption analysis", content, 3)
    assert note.directory == Directory(id=3, name="Host analysis", parent_id=2, case_id=3)
    assert note.last_change == note.last_change_entry.when
    assert note.last_change_entry.action == "created note"

    await iris.notes.add(CID, directory="4", title="Executive summary")
    body = transport.sent[2].json
    assert body["directory_id"] == 4 and body["custom_attributes"] == {} and body["note_content"] == ""


async def test_add_note_checks_before_sending():
    iris, transport = replay_client()
    with pytest.raises(IrisValidationError) as err:
        await iris.notes.add(CID, directory=None, title="orphan")
    assert list(err.value.fields) == ["directory_id"]
    # over 155 characters the real server answers an HTML 500 (506): refuse it here
    with pytest.raises(IrisValidationError) as err:
        await iris.notes.add(CID, directory=2, title="T" * 156)
    assert err.value.fields == {"note_title": ["Longer than maximum length 155."]}
    with pytest.raises(IrisValidationError) as err:
        await iris.notes.update(CID, 2, title="T" * 200)
    assert "note_title" in err.value.fields
    assert transport.sent == []


async def test_title_of_155_characters_is_sent():
    iris, transport = replay_client(VERSIONS, "330")
    await iris.notes.add(CID, directory=3, title="T" * 155)
    assert transport.sent[1].json["note_title"] == "T" * 155


async def test_add_note_bad_directory_names_directory_id():
    iris, _ = replay_client(VERSIONS, "333")
    with pytest.raises(IrisValidationError) as err:
        await iris.notes.add(CID, directory=99999, title="bad dir", content="x")
    assert err.value.fields == {"directory_id": ["Invalid directory id for the case"]}


async def test_get_note():
    iris, transport = replay_client("335", "341")
    note = await iris.notes.get(CID, 2)
    assert transport.sent[0].path == "/case/notes/2" and transport.sent[0].query == {"cid": "3"}
    assert note.comments == [] and note.custom_attributes == {}
    assert note.note_creationdate.tzinfo is not None
    with pytest.raises(IrisNotFoundError, match="Invalid note ID"):
        await iris.notes.get(CID, 99999)


async def test_update_is_partial():
    iris, transport = replay_client("336", "337", VERSIONS, "338", "339")
    new = transcript("336")["request"]["json"]["note_content"]
    note = await iris.notes.update(CID, 2, content=new)
    assert transport.sent[0].json == {"note_content": new}
    assert note.content == new

    note = await iris.notes.update(CID, 2, title="NW-FS02 - encryption & exfiltration analysis")
    assert transport.sent[1].json == {"note_title": "NW-FS02 - encryption & exfiltration analysis"}
    assert note.title == "NW-FS02 - encryption & exfiltration analysis"

    moved = await iris.notes.move(CID, 3, Directory(id=2, name="Investigation"))
    assert transport.sent[3].json == {"directory_id": 2}
    assert moved.directory_id == 2 and moved.directory.name == "Investigation"

    with pytest.raises(IrisNotFoundError, match="Invalid note ID for this case"):
        await iris.notes.update(CID, 99999, title="x")
    with pytest.raises(ValueError):
        await iris.notes.update(CID, 2)


async def test_last_change_comes_from_the_history():
    iris, _ = replay_client("340")
    note = await iris.notes.get(CID, 2)
    # note_lastupdate is not refreshed by updates on 2.4.20
    assert note.note_lastupdate.isoformat().startswith("2026-11-24T07:42:19.891276")
    assert note.last_change.timestamp() == pytest.approx(1795506140.052565)
    assert note.last_change > note.note_lastupdate
    assert note.last_change_entry.action == "updated note"


async def test_fingerprint_detects_a_concurrent_change():
    iris, transport = replay_client("335", "352", "340")
    opened = await iris.notes.get(CID, 2)  # the editor opened this version
    now = await iris.notes.fingerprint(CID, 2)  # someone changed the title meanwhile
    assert now != opened.fingerprint
    again = await iris.notes.get(CID, 2)
    assert again.fingerprint == now == note_fingerprint(again.title, again.content)
    assert [s.path for s in transport.sent] == ["/case/notes/2"] * 3


def test_fingerprint_separates_title_from_content():
    assert note_fingerprint("ab", "c") != note_fingerprint("a", "bc")
    assert note_fingerprint("a", "b") == note_fingerprint("a", "b")


async def test_delete_note():
    iris, transport = replay_client("367", "368")
    assert await iris.notes.delete(CID, 3) is None
    assert sent_paths(transport) == [("POST", "/case/notes/delete/3")]
    with pytest.raises(IrisNotFoundError):
        await iris.notes.delete(CID, 3)


async def test_search_sends_the_term_in_the_query_string():
    iris, transport = replay_client(VERSIONS, "342")
    found = await iris.notes.search(CID, "rclone")
    sent = transport.sent[1]
    assert (sent.method, sent.path) == ("GET", "/case/notes/search")
    assert sent.query == {"cid": "3", "search_input": "rclone"} and sent.json is None
    assert [n.id for n in found] == [2] and "rclone" in found[0].content  # full notes


async def test_state():
    iris, _ = replay_client("345")
    state = await iris.notes.state(CID)
    assert state.object_state == 0 and state.object_last_update.tzinfo is not None


# -- revisions ---------------------------------------------------------------------------------


async def test_revisions():
    iris, transport = replay_client("346", "347", "349", "350", "351")
    revisions = await iris.notes.revisions(CID, 2)
    assert [r.revision_number for r in revisions] == [3, 2, 1]
    assert revisions[0].user_name == "administrator" and revisions[0].revision_timestamp.tzinfo

    first = await iris.notes.revision(CID, 2, 1)
    assert (first.revision_number, first.title) == (1, "NW-FS02 - encryption analysis")
    assert "rclone" not in first.content

    with pytest.raises(IrisNotFoundError, match="no revision 99"):
        await iris.notes.revision(CID, 2, 99)  # the server answers 200 with {}

    assert await iris.notes.delete_revision(CID, 2, 1) is None
    assert sent_paths(transport)[3] == ("POST", "/case/notes/2/revisions/1/delete")
    assert [r.revision_number for r in await iris.notes.revisions(CID, 2)] == [3, 2]


# -- comments ----------------------------------------------------------------------------------


async def test_note_comments():
    iris, transport = replay_client("356", "357", "360", "361", "362", "363", "365")
    assert await iris.notes.comments.list(CID, 2) == []
    added = await iris.notes.comments.add(CID, 2, "Peer review: add the rclone command line from 4688 events.")
    assert added.id == 11 and added.author == "administrator"
    assert (await iris.notes.comments.get(CID, 2, 11)).text == added.text
    edited = await iris.notes.comments.update(CID, 2, 11, added.text + " (edited: confirmed by EDR)")
    assert edited.text.endswith("(edited: confirmed by EDR)")
    await iris.notes.comments.delete(CID, 2, 12)
    with pytest.raises(IrisBadRequestError, match="not allowed"):
        await iris.notes.comments.delete(CID, 2, 12)
    assert [c.id for c in await iris.notes.comments.list(CID, 2)] == [11]
    assert [p for _, p in sent_paths(transport)] == [
        "/case/notes/2/comments/list", "/case/notes/2/comments/add", "/case/notes/2/comments/11",
        "/case/notes/2/comments/11/edit", "/case/notes/2/comments/12/delete",
        "/case/notes/2/comments/12/delete", "/case/notes/2/comments/list",
    ]


# -- IRIS 2.0-2.3: notes groups ----------------------------------------------------------------
#
# No transcript exists for an older server: the fake below answers as iris-api.md 8.7 and
# section 18 describe API 2.0.3 (groups list/add/update/delete, notes added with `group_id`,
# search by POST body `search_term` answering ids and titles only).


class GroupsServer:
    """A minimal IRIS 2.3 (API 2.0.0-2.0.3) for the notes endpoints, per iris-api.md 8.7."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.groups = {1: {"group_id": 1, "group_uuid": "g-1", "group_title": "Triage", "notes": [
            {"note_id": 10, "note_uuid": "n-10", "note_title": "Mail gateway", "user": "jane",
             "note_lastupdate": "2023-05-03T10:00:00"},
        ]}}
        self.notes = {10: {"note_id": 10, "note_uuid": "n-10", "note_title": "Mail gateway",
                           "note_content": "phishing from evil.example", "note_user": 2, "note_case_id": 3,
                           "note_creationdate": "2023-05-03T10:00:00", "note_lastupdate": "2023-05-03T10:00:00",
                           "group_id": 1}}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        query = dict(urllib.parse.parse_qsl(request.url.query.decode()))
        path = request.url.path
        self.requests.append((request.method, path, query, body))
        if "/directories" in path:
            return httpx.Response(404, text="<html>404</html>")  # no such routes before 2.4
        if path == "/api/versions":
            return ok({"iris_current": "v2.3.7", "api_min": "2.0.0", "api_current": "2.0.3"})
        if path == "/case/notes/groups/list":
            return ok({"groups": list(self.groups.values()), "state": {"object_state": 1, "object_last_update": None}})
        if path == "/case/notes/groups/add":
            group = {"group_id": 2, "group_uuid": "g-2", "group_title": body["group_title"], "group_user": 1,
                     "group_creationdate": "2023-05-04T09:00:00", "group_lastupdate": "2023-05-04T09:00:00",
                     "group_case_id": 3}
            self.groups[2] = {**group, "notes": []}
            return ok(group)
        if path.startswith("/case/notes/groups/update/"):
            group = self.groups[int(path.rsplit("/", 1)[1])]
            group["group_title"] = body["group_title"]
            return ok({k: v for k, v in group.items() if k != "notes"})
        if path.startswith("/case/notes/groups/delete/"):
            del self.groups[int(path.rsplit("/", 1)[1])]
            return ok([])
        if path == "/case/notes/add":
            if "group_id" not in body:
                return httpx.Response(400, json={"status": "error", "message": "Data error",
                                                 "data": {"group_id": ["Missing data for required field."]}})
            note = {"note_id": 11, "note_title": body["note_title"], "note_content": body["note_content"],
                    "group_id": body["group_id"]}
            self.notes[11] = note
            return ok(note)
        if path == "/case/notes/search":
            term = body["search_term"].strip("%").lower()
            return ok([{"note_id": n["note_id"], "note_title": n["note_title"]} for n in self.notes.values()
                       if term in n["note_title"].lower() or term in n["note_content"].lower()])
        if path.startswith("/case/notes/"):
            return ok(self.notes[int(path.rsplit("/", 1)[1])])
        return httpx.Response(404, text="<html>404</html>")


def ok(data: Any) -> httpx.Response:
    return httpx.Response(200, json={"status": "success", "message": "", "data": data})


@pytest.fixture
def old_server() -> tuple[IrisClient, GroupsServer]:
    server = GroupsServer()
    return IrisClient("http://iris.test", "k", transport=httpx.MockTransport(server), retries=0), server


async def test_groups_are_presented_as_directories(old_server):
    iris, server = old_server
    (triage,) = await iris.notes.directories(CID)
    assert (triage.id, triage.name, triage.parent_id, triage.children) == (1, "Triage", None, [])
    assert [(n.id, n.title, n.directory_id, n.path) for n in triage.notes] == [(10, "Mail gateway", 1, "Triage")]
    assert [n.id for n in await iris.notes.list(CID)] == [10]
    assert ("GET", "/case/notes/groups/list", {"cid": "3"}, None) in server.requests


async def test_groups_mode_add_rename_delete(old_server):
    iris, server = old_server
    group = await iris.notes.add_directory(CID, "Reporting")
    assert server.requests[-1][1:] == ("/case/notes/groups/add", {"cid": "3"}, {"group_title": "Reporting"})
    assert (group.id, group.name, group.case_id) == (2, "Reporting", 3)

    note = await iris.notes.add(CID, directory=group, title="Summary", content="draft")
    body = server.requests[-1][3]
    assert body["group_id"] == 2 and "directory_id" not in body
    assert note.directory_id == 2  # the group, presented as the note's directory

    renamed = await iris.notes.rename_directory(CID, 2, "Report")
    assert server.requests[-1][1:] == ("/case/notes/groups/update/2", {"cid": "3"}, {"group_title": "Report"})
    assert renamed.name == "Report"
    await iris.notes.delete_directory(CID, 2)
    assert server.requests[-1][:2] == ("POST", "/case/notes/groups/delete/2")
    assert not any("/directories" in r[1] for r in server.requests)


async def test_groups_mode_refuses_what_groups_cannot_do(old_server):
    iris, server = old_server
    with pytest.raises(IrisUnsupportedError):
        await iris.notes.add_directory(CID, "sub", parent=1)
    with pytest.raises(IrisUnsupportedError):
        await iris.notes.move_directory(CID, 1, None)
    with pytest.raises(IrisUnsupportedError):
        await iris.notes.move(CID, 10, 1)
    assert [r[1] for r in server.requests] == ["/api/versions"]


async def test_groups_mode_search_returns_full_notes(old_server):
    iris, server = old_server
    found = await iris.notes.search(CID, "evil.example")
    assert ("POST", "/case/notes/search", {"cid": "3"}, {"search_term": "%evil.example%"}) in server.requests
    assert [(n.id, n.content) for n in found] == [(10, "phishing from evil.example")]
    assert found[0].directory_id == 1
