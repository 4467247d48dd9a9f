"""The one rule that keeps the layers apart: arrows point down only (DESIGN.md)."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

PKG = Path(__file__).resolve().parent.parent / "iris_tui"


def imported_modules(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(folder))] = names
    return found


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path, names in imported_modules(PKG / folder).items():
        for name in names:
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path} imports {name}")
    return bad


def test_api_knows_nothing_of_textual_or_the_ui():
    assert offenders("api", ("textual", "rich", "iris_tui.ui", "iris_tui.demo", "iris_tui.cli")) == []


def test_demo_does_not_import_the_ui():
    assert offenders("demo", ("textual", "iris_tui.ui", "iris_tui.api")) == []


def test_the_check_itself_sees_imports(tmp_path):
    """Guard against a checker that finds nothing."""
    (tmp_path / "m.py").write_text("import textual.app\nfrom iris_tui.ui import x\n")
    assert imported_modules(tmp_path) == {"m.py": {"textual.app", "iris_tui.ui"}}
