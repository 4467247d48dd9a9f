"""Hostile data: the corpus of strings that attack a terminal UI, and a seed that puts each one
into every object type and field the UI shows.

The corpus (`data/hostile.json`, the one source of truth, also read by the tests) holds Rich and
Textual markup, ANSI/OSC/DCS escape sequences, C0/C1 controls, bidi overrides, invisible
characters, 1 MB values, wide CJK and emoji, lone surrogates, invalid UTF-8 and injection
payloads. `seed_hostile(store)` adds a user and a customer with hostile names, one case per string
(name, description, SOC id, tags, custom attributes) and a case "Hostile data" holding one asset,
IOC, task, event, note, evidence, datastore file and comments per string, every text field set
to the string, custom attributes named and valued with it, and folders and note directories
named with the first string of each category. Everything goes through the route modules'
create_* functions, so the records have the shape the handlers produce.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from iris_tui.demo.store import Store, iso, iso6, new_uuid

HOSTILE_CASE = "Hostile data"
START = dt.datetime(2025, 3, 1, 8, 0)  # events one minute apart from here


@dataclass(frozen=True)
class Hostile:
    """One corpus entry. `value` is the text the server stores; for invalid UTF-8 entries it is
    the bytes decoded with `surrogateescape` (lone surrogates, as Python shows undecodable
    file names) and `raw` holds the bytes themselves."""

    name: str
    category: str
    value: str
    raw: bytes | None = None
    note: str = ""

    @property
    def data(self) -> bytes:
        """The value as file content."""
        return self.raw if self.raw is not None else self.value.encode("utf-8", "surrogatepass")


@lru_cache(maxsize=1)
def corpus() -> tuple[Hostile, ...]:
    """The hostile strings of `data/hostile.json`, expanded (`repeat`, `suffix`, `bytes`)."""
    text = resources.files("iris_tui.demo").joinpath("data/hostile.json").read_text("ascii")
    entries = []
    for item in json.loads(text)["strings"]:
        value = item["value"] * int(item.get("repeat", 1)) + item.get("suffix", "")
        raw = None
        if item.get("bytes") == "latin-1":
            raw = value.encode("latin-1")
            value = raw.decode("utf-8", "surrogateescape")
        entries.append(Hostile(item["name"], item["category"], value, raw, item.get("note", "")))
    return tuple(entries)


def _attributes(entry: Hostile) -> dict[str, Any]:
    """Stored custom attributes (tab -> field -> descriptor) with the string as names and value."""
    label = entry.value[:64]

    def field(value: Any) -> dict[str, Any]:
        return {"type": "input_string", "mandatory": False, "value": value}

    return {"Hostile": {entry.name: field(entry.value)}, label: {label: field(entry.value)}}


def _first_of_each_category(entries: tuple[Hostile, ...]) -> dict[str, Hostile]:
    firsts: dict[str, Hostile] = {}
    for entry in entries:
        firsts.setdefault(entry.category, entry)
    return firsts


def _id(store: Store, kind: str, key: str, value: str, id_key: str) -> int:
    row = store.lookup(kind, key, value)
    assert row is not None, f"{kind} {value!r} missing from the lookups"
    return int(row[id_key])


def _add_user(store: Store, name: str) -> int:
    user_id = store.next_id("user")
    store.users[user_id] = {
        "user_id": user_id, "user_uuid": new_uuid(), "user_name": name, "user_login": "hostile",
        "user_email": "hostile@ir-team.example", "user_active": True, "is_admin": False,
        "user_is_service_account": False, "api_key": "demo-hostile-key-not-a-secret",
        "has_deletion_confirmation": False, "has_mini_sidebar": False, "permissions": 0x1 | 0x4 | 0x8,
    }
    return user_id


def seed_hostile(store: Store) -> int:
    """Seed the corpus into every object type and field; returns the id of the "Hostile data" case."""
    from iris_tui.demo.routes.cases import create_case
    from iris_tui.demo.routes.lookups import create_customer

    entries = corpus()
    markup = next(e for e in entries if e.name == "markup-click-quit").value
    title = next(e for e in entries if e.name == "osc-title-bel").value
    user_id = _add_user(store, f"{markup} {title}")
    customer = create_customer(store, 1, {"customer_name": f"{title}{markup} Customer",
                                          "customer_description": markup, "customer_sla": title,
                                          "custom_attributes": {}})
    customer["members"] = [1, user_id]
    for entry in entries:  # one case per string: the case list shows names from the server
        case = create_case(store, 1, case_name=entry.value, case_description=entry.value,
                           case_soc_id=entry.value, case_customer=customer["customer_id"],
                           custom_attributes=_attributes(entry))
        case["case_tags"] = entry.value
        store.register_tags(entry.value, case["case_id"])
        store.access[(user_id, case["case_id"])] = 4

    short = [e for e in entries if e.category != "huge"]
    case = create_case(store, 1, case_name=HOSTILE_CASE,
                       case_description="\n\n".join(f"{e.name}: {e.value}" for e in short),
                       case_soc_id=markup, case_customer=customer["customer_id"],
                       custom_attributes=_merged_attributes(short))
    case_id = case["case_id"]
    case["case_tags"] = ",".join(e.value for e in short[:10])
    case["owner_id"] = user_id
    store.access[(user_id, case_id)] = 4
    objects = _case_objects(store, case_id, user_id, entries)
    _notes(store, case_id, user_id, entries, objects)
    _datastore(store, case_id, user_id, entries)
    _comments(store, case_id, user_id, entries, objects)
    return case_id


def _merged_attributes(entries: list[Hostile]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for entry in entries:
        for tab, fields in _attributes(entry).items():
            merged.setdefault(tab, {}).update(fields)
    return merged


def _case_objects(store: Store, case_id: int, user_id: int,
                  entries: tuple[Hostile, ...]) -> dict[str, list[int]]:
    from iris_tui.demo.routes.assets import create_asset
    from iris_tui.demo.routes.evidences import create_evidence
    from iris_tui.demo.routes.iocs import ADDED, add_ioc_to_case
    from iris_tui.demo.routes.tasks import create_task
    from iris_tui.demo.routes.timeline import create_event

    asset_type = _id(store, "asset_type", "asset_name", "Account", "asset_id")
    ioc_type = _id(store, "ioc_type", "type_name", "other", "type_id")
    tlp = _id(store, "tlp", "tlp_name", "amber", "tlp_id")
    objects: dict[str, list[int]] = {"asset": [], "ioc": [], "task": [], "event": [], "evidence": []}
    for index, entry in enumerate(entries):
        text = entry.value
        store.register_tags(text)
        ioc, message = add_ioc_to_case(store, case_id, user_id, {
            "ioc_value": text, "ioc_type_id": ioc_type, "ioc_tlp_id": tlp, "ioc_tags": text,
            "ioc_description": text, "custom_attributes": _attributes(entry)})
        if message == ADDED:
            store.bump(case_id, "ioc")  # as the add handler does
        asset = create_asset(store, case_id, user_id, {
            "asset_name": text, "asset_type_id": asset_type, "asset_description": text,
            "asset_domain": text, "asset_ip": text, "asset_info": text, "asset_tags": text,
            "asset_compromise_status_id": 1, "analysis_status_id": 1,
            "custom_attributes": _attributes(entry), "ioc_links": [ioc["ioc_id"]]})
        task = create_task(store, case_id, user_id, {
            "task_title": text, "task_description": text, "task_tags": text, "task_status_id": 1,
            "task_assignees_id": [user_id], "custom_attributes": _attributes(entry)})
        event = create_event(store, case_id, user_id, {
            "event_title": text, "event_date": iso6(START + dt.timedelta(minutes=index)),
            "event_tz": "+00:00", "event_category_id": 1, "event_assets": [asset["asset_id"]],
            "event_iocs": [ioc["ioc_id"]], "event_content": text, "event_raw": text,
            "event_source": text, "event_tags": text, "event_in_graph": True,
            "event_in_summary": True, "event_color": "", "custom_attributes": _attributes(entry)})
        evidence = create_evidence(store, case_id, user_id, {
            "filename": text, "file_size": len(entry.data), "file_hash": text,
            "file_description": text, "type_id": 1, "acquisition_date": iso(START),
            "chain_of_custody": [{"date": iso(START), "from": text, "to": text}]})
        evidence["custom_attributes"] = _attributes(entry)
        store.bump(case_id, "evidences")  # as the add handler does
        objects["asset"].append(asset["asset_id"])
        objects["ioc"].append(ioc["ioc_id"])
        objects["task"].append(task["id"])
        objects["event"].append(event["event_id"])
        objects["evidence"].append(evidence["id"])
    return objects


def _notes(store: Store, case_id: int, user_id: int, entries: tuple[Hostile, ...],
           objects: dict[str, list[int]]) -> None:
    """A note directory per category, named with its first string, holding that category's notes."""
    from iris_tui.demo.routes.notes import create_directory, create_note

    directories = {category: create_directory(store, case_id, entry.value)["id"]
                   for category, entry in _first_of_each_category(entries).items()}
    objects["note"] = [
        create_note(store, case_id, user_id, {
            "note_title": entry.value, "note_content": entry.value,
            "directory_id": directories[entry.category], "custom_attributes": _attributes(entry),
        })["note_id"]
        for entry in entries
    ]


def _datastore(store: Store, case_id: int, user_id: int, entries: tuple[Hostile, ...]) -> None:
    """A folder per category, named with its first string; file names are the strings (invalid
    UTF-8 ones as Python decodes an undecodable file name), contents their bytes."""
    from iris_tui.demo.routes.datastore import create_folder, ensure_root, store_file

    root = ensure_root(store, case_id)["path_id"]
    folders = {category: create_folder(store, case_id, root, entry.value)["path_id"]
               for category, entry in _first_of_each_category(entries).items()}
    for entry in entries:
        store_file(store, case_id, folders[entry.category], user_id, entry.value, entry.data,
                   description=entry.value, tags=entry.value)


def _comments(store: Store, case_id: int, user_id: int, entries: tuple[Hostile, ...],
              objects: dict[str, list[int]]) -> None:
    from iris_tui.demo.routes.comments import add_comment

    for kind, ids in objects.items():
        for entry, object_id in zip(entries, ids):
            add_comment(store, case_id, user_id, kind, object_id, entry.value)
