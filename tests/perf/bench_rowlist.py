"""Benchmark: RowList against Textual's DataTable on 100,000 rows (issue 9).

Not a pytest test (pytest does not collect tests/perf). Run:

    .venv/bin/python tests/perf/bench_rowlist.py [--rows 100000] [--no-datatable]

"Paint" is the time from the call (or the key event) until Textual hands the next screen update
to the driver (the headless driver then drops it, so terminal output time is not included; the
screen's 60 fps update timer is).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input

from iris_tui.ui.widgets.rowlist import Column, RowList, cell_text

TYPES = ["ip-dst", "domain", "sha256", "md5", "filename", "url", "account", "registry"]
TLPS = ["clear", "green", "amber", "red"]


@dataclass(frozen=True)
class Ioc:
    id: int
    value: str
    type: str
    tlp: str
    tags: str
    description: str
    created: datetime | None


def make_rows(n: int) -> list[Ioc]:
    rnd = random.Random(9)
    start = datetime(2024, 3, 1, tzinfo=timezone.utc)
    rows = []
    for i in range(n):
        kind = TYPES[i % len(TYPES)]
        if kind == "ip-dst":
            value = ".".join(str(rnd.randrange(256)) for _ in range(4))
        elif kind in ("sha256", "md5"):
            value = "%0*x" % (64 if kind == "sha256" else 32, rnd.getrandbits(256 if kind == "sha256" else 128))
        elif kind == "domain":
            value = f"c2-{rnd.randrange(10**6)}.evil-{i % 97}.example"
        else:
            value = f"{kind}-{rnd.randrange(10**8)}"
        rows.append(Ioc(
            id=i + 1, value=value, type=kind, tlp=TLPS[i % 4],
            tags=",".join(rnd.sample(["lockbit", "c2", "exfil", "phishing", "lateral"], 2)),
            description=f"seen on host WS-{rnd.randrange(5000):04d} during the intrusion",
            created=None if i % 11 == 0 else start + timedelta(seconds=rnd.randrange(90 * 86400)),
        ))
    return rows


COLUMNS = [
    Column("id", "ID", lambda r: r.id, width=7, justify="right"),
    Column("value", "Value", lambda r: r.value, min_width=16),
    Column("type", "Type", lambda r: r.type, width=9),
    Column("tlp", "TLP", lambda r: r.tlp, width=5),
    Column("tags", "Tags", lambda r: r.tags, width=14),
    Column("created", "Created", lambda r: r.created, width=16),
]


class Bench(App[None]):
    def __init__(self, widget: Any) -> None:
        super().__init__()
        self.widget = widget
        self.painted = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield Input(id="filter")
        yield self.widget

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(self.widget, RowList):
            self.widget.set_filter(event.value)

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is not None:
            self.painted.set()


async def until_painted(app: Bench, action: Any) -> float:
    """Seconds from `action()` to the next screen update."""
    await asyncio.sleep(0.02)  # let earlier updates land (the screen updates at most at 60 Hz)
    app.painted.clear()
    start = time.perf_counter()
    action()
    await app.painted.wait()
    return time.perf_counter() - start


def press(app: Bench, key: str, character: str | None = None) -> Any:
    def send() -> None:
        assert app._driver is not None
        event = events.Key(key, character)
        event.set_sender(app)
        app._driver.send_message(event)
    return send


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def bench_rowlist(rows: list[Ioc]) -> None:
    rowlist = RowList(COLUMNS, empty_text="No IOCs")
    app = Bench(rowlist)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        paint = await until_painted(app, lambda: rowlist.set_rows(rows))
        print(f"first paint, RowList   : {ms(paint)}  ({len(rows):,} rows)")
        again = await until_painted(app, lambda: rowlist.set_rows(list(rows)))
        print(f"refresh (set_rows again, cursor kept): {ms(again)}")

        rowlist.focus()
        await pilot.pause()
        samples = [await until_painted(app, press(app, "down")) for _ in range(150)]
        samples += [await until_painted(app, press(app, "pagedown")) for _ in range(50)]
        samples += [await until_painted(app, press(app, "up")) for _ in range(100)]
        print(f"keypress to repaint while scrolling ({len(samples)} keys): "
              f"p50 {ms(pct(samples, .5))}  p95 {ms(pct(samples, .95))}  max {ms(max(samples))}")
        big_jump = [await until_painted(app, press(app, k)) for k in ("G", "g", "G", "g")]
        print(f"G / g (jump to end/start): max {ms(max(big_jump))}")

        box = app.query_one("#filter", Input)
        box.focus()
        await pilot.pause()
        first: list[float] = []
        typing: list[float] = []
        for query in ("evil-42", "3a9f", "ws-0012", "lockbit"):
            for char in query:
                key = "minus" if char == "-" else char
                took = await until_painted(app, press(app, key, char))
                (first if not first else typing).append(took)
            for _ in query:
                typing.append(await until_painted(app, press(app, "backspace")))
        print(f"filter typing ({len(typing) + 1} keys, narrowing and backspace): "
              f"first key {ms(first[0])}  "
              f"p50 {ms(pct(typing, .5))}  p95 {ms(pct(typing, .95))}  max {ms(max(typing))}")
        box.value = ""
        await pilot.pause()
        rowlist.set_rows(list(rows))  # a fresh search index starts building in the background
        start = time.perf_counter()
        rowlist.set_filter("a")  # ... and this has to finish it first
        print(f"filter right after set_rows (search index not built yet): "
              f"{ms(time.perf_counter() - start)}")
        box.value = ""
        await pilot.pause()

        rowlist.focus()
        for column, label in (("value", "value (str)"), ("created", "created (datetime, None last)"),
                              ("id", "id (int)")):
            start = time.perf_counter()
            rowlist.sort_by(column)
            cold = time.perf_counter() - start
            start = time.perf_counter()
            rowlist.sort_by(column)
            toggle = time.perf_counter() - start
            paint = await until_painted(app, press(app, "O"))
            print(f"sort by {label}: first {ms(cold)}, reverse {ms(toggle)}, "
                  f"reverse by key to repaint {ms(paint)}")
        rowlist.set_filter("evil")
        start = time.perf_counter()
        rowlist.sort_by("value")
        print(f"sort while filtered ({len(rowlist.rows):,} visible): {ms(time.perf_counter() - start)}")
        rowlist.set_filter("")
        paint = await until_painted(app, lambda: rowlist.set_rows(list(rows)))
        print(f"set_rows to repaint while sorted by value: {ms(paint)}")


async def bench_datatable(rows: list[Ioc]) -> None:
    table: DataTable[Any] = DataTable(cursor_type="row")
    app = Bench(table)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        def fill() -> None:
            table.add_columns(*(c.label for c in COLUMNS))
            table.add_rows([tuple(cell_text(c.value(r)) for c in COLUMNS) for r in rows])

        paint = await until_painted(app, fill)
        print(f"first paint, DataTable : {ms(paint)}  ({len(rows):,} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-datatable", action="store_true", help="skip the slow DataTable run")
    args = parser.parse_args()
    rows = make_rows(args.rows)
    asyncio.run(bench_rowlist(rows))
    if not args.no_datatable:
        asyncio.run(bench_datatable(rows))


if __name__ == "__main__":
    main()
