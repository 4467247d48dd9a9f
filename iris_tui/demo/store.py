"""In-memory state of the fake IRIS: tables of plain dicts keyed by id, as IRIS's database has them.

Records use IRIS's column names. Route modules read and write these tables; serialisation into the
many response shapes IRIS uses happens in the route modules.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from importlib import resources
from typing import Any

FAMILIES = ("assets", "ioc", "tasks", "timeline", "evidences", "notes")
INT32_MAX = 2147483647


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def iso(value: dt.datetime | dt.date | None) -> str | None:
    """Python's isoformat(), as IRIS sends it: naive, fraction omitted when zero."""
    return value.isoformat() if value is not None else None


def iso6(value: dt.datetime | None) -> str | None:
    """Timeline event dates: always six fractional digits."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value is not None else None


def new_uuid() -> str:
    return str(uuid.uuid4())


def load_lookups() -> dict[str, list[dict[str, Any]]]:
    """The reference tables of a fresh IRIS 2.4.20 install (copied from recorded answers)."""
    text = resources.files("iris_tui.demo").joinpath("data/lookups.json").read_text("utf-8")
    return json.loads(text)


class Store:
    """Every table of the fake server, plus id counters and per-case change counters."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = defaultdict(int)
        self.lookups = load_lookups()
        self.users: dict[int, dict[str, Any]] = {}
        self.customers: dict[int, dict[str, Any]] = {}
        self.contacts: dict[int, dict[str, Any]] = {}
        self.cases: dict[int, dict[str, Any]] = {}
        self.assets: dict[int, dict[str, Any]] = {}
        self.iocs: dict[int, dict[str, Any]] = {}
        self.ioc_links: dict[int, list[int]] = defaultdict(list)  # case_id -> [ioc_id]
        self.asset_ioc_links: set[tuple[int, int]] = set()  # (asset_id, ioc_id)
        self.tasks: dict[int, dict[str, Any]] = {}
        self.events: dict[int, dict[str, Any]] = {}
        self.evidences: dict[int, dict[str, Any]] = {}
        self.note_dirs: dict[int, dict[str, Any]] = {}
        self.notes: dict[int, dict[str, Any]] = {}
        self.revisions: dict[int, list[dict[str, Any]]] = defaultdict(list)  # note_id -> revisions
        self.comments: dict[int, dict[str, Any]] = {}
        self.ds_folders: dict[int, dict[str, Any]] = {}
        self.ds_files: dict[int, dict[str, Any]] = {}
        self.ds_blobs: dict[int, Any] = {}  # file_id -> routes.datastore.Blob
        self.global_tasks: dict[int, dict[str, Any]] = {}
        self.alerts: dict[int, dict[str, Any]] = {}
        self.activities: list[dict[str, Any]] = []
        self.tags: dict[str, dict[str, Any]] = {}
        self.states: dict[tuple[int, str], dict[str, Any]] = {}
        self.access: dict[tuple[int, int], int] = {}  # (user_id, case_id) -> 1 deny / 2 ro / 4 full
        self.context_case: dict[int, int] = {}  # user_id -> case id used when cid is absent

    # -- ids and counters -------------------------------------------------------------------

    def next_id(self, table: str) -> int:
        self._ids[table] += 1
        return self._ids[table]

    def init_states(self, case_id: int) -> None:
        for family in FAMILIES:
            self.states[(case_id, family)] = {"object_state": 0, "object_last_update": iso(utcnow())}

    def bump(self, case_id: int, family: str, by: int = 1) -> None:
        """Move a change counter, as IRIS does on most writes (see iris-api.md 2.9 for the gaps)."""
        state = self.states.setdefault(
            (case_id, family), {"object_state": 0, "object_last_update": None}
        )
        state["object_state"] += by
        state["object_last_update"] = iso(utcnow())

    def state(self, case_id: int, family: str) -> dict[str, Any] | None:
        return self.states.get((case_id, family))

    # -- lookups ----------------------------------------------------------------------------

    def lookup(self, kind: str, key: str, value: Any) -> dict[str, Any] | None:
        for row in self.lookups.get(kind, ()):
            if row.get(key) == value:
                return row
        return None

    # -- users and access -------------------------------------------------------------------

    def user_by_key(self, key: str) -> dict[str, Any] | None:
        for user in self.users.values():
            if user.get("api_key") == key and user.get("user_active", True):
                return user
        return None

    def access_level(self, user_id: int, case_id: int) -> int:
        """1 deny_all, 2 read_only, 4 full_access; unknown cases behave like no access."""
        if case_id not in self.cases:
            return 1
        level = self.access.get((user_id, case_id))
        if level is not None:
            return level
        user = self.users.get(user_id) or {}
        return 4 if user.get("is_admin") else 1

    def user_ref(self, user_id: int | None) -> dict[str, Any] | None:
        """The nested `user` object of comments, evidences, case meta."""
        user = self.users.get(user_id or 0)
        if user is None:
            return None
        return {
            "id": user["user_id"],
            "user_name": user["user_name"],
            "user_login": user["user_login"],
            "user_email": user["user_email"],
        }

    # -- activities and tags ----------------------------------------------------------------

    def log_activity(self, user_id: int, case_id: int | None, text: str, *, from_api: bool = True,
                     user_input: bool = False, display_in_ui: bool = True) -> dict[str, Any]:
        """IRIS stores activity texts with str.capitalize() casing (iris-api.md 3.10); entries
        with `display_in_ui=False` (file downloads) only show in /activities/list-all (411)."""
        row = {
            "id": self.next_id("activity"),
            "user_id": user_id,
            "case_id": case_id,
            "activity_desc": text.capitalize(),
            "activity_date": iso(utcnow()),
            "user_input": user_input,
            "is_from_api": from_api,
            "display_in_ui": display_in_ui,
        }
        self.activities.append(row)
        return row

    def register_tags(self, tags: str | None, case_id: int | None = None) -> None:
        for tag in (t.strip() for t in (tags or "").split(",")):
            if not tag:
                continue
            row = self.tags.get(tag)
            if row is None:  # ids only for new tags
                row = self.tags[tag] = {"id": self.next_id("tag"), "tag_title": tag,
                                        "tag_namespace": None,
                                        "tag_creation_date": iso(utcnow()), "cases": []}
            if case_id is not None and case_id not in row["cases"]:
                row["cases"].append(case_id)
