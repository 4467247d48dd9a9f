"""The app in known states on the demo data, for the screenshots in screenshots/ and the SVG
snapshot tests: each scene drives the real app with real keys, then waits until the screen stops
changing.

Two runs must paint the same bytes, so `reproducible()` fixes everything a run would otherwise
take from the machine or the moment: the clock (the demo's fresh-install case #1 and change dates
use "now"), the time zone, uuids, the theme, colour settings and the app's state folders. The
terminal size is part of each scene. The ids inside an SVG need nothing: Rich derives them from
the content and the title, which is fixed (TITLE).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import importlib.util
import itertools
import os
import random
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import time_machine
from textual.worker import WorkerState

from iris_tui.api import IrisClient
from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.demo.incident import INCIDENT_SOC_ID
from iris_tui.ui.app import IrisApp
from iris_tui.ui.session import Session

# A Thursday morning after the seeded incident (early March 2025), in UTC.
FROZEN_AT = dt.datetime(2025, 3, 6, 8, 30, tzinfo=dt.timezone.utc)
THEME = "textual-dark"
TITLE = "iris-tui"
URL = "http://demo.iris"
# environment the app or Textual read, cleared so the developer's shell cannot leak in
CLEARED_ENV = ("NO_COLOR", "FORCE_COLOR", "TEXTUAL_ANIMATIONS", "VISUAL", "EDITOR")
STATE_ENV = ("IRIS_TUI_CONFIG_DIR", "IRIS_TUI_DATA_DIR", "IRIS_TUI_STATE_DIR")

Drive = Callable[[Any], Awaitable[None]]


@contextlib.contextmanager
def reproducible() -> Iterator[None]:
    """Freeze what differs between runs: clock, time zone, uuid4, environment, state folders.

    The clock moves through time-machine, which changes what `datetime.now()` and `time.time()`
    answer without replacing the `datetime` classes (msgspec's typed decoding rejects the
    stand-in classes of class-swapping freezers). `time.monotonic()` keeps running, so asyncio
    and Textual's timers work.
    """
    saved = {name: os.environ.get(name) for name in (*CLEARED_ENV, *STATE_ENV, "TZ")}
    rng = random.Random(20250306)

    def uuid4() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    with tempfile.TemporaryDirectory(prefix="iris-tui-scene-") as home:
        try:
            for name in CLEARED_ENV:
                os.environ.pop(name, None)
            for name in STATE_ENV:
                os.environ[name] = str(Path(home, name.lower()))
            os.environ["TZ"] = "UTC"
            time.tzset()
            with mock.patch("uuid.uuid4", uuid4), time_machine.travel(FROZEN_AT, tick=False):
                yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            time.tzset()


def demo_session(app: Any = None) -> Session:
    """A session on the seeded demo server (or on `app`, an ASGI wrapper around one)."""
    demo = create_app()
    client = IrisClient(URL, DEMO_API_KEY, transport=DemoTransport(app(demo) if app else demo))
    return Session("demo", URL, client, demo=demo)


def new_app(session: Session | None = None) -> IrisApp:
    return IrisApp(session or demo_session(), theme=THEME)


def incident_case_id(app: IrisApp) -> int:
    """The LockBit case (#5 in the seed), found by its SOC id rather than a hard-coded id."""
    store = app.session.demo.store  # type: ignore[union-attr]
    return next(c["case_id"] for c in store.cases.values() if c["soc_id"] == INCIDENT_SOC_ID)


# -- waiting ------------------------------------------------------------------------------------


async def settle(pilot: Any, timeout: float = 20.0) -> None:
    """Wait until the screen has stopped changing and no worker runs; a worker still running
    after a second of stillness waits on purpose (a dialog's answer, a held transfer). Toasts
    are cleared and cursors stop blinking."""
    app: IrisApp = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    previous, same = None, 0
    while not (same >= 3 and not busy(app) or same >= 20):
        if loop.time() > deadline:
            raise TimeoutError(f"the screen did not settle in {timeout:g} s")
        for screen in app.screen_stack:
            for widget in screen.query("Input, TextArea"):
                widget.cursor_blink = False  # type: ignore[attr-defined]
        app.clear_notifications()
        await pilot.pause(0.05)
        shot = app.export_screenshot(title=TITLE)
        same = same + 1 if shot == previous else 0
        previous = shot


def busy(app: IrisApp) -> bool:
    return any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)


async def until(pilot: Any, condition: Callable[[], object], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        await pilot.pause(0.02)


# -- scenes -------------------------------------------------------------------------------------


async def case_list(pilot: Any) -> None:
    """The case list with the cursor on the LockBit case."""
    from iris_tui.ui.screens.cases import CaseListScreen

    app: IrisApp = pilot.app
    await until(pilot, lambda: isinstance(app.screen, CaseListScreen) and app.screen.rows.all_rows)
    await settle(pilot)
    cid = incident_case_id(app)
    for _ in app.screen.rows.rows:
        if app.screen.rows.cursor_row.case_id == cid:
            break
        await pilot.press("j")
    else:
        raise AssertionError(f"case #{cid} is not in the case list")
    await settle(pilot)


async def open_incident(pilot: Any) -> None:
    """From the case list, open the LockBit case with enter; all tabs load."""
    from iris_tui.ui.screens.workspace import CaseWorkspace

    await case_list(pilot)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, CaseWorkspace))
    await settle(pilot)


def workspace_tab(number: int, *keys: str) -> Drive:
    """The LockBit case on tab `number` (its 1..8 key), then `keys`."""

    async def drive(pilot: Any) -> None:
        await open_incident(pilot)
        await pilot.press(str(number))
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    drive.__doc__ = f"workspace tab {number}, then {' '.join(keys) or 'nothing'}"
    return drive


async def note_conflict(pilot: Any) -> None:
    """`e` on a LockBit note opens the note editor; a line typed; a colleague changes the note
    meanwhile; ctrl+s shows both versions instead of overwriting."""
    from iris_tui.ui.editor import NoteEditor
    from iris_tui.ui.note_diff import ConflictScreen

    app: IrisApp = pilot.app
    await workspace_tab(6, *TAB_KEYS["notes"])(pilot)
    await pilot.press("e")
    await until(pilot, lambda: isinstance(app.screen, NoteEditor) and app.screen.ready)
    editor: NoteEditor = app.screen  # type: ignore[assignment]
    area = editor.text_area
    area.move_cursor(area.document.end)
    for key in ("enter", *"Also", "space", *"seen", "space", *"on", "space", *"FS02."):
        await pilot.press(key)
    note = app.session.demo.store.notes[editor.note_id]  # type: ignore[union-attr]
    colleague = IrisClient(URL, DEMO_API_KEY, transport=DemoTransport(app.session.demo))  # type: ignore[union-attr]
    async with colleague:
        await colleague.notes.update(editor.cid, editor.note_id,
                                     content=note["note_content"] + "\nConfirmed by the EDR vendor.\n")
    await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(app.screen, ConflictScreen))
    await settle(pilot)


# a threat report pasted as it arrives: defanged, with IOCs the case already holds
THREAT_REPORT = """\
Partner CERT flash 2025-03-05: LockBit 3.0 affiliate, same cluster as Northwind
Initial access via SSL-VPN from 203.0.113.45 and 203.0.113.46 (password spraying)
Beacon: hxxps://update[.]msedge-cdn[.]example[.]net/edge/update/check.js
Second C2: cdn-telemetry[.]example[.]com -> 198.51.100.24
Loader sha256 9f2c1d0e3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f30112233445566778899
Phishing sender: invoices@northwind-billing[.]example
Files dropped: svcupd.exe, LB3.exe, Restore-My-Files.txt
"""


async def bulk_ioc_paste(pilot: Any) -> None:
    """`P` on the IOCs tab, a defanged report pasted, ctrl+s: the candidates found, those the
    case already holds marked."""
    from textual import events

    from iris_tui.ui.screens.bulk_iocs import BulkIocScreen

    app: IrisApp = pilot.app
    await workspace_tab(3)(pilot)
    await pilot.press("P")
    await until(pilot, lambda: isinstance(app.screen, BulkIocScreen))
    await settle(pilot)
    focused = app.screen.focused
    assert focused is not None, "the paste screen focuses its text area"
    focused.post_message(events.Paste(THREAT_REPORT))  # what a terminal's bracketed paste sends
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)


# -- a datastore upload, held half-way ------------------------------------------------------------

# sent in name order: the first is stored, the second stalls half-way, the third waits
UPLOAD_FILES = (("auth-vpn-gw01.log", 96 * 1024), ("mft-nw-fs02.csv", 2 * 1024 * 1024),
                ("security-nw-dc01.evtx", 1024 * 1024))
HOLD_AFTER = 900 * 1024  # bytes of the second upload the server reads before it stalls


class HoldSecondUpload:
    """ASGI wrapper: the second datastore upload stalls after HOLD_AFTER bytes of its body, so
    the screen shows one file stored, one sending, one waiting."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.uploads = 0
        self.held = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/datastore/file/add"):
            await self.app(scope, receive, send)
            return
        self.uploads += 1
        if self.uploads != 2:
            await self.app(scope, receive, send)
            return
        read = 0

        async def stalling_receive() -> Any:
            nonlocal read
            if read >= HOLD_AFTER:
                self.held.set()
                await asyncio.Event().wait()  # until the app exits and cancels the request
            message = await receive()
            read += len(message.get("body", b""))
            return message

        await self.app(scope, stalling_receive, send)


def steady_clock() -> Callable[[], float]:
    """A monotonic clock that moves 0.25 s per reading: speeds and ETAs come out the same."""
    counter = itertools.count()
    return lambda: next(counter) * 0.25


async def upload_in_progress(pilot: Any) -> None:
    """`u` on the datastore tab, three files added with one `*` pattern, a description,
    ctrl+s; the second file is half sent."""
    from iris_tui.transfers import Rate
    from iris_tui.ui.ds import upload
    from iris_tui.ui.ds.progress import Throttle

    app: IrisApp = pilot.app
    held: HoldSecondUpload = app.session.demo_wrapper  # type: ignore[union-attr]
    clock = steady_clock()
    with tempfile.TemporaryDirectory(prefix="iris-tui-upload-") as folder, \
            mock.patch.object(upload, "Rate", functools.partial(Rate, clock=clock)), \
            mock.patch.object(upload, "Throttle", functools.partial(Throttle, clock=clock)):
        for name, size in UPLOAD_FILES:
            Path(folder, name).write_bytes(bytes(random.Random(name).getrandbits(8) for _ in range(256))
                                           * (size // 256))
        await workspace_tab(7)(pilot)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, upload.UploadScreen))
        await pilot.press(*f"{folder}/*", "enter")  # a pattern adds every file it matches
        await pilot.press("tab", "tab", "tab", *"first triage round")
        await pilot.press("ctrl+s")
        await until(pilot, held.held.is_set)
        await pilot.pause(0.1)
        await settle(pilot)


def upload_session() -> Session:
    holder: dict[str, HoldSecondUpload] = {}

    def wrap(demo: Any) -> HoldSecondUpload:
        holder["wrapper"] = HoldSecondUpload(demo)
        return holder["wrapper"]

    session = demo_session(wrap)
    session.demo_wrapper = holder["wrapper"]  # type: ignore[attr-defined]
    return session


# -- the list of screenshots ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    name: str  # the file name in screenshots/, without .svg
    drive: Drive
    size: tuple[int, int] = (120, 36)
    session: Callable[[], Session] = demo_session
    needs: str = ""  # a module that must exist: the feature may still be being built
    todo: str = ""  # why the scene cannot be made yet (printed, and no file is written)

    def available(self) -> bool:
        return not self.todo and (not self.needs or importlib.util.find_spec(self.needs) is not None)


# keys pressed on a tab before its screenshot: the notes tab shows a note with code in it
TAB_KEYS = {"notes": ("j",) * 8}
TAB_NAMES = ("summary", "assets", "iocs", "tasks", "timeline", "notes", "datastore", "evidences")

SCENES: tuple[Scene, ...] = (
    Scene("case-list", case_list),
    *(Scene(f"workspace-{n}-{name}", workspace_tab(n, *TAB_KEYS.get(name, ())))
      for n, name in enumerate(TAB_NAMES, 1)),
    Scene("note-editor-conflict", note_conflict, needs="iris_tui.ui.editor"),
    Scene("bulk-ioc-paste", bulk_ioc_paste, needs="iris_tui.ui.screens.bulk_iocs"),
    Scene("datastore-upload", upload_in_progress, session=upload_session, needs="iris_tui.ui.ds.upload"),
)


async def shoot(scene: Scene) -> str:
    """The SVG of `scene` (call inside `reproducible()`)."""
    app = new_app(scene.session())
    async with app.run_test(size=scene.size) as pilot:
        await scene.drive(pilot)
        svg = app.export_screenshot(title=TITLE)
        app.exit()
    return svg
