"""The README's parity table: every official `Case` method has a working, tested equivalent."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from iris_tui.api import IrisClient

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "seeds" / "official-client-case.txt"


def official_methods() -> list[str]:
    """Method names of dfir_iris_client.case.Case, from its documentation."""
    return sorted({m.replace("\\", "") for m in re.findall(r"^([a-z_\\]+) \($", SEED.read_text(), re.M)})


def parity_rows() -> dict[str, tuple[str, str]]:
    section = ROOT.joinpath("README.md").read_text().split("### Parity with the official client", 1)[1]
    rows = {}
    for official, ours, note in re.findall(r"^\| `(\w+)` \| (`[\w.]+`|—) \| (.*?) \|$", section, re.M):
        rows[official] = (ours.strip("`"), note)
    return rows


def test_the_seed_lists_the_official_methods():
    methods = official_methods()
    assert len(methods) >= 90 and "add_asset" in methods and "update_task_comment" in methods


def test_every_official_method_has_a_row():
    missing = set(official_methods()) - parity_rows().keys()
    assert not missing, f"README parity table lacks {sorted(missing)}"


@pytest.mark.parametrize("official", official_methods())
def test_each_row_names_an_existing_tested_coroutine(official):
    ours, note = parity_rows()[official]
    if ours == "—":
        assert note.strip(), f"{official}: a row without an equivalent must say why"
        return
    client = IrisClient("http://iris.test", "not-a-key")
    target = client
    for part in ours.split("."):
        target = getattr(target, part)
    assert inspect.iscoroutinefunction(target), f"{ours} is not an async method"
    pattern = re.compile(r"\." + re.escape(ours) + r"\(")
    tests = [p for p in (ROOT / "tests").rglob("test_*.py") if p.name != "test_parity.py"]
    assert any(pattern.search(p.read_text()) for p in tests), f"no test calls iris.{ours}(...)"
