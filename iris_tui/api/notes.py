"""Notes and note directories (iris-api.md 8), with the older notes *groups* (8.7).

IRIS 2.4 (API 2.0.4+) keeps notes in nested directories; the directory listing is a flat list
that repeats nested directories and has no `parent_id`, so the tree is rebuilt here. IRIS 2.0-2.3
used flat groups instead (their endpoints answer 410 on 2.4): on those servers each group is
presented as a top-level directory, so callers see one model.

There is no optimistic locking on the server: `fingerprint()` lets an editor check, just before
saving, that nobody changed the note since it was opened.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from iris_tui.api.comments import Comment, Comments
from iris_tui.api.errors import (
    IrisNotFoundError,
    IrisProtocolError,
    IrisUnsupportedError,
    IrisValidationError,
)
from iris_tui.api.fields import check_text, custom_attributes_in, id_of
from iris_tui.api.history import Change, last_change
from iris_tui.api.model import Model
from iris_tui.api.resource import Resource
from iris_tui.api.state import ObjectState, fetch_state

if TYPE_CHECKING:
    from iris_tui.api.client import IrisClient

MAX_TITLE = 155  # longer titles make IRIS 2.4.20 answer an HTML 500 (506)


class NoteRef(Model):
    """A note as the directory listing names it: id and title, plus where it lives."""

    id: int
    title: str = ""
    directory_id: int | None = None
    directory_path: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return " / ".join(self.directory_path)


@dataclass
class Directory:
    """A note directory (on IRIS < 2.4: a notes group). From `directories()` it carries its
    notes, sub-directories (`children`) and `path` of names from the top."""

    id: int
    name: str = ""
    parent_id: int | None = None
    case_id: int | None = None
    note_count: int | None = None
    notes: list[NoteRef] = field(default_factory=list)
    children: list[Directory] = field(default_factory=list)
    path: tuple[str, ...] = ()

    @classmethod
    def from_raw(cls, raw: Any) -> Directory:
        """From a directory object (`{"id", "name", "parent_id", "case_id"}`)."""
        if not isinstance(raw, dict) or "id" not in raw:
            raise IrisProtocolError(f"expected a note directory, got {type(raw).__name__}")
        return cls(
            id=int(raw["id"]), name=str(raw.get("name") or ""), parent_id=raw.get("parent_id"),
            case_id=raw.get("case_id"),
        )

    @classmethod
    def from_group(cls, raw: Any) -> Directory:
        """From a pre-2.4 notes group (`group_id`, `group_title`, optional `notes`)."""
        if not isinstance(raw, dict) or "group_id" not in raw:
            raise IrisProtocolError(f"expected a notes group, got {type(raw).__name__}")
        gid = int(raw["group_id"])
        name = str(raw.get("group_title") or "")
        notes = [
            NoteRef(id=int(n["note_id"]), title=str(n.get("note_title") or ""), directory_id=gid,
                    directory_path=(name,))
            for n in raw.get("notes") or () if isinstance(n, dict) and "note_id" in n
        ]
        return cls(id=gid, name=name, case_id=raw.get("group_case_id"), note_count=len(notes),
                   notes=sorted(notes, key=_title_key), path=(name,))

    def walk(self) -> Iterator[Directory]:
        """This directory and every one below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def walk(directories: Iterable[Directory]) -> Iterator[Directory]:
    """Every directory of a forest, depth first."""
    for top in directories:
        yield from top.walk()


def find_directory(directories: Iterable[Directory], directory_id: int) -> Directory | None:
    return next((d for d in walk(directories) if d.id == directory_id), None)


def _title_key(note: NoteRef) -> tuple[str, int]:
    return (note.title.casefold(), note.id)


def build_tree(entries: Any) -> list[Directory]:
    """The directory forest from `/case/notes/directories/filter`.

    The answer lists every directory at top level and again inside its parent's
    `subdirectories`; only the top-level entries carry `notes`. Parents are rebuilt from the
    `subdirectories` lists.
    """
    nodes: dict[int, Directory] = {}
    parent_of: dict[int, int] = {}

    def visit(entry: dict[str, Any]) -> int:
        did = int(entry["id"])
        node = nodes.get(did)
        if node is None:
            node = nodes[did] = Directory(id=did, name=str(entry.get("name") or ""))
        if entry.get("note_count") is not None:
            node.note_count = entry["note_count"]
        if entry.get("notes"):
            node.notes = [
                NoteRef(id=int(n["id"]), title=str(n.get("title") or ""), directory_id=did)
                for n in entry["notes"] if isinstance(n, dict) and "id" in n
            ]
        for sub in entry.get("subdirectories") or ():
            if isinstance(sub, dict) and "id" in sub:
                parent_of.setdefault(visit(sub), did)
        return did

    for entry in entries or ():
        if isinstance(entry, dict) and "id" in entry:
            visit(entry)

    def by_name(d: Directory) -> tuple[str, int]:
        return (d.name.casefold(), d.id)

    for did, pid in parent_of.items():
        if pid in nodes and pid != did:
            nodes[did].parent_id = pid
            nodes[pid].children.append(nodes[did])
    roots = [d for d in nodes.values() if d.parent_id is None]
    placed: set[int] = set()

    def place(d: Directory, path: tuple[str, ...]) -> None:
        placed.add(d.id)
        d.path = (*path, d.name)
        d.children = [c for c in sorted(d.children, key=by_name) if c.id not in placed]
        for child in d.children:
            place(child, d.path)
        d.notes = [
            NoteRef(id=n.id, title=n.title, directory_id=d.id, directory_path=d.path, extra=n.extra)
            for n in sorted(d.notes, key=_title_key)
        ]

    for root in sorted(roots, key=by_name):
        place(root, ())
    # a parent cycle (never seen, but the data is not ours) would hide directories: show them
    for orphan in sorted((d for d in nodes.values() if d.id not in placed), key=by_name):
        if orphan.id in placed:  # reached from an earlier orphan
            continue
        orphan.parent_id = None
        roots.append(orphan)
        place(orphan, ())
    return sorted(roots, key=by_name)


def note_fingerprint(title: str, content: str) -> str:
    """A short, stable digest of a note's title and content, to detect concurrent edits."""
    return hashlib.sha256(json.dumps([title, content]).encode()).hexdigest()


class Note(Model):
    """A note (`GET /case/notes/{id}` includes `comments`; other answers do not)."""

    note_id: int
    note_uuid: str | None = None
    note_title: str | None = None
    note_content: str | None = None
    note_user: int | None = None
    note_case_id: int | None = None
    note_creationdate: _dt.datetime | None = None
    note_lastupdate: _dt.datetime | None = None
    directory_id: int | None = None
    directory: Directory | None = None
    custom_attributes: dict[str, Any] | None = None
    modification_history: dict[str, Any] | None = None
    comments: list[Comment] | None = None

    @classmethod
    def prepare(cls, raw: dict[str, Any]) -> dict[str, Any]:
        if raw.get("directory_id") is None and raw.get("group_id") is not None:
            raw = {**raw, "directory_id": raw["group_id"]}  # pre-2.4: groups are directories
        return raw

    @property
    def id(self) -> int:
        return self.note_id

    @property
    def title(self) -> str:
        return self.note_title or ""

    @property
    def content(self) -> str:
        return self.note_content or ""

    @property
    def last_change(self) -> _dt.datetime | None:
        """When the note was last edited: `note_lastupdate` is not refreshed by updates on
        2.4.20, so this reads the modification history."""
        change = self.last_change_entry
        if change is not None:
            return change.when
        return self.note_lastupdate or self.note_creationdate

    @property
    def last_change_entry(self) -> Change | None:
        return last_change(self.modification_history)

    @property
    def fingerprint(self) -> str:
        return note_fingerprint(self.title, self.content)


class NoteRevisionInfo(Model):
    """One line of a note's revision list (newest first)."""

    revision_number: int
    revision_timestamp: _dt.datetime | None = None
    user_name: str = ""


class NoteRevision(Model):
    """A stored revision: the title and content *before* the update that created it."""

    revision_number: int
    revision_id: int | None = None
    note_id: int | None = None
    note_title: str | None = None
    note_content: str | None = None
    note_user: int | None = None
    revision_timestamp: _dt.datetime | None = None

    @property
    def title(self) -> str:
        return self.note_title or ""

    @property
    def content(self) -> str:
        return self.note_content or ""


def _check_title(title: str | None) -> None:
    if isinstance(title, str) and len(title) > MAX_TITLE:
        raise IrisValidationError(
            f"the title is longer than {MAX_TITLE} characters",
            fields={"note_title": [f"Longer than maximum length {MAX_TITLE}."]},
        )


def _dir_id(directory: int | str | Directory | None, name: str = "directory_id") -> int | None:
    return None if directory is None else id_of(directory, name)


def _name_field(exc: IrisValidationError, name: str) -> IrisValidationError:
    """IRIS reports some field errors as a bare list: give them the field they are about."""
    if set(exc.fields) != {""}:
        return exc
    fields = {name: exc.fields[""]}
    return IrisValidationError(
        exc.message, method=exc.method, path=exc.path, status=exc.status, data=exc.data, fields=fields
    )


class Notes(Resource):
    """`iris.notes`: notes, their directories, revisions and comments."""

    def __init__(self, client: IrisClient) -> None:
        super().__init__(client)
        self.comments = Comments(client, "/case/notes/{id}")

    async def _has_directories(self) -> bool:
        return (await self._client.server.versions()).has_note_directories

    # -- directories ----------------------------------------------------------------------

    async def directories(self, cid: int) -> list[Directory]:
        """The directory tree (top-level directories, each with its notes and children)."""
        if await self._has_directories():
            return build_tree(await self._http.data("GET", "/case/notes/directories/filter", cid=cid))
        data = await self._http.data("GET", "/case/notes/groups/list", cid=cid)
        groups = data.get("groups") if isinstance(data, dict) else data
        return sorted((Directory.from_group(g) for g in groups or ()), key=lambda d: (d.name.casefold(), d.id))

    async def get_directory(self, cid: int, dir_id: int | str | Directory) -> Directory:
        """One directory with its notes and children (there is no single-directory endpoint)."""
        did = _dir_id(dir_id, "id")
        found = find_directory(await self.directories(cid), did)
        if found is None:
            raise IrisNotFoundError(f"no note directory {did} in case {cid}")
        return found

    async def add_directory(
        self, cid: int, name: str, parent: int | str | Directory | None = None
    ) -> Directory:
        if not await self._has_directories():
            if parent is not None:
                raise IrisUnsupportedError("this IRIS (before 2.4) has flat notes groups, no sub-directories")
            body = {"group_title": name}
            check_text(body, "group_title")
            data = await self._http.data("POST", "/case/notes/groups/add", cid=cid, json=body)
            return Directory.from_group(data)
        body = {"name": name, "parent_id": _dir_id(parent, "parent_id")}
        check_text(body, "name")
        try:
            data = await self._http.data("POST", "/case/notes/directories/add", cid=cid, json=body)
        except IrisValidationError as exc:
            raise _name_field(exc, "parent_id") from None
        return Directory.from_raw(data)

    async def rename_directory(self, cid: int, dir_id: int | str | Directory, name: str) -> Directory:
        did = _dir_id(dir_id, "id")
        check_text({"name": name}, "name")
        if not await self._has_directories():
            data = await self._http.data(
                "POST", f"/case/notes/groups/update/{did}", cid=cid, json={"group_title": name}
            )
            return Directory.from_group(data)
        data = await self._http.data(
            "POST", f"/case/notes/directories/update/{did}", cid=cid, json={"name": name}
        )
        return Directory.from_raw(data)

    async def move_directory(
        self, cid: int, dir_id: int | str | Directory, parent: int | str | Directory | None
    ) -> Directory:
        """Move a directory under `parent` (None: to the top). Not below itself."""
        if not await self._has_directories():
            raise IrisUnsupportedError("this IRIS (before 2.4) has flat notes groups, they cannot be nested")
        try:
            data = await self._http.data(
                "POST", f"/case/notes/directories/update/{_dir_id(dir_id, 'id')}", cid=cid,
                json={"parent_id": _dir_id(parent, "parent_id")},
            )
        except IrisValidationError as exc:
            raise _name_field(exc, "parent_id") from None
        return Directory.from_raw(data)

    async def delete_directory(self, cid: int, dir_id: int | str | Directory) -> None:
        """Deletes the directory with all its notes and sub-directories."""
        kind = "directories" if await self._has_directories() else "groups"
        await self._http.call("POST", f"/case/notes/{kind}/delete/{_dir_id(dir_id, 'id')}", cid=cid)

    # -- notes ----------------------------------------------------------------------------

    async def list(self, cid: int) -> list[NoteRef]:
        """Every note of the case (id, title, directory id and path), directory by directory."""
        return [note for d in walk(await self.directories(cid)) for note in d.notes]

    async def get(self, cid: int, note_id: int) -> Note:
        """One note with its comments."""
        return Note.from_raw(await self._http.data("GET", f"/case/notes/{int(note_id)}", cid=cid))

    async def fingerprint(self, cid: int, note_id: int) -> str:
        """The fingerprint of the note as the server has it now: compare it with the
        `Note.fingerprint` of the copy being edited before saving over it."""
        return (await self.get(cid, note_id)).fingerprint

    async def add(
        self,
        cid: int,
        *,
        directory: int | str | Directory,
        title: str,
        content: str = "",
        custom_attributes: dict[str, Any] | None = None,
    ) -> Note:
        _check_title(title)
        did = _dir_id(directory)
        if did is None:
            raise IrisValidationError(
                "a note needs a directory", fields={"directory_id": ["Missing data for required field."]}
            )
        body = {
            "directory_id" if await self._has_directories() else "group_id": did,
            "note_title": title,
            "note_content": content,
        }
        check_text(body, "note_title", "note_content")
        if custom_attributes is not None:
            body["custom_attributes"] = custom_attributes
        # a note stored with null attributes cannot get attributes later (2.10): default {}
        custom_attributes_in(body, default={})
        try:
            return Note.from_raw(await self._http.data("POST", "/case/notes/add", cid=cid, json=body))
        except IrisValidationError as exc:
            raise _name_field(exc, "directory_id") from None

    async def update(
        self,
        cid: int,
        note_id: int,
        *,
        title: str | None = None,
        content: str | None = None,
        directory: int | str | Directory | None = None,
        custom_attributes: dict[str, Any] | None = None,
    ) -> Note:
        """Change only what is given. Each update stores the previous text as a revision."""
        _check_title(title)
        body: dict[str, Any] = {}
        if title is not None:
            body["note_title"] = title
        if content is not None:
            body["note_content"] = content
        if directory is not None:
            if not await self._has_directories():
                raise IrisUnsupportedError("this IRIS (before 2.4) cannot move notes between groups")
            body["directory_id"] = _dir_id(directory)
        if custom_attributes is not None:
            body["custom_attributes"] = custom_attributes
        if not body:
            raise ValueError("nothing to update")
        check_text(body, "note_title", "note_content")
        custom_attributes_in(body)
        try:
            data = await self._http.data("POST", f"/case/notes/update/{int(note_id)}", cid=cid, json=body)
        except IrisValidationError as exc:
            raise _name_field(exc, "directory_id") from None
        return Note.from_raw(data)

    async def move(self, cid: int, note_id: int, directory: int | str | Directory) -> Note:
        return await self.update(cid, note_id, directory=directory)

    async def delete(self, cid: int, note_id: int) -> None:
        """Deletes the note with its revisions and comments."""
        await self._http.call("POST", f"/case/notes/delete/{int(note_id)}", cid=cid)

    async def search(self, cid: int, text: str) -> list[Note]:
        """Notes whose title or content contains `text` (case-insensitive), in full."""
        if await self._has_directories():
            # the server reads the term from the query string only, whatever the method (342-344)
            data = await self._http.data("GET", "/case/notes/search", cid=cid, params={"search_input": text})
            return Note.list_from_raw(data)
        # before 2.4: POST {"search_term"} with SQL wildcards, answering ids and titles only
        data = await self._http.data("POST", "/case/notes/search", cid=cid, json={"search_term": f"%{text}%"})
        ids = [int(row["note_id"]) for row in data or () if isinstance(row, dict) and "note_id" in row]
        return list(await asyncio.gather(*(self.get(cid, i) for i in ids)))

    async def state(self, cid: int) -> ObjectState:
        """The notes change counter. Only deletions move it on 2.4.20, not creations or edits."""
        return await fetch_state(self._http, cid, "notes")

    # -- revisions (IRIS 2.4.8+) ----------------------------------------------------------

    async def revisions(self, cid: int, note_id: int) -> list[NoteRevisionInfo]:
        """Revision list, newest first. Revision n+1 holds the text before the n-th update."""
        data = await self._http.data("GET", f"/case/notes/{int(note_id)}/revisions/list", cid=cid)
        return NoteRevisionInfo.list_from_raw(data)

    async def revision(self, cid: int, note_id: int, number: int) -> NoteRevision:
        path = f"/case/notes/{int(note_id)}/revisions/{int(number)}"
        data = await self._http.data("GET", path, cid=cid)
        if not data:  # the server answers 200 with {} for an unknown number (349)
            raise IrisNotFoundError(
                f"note {note_id} has no revision {number}", method="GET", path=path, data=data
            )
        return NoteRevision.from_raw(data)

    async def delete_revision(self, cid: int, note_id: int, number: int) -> None:
        await self._http.call(
            "POST", f"/case/notes/{int(note_id)}/revisions/{int(number)}/delete", cid=cid
        )
