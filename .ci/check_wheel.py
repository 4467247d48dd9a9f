"""Check a built wheel: every file of the iris_tui package in the checkout (code and package
data: the demo's JSON, the .tcss styles) is inside, nothing from tests/ is, and its metadata
names the version of iris_tui/__init__.py and the console script.

    python .ci/check_wheel.py dist/iris_tui-X-py3-none-any.whl
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(wheel: str) -> int:
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(["git", "ls-files", "iris_tui"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    problems = [f"missing from the wheel: {path}" for path in tracked if path not in names]
    problems += [f"does not belong in the wheel: {name}" for name in sorted(names)
                 if name.startswith("tests/") or "__pycache__" in name]
    version = re.search(r'__version__ = "([^"]+)"', (ROOT / "iris_tui/__init__.py").read_text()).group(1)
    metadata = next((n for n in names if n.endswith(".dist-info/METADATA")), None)
    entry_points = next((n for n in names if n.endswith(".dist-info/entry_points.txt")), None)
    if metadata is None or f"\nVersion: {version}\n" not in zipfile.ZipFile(wheel).read(metadata).decode():
        problems.append(f"METADATA does not say version {version}")
    if entry_points is None or "iris-tui = iris_tui.cli:main" not in zipfile.ZipFile(wheel).read(entry_points).decode():
        problems.append("no iris-tui console script")
    for problem in problems:
        print(f"check_wheel: {problem}", file=sys.stderr)
    if not problems:
        data = sorted(p for p in tracked if not p.endswith(".py"))
        print(f"check_wheel: {Path(wheel).name} holds all {len(tracked)} files of iris_tui "
              f"({len(data)} data files: {', '.join(Path(p).name for p in data)})")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    raise SystemExit(main(sys.argv[1]))
