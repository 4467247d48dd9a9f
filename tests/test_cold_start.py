"""Start-up stays light: `iris-tui --help`/`--version` load no UI, the case list loads no editor.

Each check runs in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

MARK = "--modules--"


def modules_after(code: str, *argv: str) -> set[str]:
    script = f"import sys\n{code}\nprint({MARK!r})\nprint(' '.join(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    return set(out.split(MARK, 1)[1].split())


CLI = """
from iris_tui.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
"""


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_no_ui(flag: str) -> None:
    loaded = modules_after(CLI, flag)
    assert "argparse" in loaded  # the check itself ran
    for heavy in ("textual", "rich", "pygments", "starlette", "iris_tui.ui", "iris_tui.demo"):
        assert heavy not in loaded, heavy


def test_case_list_loads_no_editor_markdown_or_highlighter() -> None:
    loaded = modules_after("import iris_tui.ui.app, iris_tui.ui.screens.cases")
    assert "iris_tui.ui.screens.cases" in loaded
    for later in ("iris_tui.ui.forms", "iris_tui.ui.screens.workspace", "markdown_it",
                  "iris_tui.ui.editor"):
        assert later not in loaded, later
