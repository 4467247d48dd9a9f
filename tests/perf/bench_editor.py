"""Benchmark: keystroke-to-screen latency in the note editor on a 5,000-line note (issue 7).

Not a pytest test (pytest does not collect tests/perf). Run:

    .venv/bin/python tests/perf/bench_editor.py [--lines 5000] [--keys 200]

The editor runs on the in-process demo server with drafts written to a temporary state dir, as
in the app: every change schedules a draft write (debounced, in a thread). "Repaint" is the time
from the key event until Textual hands the next screen update to the driver (the headless
driver drops it, so terminal output time is not included; the 60 fps update timer is).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from textual import events

from iris_tui.api import IrisClient
from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.demo.routes.notes import create_directory, create_note
from iris_tui.ui.app import IrisApp
from iris_tui.ui.editor import NoteEditor
from iris_tui.ui.session import Session


def big_note(lines: int) -> str:
    """Markdown a responder writes: headings, lists, code fences, tables, long lines."""
    out = []
    for i in range(lines):
        kind = i % 20
        if kind == 0:
            out.append(f"## {i // 20}. Host WS-{i:04d}")
        elif kind == 3:
            out.append("```powershell")
        elif kind in (4, 5):
            out.append(f"Get-WinEvent -LogName Security | ? Id -eq 4624 | select -First {i}")
        elif kind == 6:
            out.append("```")
        elif kind in (8, 9):
            out.append(f"- **{i}** beacon to `evil-{i}.example` from 10.0.{i % 256}.{i % 7} "
                       f"[ticket](https://tickets.example/{i})")
        elif kind == 12:
            out.append("| time | host | event |")
        elif kind == 13:
            out.append("|---|---|---|")
        elif kind == 14:
            out.append(f"| 2025-03-03 10:{i % 60:02d} | WS-{i:04d} | logon type 10 |")
        else:
            out.append(f"Plain analysis text on line {i}, long enough to wrap at eighty columns "
                       f"when the editor is narrow: lateral movement, credential dumping, {i}.")
    return "\n".join(out) + "\n"


class BenchApp(IrisApp):
    """IrisApp that tells when a screen update went out (CSS_PATH stays IrisApp's own)."""

    CSS_PATH = str(Path(__import__("iris_tui.ui.app").ui.app.__file__).with_name("app.tcss"))

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.painted = asyncio.Event()

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is not None:
            self.painted.set()


async def until_painted(app: BenchApp, key: str, character: str | None = None) -> float:
    await asyncio.sleep(0.02)  # let earlier updates land (the screen updates at most at 60 Hz)
    app.painted.clear()
    start = time.perf_counter()
    assert app._driver is not None
    event = events.Key(key, character)
    event.set_sender(app)
    app._driver.send_message(event)
    await app.painted.wait()
    return time.perf_counter() - start


def ms(seconds: float) -> str:
    return f"{seconds * 1000:6.1f} ms"


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(label: str, samples: list[float]) -> None:
    print(f"{label:<44} p50 {ms(pct(samples, .5))}  p95 {ms(pct(samples, .95))}  "
          f"max {ms(max(samples))}  mean {ms(statistics.mean(samples))}  ({len(samples)} keys)")


async def run(lines: int, keys: int, language: str | None) -> None:
    demo = create_app(seed="fresh")
    directory = create_directory(demo.store, 1, "Analysis")["id"]
    text = big_note(lines)
    note_id = create_note(demo.store, 1, 1, {"directory_id": directory, "note_title": "Big note",
                                            "note_content": text})["note_id"]
    client = IrisClient("http://demo.iris", DEMO_API_KEY, transport=DemoTransport(demo))
    app = BenchApp(Session("demo", "http://demo.iris", client, demo=demo))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        start = time.perf_counter()
        editor = NoteEditor(1, note_id)
        await app.push_screen(editor)
        while not editor.ready:
            await asyncio.sleep(0.005)
        app.painted.clear()
        await app.painted.wait()
        opened = time.perf_counter() - start
        area = editor.text_area
        if language is None:
            area.language = None
        print(f"\n== {lines:,}-line note ({len(text) / 1024:,.0f} KiB), highlighting: "
              f"{area.language or 'off'}")
        print(f"open (fetch, load, first paint): {ms(opened)}")
        area.move_cursor((lines // 2, 10))
        await pilot.pause(0.1)

        words = "lateral movement via psexec "
        typing = [await until_painted(app, "space" if c == " " else c, c)
                  for c in (words * (keys // len(words) + 1))[:keys]]
        report("typing in the middle", typing)
        enters = [await until_painted(app, "enter") for _ in range(30)]
        report("enter (new line: re-wrap, line numbers)", enters)
        backspaces = [await until_painted(app, "backspace") for _ in range(60)]
        report("backspace (joins lines too)", backspaces)
        area.move_cursor((lines - 3, 0))
        await pilot.pause(0.1)
        at_end = [await until_painted(app, c, c) for c in "appendedattheend" * 4]
        report("typing near the end", at_end)
        paging = [await until_painted(app, k) for k in ["pageup"] * 20 + ["pagedown"] * 20]
        report("page up / page down", paging)
        await pilot.pause(0.7)  # the last debounced draft write
        await app.workers.wait_for_complete()
        assert editor.drafts is not None
        draft = editor.drafts.load(1, note_id)
        print(f"draft on disk after typing: {'yes' if draft and draft.text == area.text else 'NO'} "
              f"({len(draft.text) / 1024:,.0f} KiB)" if draft else "draft on disk: NO")
        start = time.perf_counter()
        assert await editor.save()
        print(f"save (fingerprint check + update): {ms(time.perf_counter() - start)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--keys", type=int, default=200, help="characters typed per run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        os.environ["IRIS_TUI_STATE_DIR"] = state
        asyncio.run(run(args.lines, args.keys, "markdown"))
        asyncio.run(run(args.lines, args.keys, None))


if __name__ == "__main__":
    main()
