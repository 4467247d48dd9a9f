"""Datastore: replays of the real 2.4.20 exchanges 374-407, plus streamed transfers on a mock."""

from __future__ import annotations

import asyncio
import base64
import email.parser
import email.policy
import io
import json
import urllib.parse
from pathlib import Path

import httpx
import pytest
from support.replay import ReplayTransport, transcript

from iris_tui.api import (
    IrisBadRequestError,
    IrisClient,
    IrisConnectionError,
    IrisNotFoundError,
    IrisValidationError,
)
from iris_tui.api.datastore import File, Folder, filter_query
from iris_tui.api.download import disposition_filename

CID = 3


class CapturingReplay(ReplayTransport):
    """The replay transport that also keeps each request's raw body (for multipart checks)."""

    def __init__(self, exchanges):
        super().__init__(exchanges)
        self.bodies: list[bytes] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        self.bodies.append(request.content)
        return response


def replay(*names: str) -> tuple[IrisClient, CapturingReplay]:
    transport = CapturingReplay([transcript(n) for n in names])
    return IrisClient("http://iris.test", "test-key-not-real", transport=transport, retries=0), transport


def multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """name -> (filename, bytes) of every part of a multipart body."""
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    assert msg.is_multipart()
    parts = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[name] = (part.get_filename(), part.get_payload(decode=True))
    return parts


def recorded_body(name: str) -> bytes:
    return transcript(name)["response"]["body"].encode()


# -- tree and filter ---------------------------------------------------------------------------


async def test_tree_of_a_new_case_has_root_and_default_folders():
    iris, transport = replay("374")
    root = await iris.datastore.tree(CID)
    assert (root.id, root.name, root.is_root, root.parent_id) == (1, "Case 3", True, None)
    assert [(f.id, f.name, f.parent_id) for f in root.children] == [
        (2, "Evidences", 1), (4, "Images", 1), (3, "IOCs", 1),  # by name, case-insensitive
    ]
    assert root.find_folder(3).path == ("Case 3", "IOCs")
    assert root.files == [] and not any(f.is_root for f in root.children)
    assert transport.sent[0].query == {"cid": "3"}


async def test_tree_parses_files_with_every_column():
    iris, _ = replay("401")
    root = await iris.datastore.tree(CID)
    assert [f.name for f in root.walk()] == [
        "Case 3", "Evidences", "Images", "IOCs", "Ransom notes (all shares)",
    ]
    assert sorted(f.file_id for _, f in root.walk_files()) == [1, 2, 3, 5]
    assert [f.name for f in root.files] == ["empty.txt", "Restore-My-Files.txt"]

    ioc = root.find_file(2)
    assert root.find_folder(3).files == [ioc]
    assert ioc.file_sha256 == "DA64E5A5168151B8D824A291106F206D21B5EA0F65D316355209F9ECD6B9DA00"
    assert (ioc.is_ioc, ioc.file_is_evidence, ioc.file_password) == (True, None, "infected")
    assert ioc.download_name == "LB3.exe.zip"
    assert ioc.file_local_name.endswith(".zip") and ioc.file_parent_id == 3
    assert ioc.file_date_added.tzinfo is not None
    assert ioc.last_change.action == "created" and ioc.last_change.user == "administrator"
    assert "type" not in ioc.extra

    evidence = root.find_file(3)
    assert evidence.is_evidence and evidence.tags == [] and evidence.file_size == 128
    # the orphan entry left by an upload without file_content (382): no size, no hash
    orphan = root.find_file(5)
    assert (orphan.file_size, orphan.file_sha256, orphan.file_local_name) == (None, None, "tmp_xc")


async def test_filter_double_encodes_q():
    iris, transport = replay("400")
    root = await iris.datastore.filter(CID, tag="lockbit")
    want = transcript("400")["request"]
    sent = transport.sent[0]
    assert sent.query == want["query"]  # q decoded once is still percent-encoded JSON
    assert json.loads(urllib.parse.unquote(sent.query["q"])) == {"tag": ["lockbit"]}
    assert sorted(f.file_id for _, f in root.walk_files()) == [1, 2]
    assert root.find_folder(2).files == []  # folders stay, even empty


def test_filter_query_flags_are_present_only_when_true():
    q = filter_query({"name": "mail", "tag": ["a", "b"], "is_ioc": True, "is_evidence": False,
                      "has_password": None, "id": 7})
    assert q == {"name": ["mail"], "tag": ["a", "b"], "is_ioc": ["true"], "id": ["7"]}
    with pytest.raises(TypeError, match="unknown datastore filter 'tags'"):
        filter_query({"tags": "x"})


# -- folders -----------------------------------------------------------------------------------


async def test_add_folder():
    iris, transport = replay("375", "376", "377")
    folder = await iris.datastore.add_folder(CID, 2, "Ransom notes")
    assert transport.sent[0].json == {"parent_node": 2, "folder_name": "Ransom notes"}
    assert (folder.id, folder.name, folder.parent_id, folder.is_root) == (5, "Ransom notes", 2, False)
    assert folder.uuid == "c1d8e1ea-8d1c-46ab-8d36-d6aaab3e2b98"

    with pytest.raises(IrisBadRequestError, match="Invalid data"):
        await iris.datastore.add_folder(CID, 1, "")
    with pytest.raises(IrisBadRequestError, match="Parent node is invalid"):
        await iris.datastore.add_folder(CID, "d-99999", "x")
    assert transport.sent[2].json == {"parent_node": 99999, "folder_name": "x"}


async def test_rename_folder_repeats_its_id_as_parent_node():
    iris, transport = replay("397")
    folder = await iris.datastore.rename_folder(CID, Folder(id=5, name="Ransom notes"), "Ransom notes (all shares)")
    sent = transport.sent[0]
    assert sent.path == "/datastore/folder/rename/5"
    assert sent.json == {"parent_node": 5, "folder_name": "Ransom notes (all shares)"}
    assert folder.name == "Ransom notes (all shares)" and folder.parent_id == 2


async def test_rename_folder_mismatch_is_refused_by_the_server():
    # what happens when parent_node is not the folder's own id (the client never sends that)
    iris, _ = replay("398")
    with pytest.raises(IrisBadRequestError, match="Invalid data"):
        await iris.datastore.rename_folder(CID, 5, "x")


async def test_move_folder_uses_hyphenated_key():
    iris, transport = replay("399")
    folder = await iris.datastore.move_folder(CID, 5, "d-1")
    assert transport.sent[0].json == {"destination-node": 1}
    assert folder.parent_id == 1


async def test_delete_folder():
    iris, transport = replay("405", "406")
    assert await iris.datastore.delete_folder(CID, 5) is None
    assert (transport.sent[0].method, transport.sent[0].path) == ("POST", "/datastore/folder/delete/5")
    with pytest.raises(IrisBadRequestError, match="Parent node is invalid"):
        await iris.datastore.delete_folder(CID, 5)


# -- upload ------------------------------------------------------------------------------------


async def test_upload_from_path_sends_only_given_parts(tmp_path: Path):
    note = tmp_path / "Restore-My-Files.txt"
    note.write_bytes(b"x" * 155)
    seen = []
    iris, transport = replay("378")
    file = await iris.datastore.upload(
        CID, 5, note, description="Ransom note from \\\\NW-FS02\\Finance",
        tags=["ransom-note", "lockbit"], progress=lambda done, total: seen.append((done, total)),
    )
    sent = transport.sent[0]
    assert sent.path == "/datastore/file/add/5" and sent.query == {"cid": "3"}
    assert sent.content_type.startswith("multipart/form-data")
    parts = multipart(sent.content_type, transport.bodies[0])
    assert parts["file_original_name"] == (None, b"Restore-My-Files.txt")
    assert parts["file_description"] == (None, b"Ransom note from \\\\NW-FS02\\Finance")
    assert parts["file_tags"] == (None, b"ransom-note,lockbit")
    assert parts["file_content"] == ("Restore-My-Files.txt", b"x" * 155)
    assert not {"file_is_ioc", "file_is_evidence", "file_password"} & parts.keys()
    assert seen[-1] == (155, 155)
    assert isinstance(file, File)
    assert (file.file_id, file.file_size, file.file_parent_id) == (1, 155, 5)
    assert file.file_sha256 == "83EAB748DAC25C6E107786236C36A8DB9B613804F70C955BF986DCF184E20D64"


async def test_upload_as_ioc_from_file_object():
    iris, transport = replay("379", "380")
    sample = io.BytesIO(b"MZ" + b"\0" * 218)
    file = await iris.datastore.upload(CID, 3, sample, name="LB3.exe", description="Encryptor sample",
                                       tags="lockbit", is_ioc=True)
    parts = multipart(transport.sent[0].content_type, transport.bodies[0])
    assert parts["file_is_ioc"] == (None, b"true")
    assert "file_is_evidence" not in parts and "file_password" not in parts
    assert parts["file_content"] == ("LB3.exe", b"MZ" + b"\0" * 218)
    assert file.is_ioc and file.file_password == "infected"

    file = await iris.datastore.upload(CID, 2, io.BytesIO(b"ElfFile\0"), name="NW-DC01_Security.evtx",
                                       description="Security log export", is_evidence=True)
    parts = multipart(transport.sent[1].content_type, transport.bodies[1])
    assert parts["file_is_evidence"] == (None, b"true")
    assert "file_is_ioc" not in parts and "file_tags" not in parts
    assert file.is_evidence and file.file_is_ioc is None


async def test_upload_without_a_name_is_refused_before_sending():
    # the real server answers an HTML 500 when file_original_name is missing (381)
    iris, transport = replay()
    with pytest.raises(IrisValidationError) as err:
        await iris.datastore.upload(CID, 1, io.BytesIO(b"abc"))
    assert "file_original_name" in err.value.fields
    assert transport.sent == []


async def test_upload_errors():
    iris, _ = replay("381", "382", "383")
    from iris_tui.api import IrisServerError

    # 381/382 show what the server does with incomplete requests; the client cannot send those
    # through upload(), so replay them with a name the server then rejects
    with pytest.raises(IrisServerError):
        await iris.datastore.upload(CID, 1, io.BytesIO(b"abc"), name="a.txt")
    with pytest.raises(IrisValidationError) as err:
        await iris.datastore.upload(CID, 1, io.BytesIO(b"x"), name="empty.txt")
    assert err.value.fields == {"": ["No file provided"]}
    with pytest.raises(IrisBadRequestError, match="Invalid path node"):
        await iris.datastore.upload(CID, 99999, io.BytesIO(b"x"), name="x.txt")


async def test_upload_streams_in_chunks_with_progress():
    size = 200_000
    received = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        received["length"] = request.headers.get("content-length")
        received["body"] = await request.aread()
        data = transcript("378")["response"]["body"]
        return httpx.Response(200, json=data)

    iris = IrisClient("http://iris.test", "k", transport=httpx.MockTransport(handler), retries=0)
    seen = []
    await iris.datastore.upload(CID, 5, io.BytesIO(b"a" * size), name="big.bin",
                                progress=lambda done, total: seen.append((done, total)))
    assert len(seen) >= 4  # read in 64 KiB chunks, not in one go
    assert seen[-1] == (size, size) and all(total == size for _, total in seen)
    assert received["length"] is not None  # sized, not chunked
    parts = multipart(f"multipart/form-data; boundary={_boundary(received['body'])}", received["body"])
    assert parts["file_content"][1] == b"a" * size


def _boundary(body: bytes) -> str:
    return body.split(b"\r\n", 1)[0][2:].decode()


# -- info and download -------------------------------------------------------------------------


async def test_info():
    iris, _ = replay("384", "386", "388")
    file = await iris.datastore.info(CID, 1)
    assert file.name == "Restore-My-Files.txt" and file.file_local_name is None
    assert file.tags == ["ransom-note", "lockbit"] and file.download_name == "Restore-My-Files.txt"
    ioc = await iris.datastore.info(CID, "f-2")
    assert ioc.has_password and ioc.download_name == "LB3.exe.zip"
    with pytest.raises(IrisNotFoundError):
        await iris.datastore.info(CID, 99999)


async def test_download_into_folder_uses_server_name(tmp_path: Path):
    iris, transport = replay("385", "387")
    seen = []
    path = await iris.datastore.download(CID, 1, tmp_path, progress=lambda d, t: seen.append((d, t)))
    assert path == tmp_path / "Restore-My-Files.txt"
    assert path.read_bytes() == recorded_body("385")
    assert seen[-1] == (155, 155)
    assert transport.sent[0].path == "/datastore/file/view/1" and transport.sent[0].query == {"cid": "3"}

    # IOC files come back as a password-protected zip
    path = await iris.datastore.download(CID, 2, tmp_path)
    assert path.name == "LB3.exe.zip"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["LB3.exe.zip", "Restore-My-Files.txt"]


async def test_download_to_explicit_path_and_overwrite(tmp_path: Path):
    target = tmp_path / "note.txt"
    target.write_bytes(b"keep me")
    iris, transport = replay("385", "394")
    with pytest.raises(FileExistsError):
        await iris.datastore.download(CID, 1, target)
    assert transport.sent == [] and target.read_bytes() == b"keep me"

    (tmp_path / "Restore-My-Files.txt").write_bytes(b"older copy")
    with pytest.raises(FileExistsError):
        await iris.datastore.download(CID, 1, tmp_path)  # name known only from the answer
    assert (tmp_path / "Restore-My-Files.txt").read_bytes() == b"older copy"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Restore-My-Files.txt", "note.txt"]

    path = await iris.datastore.download(CID, 1, target, overwrite=True)
    assert path == target and target.read_bytes() == recorded_body("394")


async def test_download_of_unknown_file_leaves_nothing(tmp_path: Path):
    iris, _ = replay("389")
    with pytest.raises(IrisNotFoundError, match="Invalid DS file ID"):
        await iris.datastore.download(CID, 99999, tmp_path)
    assert list(tmp_path.iterdir()) == []


def streaming_client(body, headers=None) -> IrisClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "application/octet-stream",
                          "content-disposition": "inline; filename=dump.bin", **(headers or {})},
            content=body(),
        )

    return IrisClient("http://iris.test", "k", transport=httpx.MockTransport(handler), retries=0)


async def test_streamed_download_writes_every_chunk(tmp_path: Path):
    async def body():
        for i in range(5):
            yield bytes([i]) * 1000
            await asyncio.sleep(0)

    iris = streaming_client(body, {"content-length": "5000"})
    seen = []
    path = await iris.datastore.download(CID, 7, tmp_path, progress=lambda d, t: seen.append((d, t)))
    assert path == tmp_path / "dump.bin"
    assert path.read_bytes() == b"".join(bytes([i]) * 1000 for i in range(5))
    assert seen == [(1000 * (i + 1), 5000) for i in range(5)]
    assert [p.name for p in tmp_path.iterdir()] == ["dump.bin"]


async def test_error_mid_stream_leaves_no_file(tmp_path: Path):
    async def body():
        yield b"partial data"
        raise httpx.ReadError("connection reset")

    iris = streaming_client(body)
    with pytest.raises(IrisConnectionError):
        await iris.datastore.download(CID, 7, tmp_path / "dump.bin")
    assert list(tmp_path.iterdir()) == []


async def test_cancelled_download_leaves_no_file(tmp_path: Path):
    first_chunk = asyncio.Event()

    async def body():
        yield b"partial data"
        await asyncio.Event().wait()  # the server stalls
        yield b"never"

    iris = streaming_client(body)
    task = asyncio.create_task(
        iris.datastore.download(CID, 7, tmp_path, progress=lambda d, t: first_chunk.set())
    )
    await asyncio.wait_for(first_chunk.wait(), 5)
    assert len(list(tmp_path.iterdir())) == 1  # the temporary file exists while downloading
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert list(tmp_path.iterdir()) == []


def test_disposition_filename_is_made_safe():
    assert disposition_filename("inline; filename=LB3.exe.zip") == "LB3.exe.zip"
    assert disposition_filename('attachment; filename="../../etc/passwd"') == "passwd"
    assert disposition_filename('attachment; filename="..\\\\evil.txt"') == "evil.txt"
    assert disposition_filename('attachment; filename=".bashrc"') == "bashrc"
    assert disposition_filename("inline; filename*=UTF-8''r%C3%A9sum%C3%A9%E2%80%AE.txt") == "résumé.txt"
    assert disposition_filename('inline; filename=".."') == ""
    assert disposition_filename(None) == ""


async def test_download_with_unusable_name_falls_back_to_id(tmp_path: Path):
    async def body():
        yield b"data"

    iris = streaming_client(body, {"content-disposition": 'inline; filename=".."'})
    path = await iris.datastore.download(CID, 7, tmp_path)
    assert path == tmp_path / "datastore-file-7" and path.read_bytes() == b"data"


# -- update, move, delete, interactive ---------------------------------------------------------


async def test_update_file_metadata_is_multipart_without_flags():
    iris, transport = replay("390")
    file = await iris.datastore.update_file(
        CID, 1, name="Restore-My-Files.txt", description="Ransom note (identical on all shares)",
        tags=["ransom-note", "lockbit", "nw-fs02"], password=None, is_ioc=False, is_evidence=False,
    )
    sent = transport.sent[0]
    assert sent.path == "/datastore/file/update/1"
    assert sent.content_type.startswith("multipart/form-data")
    parts = multipart(sent.content_type, transport.bodies[0])
    assert parts == {
        "file_original_name": (None, b"Restore-My-Files.txt"),
        "file_description": (None, b"Ransom note (identical on all shares)"),
        "file_tags": (None, b"ransom-note,lockbit,nw-fs02"),
    }
    assert file.file_tags == "ransom-note,lockbit,nw-fs02" and not file.is_evidence


async def test_update_file_flag_set_by_presence_cleared_by_absence():
    iris, transport = replay("391", "393")
    file = await iris.datastore.update_file(
        CID, 1, name="Restore-My-Files.txt", description=None, tags=None, password=None,
        is_ioc=False, is_evidence=True,
    )
    parts = multipart(transport.sent[0].content_type, transport.bodies[0])
    assert parts == {"file_original_name": (None, b"Restore-My-Files.txt"),
                     "file_is_evidence": (None, b"true")}
    assert file.is_evidence

    # clearing: the flag part is simply left out; new content replaces the bytes
    new = b"~~~ LockBit 3.0 ~~~\nTor chat: lockbitsupp[.]onion\n"
    file = await iris.datastore.update_file(
        CID, 1, name="Restore-My-Files.txt", description="Ransom note, NW-FS03 variant", tags=None,
        password=None, is_ioc=False, is_evidence=False, content=new,
    )
    parts = multipart(transport.sent[1].content_type, transport.bodies[1])
    assert "file_is_evidence" not in parts and "file_is_ioc" not in parts and "file_tags" not in parts
    assert parts["file_content"] == ("Restore-My-Files.txt", new)
    assert parts["file_description"] == (None, b"Ransom note, NW-FS03 variant")
    assert not file.is_evidence and file.file_size == 185


async def test_move_file():
    iris, transport = replay("395", "396")
    assert await iris.datastore.move_file(CID, 1, 1) is None
    assert transport.sent[0].json == {"destination-node": 1}
    with pytest.raises(IrisNotFoundError, match="Invalid destination node"):
        await iris.datastore.move_file(CID, 1, 99999)


async def test_delete_file():
    iris, transport = replay("403", "404")
    assert await iris.datastore.delete_file(CID, File(file_id=1)) is None
    assert (transport.sent[0].method, transport.sent[0].path) == ("POST", "/datastore/file/delete/1")
    with pytest.raises(IrisNotFoundError):
        await iris.datastore.delete_file(CID, 1)


async def test_add_interactive_sends_base64():
    png = base64.b64decode(transcript("402")["request"]["json"]["file_content"])
    iris, transport = replay("402")
    url = await iris.datastore.add_interactive(CID, "screenshot.png", png)
    assert transport.sent[0].json == transcript("402")["request"]["json"]
    assert url == "/datastore/file/view/6"


async def test_tree_at_the_end():
    iris, _ = replay("407")
    root = await iris.datastore.tree(CID)
    uploads = next(f for f in root.children if f.name == "Notes Upload")
    assert [f.name for f in uploads.files] == ["screenshot.png"]
    assert root.find_folder(5) is None and root.find_file(1) is None


async def test_a_big_upload_waits_longer_for_the_answer(tmp_path):
    """IRIS hashes (and zips) the whole upload before answering: the read timeout grows."""
    seen = {}

    def answer(request: httpx.Request) -> httpx.Response:
        seen["read"] = request.extensions["timeout"]["read"]
        body = {"status": "success", "message": "File saved in datastore ",
                "data": {"file_id": 1, "file_original_name": "big.bin"}}
        return httpx.Response(200, json=body)

    big = tmp_path / "big.bin"
    with big.open("wb") as fh:
        fh.truncate(50_000_000)  # sparse: 50 MB on paper
    async with IrisClient("http://iris.test", "k", timeout=30, transport=httpx.MockTransport(answer)) as iris:
        await iris.datastore.upload(3, 52, big)
    assert seen["read"] == pytest.approx(35.0)
