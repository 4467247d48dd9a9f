"""The fake's datastore: tree, folders, multipart upload and streamed download, flags, filter."""

from __future__ import annotations

import hashlib
import io
import json
import os
import urllib.parse
import zipfile

import httpx
import pytest

from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.demo.routes.datastore import Blob, ensure_root, find_folder, store_file
from iris_tui.demo.serve import running_server

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


@pytest.fixture
def app():
    return create_app(seed="fresh")


@pytest.fixture
async def http(app):
    async with httpx.AsyncClient(transport=DemoTransport(app), base_url="http://iris.demo",
                                 headers=AUTH, params={"cid": 1}) as client:
        yield client


def folder_ids(tree):
    """name -> id of every folder in a tree answer."""
    out = {}

    def walk(nodes):
        for key, node in nodes.items():
            if node["type"] == "directory":
                out[node["name"]] = int(key[2:])
                walk(node["children"])

    walk(tree)
    return out


async def upload(http, folder_id, data, name="a.txt", **form):
    return await http.post(f"/datastore/file/add/{folder_id}",
                           data={"file_original_name": name, **form},
                           files={"file_content": (name, data, "application/octet-stream")})


async def test_first_tree_call_creates_the_root(app, http):
    assert app.store.ds_folders == {}
    data = (await http.get("/datastore/list/tree")).json()["data"]
    (key, root), = data.items()
    assert key == "d-1" and root["name"] == "Case 1" and root["is_root"] is True
    assert {k: v["name"] for k, v in root["children"].items()} == {"d-2": "Evidences", "d-3": "IOCs",
                                                                   "d-4": "Images"}
    assert all(v == {"name": v["name"], "type": "directory", "children": {}} for v in root["children"].values())
    await http.get("/datastore/list/tree")
    assert len(app.store.ds_folders) == 4  # only once


async def test_upload_download_round_trip_1mb(app, http):
    folders = folder_ids((await http.get("/datastore/list/tree")).json()["data"])
    data = os.urandom(1024 * 1024 + 17)
    r = await upload(http, folders["Evidences"], data, name="dump.bin", file_description="raw",
                     file_tags="a,b", file_is_ioc="n")
    assert r.status_code == 200 and r.json()["message"] == "File saved in datastore "
    meta = r.json()["data"]
    assert meta["file_sha256"] == hashlib.sha256(data).hexdigest().upper()
    assert meta["file_size"] == len(data)
    assert (meta["file_is_ioc"], meta["file_is_evidence"], meta["file_password"]) == (False, None, None)
    assert meta["file_local_name"].endswith(f"/Regulars/case-1/dsf-{meta['file_uuid']}")
    r = await http.get(f"/datastore/file/view/{meta['file_id']}")
    assert r.content == data
    assert r.headers["content-disposition"] == "inline; filename=dump.bin"
    assert r.headers["content-type"] == "application/octet-stream"
    assert int(r.headers["content-length"]) == len(data)
    info = (await http.get(f"/datastore/file/info/{meta['file_id']}")).json()["data"]
    assert "file_local_name" not in info and info["file_sha256"] == meta["file_sha256"]
    tree = (await http.get("/datastore/list/tree")).json()["data"]
    node = tree["d-1"]["children"][f"d-{folders['Evidences']}"]["children"][f"f-{meta['file_id']}"]
    assert node["type"] == "file" and node["file_local_name"] == meta["file_local_name"]


async def test_large_upload_is_kept_on_disk_not_in_memory(app, http):
    root = ensure_root(app.store, 1)
    r = await upload(http, root["path_id"], b"x" * (3 * 1024 * 1024))
    blob = app.store.ds_blobs[r.json()["data"]["file_id"]]
    assert blob._fh._rolled  # the parser's spool file, already on disk, was adopted as is
    assert blob.size == 3 * 1024 * 1024


async def test_text_download_type_and_unicode_name(app, http):
    root = ensure_root(app.store, 1)
    r = await upload(http, root["path_id"], b"hello", name="Rançon note.txt")
    r = await http.get(f"/datastore/file/view/{r.json()['data']['file_id']}")
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["content-disposition"] == (
        "inline; filename=\"Rancon note.txt\"; filename*=UTF-8''Ran%C3%A7on%20note.txt")


async def test_ioc_upload_creates_an_ioc_and_downloads_as_zip(app, http):
    folders = folder_ids((await http.get("/datastore/list/tree")).json()["data"])
    data = b"MZ\x90\x00 sample"
    r = await upload(http, folders["IOCs"], data, name="LB3.exe", file_is_ioc="y")
    assert r.json()["message"] == "File saved in datastore and added in IOC"
    meta = r.json()["data"]
    assert meta["file_password"] == "infected" and meta["file_local_name"].endswith(".zip")
    sha = hashlib.sha256(data).hexdigest().upper()
    ioc = next(i for i in app.store.iocs.values() if i["ioc_value"] == sha)
    assert ioc["ioc_tags"] == "datastore" and ioc["ioc_tlp_id"] == 2
    assert ioc["ioc_description"] == "SHA256 of LB3.exe. Imported from datastore."
    assert app.store.lookup("ioc_type", "type_id", ioc["ioc_type_id"])["type_name"] == "sha256"
    assert ioc["ioc_id"] in app.store.ioc_links[1]
    assert app.store.state(1, "ioc")["object_state"] == 0  # datastore IOCs do not move it
    r = await http.get(f"/datastore/file/view/{meta['file_id']}")
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"] == "inline; filename=LB3.exe.zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        assert archive.namelist() == [sha] and archive.read(sha) == data
    # the same bytes again: the IOC is linked, not duplicated
    await upload(http, folders["IOCs"], data, name="copy.exe", file_is_ioc="true")
    assert sum(i["ioc_value"] == sha for i in app.store.iocs.values()) == 1


async def test_evidence_upload_creates_one_evidence(app, http):
    root = ensure_root(app.store, 1)
    r = await upload(http, root["path_id"], b"evtx", name="Security.evtx", file_is_evidence="true",
                     file_description="export")
    assert r.json()["message"] == "File saved in datastore and added in evidence"
    assert r.json()["data"]["file_local_name"].startswith("/home/iris/server_data/datastore/Evidences/")
    (evidence,) = app.store.evidences.values()
    assert evidence["file_hash"] == r.json()["data"]["file_sha256"]
    assert evidence["file_description"] == "Imported from datastore. export"
    assert evidence["custom_attributes"] is None and evidence["type_id"] is None
    assert app.store.state(1, "evidences")["object_state"] == 0
    await upload(http, root["path_id"], b"evtx", name="again.evtx", file_is_evidence="1")
    assert len(app.store.evidences) == 1


async def test_upload_errors_ids_and_orphans(app, http):
    root = ensure_root(app.store, 1)
    r = await http.post(f"/datastore/file/add/{root['path_id']}", data={"file_description": "x"},
                        files={"file_content": ("a.txt", b"abc", "text/plain")})
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    r = await http.post(f"/datastore/file/add/{root['path_id']}", data={"file_original_name": "e.txt"},
                        files={"other": ("x.txt", b"x", "text/plain")})
    assert r.json() == {"status": "error", "message": "Data error", "data": ["No file provided"]}
    r = await upload(http, 99999, b"x")
    assert r.json()["message"] == "Invalid path node for this case"
    r = await upload(http, root["path_id"], b"x", file_is_ioc="maybe")
    assert r.json()["data"] == {"file_is_ioc": ["Not a valid boolean."]}
    orphan = app.store.ds_files[2]  # id 1 went to the failed INSERT (381/382)
    assert (orphan["file_local_name"], orphan["file_size"], orphan["file_sha256"]) == ("tmp_xc", None, None)
    r = await http.get("/datastore/file/view/2")
    assert r.json()["message"].startswith("File tmp_xc does not exists on the server.")
    r = await upload(http, root["path_id"], b"ok")
    assert r.json()["data"]["file_id"] == 3


async def test_update_flag_presence_means_true_and_content_replace(app, http):
    root = ensure_root(app.store, 1)
    meta = (await upload(http, root["path_id"], b"v1", name="n.txt", file_tags="t")).json()["data"]
    path = f"/datastore/file/update/{meta['file_id']}"
    r = await http.post(path, files={"file_original_name": (None, "n.txt"), "file_is_evidence": (None, "n")})
    assert r.json()["message"] == "File updated in datastore"
    assert r.json()["data"]["file_is_evidence"] is True  # "n" sets it: presence means true (391)
    assert r.json()["data"]["file_tags"] == "t"  # partial
    assert len(app.store.evidences) == 1
    r = await http.post(path, data={"file_original_name": "n.txt", "file_description": "v2"},
                        files={"file_content": ("n.txt", b"version 2", "text/plain")})
    data = r.json()["data"]
    assert data["file_is_evidence"] is False and data["file_is_ioc"] is False  # left out: cleared
    assert data["file_sha256"] == hashlib.sha256(b"version 2").hexdigest().upper() and data["file_size"] == 9
    assert [h["action"] for h in data["modification_history"].values()] == ["created", "updated", "updated"]
    assert (await http.get(f"/datastore/file/view/{meta['file_id']}")).content == b"version 2"
    r = await http.post("/datastore/file/update/999", data={"file_original_name": "x"})
    assert r.json()["message"] == "Invalid file ID for this case"


async def test_folder_operations(app, http):
    folders = folder_ids((await http.get("/datastore/list/tree")).json()["data"])
    r = await http.post("/datastore/folder/add", json={"parent_node": folders["Evidences"], "folder_name": "Mails"})
    assert r.json()["message"] == "Folder added"
    mails = r.json()["data"]
    assert set(mails) == {"path_id", "path_uuid", "path_name", "path_parent_id", "path_is_root", "path_case_id"}
    assert (mails["path_parent_id"], mails["path_is_root"]) == (folders["Evidences"], False)
    r = await http.post("/datastore/folder/add", json={"parent_node": folders["Evidences"]})
    assert r.json()["message"] == "Invalid data"
    r = await http.post("/datastore/folder/add", json={"parent_node": 999, "folder_name": "x"})
    assert r.json()["message"] == "Parent node is invalid for this case"
    fid = mails["path_id"]
    r = await http.post(f"/datastore/folder/rename/{fid}", json={"parent_node": fid, "folder_name": "Mail"})
    assert (r.json()["message"], r.json()["data"]["path_name"]) == ("Folder renamed", "Mail")
    r = await http.post(f"/datastore/folder/rename/{fid}", json={"parent_node": 1, "folder_name": "x"})
    assert r.json()["message"] == "Invalid data"
    r = await http.post(f"/datastore/folder/move/{fid}", json={"destination-node": folders["IOCs"]})
    assert r.json()["message"] == 'Folder "Mail" successfully moved to "IOCs"'
    r = await http.post(f"/datastore/folder/move/{fid}", json={"destination-node": 999})
    assert r.json()["message"] == "Invalid destination node ID for this case"
    meta = (await upload(http, fid, b"eml", name="m.eml")).json()["data"]
    r = await http.post(f"/datastore/file/move/{meta['file_id']}", json={"destination-node": 1})
    assert r.json() == {"status": "success", "message": "File successfully moved to Case 1", "data": []}
    r = await http.post(f"/datastore/file/move/{meta['file_id']}", json={"destination-node": fid})
    r = await http.post(f"/datastore/folder/delete/{fid}")
    assert r.json()["message"] == "Folder and children deleted"
    assert meta["file_id"] not in app.store.ds_files and meta["file_id"] not in app.store.ds_blobs
    r = await http.post(f"/datastore/folder/delete/{fid}")
    assert r.json()["message"] == "Parent node is invalid for this case"
    r = await http.post(f"/datastore/file/delete/{meta['file_id']}")
    assert r.json()["message"] == "Invalid DS file ID for this case"


async def test_deleting_the_root_recreates_it_on_next_tree(app, http):
    ensure_root(app.store, 1)
    r = await http.post("/datastore/folder/delete/1")
    assert r.status_code == 200 and app.store.ds_folders == {}
    data = (await http.get("/datastore/list/tree")).json()["data"]
    assert list(data) == ["d-5"] and len(data["d-5"]["children"]) == 3


async def test_filter_double_decoded_and_flags_by_presence(app, http):
    root = ensure_root(app.store, 1)
    await upload(http, root["path_id"], b"1", name="note.txt", file_tags="lockbit,ransom")
    await upload(http, root["path_id"], b"2", name="LB3.exe", file_tags="lockbit", file_is_ioc="y")
    await upload(http, root["path_id"], b"3", name="other.bin")

    async def names(query, encode_twice=True):
        q = json.dumps(query)
        q = urllib.parse.quote(q) if encode_twice else q
        r = await http.get("/datastore/list/filter", params={"cid": 1, "q": q})
        tree = r.json()["data"]["d-1"]["children"]
        assert {"d-2", "d-3", "d-4"} <= set(tree)  # folders are always there
        return sorted(n["file_original_name"] for n in tree.values() if n["type"] == "file")

    assert await names({"tag": ["LOCKBIT"]}) == ["LB3.exe", "note.txt"]
    assert await names({"tag": ["lockbit"], "name": ["note"]}, encode_twice=False) == ["note.txt"]
    assert await names({"is_ioc": ["false"]}) == ["LB3.exe"]  # presence means true
    assert await names({"has_password": []}) == ["LB3.exe"]
    sha = hashlib.sha256(b"3").hexdigest()
    assert await names({"sha256": [sha]}) == ["other.bin"]
    r = await http.get("/datastore/list/filter", params={"cid": 1, "q": "{not json"})
    assert r.json() == {"status": "error", "message": "Invalid query", "data": []}
    r = await http.get("/datastore/list/filter")
    assert r.json()["message"] == "Invalid query"


async def test_add_interactive_uses_notes_upload_and_dedupes(app, http):
    import base64

    body = {"file_original_name": "paste.png\n", "file_content": base64.b64encode(b"PNG...").decode()}
    r = await http.post("/datastore/file/add-interactive", json=body)
    assert r.json()["message"] == "File saved in datastore"
    url = r.json()["data"]["file_url"]
    file_id = int(url.rsplit("/", 1)[1])
    record = app.store.ds_files[file_id]
    assert record["file_original_name"] == "paste.png" and record["file_size"] is None
    assert app.store.ds_folders[record["file_parent_id"]]["path_name"] == "Notes Upload"
    assert (await http.get(url)).content == b"PNG..."
    r = await http.post("/datastore/file/add-interactive", json=body)
    assert r.json() == {"status": "success", "message": "File already existing in datastore. Using it.",
                        "data": {"file_url": url}}
    r = await http.post("/datastore/file/add-interactive", json={"file_original_name": "x"})
    assert r.status_code == 400 and "NoneType" in r.json()["message"]


def test_store_file_and_blob_helpers(app):
    root = ensure_root(app.store, 1)
    evidences = find_folder(app.store, 1, "Evidences", root["path_id"])
    record = store_file(app.store, 1, evidences["path_id"], 1, "x.txt", b"abc", tags="t", is_evidence=True)
    assert record["file_sha256"] == hashlib.sha256(b"abc").hexdigest().upper()
    assert app.store.ds_blobs[record["file_id"]].read() == b"abc"
    assert len(app.store.evidences) == 1
    blob = Blob.from_bytes(b"0123456789")
    assert list(blob.chunks(4)) == [b"0123", b"4567", b"89"]


async def test_round_trip_over_loopback_http():
    data = os.urandom(2 * 1024 * 1024)
    with running_server(seed="fresh") as (url, app):
        async with httpx.AsyncClient(base_url=url, headers=AUTH, params={"cid": 1}) as client:
            root = ensure_root(app.store, 1)
            r = await upload(client, root["path_id"], data, name="big.bin")
            file_id = r.json()["data"]["file_id"]
            digest = hashlib.sha256()
            async with client.stream("GET", f"/datastore/file/view/{file_id}") as response:
                assert int(response.headers["content-length"]) == len(data)
                async for chunk in response.aiter_bytes():
                    digest.update(chunk)
            assert digest.hexdigest().upper() == r.json()["data"]["file_sha256"]


def test_big_bytes_go_to_a_temporary_file():
    small, big = Blob.from_bytes(b"abc"), Blob.from_bytes(b"z" * (9 << 20))
    assert isinstance(small._fh, io.BytesIO) and not isinstance(big._fh, io.BytesIO)
    assert big.read() == b"z" * (9 << 20) and big.size == 9 << 20
