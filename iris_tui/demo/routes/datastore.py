"""The per-case datastore (iris-api.md 10): folder tree, multipart upload, download, folders.

Quirks kept on purpose: the root `Case <cid>` and its Evidences/IOCs/Images folders appear on the
first tree call; tree keys are `d-<id>` / `f-<id>` and file nodes carry every column; an upload
without `file_original_name` consumes an id and fails with an HTML 500, one without `file_content`
leaves an orphan entry (`tmp_xc`) behind; on update the mere *presence* of `file_is_ioc` /
`file_is_evidence` means true; moves use the key `destination-node`; `sha256` is upper-case hex.

Deviation: IRIS stores IOC and password files inside a ZipCrypto-encrypted ZIP (pyminizip). The
standard library cannot write encrypted ZIPs, so the fake keeps the original bytes and serves
such files as a *plain* ZIP (one member named by the sha256, as IRIS names it); `file_password`
is still reported as IRIS reports it.

Bytes live in `store.ds_blobs[file_id]` as `Blob`s: small ones in memory, big ones in an anonymous
temporary file (an uploaded 1 GB file is taken over from the multipart parser, never copied into
memory), and downloads stream in chunks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import mimetypes
import tempfile
import threading
import unicodedata
import urllib.parse
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.responses import StreamingResponse

from iris_tui.demo.sqlish import add_history, contains
from iris_tui.demo.store import Store, iso, new_uuid, utcnow
from iris_tui.demo.web import Iris, Reply, as_bool, as_int, html_error, int_id, route

DATASTORE_PATH = "/home/iris/server_data/datastore"
STANDARD_FOLDERS = ("Evidences", "IOCs", "Images")
INTERACTIVE_FOLDER = "Notes Upload"
FORM_FIELDS = ("file_original_name", "file_description", "file_is_ioc", "file_is_evidence",
               "file_password", "file_tags", "file_parent_id")
CHUNK = 1 << 20
SPOOL = 8 << 20  # a blob or a served ZIP stays in memory up to this size


# -- bytes --------------------------------------------------------------------------------------


class Blob:
    """The bytes of one datastore file, readable concurrently by several downloads."""

    def __init__(self, fh: IO[bytes], size: int, sha256: str) -> None:
        self._fh = fh
        self._lock = threading.Lock()
        self.size = size
        self.sha256 = sha256  # upper-case hex, as IRIS stores it

    @classmethod
    def from_bytes(cls, data: bytes) -> Blob:
        """Small data stays in memory; big data goes to an anonymous temporary file."""
        fh: IO[bytes] = io.BytesIO(data) if len(data) <= SPOOL else tempfile.TemporaryFile()
        if len(data) > SPOOL:
            fh.write(data)
        return cls(fh, len(data), hashlib.sha256(data).hexdigest().upper())

    @classmethod
    def adopt(cls, fh: IO[bytes]) -> Blob:
        """Take over an open file (e.g. the multipart parser's spool file): hash it in one pass."""
        digest, size = hashlib.sha256(), 0
        fh.seek(0)
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        return cls(fh, size, digest.hexdigest().upper())

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        offset = 0
        while offset < self.size:
            with self._lock:
                self._fh.seek(offset)
                chunk = self._fh.read(min(size, self.size - offset))
            if not chunk:
                return
            offset += len(chunk)
            yield chunk

    def read(self) -> bytes:
        return b"".join(self.chunks())


def zipped(blob: Blob, member: str) -> tempfile.SpooledTemporaryFile[bytes]:
    """A ZIP holding the blob (stored, not encrypted: see the module docstring), rewound."""
    out: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        with archive.open(member, "w", force_zip64=blob.size >= 0x7FFFFFFF) as dest:
            for chunk in blob.chunks():
                dest.write(chunk)
    out.seek(0)
    return out


# -- records ------------------------------------------------------------------------------------


def folder_view(folder: dict[str, Any]) -> dict[str, Any]:
    return {k: folder[k] for k in ("path_id", "path_uuid", "path_name", "path_parent_id",
                                   "path_is_root", "path_case_id")}


def _new_folder(store: Store, case_id: int, name: str, parent_id: int, is_root: bool = False) -> dict[str, Any]:
    folder = {"path_id": store.next_id("ds_path"), "path_uuid": new_uuid(), "path_name": name,
              "path_parent_id": parent_id, "path_is_root": is_root, "path_case_id": case_id}
    store.ds_folders[folder["path_id"]] = folder
    return folder


def find_root(store: Store, case_id: int) -> dict[str, Any] | None:
    for folder in store.ds_folders.values():
        if folder["path_case_id"] == case_id and folder["path_is_root"]:
            return folder
    return None


def ensure_root(store: Store, case_id: int) -> dict[str, Any]:
    """The case's root folder, created with Evidences/IOCs/Images when missing (as IRIS does
    on the first tree call)."""
    root = find_root(store, case_id)
    if root is None:
        root = _new_folder(store, case_id, f"Case {case_id}", 0, is_root=True)
        for name in STANDARD_FOLDERS:
            _new_folder(store, case_id, name, root["path_id"])
    return root


def create_folder(store: Store, case_id: int, parent_id: int, name: str) -> dict[str, Any]:
    return _new_folder(store, case_id, name, parent_id)


def find_folder(store: Store, case_id: int, name: str, parent_id: int | None = None) -> dict[str, Any] | None:
    for folder in store.ds_folders.values():
        if folder["path_case_id"] == case_id and folder["path_name"] == name and (
                parent_id is None or folder["path_parent_id"] == parent_id):
            return folder
    return None


def local_name(record: dict[str, Any], case_id: int) -> str:
    kind = "IOCs" if record["file_is_ioc"] else "Evidences" if record["file_is_evidence"] else "Regulars"
    return f"{DATASTORE_PATH}/{kind}/case-{case_id}/dsf-{record['file_uuid']}"


def _new_file(store: Store, case_id: int, folder_id: int, user_id: int, fields: dict[str, Any],
              history: bool = True) -> dict[str, Any]:
    record = {
        "file_id": store.next_id("ds_file"), "file_uuid": new_uuid(),
        "file_original_name": fields.get("file_original_name"),
        "file_description": fields.get("file_description"), "file_tags": fields.get("file_tags"),
        "file_size": None, "file_sha256": None,
        "file_is_ioc": fields.get("file_is_ioc"), "file_is_evidence": fields.get("file_is_evidence"),
        "file_password": fields.get("file_password"), "file_parent_id": folder_id,
        "file_case_id": case_id, "added_by_user_id": user_id, "file_date_added": iso(utcnow()),
        "file_local_name": "tmp_xc", "modification_history": None,
    }
    if record["file_is_ioc"] and not record["file_password"]:
        record["file_password"] = "infected"
    if history:
        add_history(store, record, user_id, "created")
    store.ds_files[record["file_id"]] = record
    return record


def _put_blob(store: Store, record: dict[str, Any], blob: Blob) -> None:
    """Attach bytes: size and sha256 describe the original bytes, zipped or not (10.3)."""
    store.ds_blobs[record["file_id"]] = blob
    path = local_name(record, record["file_case_id"])
    record["file_local_name"] = path + ".zip" if record["file_is_ioc"] or record["file_password"] else path
    record["file_size"] = blob.size
    record["file_sha256"] = blob.sha256


def _side_effects(store: Store, record: dict[str, Any], user_id: int) -> str:
    """The IOC and evidence a flagged file creates; returns the message suffix IRIS sends."""
    case_id = record["file_case_id"]
    added = ""
    if record["file_is_ioc"]:
        add_file_as_ioc(store, record, case_id, user_id)
        added = "and added in IOC"
    if record["file_is_evidence"]:
        add_file_as_evidence(store, record, case_id, user_id)
        added += " and evidence" if added else "and added in evidence"
    return added


def store_file(store: Store, case_id: int, folder_id: int, user_id: int, name: str, data: bytes | Blob,
               *, description: str | None = None, tags: str | None = None, password: str | None = None,
               is_ioc: bool | None = None, is_evidence: bool | None = None) -> dict[str, Any]:
    """Store a file as a successful upload does, IOC and evidence side effects included."""
    record = _new_file(store, case_id, folder_id, user_id, {
        "file_original_name": name, "file_description": description, "file_tags": tags,
        "file_password": password, "file_is_ioc": is_ioc, "file_is_evidence": is_evidence,
    })
    _put_blob(store, record, data if isinstance(data, Blob) else Blob.from_bytes(data))
    _side_effects(store, record, user_id)
    return record


def add_file_as_ioc(store: Store, record: dict[str, Any], case_id: int, user_id: int) -> None:
    """An existing IOC with that value is only linked; otherwise a sha256 IOC, TLP amber, tag
    `datastore` (iris-api.md 10.3)."""
    from iris_tui.demo.routes.iocs import add_ioc_to_case  # written alongside

    if record["file_sha256"] is None:
        raise ValueError("NULL value in column ioc_value")  # an orphan entry: HTML 500
    ioc_type = store.lookup("ioc_type", "type_name", "sha256") or {}
    tlp = store.lookup("tlp", "tlp_name", "amber") or {}
    existing = next((i for i in store.iocs.values() if i.get("ioc_value") == record["file_sha256"]), None)
    fields = {
        "ioc_value": record["file_sha256"],
        "ioc_type_id": existing["ioc_type_id"] if existing else ioc_type.get("type_id"),
        "ioc_tlp_id": tlp.get("tlp_id"), "ioc_tags": "datastore",
        "ioc_description": f"SHA256 of {record['file_original_name']}. Imported from datastore.",
    }
    add_ioc_to_case(store, case_id, user_id, fields)


def add_file_as_evidence(store: Store, record: dict[str, Any], case_id: int, user_id: int) -> None:
    """An evidence row unless one with that hash exists in any case; no type, no custom
    attributes, and the evidences counter does not move (iris-api.md 2.9)."""
    from iris_tui.demo.routes.evidences import create_evidence  # written alongside

    if any(e.get("file_hash") == record["file_sha256"] for e in store.evidences.values()):
        return
    evidence = create_evidence(store, case_id, user_id, {
        "filename": record["file_original_name"], "file_size": record["file_size"],
        "file_hash": record["file_sha256"],
        "file_description": f"Imported from datastore. {record['file_description']}",
    })
    evidence["custom_attributes"] = None  # no template applied on this path (408)


def delete_file(store: Store, record: dict[str, Any]) -> None:
    store.ds_files.pop(record["file_id"], None)
    store.ds_blobs.pop(record["file_id"], None)


def delete_folder(store: Store, folder: dict[str, Any], seen: set[int] | None = None) -> None:
    """A folder with its files and sub-folders, recursively (a root takes the whole tree)."""
    seen = set() if seen is None else seen
    seen.add(folder["path_id"])
    case_id = folder["path_case_id"]
    for child in [f for f in store.ds_folders.values()
                  if f["path_case_id"] == case_id and not f["path_is_root"]
                  and f["path_parent_id"] == folder["path_id"] and f["path_id"] not in seen]:
        delete_folder(store, child, seen)
    for record in [r for r in store.ds_files.values()
                   if r["file_parent_id"] == folder["path_id"] and r["file_case_id"] == case_id]:
        delete_file(store, record)
    store.ds_folders.pop(folder["path_id"], None)


# -- tree ---------------------------------------------------------------------------------------


def file_node(record: dict[str, Any]) -> dict[str, Any]:
    node = dict(record)
    node["type"] = "file"
    return node


def tree(store: Store, case_id: int, files: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """`{"d-<root>": {...}}` with folders and files nested; files first in each folder, as IRIS
    builds it. Folders whose parent is not in the tree are left out (IRIS loses them too)."""
    root = ensure_root(store, case_id)
    if files is None:
        files = [r for r in store.ds_files.values() if r["file_case_id"] == case_id]
    folders = sorted((f for f in store.ds_folders.values()
                      if f["path_case_id"] == case_id and not f["path_is_root"]),
                     key=lambda f: (f["path_parent_id"], f["path_id"]))
    by_parent: dict[Any, list[dict[str, Any]]] = {}
    for folder in folders:
        by_parent.setdefault(folder["path_parent_id"], []).append(folder)
    files_in: dict[Any, list[dict[str, Any]]] = {}
    for record in sorted(files, key=lambda r: r["file_id"]):
        files_in.setdefault(record["file_parent_id"], []).append(record)

    def children(folder_id: int, seen: set[int]) -> dict[str, Any]:
        out = {f"f-{r['file_id']}": file_node(r) for r in files_in.get(folder_id, ())}
        for sub in by_parent.get(folder_id, ()):
            if sub["path_id"] not in seen:
                out[f"d-{sub['path_id']}"] = {"name": sub["path_name"], "type": "directory",
                                              "children": children(sub["path_id"], seen | {sub["path_id"]})}
        return out

    return {f"d-{root['path_id']}": {"name": root["path_name"], "type": "directory", "is_root": True,
                                     "children": children(root["path_id"], {root["path_id"]})}}


def _listed(value: Any) -> list[Any]:
    """The query's list values are iterated as IRIS does: a string by character."""
    return list(value)  # TypeError for numbers -> HTML 500, like IRIS


def filter_files(store: Store, case_id: int, query: dict[str, Any]) -> list[dict[str, Any]]:
    """The files matching a datastore filter (all conditions ANDed, iris-api.md 10.1)."""
    files = [r for r in store.ds_files.values() if r["file_case_id"] == case_id]
    conditions = []
    for fid in _listed(query.get("id") or ()):
        if fid:
            text = fid.replace("dsf-", "")  # AttributeError for non-strings -> HTML 500
            if not text.strip().lstrip("-").isdigit():
                raise LookupError("invalid input syntax for type integer")
            conditions.append(lambda r, n=int(text): r["file_id"] == n)
    for fuid in _listed(query.get("uuid") or ()):
        if fuid:
            conditions.append(lambda r, u=fuid.replace("dsf-", ""): r["file_uuid"] == u)
    for sha in _listed(query.get("sha256") or ()):
        if sha:
            conditions.append(lambda r, s=sha.lower(): (r["file_sha256"] or "").lower() == s
                              and r["file_sha256"] is not None)
    for key, column in (("name", "file_original_name"), ("storage_name", "file_local_name"),
                        ("tag", "file_tags"), ("description", "file_description")):
        for text in _listed(query.get(key) or ()):
            conditions.append(lambda r, c=column, t=text: contains(r[c], t))
    if query.get("is_ioc") is not None:
        conditions.append(lambda r: r["file_is_ioc"] is True)
    if query.get("is_evidence") is not None:
        conditions.append(lambda r: r["file_is_evidence"] is True)
    if query.get("has_password") is not None:
        conditions.append(lambda r: r["file_password"] is not None and r["file_password"] != "")
    return [r for r in files if all(check(r) for check in conditions)]


# -- request helpers ----------------------------------------------------------------------------


def _folder(store: Store, case_id: int, value: Any) -> dict[str, Any] | None:
    try:
        folder_id = as_int(value)
    except ValueError:
        return None
    folder = store.ds_folders.get(folder_id) if folder_id is not None else None
    return folder if folder is not None and folder["path_case_id"] == case_id else None


def _file(ctx: Iris, case_id: int) -> dict[str, Any] | None:
    record = ctx.store.ds_files.get(int_id(ctx.params["file_id"]))
    return record if record is not None and record["file_case_id"] == case_id else None


async def _form(ctx: Iris) -> Any:
    try:
        return await ctx.request.form(max_files=1000, max_fields=1000)
    except MultiPartException:
        raise Reply(html_error(400)) from None


def _parse_fields(form: Any) -> dict[str, Any]:
    """The DSFileSchema load of the allowed text parts: marshmallow's messages, all at once."""
    fields: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key in FORM_FIELDS:
        value = form.get(key)
        if not isinstance(value, str):  # absent, or sent as a file part (Werkzeug: not a field)
            continue
        if key in ("file_is_ioc", "file_is_evidence"):
            try:
                fields[key] = as_bool(value)
            except ValueError:
                errors[key] = ["Not a valid boolean."]
        elif key == "file_parent_id":
            try:
                fields[key] = int(value)
            except ValueError:
                errors[key] = ["Not a valid integer."]
        elif key == "file_original_name" and value == "":
            errors[key] = ["Shorter than minimum length 1."]
        else:
            if "\x00" in value:
                raise ValueError("A string literal cannot contain NUL (0x00) characters.")
            fields[key] = value
    if errors:
        raise Reply(Iris.data_error(errors))
    return fields


async def _adopt_upload(upload: UploadFile) -> Blob:
    """Take the parser's spool file over (a large upload is already on disk: no copy)."""
    fh = upload.file
    upload.file = io.BytesIO()  # closing the form later must not close what the store keeps
    return await run_in_threadpool(Blob.adopt, fh)


def _header_filename(name: str) -> str:
    """Werkzeug's `filename=` / `filename*=` pair for Content-Disposition."""
    name = "".join(ch for ch in name if ch.isprintable())
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        quoted = urllib.parse.quote(name, safe="!#$&+-.^_`|~")
        return f"filename={_quote_token(simple)}; filename*=UTF-8''{quoted}"
    return f"filename={_quote_token(name)}"


_TOKEN = frozenset("!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~")


def _quote_token(value: str) -> str:
    if value and set(value) <= _TOKEN:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _content_type(name: str) -> str:
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{ctype}; charset=utf-8" if ctype.startswith("text/") else ctype


# -- tree and filter ----------------------------------------------------------------------------


@route("GET", "/datastore/list/tree")
async def list_tree(ctx: Iris):
    cid = await ctx.case("ro")
    return ctx.ok(tree(ctx.store, cid))


@route("GET", "/datastore/list/filter")
async def list_filter(ctx: Iris):
    cid = await ctx.case("ro")
    try:
        query = dict(json.loads(urllib.parse.unquote_plus(ctx.query.get("q"))))
    except Exception:  # IRIS answers every parsing problem the same way
        return ctx.fail(400, "Invalid query")
    try:
        files = filter_files(ctx.store, cid, query)
    except LookupError:  # the SQL query itself failed
        return ctx.fail(400, "Invalid query")
    return ctx.ok(tree(ctx.store, cid, files))


# -- folders ------------------------------------------------------------------------------------


@route("POST", "/datastore/folder/add")
async def folder_add(ctx: Iris):
    cid = await ctx.case("full")
    body = await ctx.json()
    parent, name = body.get("parent_node"), body.get("folder_name")
    if not body or not parent or not name:
        return ctx.fail(400, "Invalid data")
    try:
        as_int(parent)
    except ValueError:
        return ctx.fail(400, f"Unable to request datastore for parent node : {parent}")
    parent_folder = _folder(ctx.store, cid, parent)
    if parent_folder is None:
        return ctx.fail(400, "Parent node is invalid for this case")
    folder = create_folder(ctx.store, cid, parent_folder["path_id"], str(name))
    ctx.store.log_activity(ctx.user_id, cid, f'Folder "{name}" added to DS')
    return ctx.ok(folder_view(folder), "Folder added")


@route("POST", "/datastore/folder/rename/{folder_id:int}")
async def folder_rename(ctx: Iris):
    cid = await ctx.case("full")
    body = await ctx.json()
    node, name = body.get("parent_node"), body.get("folder_name")
    if not body or not node or not name:
        return ctx.fail(400, "Invalid data")
    if int(node) != ctx.params["folder_id"]:  # ValueError -> HTML 500, as in IRIS
        return ctx.fail(400, "Invalid data")
    folder = _folder(ctx.store, cid, node)
    if folder is None:
        return ctx.fail(400, "Parent node is invalid for this case")
    folder["path_name"] = str(name)
    ctx.store.log_activity(ctx.user_id, cid, f'Folder "{node}" renamed to "{name}" in DS')
    return ctx.ok(folder_view(folder), "Folder renamed")


@route("POST", "/datastore/folder/move/{folder_id:int}")
async def folder_move(ctx: Iris):
    cid = await ctx.case("full")
    body = await ctx.json()
    if not body:
        return ctx.fail(400, "Invalid data")
    folder = _folder(ctx.store, cid, int_id(ctx.params["folder_id"]))
    if folder is None:
        return ctx.fail(400, "Invalid file ID for this case")
    destination = _folder(ctx.store, cid, body.get("destination-node"))
    if destination is None:
        return ctx.fail(400, "Invalid destination node ID for this case")
    if destination["path_id"] == folder["path_id"]:
        return ctx.fail(400, "If that's true, then I've made a mistake, and you should kill me now.")
    folder["path_parent_id"] = destination["path_id"]  # no cycle check in IRIS either
    message = f'Folder "{folder["path_name"]}" successfully moved to "{destination["path_name"]}"'
    ctx.store.log_activity(ctx.user_id, cid, message)
    return ctx.ok(folder_view(folder), message)


@route("POST", "/datastore/folder/delete/{folder_id:int}")
async def folder_delete(ctx: Iris):
    cid = await ctx.case("full")
    folder = _folder(ctx.store, cid, int_id(ctx.params["folder_id"]))
    if folder is None:
        return ctx.fail(400, "Parent node is invalid for this case")
    delete_folder(ctx.store, folder)
    ctx.store.log_activity(ctx.user_id, cid, f'Folder "{folder["path_id"]}" deleted from DS')
    return ctx.ok([], "Folder and children deleted")


# -- files --------------------------------------------------------------------------------------


@route("POST", "/datastore/file/add/{folder_id:int}")
async def file_add(ctx: Iris):
    cid = await ctx.case("full")
    folder = _folder(ctx.store, cid, int_id(ctx.params["folder_id"]))
    if folder is None:
        return ctx.fail(400, "Invalid path node for this case")
    form = await _form(ctx)
    fields = _parse_fields(form)
    fields.pop("file_parent_id", None)  # the URL's folder wins
    if "file_original_name" not in fields:
        ctx.store.next_id("ds_file")  # the failed INSERT still used a sequence value (381)
        return html_error(500)
    record = _new_file(ctx.store, cid, folder["path_id"], ctx.user_id, fields)
    upload = form.get("file_content")
    if not isinstance(upload, UploadFile):
        return ctx.data_error(["No file provided"])  # the entry stays behind (401)
    if not upload.filename:
        return html_error(500)
    _put_blob(ctx.store, record, await _adopt_upload(upload))
    added = _side_effects(ctx.store, record, ctx.user_id)
    ctx.store.log_activity(ctx.user_id, cid, f'File "{record["file_original_name"]}" added to DS')
    return ctx.ok(dict(record), f"File saved in datastore {added}")


@route("POST", "/datastore/file/add-interactive")
async def file_add_interactive(ctx: Iris):
    cid = await ctx.case("full")
    folder = find_folder(ctx.store, cid, INTERACTIVE_FOLDER)
    if folder is None:
        folder = create_folder(ctx.store, cid, ensure_root(ctx.store, cid)["path_id"], INTERACTIVE_FOLDER)
    body = await ctx.json()
    try:
        data = base64.b64decode(body.get("file_content"))
    except (TypeError, ValueError, binascii.Error) as exc:
        return ctx.fail(400, str(exc))
    name = body.get("file_original_name")
    if not isinstance(name, str):
        return ctx.data_error({"file_password": [f"'{type(name).__name__}' object has no attribute 'rstrip'"]})
    name = name.rstrip().replace("\t", "").replace("\n", "").replace("\r", "")
    blob = Blob.from_bytes(data)
    record = next((r for r in ctx.store.ds_files.values() if r["file_sha256"] == blob.sha256), None)
    message = "File already existing in datastore. Using it."
    if record is None:
        record = _new_file(ctx.store, cid, folder["path_id"], ctx.user_id, {
            "file_original_name": name, "file_description": "Pasted in notes", "file_tags": "notes",
            "file_password": "", "file_is_ioc": False, "file_is_evidence": False,
        }, history=False)
        ctx.store.ds_blobs[record["file_id"]] = blob
        record["file_sha256"] = blob.sha256  # file_size stays null, as in IRIS (407)
        record["file_local_name"] = local_name(record, cid)
        message = "File saved in datastore"
    ctx.store.log_activity(ctx.user_id, cid, f'File "{record["file_original_name"]}" added to DS')
    return ctx.ok({"file_url": f"/datastore/file/view/{record['file_id']}"}, message)


@route("GET", "/datastore/file/info/{file_id:int}")
async def file_info(ctx: Iris):
    cid = await ctx.case("ro")
    record = _file(ctx, cid)
    if record is None:
        return ctx.fail(400, "Invalid file ID for this case")
    view = dict(record)
    del view["file_local_name"]
    return ctx.ok(view)


@route("GET", "/datastore/file/view/{file_id:int}")
async def file_view(ctx: Iris):
    cid = await ctx.case("ro")
    record = _file(ctx, cid)
    if record is None:
        return ctx.fail(400, "Unable to get requested file ID", "Invalid DS file ID for this case")
    blob = ctx.store.ds_blobs.get(record["file_id"])
    if blob is None:
        return ctx.fail(400, f"File {record['file_local_name']} does not exists on the server. "
                             "Update or delete virtual entry")
    name = record["file_original_name"] or ""
    if record["file_is_ioc"] or record["file_password"]:
        name += ".zip"
        archive = await run_in_threadpool(zipped, blob, blob.sha256)
        size = archive.seek(0, io.SEEK_END)
        archive.seek(0)
        body = iterate_in_threadpool(iter(lambda: archive.read(CHUNK), b""))
    else:
        size = blob.size
        body = iterate_in_threadpool(blob.chunks())
    headers = {"content-disposition": f"inline; {_header_filename(name)}", "content-length": str(size)}
    ctx.store.log_activity(ctx.user_id, cid, f'File "{name}" downloaded')
    return StreamingResponse(body, media_type=_content_type(name), headers=headers)


@route("POST", "/datastore/file/update/{file_id:int}")
async def file_update(ctx: Iris):
    cid = await ctx.case("full")
    record = _file(ctx, cid)
    if record is None:
        return ctx.fail(400, "Invalid file ID for this case")
    form = await _form(ctx)
    record.update(_parse_fields(form))
    add_history(ctx.store, record, ctx.user_id, "updated")
    record["file_is_ioc"] = "file_is_ioc" in form  # presence means true, whatever the value (391)
    record["file_is_evidence"] = "file_is_evidence" in form
    upload = form.get("file_content")
    if isinstance(upload, UploadFile) and upload.filename:
        _put_blob(ctx.store, record, await _adopt_upload(upload))
        if record["file_is_ioc"] and not record["file_password"]:
            record["file_password"] = "infected"
    _side_effects(ctx.store, record, ctx.user_id)
    ctx.store.log_activity(ctx.user_id, cid, f'File "{record["file_original_name"]}" updated in DS')
    return ctx.ok(dict(record), "File updated in datastore")


@route("POST", "/datastore/file/move/{file_id:int}")
async def file_move(ctx: Iris):
    cid = await ctx.case("full")
    body = await ctx.json()
    if not body:
        return ctx.fail(400, "Invalid data")
    record = _file(ctx, cid)
    if record is None:
        return ctx.fail(400, "Invalid file ID for this case")
    destination = _folder(ctx.store, cid, body.get("destination-node"))
    if destination is None:
        return ctx.fail(400, "Invalid destination node ID for this case")
    record["file_parent_id"] = destination["path_id"]
    ctx.store.log_activity(ctx.user_id, cid, f'File "{record["file_original_name"]}" moved to '
                                             f'"{destination["path_name"]}" in DS')
    return ctx.ok([], f"File successfully moved to {destination['path_name']}")


@route("POST", "/datastore/file/delete/{file_id:int}")
async def file_delete(ctx: Iris):
    cid = await ctx.case("full")
    record = _file(ctx, cid)
    if record is None:
        return ctx.fail(400, "Invalid DS file ID for this case")
    delete_file(ctx.store, record)
    ctx.store.log_activity(ctx.user_id, cid, f'File "{record["file_id"]}" deleted from DS')
    return ctx.ok([], f"File {record['file_id']} deleted")
