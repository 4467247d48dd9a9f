"""`iris-tui --help`, `--version` and every subcommand's help: complete (each command says what
it does, each option what it is for) and the same set of commands as the README's table."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from iris_tui import __version__
from iris_tui.cli import build_parser, main

pytestmark = pytest.mark.smoke  # fast, and argparse output differs between Pythons

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def commands(parser: argparse.ArgumentParser | None = None, prefix: tuple[str, ...] = ()
             ) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every command path (() for the app itself) -> its parser, walking the subparsers."""
    parser = parser or build_parser()
    found = {prefix: parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(commands(sub, (*prefix, name)))
    return found


def leaves() -> list[tuple[str, ...]]:
    """The commands one can run: the app, and each subcommand without subcommands of its own."""
    all_paths = commands()
    return [path for path in all_paths
            if not any(other[:len(path)] == path and other != path for other in all_paths)
            or path == ()]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    out, err = capsys.readouterr()
    assert not err
    return out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"], capsys).strip() == f"iris-tui {__version__}"


@pytest.mark.parametrize("path", list(commands()), ids=lambda p: " ".join(p) or "iris-tui")
def test_help_of_every_command_is_complete(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    out = run([*path, "--help"], capsys)
    assert out.startswith(f"usage: iris-tui{''.join(' ' + p for p in path)} ")
    parser = commands()[path]
    assert parser.description, f"iris-tui {' '.join(path)} has no description"
    assert parser.description.split()[0] in out
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:  # the one-line help of each subcommand
                assert choice.help, f"iris-tui {' '.join(path)} {choice.dest}: no help"
                assert choice.dest in out
        elif not isinstance(action, argparse._HelpAction):
            name = "/".join(action.option_strings) or action.dest
            assert action.help, f"iris-tui {' '.join(path)} {name}: no help text"


def readme_commands() -> set[tuple[str, ...]]:
    section = README.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    return {tuple(cmd.split()[1:]) for cmd in re.findall(r"^\| `(iris-tui[\w -]*)` \|", section, re.M)}


def test_the_readme_command_table_is_every_command() -> None:
    assert readme_commands() == set(leaves())


def test_every_command_the_readme_mentions_exists() -> None:
    """`iris-tui auth login …` anywhere in the README (prose such as "iris-tui keeps" aside)."""
    known = set(commands())
    mentions = re.findall(r"iris-tui((?: [a-z][\w-]*)+)", README)
    checked = 0
    for words in (m.split() for m in mentions):
        if (words[0],) not in known:
            continue
        has_subcommands = any(len(p) == 2 and p[0] == words[0] for p in known)
        path = tuple(words[:2]) if has_subcommands else (words[0],)
        assert path in known, f"README mentions iris-tui {' '.join(path)}: no such command"
        checked += 1
    assert checked >= len(leaves()) - 1
