"""The `:` command line and the ctrl+p palette: one table of commands for both."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from iris_tui.ui.app import IrisApp

# `:name` -> workspace tab id (the order is the 1..8 order of the tabs)
TAB_COMMANDS = {
    "summary": "summary", "assets": "assets", "iocs": "iocs", "tasks": "tasks",
    "timeline": "timeline", "notes": "notes", "ds": "datastore", "datastore": "datastore",
    "evidences": "evidences",
}


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    takes_arg: bool = False  # False: an argument is optional (`:profile`, `:profile prod`)
    title: str = ""  # the palette's label, when it says more than `:name`

    @property
    def label(self) -> str:
        return self.title or f":{self.name}"


COMMANDS = [
    Command("case", "open a case by id: :case 42", takes_arg=True),
    Command("cases", "back to the case list"),
    Command("gtasks", "the global tasks (not tied to a case)", title="Global tasks"),
    *(Command(name, f"show the {tab} tab of the open case") for name, tab in TAB_COMMANDS.items()),
    Command("theme", "switch colour theme: :theme ansi-dark", takes_arg=True),
    Command("profile", "switch profile: :profile prod, or :profile for the list",
            title="Switch profile…"),
    Command("refresh", "reload what this screen shows"),
    Command("help", "the keys of this screen"),
    Command("q", "quit"),
]


class CommandError(ValueError):
    """A command line the app cannot run; the message says why."""


def parse(text: str) -> tuple[str, str]:
    """':case 42' -> ('case', '42'). Raises CommandError for unknown commands."""
    text = text.strip().lstrip(":").strip()
    if not text:
        raise CommandError("empty command")
    name, _, arg = text.partition(" ")
    name = name.lower()
    if name == "quit":
        name = "q"
    if name.isdigit():  # ":42" opens case 42
        name, arg = "case", name
    known = {c.name: c for c in COMMANDS}
    if name not in known:
        raise CommandError(f"unknown command :{name} (try :help)")
    if known[name].takes_arg and not arg.strip():
        raise CommandError(f":{name} needs an argument ({known[name].help})")
    return name, arg.strip()


class IrisCommands(Provider):
    """ctrl+p: the same commands as `:`, plus opening a case by id."""

    @property
    def _app(self) -> IrisApp:
        return self.app  # type: ignore[return-value]

    def _runner(self, line: str) -> Callable[[], Awaitable[None]]:
        return partial(self._app.run_command, line)

    async def discover(self) -> Hits:
        for command in COMMANDS:
            if not command.takes_arg:
                yield DiscoveryHit(command.label, self._runner(command.name), help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        words = query.strip().lstrip(":").split()
        if words and words[-1].isdigit():
            line = f"case {words[-1]}"
            yield Hit(1.0, f"Open case #{words[-1]}", self._runner(line), help="go to the case")
        for command in COMMANDS:
            label = command.label
            score = max(matcher.match(label), matcher.match(f":{command.name}"))
            if score > 0 and not command.takes_arg:
                yield Hit(score, matcher.highlight(label), self._runner(command.name), help=command.help)
