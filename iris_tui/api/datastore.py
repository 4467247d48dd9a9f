"""The per-case datastore (iris-api.md 10): folder tree, streamed uploads and downloads.

Quirks handled here: the tree is a dict keyed `d-<folder id>` / `f-<file id>`; renaming a folder
wants `parent_node` equal to the folder's own id; moves use the key `destination-node` (hyphen);
on update the *presence* of `file_is_ioc` / `file_is_evidence` means true, so a flag is cleared by
leaving its part out; IOC and password-protected files download as a password ZIP.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import io
import json
import mimetypes
import os
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Union

from iris_tui.api.download import Progress, stream_to_file
from iris_tui.api.errors import IrisProtocolError, IrisValidationError
from iris_tui.api.fields import check_text
from iris_tui.api.history import Change, last_change
from iris_tui.api.model import Model, join_tags, split_tags
from iris_tui.api.resource import Resource

Source = Union[str, "os.PathLike[str]", IO[bytes]]


class File(Model):
    """A datastore file: every column the server sends (`file_sha256` is upper-case hex)."""

    file_id: int
    file_uuid: str | None = None
    file_original_name: str | None = None
    file_description: str | None = None
    file_tags: str | None = None
    file_size: int | None = None
    file_sha256: str | None = None
    file_is_ioc: bool | None = None
    file_is_evidence: bool | None = None
    file_password: str | None = None
    file_parent_id: int | None = None
    file_case_id: int | None = None
    added_by_user_id: int | None = None
    file_date_added: _dt.datetime | None = None
    file_local_name: str | None = None
    modification_history: dict[str, Any] | None = None

    @classmethod
    def prepare(cls, raw: dict[str, Any]) -> dict[str, Any]:
        # tree nodes add "type": "file"; it says nothing the class does not
        return {k: v for k, v in raw.items() if k != "type"}

    @property
    def id(self) -> int:
        return self.file_id

    @property
    def name(self) -> str:
        return self.file_original_name or ""

    @property
    def tags(self) -> list[str]:
        return split_tags(self.file_tags)

    @property
    def is_ioc(self) -> bool:
        return bool(self.file_is_ioc)

    @property
    def is_evidence(self) -> bool:
        return bool(self.file_is_evidence)

    @property
    def has_password(self) -> bool:
        return bool(self.file_password)

    @property
    def download_name(self) -> str:
        """IOC and password files are served as `<name>.zip` (a password-protected ZIP)."""
        return f"{self.name}.zip" if self.is_ioc or self.has_password else self.name

    @property
    def last_change(self) -> Change | None:
        return last_change(self.modification_history)


@dataclass
class Folder:
    """A datastore folder. From the tree: with sub-folders (`children`), `files` and `path`."""

    id: int
    name: str = ""
    is_root: bool = False
    parent_id: int | None = None
    path: tuple[str, ...] = ()
    children: list[Folder] = field(default_factory=list)
    files: list[File] = field(default_factory=list)
    uuid: str | None = None
    case_id: int | None = None

    @classmethod
    def from_path(cls, raw: Any) -> Folder:
        """From the folder object of add/rename/move (`path_id`, `path_name`, ...)."""
        if not isinstance(raw, dict) or "path_id" not in raw:
            raise IrisProtocolError(f"expected a datastore folder, got {type(raw).__name__}")
        return cls(
            id=int(raw["path_id"]),
            name=str(raw.get("path_name") or ""),
            is_root=bool(raw.get("path_is_root")),
            parent_id=raw.get("path_parent_id"),
            uuid=raw.get("path_uuid"),
            case_id=raw.get("path_case_id"),
        )

    def walk(self) -> Iterator[Folder]:
        """This folder and every folder below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def walk_files(self) -> Iterator[tuple[Folder, File]]:
        """Every file below this folder, with the folder that holds it."""
        for folder in self.walk():
            for file in folder.files:
                yield folder, file

    def find_folder(self, folder_id: int) -> Folder | None:
        return next((f for f in self.walk() if f.id == folder_id), None)

    def find_file(self, file_id: int) -> File | None:
        return next((f for _, f in self.walk_files() if f.file_id == file_id), None)


# -- tree parsing ---------------------------------------------------------------------------


def parse_tree(data: Any) -> Folder:
    """The `{"d-1": {..., "children": {...}}}` answer of list/tree and list/filter as a Folder."""
    if not isinstance(data, dict) or not data:
        raise IrisProtocolError("the datastore tree is empty")
    roots = [(k, v) for k, v in data.items() if isinstance(v, dict) and k.startswith("d-")]
    if not roots:
        raise IrisProtocolError("the datastore tree has no root folder")
    key, node = next(((k, v) for k, v in roots if v.get("is_root")), roots[0])
    return _folder(key, node, None, ())


def _folder(key: str, node: dict[str, Any], parent_id: int | None, path: tuple[str, ...]) -> Folder:
    name = str(node.get("name") or "")
    folder = Folder(
        id=_key_id(key), name=name, is_root=bool(node.get("is_root")), parent_id=parent_id,
        path=(*path, name),
    )
    children = node.get("children")
    for child_key, child in (children.items() if isinstance(children, dict) else ()):
        if not isinstance(child, dict):
            continue
        if child_key.startswith("d-"):
            folder.children.append(_folder(child_key, child, folder.id, folder.path))
        elif child_key.startswith("f-"):
            folder.files.append(File.from_raw(child))
    # the server's maps are unordered
    folder.children.sort(key=lambda f: (f.name.casefold(), f.id))
    folder.files.sort(key=lambda f: (f.name.casefold(), f.file_id))
    return folder


def _key_id(key: str) -> int:
    try:
        return int(key[2:])
    except ValueError:
        raise IrisProtocolError(f"unexpected datastore node key {key!r}") from None


def node_id(node: int | str | Folder | File) -> int:
    """A folder or file id from an id, a `d-5` / `f-5` tree key, a Folder or a File."""
    if isinstance(node, Folder):
        return node.id
    if isinstance(node, File):
        return node.file_id
    if isinstance(node, str) and node[:2] in ("d-", "f-"):
        node = node[2:]
    return int(node)


# -- filter ----------------------------------------------------------------------------------

_FILTER_TEXT = frozenset({"name", "storage_name", "tag", "description", "id", "uuid", "sha256"})
_FILTER_FLAGS = frozenset({"is_ioc", "is_evidence", "has_password"})


def filter_query(query: dict[str, Any]) -> dict[str, list[str]]:
    """The `q` object of list/filter: list values; a flag key's mere presence means true."""
    q: dict[str, list[str]] = {}
    for key, value in query.items():
        if key in _FILTER_FLAGS:
            if value:
                q[key] = ["true"]
        elif key in _FILTER_TEXT:
            values = [value] if isinstance(value, (str, int)) else list(value or ())
            if values:
                q[key] = [str(v) for v in values]
        else:
            raise TypeError(
                f"unknown datastore filter {key!r} (use {', '.join(sorted(_FILTER_TEXT | _FILTER_FLAGS))})"
            )
    return q


# -- streaming helpers ----------------------------------------------------------------------


class _ProgressReader:
    """Wraps a binary file object so that httpx's chunked reads report upload progress.

    httpx sizes the part with tell()/seek() and rewinds to 0 before sending, so the whole
    file is sent; a non-seekable source is sent chunked with an unknown total.
    """

    def __init__(self, raw: IO[bytes], progress: Progress | None) -> None:
        self._raw = raw
        self._progress = progress
        self._seekable = bool(getattr(raw, "seekable", lambda: False)())
        self.total = self._size() if self._seekable else None
        self.sent = 0

    def _size(self) -> int:
        here = self._raw.tell()
        size = self._raw.seek(0, os.SEEK_END)
        self._raw.seek(here)
        return size

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        if chunk:
            self.sent += len(chunk)
            if self._progress is not None:
                self._progress(self.sent, self.total)
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("not seekable")
        pos = self._raw.seek(offset, whence)
        self.sent = pos
        return pos

    def tell(self) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("not seekable")
        return self._raw.tell()


@contextlib.contextmanager
def _open_source(source: Source | bytes) -> Iterator[tuple[IO[bytes], str]]:
    """A binary file object and its base name; files opened here are closed here."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        yield io.BytesIO(bytes(source)), ""
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        with path.open("rb") as fh:
            yield fh, path.name
    elif hasattr(source, "read"):
        if isinstance(source, io.TextIOBase):
            raise TypeError("open the file in binary mode ('rb') to upload it")
        name = getattr(source, "name", "")
        yield source, Path(name).name if isinstance(name, str) else ""
    else:
        raise TypeError(f"cannot upload a {type(source).__name__}: give a path or a binary file")


def _size(fh: IO[bytes]) -> int:
    """Bytes left to read in `fh` (0 when it cannot tell, e.g. a pipe)."""
    try:
        return max(0, os.fstat(fh.fileno()).st_size - fh.tell())
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        try:
            here = fh.tell()
            end = fh.seek(0, io.SEEK_END)
            fh.seek(here)
            return max(0, end - here)
        except (OSError, ValueError):
            return 0


def _form(
    *,
    name: str,
    description: str | None,
    tags: str | Iterable[str] | None,
    password: str | None,
    is_ioc: bool,
    is_evidence: bool,
) -> dict[str, str]:
    """Text parts of upload/update. Flags are sent only when true: presence means true."""
    if not name or not name.strip():
        # without it the server answers an HTML 500 (381)
        raise IrisValidationError(
            "a file name is required", fields={"file_original_name": ["Missing data for required field."]}
        )
    form = {"file_original_name": name}
    if description is not None:
        form["file_description"] = description
    if tags is not None:
        form["file_tags"] = join_tags(tags if isinstance(tags, str) else list(tags))
    if password is not None:
        form["file_password"] = password
    if is_ioc:
        form["file_is_ioc"] = "true"
    if is_evidence:
        form["file_is_evidence"] = "true"
    check_text(form, *form)
    return form


def _file_part(fh: IO[bytes], name: str, progress: Progress | None) -> dict[str, Any]:
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return {"file_content": (name, _ProgressReader(fh, progress), ctype)}


# -- the resource ---------------------------------------------------------------------------


class Datastore(Resource):
    """`iris.datastore`: the case's file store."""

    async def tree(self, cid: int) -> Folder:
        """The whole tree. The first call for a case creates its root and default folders."""
        return parse_tree(await self._http.data("GET", "/datastore/list/tree", cid=cid))

    async def filter(self, cid: int, **query: Any) -> Folder:
        """The tree with only matching files (all folders stay).

        Keys: name, storage_name, tag, description, id, uuid, sha256 (a value or a list) and the
        flags is_ioc, is_evidence, has_password (true to require them).
        """
        # the server URL-decodes `q` once more after the query string (iris-api.md 7.6)
        q = urllib.parse.quote(json.dumps(filter_query(query)))
        return parse_tree(await self._http.data("GET", "/datastore/list/filter", cid=cid, params={"q": q}))

    # folders

    async def add_folder(self, cid: int, parent: int | str | Folder, name: str) -> Folder:
        body = {"parent_node": node_id(parent), "folder_name": name}
        check_text(body, "folder_name")
        data = await self._http.data("POST", "/datastore/folder/add", cid=cid, json=body)
        return Folder.from_path(data)

    async def rename_folder(self, cid: int, folder_id: int | str | Folder, name: str) -> Folder:
        fid = node_id(folder_id)
        # the server insists that parent_node repeats the folder's own id (398)
        body = {"parent_node": fid, "folder_name": name}
        check_text(body, "folder_name")
        data = await self._http.data("POST", f"/datastore/folder/rename/{fid}", cid=cid, json=body)
        return Folder.from_path(data)

    async def move_folder(
        self, cid: int, folder_id: int | str | Folder, destination: int | str | Folder
    ) -> Folder:
        data = await self._http.data(
            "POST", f"/datastore/folder/move/{node_id(folder_id)}", cid=cid,
            json={"destination-node": node_id(destination)},
        )
        return Folder.from_path(data)

    async def delete_folder(self, cid: int, folder_id: int | str | Folder) -> None:
        """Deletes the folder with every sub-folder and file in it."""
        await self._http.call("POST", f"/datastore/folder/delete/{node_id(folder_id)}", cid=cid)

    # files

    async def upload(
        self,
        cid: int,
        folder_id: int | str | Folder,
        source: Source,
        *,
        name: str | None = None,
        description: str = "",
        tags: str | Iterable[str] = (),
        password: str | None = None,
        is_ioc: bool = False,
        is_evidence: bool = False,
        progress: Progress | None = None,
    ) -> File:
        """Upload a file (a path or a binary file object), streamed, never read whole.

        `is_ioc` stores it zipped with password "infected" and links a sha256 IOC;
        `is_evidence` also creates an evidence row.
        """
        with _open_source(source) as (fh, base):
            name = name or base
            form = _form(
                name=name, description=description, tags=join_tags(tags) or None,
                password=password, is_ioc=is_ioc, is_evidence=is_evidence,
            )
            envelope = await self._http.upload(
                f"/datastore/file/add/{node_id(folder_id)}", cid=cid, data=form,
                files=_file_part(fh, name, progress), size=_size(fh),
            )
        return File.from_raw(envelope.data)

    async def info(self, cid: int, file_id: int | str | File) -> File:
        return File.from_raw(
            await self._http.data("GET", f"/datastore/file/info/{node_id(file_id)}", cid=cid)
        )

    async def download(
        self,
        cid: int,
        file_id: int | str | File,
        dest: str | os.PathLike[str],
        *,
        progress: Progress | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Stream a file to `dest` (a file path, or a folder: then the server's file name is used)
        and return the final path.

        Bytes go to a temporary file next to the destination, renamed only once complete; any
        failure or cancellation removes it, so no partial file is left. An existing file is
        never replaced unless `overwrite` (FileExistsError). IOC and password files arrive as a
        password-protected `<name>.zip`.
        """
        fid = node_id(file_id)
        return await stream_to_file(
            self._http, f"/datastore/file/view/{fid}", dest, cid=cid,
            fallback_name=f"datastore-file-{fid}", progress=progress, overwrite=overwrite,
        )

    async def update_file(
        self,
        cid: int,
        file_id: int | str | File,
        *,
        name: str,
        description: str | None,
        tags: str | Iterable[str] | None,
        password: str | None,
        is_ioc: bool,
        is_evidence: bool,
        content: Source | bytes | None = None,
        progress: Progress | None = None,
    ) -> File:
        """Update a file's metadata and optionally replace its bytes.

        The flags are always stated: the server reads the *presence* of a flag part as true, and
        its absence as false, so a flag is cleared by not sending it. `None` for description,
        tags or password leaves them unchanged. Setting `is_evidence` creates an evidence row.
        """
        form = _form(
            name=name, description=description, tags=tags, password=password,
            is_ioc=is_ioc, is_evidence=is_evidence,
        )
        path = f"/datastore/file/update/{node_id(file_id)}"
        if content is None:
            # still multipart, like the web UI: text parts without a file name are plain fields
            fields = {key: (None, value) for key, value in form.items()}
            envelope = await self._http.upload(path, cid=cid, data={}, files=fields)
        else:
            with _open_source(content) as (fh, _):
                envelope = await self._http.upload(
                    path, cid=cid, data=form, files=_file_part(fh, name, progress), size=_size(fh)
                )
        return File.from_raw(envelope.data)

    async def move_file(
        self, cid: int, file_id: int | str | File, destination: int | str | Folder
    ) -> None:
        await self._http.call(
            "POST", f"/datastore/file/move/{node_id(file_id)}", cid=cid,
            json={"destination-node": node_id(destination)},
        )

    async def delete_file(self, cid: int, file_id: int | str | File) -> None:
        await self._http.call("POST", f"/datastore/file/delete/{node_id(file_id)}", cid=cid)

    async def add_interactive(self, cid: int, name: str, data: bytes) -> str:
        """Store a small blob (e.g. an image pasted in a note) in the case's "Notes Upload"
        folder; returns its URL path (`/datastore/file/view/<id>`) for use in markdown."""
        body = {"file_original_name": name, "file_content": base64.b64encode(data).decode("ascii")}
        result = await self._http.data("POST", "/datastore/file/add-interactive", cid=cid, json=body)
        if not isinstance(result, dict) or not result.get("file_url"):
            raise IrisProtocolError("the server did not return the stored file's URL")
        return str(result["file_url"])
