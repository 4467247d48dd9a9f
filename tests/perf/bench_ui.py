"""UI benchmark on huge cases (issue 9). Prints figures; asserts nothing.

One run measures, against the demo server at scale (100,000 IOCs, 100,000 events, 5,000 assets,
100,000 cases; served by `iris-tui demo-server` in its own process, so its work neither blocks
the app's event loop nor counts in the app's memory):

1. first paint of the IOCs tab and of the timeline tab after the data arrives, beside Textual's
   DataTable on the same rows (target <= 0.2 s);
2. keypress to repaint while scrolling (target p95 <= 30 ms) and while typing a filter
   (target p95 <= 100 ms) on those 100,000 rows, in the real tabs with their detail pane;
3. peak RSS of the app with the 100,000-row case open, all tabs loaded, measured in a process of
   its own (/proc/self/status VmHWM; target <= 300 MB);
4. cold start: `iris-tui --demo` spawned in a pseudo-terminal until the case list is drawn, and the
   app run headless from a fresh interpreter until the case list has rows (target <= 1.0 s);
5. opening a case with all eight tabs at 50 ms latency per request on the in-process demo server
   (target <= 3 x 50 ms plus server time): until the visible tab shows its data, until the last
   answer is in, and until the hidden tabs (built after the first paint) show theirs.

A first load is measured as users get it: `load()` with the answer replayed from memory, until a
paint shows the first rows (big lists paint a preview while the rest decodes) and until a paint
shows them all. "Paint" is the time from the call (or the key event) until Textual hands the next
screen update to the driver (the headless driver drops it, so terminal output is not included; the screen's
60 fps update timer is). Decoding the whole answer and showing every row are also timed apart.

Run: .venv/bin/python tests/perf/bench_ui.py [--no-datatable]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import gc
import json
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from iris_tui.api import IrisClient
from iris_tui.demo import DEMO_API_KEY
from iris_tui.demo.incident import INCIDENT_SOC_ID
from iris_tui.ui.app import IrisApp
from iris_tui.ui.screens.cases import CaseListScreen
from iris_tui.ui.session import Session, demo_session
from iris_tui.ui.tabs.base import CaseTab
from iris_tui.ui.widgets.rowlist import cell_text

SCALE = {"iocs": 100_000, "events": 100_000, "assets": 5_000, "cases": 100_000}
SIZE = (80, 24)
LATENCY = 0.05


# -- helpers ------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def spread(samples: list[float]) -> str:
    return f"p50 {ms(pct(samples, .5))}  p95 {ms(pct(samples, .95))}  max {ms(max(samples))}"


def proc_status(pid: str = "self") -> dict[str, int]:
    """VmRSS / VmHWM in kB (no psutil)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


class Replay(httpx.AsyncBaseTransport):
    """Real HTTP the first time; afterwards the same GET answers from memory, so that decoding
    can be timed apart from the server and the network."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.answers: dict[str, tuple[int, list[tuple[bytes, bytes]], bytes]] = {}
        self.replaying = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = f"{request.method} {request.url}"
        if self.replaying and key in self.answers:
            status, headers, body = self.answers[key]
            return httpx.Response(status, headers=headers, content=body, request=request)
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        if request.method == "GET":
            self.answers[key] = (response.status_code, list(response.headers.raw), body)
        return httpx.Response(response.status_code, headers=response.headers.raw, content=body,
                              request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class Painted:
    """Mixed into an App: knows when the next screen update goes to the driver."""

    painted: asyncio.Event

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)  # type: ignore[misc]
        if renderable is not None:
            self.painted.set()


class BenchApp(Painted, IrisApp):
    CSS_PATH = str(Path(sys.modules[IrisApp.__module__].__file__ or "").parent / "app.tcss")

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.painted = asyncio.Event()
        self.auto_refresh = 0  # no poll in the middle of a measurement


class TableApp(Painted, App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.painted = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")


async def until_painted(app: Any, action: Callable[[], Any]) -> float:
    """Seconds from `action()` to the next screen update."""
    await asyncio.sleep(0.02)  # let earlier updates land (60 updates a second at most)
    app.painted.clear()
    start = time.perf_counter()
    action()
    await app.painted.wait()
    return time.perf_counter() - start


async def first_load(app: Any, tab: Any, data: Any) -> tuple[float, float]:
    """`load()` on the tab emptied and marked never loaded: seconds until a paint shows rows,
    and until a paint shows all of them."""
    tab.show(type(data)([]) if isinstance(data, list) else data)
    tab.loaded = False
    await asyncio.sleep(0.05)
    app.painted.clear()
    start = time.perf_counter()
    tab.load()
    first = None
    while True:
        await app.painted.wait()
        app.painted.clear()
        now = time.perf_counter() - start
        if first is None and tab.rows.all_rows:
            first = now
        if tab.loaded:
            return first or now, now


def press(app: Any, key: str, character: str | None = None) -> Callable[[], None]:
    def send() -> None:
        event = events.Key(key, character)
        event.set_sender(app)
        app._driver.send_message(event)
    return send


async def wait_for(condition: Callable[[], Any], timeout: float = 600.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.01)


@contextlib.contextmanager
def demo_server(*extra: str) -> Iterator[str]:
    """`iris-tui demo-server` at scale in a subprocess on a free loopback port; yields its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "iris_tui.cli", "demo-server", "--port", "0", *extra],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        while True:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("the demo server did not start")
            if "listening on" in line:
                yield line.split("listening on", 1)[1].strip()
                return
    finally:
        proc.terminate()
        proc.wait(10)


def scale_args() -> list[str]:
    return [arg for what, n in SCALE.items() for arg in (f"--{what}", str(n))]


async def incident_id(iris: IrisClient) -> int:
    page = await iris.cases.filter(case_soc_id=INCIDENT_SOC_ID, per_page=5)
    return next(c.case_id for c in page.cases if c.soc_id == INCIDENT_SOC_ID)


def all_loaded(app: IrisApp) -> bool:
    tabs = list(app.screen.query(CaseTab)) if hasattr(app.screen, "tab") else []
    return len(tabs) == 8 and all(t.loaded for t in tabs)


async def open_workspace(app: IrisApp, cid: int, tab: str) -> Any:
    await wait_for(lambda: isinstance(app.screen, CaseListScreen) and app.screen.rows.all_rows)
    app.open_case(cid, tab=tab)
    await wait_for(lambda: all_loaded(app))
    return app.screen


# -- 1 and 2: first paint, scrolling and filter typing on 100,000 rows ---------------------------


async def tab_figures(url: str, cid: int, tab_id: str, with_datatable: bool) -> None:
    gc.collect()  # what the previous figures left (a DataTable of 100,000 rows) is not ours to scan
    replay = Replay()
    session = Session("bench", url, IrisClient(url, DEMO_API_KEY, transport=replay))
    app = BenchApp(session)
    async with app.run_test(size=SIZE) as pilot:
        workspace = await open_workspace(app, cid, tab_id)
        tab = workspace.tab(tab_id)
        rows = tab.rows
        await pilot.pause()
        replay.replaying = True
        decode = []
        for _ in range(3):
            start = time.perf_counter()
            data = await tab.fetch()
            decode.append(time.perf_counter() - start)
        n = len(data)
        # a first paint: the tab empty again, as before its first answer
        tab.show(type(data)([]) if isinstance(data, list) else data)
        await pilot.pause()
        paint = await until_painted(app, lambda: tab.show(data))
        again = await until_painted(app, lambda: tab.show(data))
        first, full = await first_load(app, tab, data)
        name = f"{tab.title} tab, {n:,} rows"
        print(f"\n{name}")
        print(f"  a first load, the answer replayed from memory (no server, no network):")
        print(f"    first rows painted (the preview):                  {ms(first)}"
              "   target <= 200 ms")
        print(f"    every row in, painted:                             {ms(full)}")
        print(f"  decode the whole answer into rows:                   {ms(min(decode))}")
        print(f"  show every row until painted:                        {ms(paint)}")
        print(f"  refresh with the same rows (cursor kept):            {ms(again)}")

        rows = tab.rows
        rows.focus()
        await pilot.pause()
        samples = [await until_painted(app, press(app, "down")) for _ in range(150)]
        samples += [await until_painted(app, press(app, "pagedown")) for _ in range(50)]
        samples += [await until_painted(app, press(app, "up")) for _ in range(100)]
        print(f"  keypress to repaint, scrolling ({len(samples)} keys): {spread(samples)}"
              "   target p95 <= 30 ms")
        jumps = [await until_painted(app, press(app, k)) for k in ("G", "g", "G", "g")]
        print(f"  G / g (end / start):                                 max {ms(max(jumps))}")

        await until_painted(app, press(app, "slash", "/"))
        await pilot.pause()
        typing: list[float] = []
        queries = ("synthetic 4", "host-7", "c2", "lateral") if tab_id == "timeline" else (
            "host-4", "payload_9", "cdn-12", "amber")
        for query in queries:
            for char in query:
                key = {"-": "minus", " ": "space", "_": "underscore"}.get(char, char)
                typing.append(await until_painted(app, press(app, key, char)))
            for _ in query:
                typing.append(await until_painted(app, press(app, "backspace")))
        print(f"  keypress to repaint, typing a filter ({len(typing)} keys): {spread(typing)}"
              "   target p95 <= 100 ms")
        await until_painted(app, press(app, "escape"))
        sorts = []
        for key in ("o", "o", "O"):
            sorts.append(await until_painted(app, press(app, key)))
        print("  sort keys o, o, O to repaint:                        "
              + "  ".join(ms(s).strip() for s in sorts))
        await pilot.pause()  # a key still queued must not reach an app that is shutting down
    await replay.aclose()
    if with_datatable:
        await datatable_paint(tab_id, data, name)


async def datatable_paint(tab_id: str, data: Any, name: str) -> None:
    """Textual's DataTable, filled with the same rows as the tab's columns show them."""
    from iris_tui.ui.tabs.iocs import IocsTab
    from iris_tui.ui.tabs.timeline import columns as timeline_columns, with_days

    if tab_id == "timeline":
        class Utc:
            utc = False

        cols = timeline_columns(Utc())  # type: ignore[arg-type]
        rows = with_days(list(data), False)
    else:
        cols, rows = IocsTab.columns, list(data)
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        await pilot.pause()

        def fill() -> None:
            table.add_columns(*(c.label for c in cols))
            table.add_rows([tuple(cell_text(c.value(r)) for c in cols) for r in rows])

        paint = await until_painted(app, fill)
    print(f"  Textual DataTable, same {len(rows):,} rows, first paint:  {ms(paint)}")


# -- 3: peak memory, in a process of its own ---------------------------------------------------


async def rss_child(url: str) -> None:
    """Open the huge case with every tab loaded and the search indexes built; print the peak."""
    iris = IrisClient(url, DEMO_API_KEY)
    cid = await incident_id(iris)
    app = BenchApp(Session("bench", url, iris))
    async with app.run_test(size=SIZE) as pilot:
        listed = proc_status()
        workspace = await open_workspace(app, cid, "iocs")
        loaded = proc_status()
        for key in "3535":  # both big tabs shown, their search indexes built
            await pilot.press(key)
            await pilot.pause(0.5)
        for tab_id in ("iocs", "timeline"):
            rows = workspace.tab(tab_id).rows
            rows.set_filter("x")
            rows.set_filter("")
        counts = {t.tab_id: workspace.tab_count(t.tab_id) for t in workspace.query(CaseTab)}
        print(json.dumps({"listed": listed, "loaded": loaded, "end": proc_status(),
                          "counts": counts}))


def rss_figures(url: str) -> None:
    out = subprocess.run([sys.executable, __file__, "--rss-child", url], capture_output=True,
                         text=True, timeout=900)
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    try:
        figures = json.loads(line)
    except ValueError:
        print("\npeak RSS: the child failed\n" + out.stdout[-2000:] + out.stderr[-2000:])
        return

    def mib(kb: int) -> str:
        return f"{kb / 1024:6.1f} MiB"

    counts = ", ".join(f"{k} {v:,}" for k, v in figures["counts"].items() if v)
    print(f"\npeak RSS, app with the case open ({counts}), its own process:")
    print(f"  case list shown:              RSS {mib(figures['listed']['VmRSS'])}")
    print(f"  all tabs loaded:              RSS {mib(figures['loaded']['VmRSS'])}")
    print(f"  after both big tabs shown and filtered once: RSS {mib(figures['end']['VmRSS'])}, "
          f"peak (VmHWM) {mib(figures['end']['VmHWM'])}   target <= 300 MiB")


# -- 4: cold start -----------------------------------------------------------------------------


def pty_start(marker: bytes = b"LockBit", timeout: float = 30.0) -> float | None:
    """`iris-tui --demo` in a pseudo-terminal (80x24) until the case list shows the incident."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env["TERM"] = "xterm-256color"
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "iris_tui.cli", "--demo"], stdin=slave,
                            stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    seen = b""
    found = None
    while time.perf_counter() - start < timeout:
        ready, _, _ = select.select([master], [], [], 0.02)
        if ready:
            try:
                seen += os.read(master, 1 << 16)
            except OSError:
                break
            if marker in seen:
                found = time.perf_counter() - start
                break
    try:
        os.write(master, b"\x11")  # ctrl+q
        proc.wait(5)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()
    os.close(master)
    return found


HEADLESS = """
import time
start = time.perf_counter()
import asyncio
from iris_tui.ui.app import IrisApp
from iris_tui.ui.screens.cases import CaseListScreen
from iris_tui.ui.session import demo_session

async def main():
    app = IrisApp(demo_session())
    async with app.run_test(size=(80, 24)):
        while not (isinstance(app.screen, CaseListScreen) and app.screen.rows.all_rows):
            await asyncio.sleep(0.001)
        print(time.perf_counter() - start)

asyncio.run(main())
"""


def cold_start_figures(runs: int = 5) -> None:
    spawned = [t for t in (pty_start() for _ in range(runs)) if t is not None]
    headless = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", HEADLESS], capture_output=True, text=True,
                             timeout=60)
        headless.append(float(out.stdout.strip().splitlines()[-1]))
    print(f"\ncold start to an interactive case list ({runs} runs):")
    if spawned:
        print(f"  `iris-tui --demo` in a pty, until drawn: median {ms(statistics.median(spawned))}"
              f"  min {ms(min(spawned))}   target <= 1000 ms")
    else:
        print("  `iris-tui --demo` in a pty: the case list was not seen")
    print(f"  fresh interpreter, headless, until rows: median {ms(statistics.median(headless))}"
          f"  min {ms(min(headless))}  (interpreter start not included)")


# -- 5: opening a case at 50 ms latency ----------------------------------------------------------


async def open_case_figures(rounds: int = 5) -> None:
    session = demo_session(latency=LATENCY)
    demo = session.demo
    served = [0.0]
    handled: list[tuple[float, float]] = []  # (start, end) of each request's handling
    dispatch = demo._dispatch

    async def timed(*args: Any) -> Any:
        start = time.perf_counter()
        try:
            return await dispatch(*args)
        finally:
            served[0] += time.perf_counter() - start
            handled.append((start, time.perf_counter()))

    demo._dispatch = timed
    cid = next(c["case_id"] for c in demo.store.cases.values() if c["soc_id"] == INCIDENT_SOC_ID)
    app = BenchApp(session)
    walls, servers, counts, first, last, visible = [], [], [], [], [], []
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: isinstance(app.screen, CaseListScreen) and app.screen.rows.all_rows)
        await pilot.pause(0.2)
        for _ in range(rounds):
            served[0] = 0.0
            handled.clear()
            before = len(demo.received)
            start = time.perf_counter()
            app.open_case(cid)
            await wait_for(lambda: hasattr(app.screen, "tab") and app.screen.tab("summary").loaded)
            visible.append(time.perf_counter() - start)
            await wait_for(lambda: all_loaded(app))
            walls.append(time.perf_counter() - start)
            first.append(min(h[0] for h in handled) - LATENCY - start)
            last.append(max(h[1] for h in handled) - start)
            servers.append(served[0])
            counts.append(len(demo.received) - before)
            app.pop_screen()
            await pilot.pause(0.3)
    wall, server = statistics.median(walls), statistics.median(servers)
    print(f"\nopening the demo incident, all eight tabs, {LATENCY * 1000:.0f} ms latency per request "
          f"(median of {rounds}, {max(counts)} requests):")
    target = f"target <= {ms(3 * LATENCY + server).strip()} = 3 x {LATENCY * 1000:.0f} ms + server time"
    print(f"  until the visible tab shows its data:   {ms(statistics.median(visible))}  ({target})")
    print(f"  until the last answer is in:            {ms(statistics.median(last))}"
          f"  (server time {ms(server).strip()}; the first request left after"
          f" {ms(statistics.median(first)).strip()})")
    print(f"  until the seven hidden tabs are built and show their data (after the first paint): "
          f"{ms(wall)}")


# -- main ----------------------------------------------------------------------------------------


async def huge_case(with_datatable: bool) -> str:
    with demo_server(*scale_args()) as url:
        async with IrisClient(url, DEMO_API_KEY) as iris:
            cid = await incident_id(iris)
        print(f"demo server at scale ({', '.join(f'{k} {v:,}' for k, v in SCALE.items())}), "
              f"case #{cid}, terminal {SIZE[0]}x{SIZE[1]}")
        await tab_figures(url, cid, "iocs", with_datatable)
        await tab_figures(url, cid, "timeline", with_datatable)
        rss_figures(url)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-datatable", action="store_true", help="skip the slow DataTable runs")
    parser.add_argument("--rows", type=int, default=100_000,
                        help="IOCs, events and cases at scale (default 100,000)")
    parser.add_argument("--rss-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        asyncio.run(rss_child(args.rss_child))
        return
    SCALE.update(iocs=args.rows, events=args.rows, cases=args.rows)
    asyncio.run(huge_case(not args.no_datatable))
    cold_start_figures()
    asyncio.run(open_case_figures())


if __name__ == "__main__":
    main()
