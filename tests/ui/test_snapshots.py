"""SVG snapshots (pytest-textual-snapshot) of the case list and every workspace tab of the
LockBit case, at 80×24 and 120×40, with the frozen clock of tests/support/scenes.py. They catch
what behavioural tests do not look at: layout, truncation, colours. After an intended change:
`python -m pytest tests/ui/test_snapshots.py --snapshot-update`, look at the SVGs, commit."""

from __future__ import annotations

from typing import Any

import pytest

from support.scenes import TAB_NAMES, case_list, new_app, reproducible, workspace_tab

SIZES = ((80, 24), (120, 40))
SCREENS = {"case-list": case_list,
           **{f"tab-{n}-{name}": workspace_tab(n) for n, name in enumerate(TAB_NAMES, 1)}}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", SCREENS)
def test_snapshot(snap_compare: Any, screen: str, size: tuple[int, int]) -> None:
    with reproducible():
        assert snap_compare(new_app(), terminal_size=size, run_before=SCREENS[screen])
