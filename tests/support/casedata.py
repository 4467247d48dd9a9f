"""A small case built in the demo store for the timeline, notes and datastore tab tests.

Built with the demo route modules' create_* functions on a fresh fake (case #1), so the tests
know every id and can put hostile strings exactly where they want them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iris_tui.api import IrisClient
from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.demo.routes.assets import create_asset
from iris_tui.demo.routes.comments import add_comment
from iris_tui.demo.routes.datastore import create_folder, ensure_root, store_file
from iris_tui.demo.routes.iocs import add_ioc_to_case
from iris_tui.demo.routes.notes import create_directory, create_note
from iris_tui.demo.routes.timeline import create_event
from iris_tui.ui.session import Session

CID = 1
USER = 1
# markup, an ANSI colour, an OSC 52 clipboard write and a bidi override
HOSTILE = "[bold red]x[/] [@click=app.quit]q[/] \x1b[31mred\x1b]52;c;aGk=\x07 \u202egpj.exe"


@dataclass
class CaseData:
    session: Session
    ids: dict[str, Any] = field(default_factory=dict)

    @property
    def demo(self) -> Any:
        return self.session.demo


def fresh_session() -> Session:
    app = create_app(seed="fresh")
    client = IrisClient("http://demo.iris", DEMO_API_KEY, transport=DemoTransport(app))
    return Session("demo", "http://demo.iris", client, demo=app)


def add_event(store: Any, title: str, date: str, tz: str, **fields: Any) -> int:
    body = {"event_title": title, "event_date": date, "event_tz": tz, "event_category_id": 1,
            "event_assets": [], "event_iocs": [], "event_in_graph": True, "event_in_summary": False}
    body.update(fields)
    return create_event(store, CID, USER, body)["event_id"]


def build_case() -> CaseData:
    """Assets, IOCs, events over three days (two offsets), notes in nested directories,
    datastore files; hostile strings in an event title, a note and a file name."""
    data = CaseData(fresh_session())
    store = data.demo.store
    ids = data.ids
    ids["ws"] = create_asset(store, CID, USER, {"asset_name": "WS-01", "asset_type_id": 9,
                                               "asset_ip": "10.0.0.12"})["asset_id"]
    ids["dc"] = create_asset(store, CID, USER, {"asset_name": "DC-01", "asset_type_id": 10})["asset_id"]
    ioc, _ = add_ioc_to_case(store, CID, USER, {"ioc_value": "evil.example", "ioc_type_id": 20,
                                                "ioc_tlp_id": 2, "ioc_description": "C2 domain"})
    ids["ioc"] = ioc["ioc_id"]
    # 22:14 at +01:00 is 21:14 UTC on the same day; 00:30 at +01:00 is the previous day in UTC
    ids["vpn"] = add_event(store, "VPN login as jdoe", "2025-03-02T22:14:05.000000", "+01:00",
                        event_category_id=4, event_source="FortiGate", event_tags="vpn,initial",
                        event_assets=[ids["ws"]], event_iocs=[ids["ioc"]],
                        event_content="First login, no MFA.", event_raw="date=2025-03-02 logid=0100")
    ids["rdp"] = add_event(store, "RDP session to DC-01", "2025-03-03T00:30:00.000000", "+01:00",
                        event_category_id=11, event_source="Security.evtx", event_tags="rdp",
                        event_assets=[ids["ws"], ids["dc"]])
    ids["hostile"] = add_event(store, HOSTILE, "2025-03-03T09:00:00.000000", "+00:00")
    ids["enc"] = add_event(store, "Encryption starts", "2025-03-04T03:45:10.000000", "+00:00",
                        event_category_id=15, event_tags="impact")
    add_comment(store, CID, USER, "event", ids["vpn"], "confirmed by the firewall team")

    analysis = create_directory(store, CID, "Analysis")
    malware = create_directory(store, CID, "Malware", parent_id=analysis["id"])
    loaders = create_directory(store, CID, "Loaders", parent_id=malware["id"])
    ids["dir_analysis"], ids["dir_malware"], ids["dir_loaders"] = analysis["id"], malware["id"], loaders["id"]
    ids["note_triage"] = create_note(store, CID, USER, {
        "directory_id": analysis["id"], "note_title": "Host triage",
        "note_content": "# Findings\n\nBeacon every **60s**.\n\n```python\nimport os\nprint('beacon')\n```\n",
    })["note_id"]
    ids["note_loader"] = create_note(store, CID, USER, {
        "directory_id": loaders["id"], "note_title": "Loader analysis",
        "note_content": "## Loader\n\nUnpacks `stage2.bin`.",
    })["note_id"]
    ids["note_hostile"] = create_note(store, CID, USER, {
        "directory_id": malware["id"], "note_title": HOSTILE,
        "note_content": f"Body: {HOSTILE}\n\n```\n{HOSTILE}\n```\n",
    })["note_id"]
    add_comment(store, CID, USER, "note", ids["note_triage"], "reviewed by jane")

    root = ensure_root(store, CID)
    evidences = next(f for f in store.ds_folders.values()
                     if f["path_parent_id"] == root["path_id"] and f["path_name"] == "Evidences")
    mails = create_folder(store, CID, evidences["path_id"], "Mails")
    ids["ds_root"], ids["ds_mails"] = root["path_id"], mails["path_id"]
    ids["file_mail"] = store_file(store, CID, mails["path_id"], USER, "invoice.eml", b"x" * 48213,
                                  description="Original phishing mail", tags="mail,phishing",
                                  is_evidence=True)["file_id"]
    ids["file_sample"] = store_file(store, CID, root["path_id"], USER, "stage2.bin", b"MZ" * 2048,
                                    tags="malware", is_ioc=True)["file_id"]
    ids["file_hostile"] = store_file(store, CID, root["path_id"], USER, HOSTILE, b"abc")["file_id"]
    return data


# -- driving the app --------------------------------------------------------------------------

TAB_KEYS = {"timeline": "5", "notes": "6", "datastore": "7"}


def _render(app: Any, *, color: bool) -> str:
    """What the terminal receives for the current screen (as Textual's own screenshot does)."""
    import io

    from rich.console import Console

    console = Console(file=io.StringIO(), width=app.size.width, height=app.size.height,
                      color_system="truecolor" if color else None, force_terminal=color,
                      legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.file.getvalue()


def screen_text(app: Any) -> str:
    return _render(app, color=False)


def terminal_output(app: Any) -> str:
    """The screen with its escape sequences: server text must add none of its own."""
    return _render(app, color=True)


async def until(pilot: Any, condition: Any, timeout: float = 5.0, what: str = "condition") -> None:
    steps = int(timeout / 0.05)
    for _ in range(steps):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def settle(pilot: Any, app: Any) -> None:
    """Wait until no worker runs (a debounced worker cancelled by a newer one is fine)."""
    from textual.worker import WorkerCancelled

    for _ in range(20):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        break
    await pilot.pause()


async def open_tab(pilot: Any, app: Any, tab_id: str) -> Any:
    """`:case 1`, then the tab's number key; returns the tab once it has loaded."""
    await pilot.press("colon", *"case 1", "enter")
    await until(pilot, lambda: type(app.screen).__name__ == "CaseWorkspace", what="the workspace")
    await pilot.press(TAB_KEYS[tab_id])
    tab = app.screen.query_one(f"#tab-{tab_id}")
    await until(pilot, lambda: tab.loaded, what=f"the {tab_id} tab")
    await settle(pilot, app)
    return tab


def requests(demo: Any, path: str) -> list[Any]:
    return [r for r in demo.received if r.path == path]
