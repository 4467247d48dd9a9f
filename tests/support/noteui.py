"""Helpers shared by the note editor and Notes tab action tests."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

from rich.console import Console

from iris_tui.api import IrisClient
from iris_tui.demo import DEMO_API_KEY, DemoTransport
from iris_tui.ui.session import Session

CID = 1
USER = 1
URL = "http://demo.iris"


def session_on(demo: Any, *, read_only: bool = False) -> Session:
    """A session on `demo`: a second one on the same DemoApp is a restarted app."""
    client = IrisClient(URL, DEMO_API_KEY, transport=DemoTransport(demo))
    return Session("demo", URL, client, read_only=read_only, demo=demo)


def screen_text(app: Any) -> str:
    """What the terminal shows, as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True))
    return console.export_text()


async def until(pilot: Any, condition: Callable[[], Any], timeout: float = 5.0) -> None:
    """Let the app run until `condition()` holds (workers, timers, messages)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time\n" + screen_text(pilot.app))
        await pilot.pause(0.02)


async def type_at_end(pilot: Any, editor: Any, text: str) -> None:
    """Type `text` at the end of the editor's note, key by key."""
    area = editor.text_area
    area.focus()
    area.move_cursor(area.document.end)
    for char in text:
        await pilot.press({"\n": "enter", " ": "space"}.get(char, char))


def status(editor: Any) -> str:
    return str(editor.query_one("#editor-status").render())
