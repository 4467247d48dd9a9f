"""Regenerate every screenshot in screenshots/ from the demo data:

    python tests/make_screenshots.py            # all of them, into screenshots/
    python tests/make_screenshots.py case-list  # only the named ones
    python tests/make_screenshots.py --out DIR  # somewhere else (tests/test_screenshots.py)

Each screenshot drives the real app with Pilot on the in-process demo server (tests/support/
scenes.py); the clock, uuids, time zone, theme and terminal size are fixed, so running it twice
writes the same bytes. tests/test_screenshots.py fails when the committed files are stale.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `support` as under pytest, and the checkout's iris_tui even when iris-tui is not installed
sys.path[:0] = [p for p in (str(ROOT), str(ROOT / "tests")) if p not in sys.path]

from support.scenes import SCENES, Scene, reproducible, shoot  # noqa: E402

OUT = ROOT / "screenshots"


def make(out: Path, names: list[str] | None = None) -> list[Path]:
    """Write the SVG of every available scene (or of `names`) into `out`; returns the files."""
    unknown = set(names or ()) - {s.name for s in SCENES}
    if unknown:
        raise SystemExit(f"unknown screenshot(s): {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(s.name for s in SCENES)}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for scene in SCENES:
        if names and scene.name not in names:
            continue
        if not scene.available():
            print(f"skipped {scene.name}: {scene.todo or scene.needs + ' does not exist yet'}")
            continue
        started = time.perf_counter()
        written.append(write(scene, out))
        print(f"wrote {written[-1]} ({time.perf_counter() - started:.1f} s)")
    return written


def write(scene: Scene, out: Path) -> Path:
    with reproducible():
        svg = asyncio.run(shoot(scene))
    path = out / f"{scene.name}.svg"
    path.write_text(svg, encoding="utf-8", newline="\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="screenshots to make (default: all)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    make(args.out, args.names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
