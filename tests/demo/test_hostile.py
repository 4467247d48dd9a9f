"""The hostile seed: every corpus string in every object type and field, served intact (lone
surrogates escaped as Flask does), and read back exactly by the client."""

from __future__ import annotations

import json
import os

import httpx
import pytest

from iris_tui.api import IrisClient
from iris_tui.cli import build_parser
from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.demo.hostile import HOSTILE_CASE, corpus

CORPUS = corpus()
VALUES = [entry.value for entry in CORPUS]


@pytest.fixture(scope="module")
def app():
    return create_app(seed="hostile")


@pytest.fixture(scope="module")
def cid(app) -> int:
    return next(c["case_id"] for c in app.store.cases.values() if c["name"].endswith(f" - {HOSTILE_CASE}"))


@pytest.fixture
async def iris(app):
    async with IrisClient("http://demo.iris", DEMO_API_KEY, transport=DemoTransport(app)) as client:
        yield client


def in_case(table: dict, cid: int, key: str = "case_id") -> list[dict]:
    return [row for row in table.values() if row.get(key) == cid]


def test_every_object_type_holds_every_string_in_every_text_field(app, cid) -> None:
    store = app.store
    for rows, fields in (
        (in_case(store.assets, cid), ("asset_name", "asset_description", "asset_domain", "asset_ip",
                                      "asset_info", "asset_tags")),
        (in_case(store.tasks, cid, "task_case_id"), ("task_title", "task_description", "task_tags")),
        (in_case(store.events, cid), ("event_title", "event_content", "event_raw", "event_source",
                                      "event_tags")),
        (in_case(store.evidences, cid), ("filename", "file_description", "file_hash")),
        (in_case(store.notes, cid, "note_case_id"), ("note_title", "note_content")),
        (in_case(store.ds_files, cid, "file_case_id"), ("file_original_name", "file_description",
                                                        "file_tags")),
    ):
        for field in fields:
            assert [row[field] for row in rows] == VALUES, field
        for row, value in zip(rows, VALUES):
            if "custom_attributes" in row:
                assert row["custom_attributes"][value[:64]][value[:64]]["value"] == value
    iocs = [store.iocs[i] for i in store.ioc_links[cid]]
    assert [i["ioc_value"] for i in iocs] == [i["ioc_description"] for i in iocs] == VALUES
    comments = in_case(store.comments, cid, "comment_case_id")
    assert {c["object_type"] for c in comments} == {"asset", "ioc", "task", "event", "note", "evidence"}
    assert [c["comment_text"] for c in comments] == VALUES * 6
    case_names = [c["name"] for c in store.cases.values()]
    for value in VALUES:  # one case per string, named with it (200 characters at most)
        assert any(name.endswith(" - " + value[:200]) for name in case_names)
    directories = [d["name"] for d in store.note_dirs.values() if d["case_id"] == cid]
    assert "[@click=app.quit]Click me[/]" in directories
    folders = [f["path_name"] for f in store.ds_folders.values() if f["path_case_id"] == cid]
    assert "\x1b[31mRED\x1b[0m normal" in folders


def test_file_contents_are_the_raw_bytes(app, cid) -> None:
    files = in_case(app.store.ds_files, cid, "file_case_id")
    invalid = next(f for f in files if f["file_original_name"] == "invoice\udcff\udcfe.pdf")
    assert b"".join(app.store.ds_blobs[invalid["file_id"]].chunks()) == b"invoice\xff\xfe.pdf"


async def test_lone_surrogates_are_sent_as_json_escapes(app, cid) -> None:
    async with httpx.AsyncClient(transport=DemoTransport(app), base_url="http://demo.iris",
                                 headers={"Authorization": f"Bearer {DEMO_API_KEY}"}) as http:
        response = await http.get("/case/ioc/list", params={"cid": cid})
    assert response.status_code == 200
    assert b'a\\ud800b' in response.content and b'invoice\\udcff\\udcfe.pdf' in response.content
    values = [i["ioc_value"] for i in json.loads(response.content)["data"]["ioc"]]
    assert sorted(values) == sorted(VALUES)


async def test_the_client_reads_every_string_back_exactly(iris, cid) -> None:
    assert sorted(a.asset_name for a in await iris.assets.list(cid)) == sorted(VALUES)
    assert sorted(i.ioc_value for i in await iris.iocs.list(cid)) == sorted(VALUES)
    assert sorted(t.task_title for t in await iris.tasks.list(cid)) == sorted(VALUES)
    assert sorted(e.event_content for e in await iris.events.list(cid)) == sorted(VALUES)
    assert sorted(e.filename for e in await iris.evidences.list(cid)) == sorted(VALUES)
    notes = await iris.notes.list(cid)
    assert sorted(n.title for n in notes) == sorted(VALUES)
    note = await iris.notes.get(cid, notes[0].id)
    assert note.note_content == note.note_title
    tree = await iris.datastore.tree(cid)
    names = [f.file_original_name for folder in tree.children for f in folder.files]
    assert sorted(names) == sorted(VALUES)
    asset = (await iris.assets.list(cid))[0]
    full = await iris.assets.get(cid, asset.asset_id)
    assert full.custom_attributes["Hostile"]["markup-click-quit"]["value"] == VALUES[0]
    comments = await iris.assets.comments.list(cid, asset.asset_id)
    assert [c.text for c in comments] == [VALUES[0]]
    case = await iris.cases.get(cid)
    assert "[@click=app.quit]" in case.case_description


async def test_every_hostile_file_downloads_under_a_safe_name(iris, cid, tmp_path) -> None:
    tree = await iris.datastore.tree(cid)
    files = [f for folder in tree.children for f in folder.files]
    names = {}
    for file in files:
        folder = tmp_path / str(file.file_id)
        folder.mkdir()
        path = await iris.datastore.download(cid, file, folder)
        assert path.parent == folder
        assert all(ch.isprintable() for ch in path.name)
        assert os.listdir(folder) == [path.name]  # no temp file left
        names[file.file_original_name] = path.name
    assert names["../../../../etc/passwd"] == "passwd"
    assert names["..\\..\\Windows\\System32\\drivers\\etc\\hosts"] == "hosts"
    assert names["invoice\udcff\udcfe.pdf"] == "invoice.pdf"
    assert names["invoice_\u202efdp.exe"] == "invoice_fdp.exe"


def test_demo_server_offers_the_hostile_seed() -> None:
    args = build_parser().parse_args(["demo-server", "--seed", "hostile"])
    assert args.seed == "hostile"
    with pytest.raises(ValueError, match="hostile"):
        create_app(seed="nope")
