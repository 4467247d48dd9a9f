"""The README cannot drift from the code: its Quick start is what CI runs, its key table names
keys that are bound on those screens and lists every key the main screens show in their footer,
and the `:` commands it names exist. (The command table is checked in test_cli_help.py, the
parity table in api/test_parity.py, the screenshots in test_screenshots.py.)"""

from __future__ import annotations

import importlib
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
from textual.binding import Binding

from iris_tui.ui.help import format_key

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
CI = (ROOT / ".ci" / "run").read_text()


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


# -- Quick start ---------------------------------------------------------------------------------


def quick_start_commands() -> list[str]:
    blocks = re.findall(r"^```\w*\n(.*?)^```$", section("Quick start"), re.M | re.S)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_quick_start_is_two_commands_run_the_demo_then_the_tests() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    demo, tests = commands
    assert demo.endswith("iris-tui --demo") and demo.startswith("pip install ")
    assert tests.endswith("python -m pytest") and "[test]" in tests


@pytest.mark.parametrize("variable", ["DEMO_COMMAND", "TEST_COMMAND"])
def test_ci_runs_the_quick_start_commands_exactly(variable: str) -> None:
    """.ci/run takes both commands out of this README with sed/grep: run its own extraction."""
    extraction = re.search(rf"^{variable}=\$\((.*)\)$", CI, re.M)
    assert extraction, f".ci/run does not set {variable} from the README"
    found = subprocess.run(["bash", "-c", extraction.group(1)], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.strip()
    demo, tests = quick_start_commands()
    assert found == (demo if variable == "DEMO_COMMAND" else tests)
    runs = [line for line in CI.splitlines() if f'"${variable}"' in line and "run_in_venv" in line]
    assert runs, f".ci/run extracts {variable} but does not run it"


# -- the key table -------------------------------------------------------------------------------

# the screen names of the table -> the classes whose bindings they describe
SCREENS = {
    "everywhere": ("iris_tui.ui.app.IrisApp", "iris_tui.ui.chrome.IrisScreen"),
    "lists": ("iris_tui.ui.widgets.rowlist.RowList", "iris_tui.ui.tabs.base.ListTab"),
    "trees": ("iris_tui.ui.widgets.keytree.KeyTree",),
    "case list": ("iris_tui.ui.screens.cases.CaseListScreen",),
    "global tasks": ("iris_tui.ui.screens.global_tasks.GlobalTasksScreen",),
    "workspace": ("iris_tui.ui.screens.workspace.CaseWorkspace",),
    "Summary": ("iris_tui.ui.tabs.summary.SummaryTab",),
    "list tabs": ("iris_tui.ui.tabs.editing.EditableTab",),
    "Assets": ("iris_tui.ui.tabs.assets.AssetsTab",),
    "IOCs": ("iris_tui.ui.tabs.iocs.IocsTab",),
    "Tasks": ("iris_tui.ui.tabs.tasks.TasksTab",),
    "Timeline": ("iris_tui.ui.tabs.timeline.TimelineTab",),
    "Notes": ("iris_tui.ui.tabs.notes.NotesTab",),
    "Datastore": ("iris_tui.ui.tabs.datastore.DatastoreTab",),
    "Evidences": ("iris_tui.ui.tabs.evidences.EvidencesTab",),
    "paste IOCs": ("iris_tui.ui.screens.bulk_iocs.BulkIocScreen",),
    "note editor": ("iris_tui.ui.editor.NoteEditor",),
    "note conflict": ("iris_tui.ui.note_diff.ConflictScreen",),
    "forms": ("iris_tui.ui.forms.base.FormScreen",),
}
# what a user sees most: each key these show (footer: show=True) must be in the table
MAIN = ("everywhere", "lists", "trees", "case list", "global tasks", "workspace", "Summary",
        "Assets", "IOCs", "Tasks", "Timeline", "Notes", "Datastore", "Evidences", "paste IOCs", "note editor")


def load(path: str) -> type:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@cache
def bindings(cls: type) -> dict[str, list[Binding]]:
    """Every binding of `cls`, inherited ones included, by key (one entry per key of a
    comma-separated binding), as Textual merges them."""
    return cls._merge_bindings().key_to_bindings  # type: ignore[attr-defined]


def shown(key: str) -> str:
    """A Textual key as the table writes it (and as `?` shows it)."""
    return format_key(key)


def table_rows() -> list[tuple[list[str], list[str], str]]:
    """(screens, keys, does) for each row of the key table."""
    rows = []
    for screens, keys, does in re.findall(r"^\| ([^|`]+?) \| (.+?) \| (.+?) \|$", section("Keys"), re.M):
        if screens.strip() in ("screen", "---"):
            continue
        rows.append(([s.strip() for s in screens.split(",")], re.findall(r"`([^`]+)`", keys), does))
    return rows


def test_the_table_is_found_and_names_known_screens() -> None:
    rows = table_rows()
    assert len(rows) > 40
    unknown = {s for screens, _, _ in rows for s in screens} - SCREENS.keys()
    assert not unknown, f"key table screens without a class in SCREENS: {unknown}"


@pytest.mark.parametrize("row", table_rows(), ids=lambda r: f"{','.join(r[0])}:{' '.join(r[1])}")
def test_every_key_in_the_table_is_bound_on_its_screen(row: tuple[list[str], list[str], str]) -> None:
    screens, keys, _ = row
    assert keys, "a row without a key"
    for screen in screens:
        bound = {shown(key) for path in SCREENS[screen] for key in bindings(load(path))}
        missing = [key for key in keys if key not in bound]
        assert not missing, f"README lists {missing} for {screen!r}, but no such binding exists there"


def footer_bindings(cls: type) -> dict[str, set[str]]:
    """show=True bindings of `cls` as {binding id (or action): keys that trigger it}."""
    found: dict[str, set[str]] = {}
    for key, items in bindings(cls).items():
        for binding in items:
            if binding.show:
                found.setdefault(binding.id or binding.action, set()).add(shown(key))
    return found


@pytest.mark.parametrize("screen", MAIN)
def test_every_footer_key_of_the_main_screens_is_in_the_table(screen: str) -> None:
    """A key shown in a main screen's footer is documented in a row of this screen or of a
    screen it inherits from (e.g. `/` of every list tab under "lists")."""
    rows = table_rows()
    for path in SCREENS[screen]:
        cls = load(path)
        documented: set[str] = set()
        for screens, keys, _ in rows:
            for other in screens:
                if any(issubclass(cls, load(p)) for p in SCREENS[other]):
                    documented.update(keys)
        missing = {ident: sorted(keys) for ident, keys in footer_bindings(cls).items()
                   if not keys & documented}
        assert not missing, f"{cls.__name__} shows keys the README key table lacks: {missing}"


def test_the_command_line_commands_named_exist() -> None:
    from iris_tui.ui.commands import COMMANDS

    named = set(re.findall(r"`:(\w+)", section("Keys")))
    assert named >= {"case", "iocs", "q"}
    assert named <= {c.name for c in COMMANDS}, named - {c.name for c in COMMANDS}
