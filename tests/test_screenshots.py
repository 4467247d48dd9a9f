"""The committed screenshots are current: each is made again (tests/make_screenshots.py, same
frozen clock, uuids, theme and size) and must equal the file in screenshots/ byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textual

import make_screenshots
from support.scenes import SCENES, Scene

SHOTS = make_screenshots.OUT
REGENERATE = "python tests/make_screenshots.py"


def test_textual_is_the_pinned_version() -> None:
    """The screenshots are Textual's rendering: they only compare under the pinned version."""
    pyproject = (make_screenshots.ROOT / "pyproject.toml").read_text()
    assert f'"textual=={textual.__version__}"' in pyproject


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.name)
def test_screenshot_is_current(scene: Scene, tmp_path: Path) -> None:
    committed = SHOTS / f"{scene.name}.svg"
    if not scene.available():
        assert not committed.exists(), f"{committed.name} exists but its scene cannot be made"
        pytest.skip(scene.todo or f"{scene.needs} does not exist yet")
    made = make_screenshots.write(scene, tmp_path)
    assert committed.exists(), f"screenshots/{committed.name} is missing: run {REGENERATE}"
    assert made.read_bytes() == committed.read_bytes(), (
        f"screenshots/{committed.name} is stale: run {REGENERATE} {scene.name}")


def test_no_screenshot_without_a_scene() -> None:
    names = {f"{s.name}.svg" for s in SCENES}
    strays = sorted(p.name for p in SHOTS.iterdir() if p.name not in names)
    assert not strays, f"files in screenshots/ that no scene makes: {strays}"


def test_readme_shows_existing_screenshots() -> None:
    readme = (make_screenshots.ROOT / "README.md").read_text()
    shown = re.findall(r"\]\((screenshots/[^)]+)\)", readme)
    assert "screenshots/case-list.svg" in shown
    missing = [p for p in shown if not (make_screenshots.ROOT / p).is_file()]
    assert not missing, f"README shows screenshots that do not exist: {missing}"
