"""How a running transfer looks: a bar drawn with two glyphs (readable without colour, unlike a
bar that only changes colour), then bytes, percent, speed and ETA as `iris-tui ds` prints them.
Redraws are throttled: a 1 GB transfer reports tens of thousands of chunks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding

from iris_tui.transfers import Rate
from iris_tui.ui.ds.dialogs import Dialog, R

BAR_WIDTH = 20
REDRAW_EVERY = 0.1  # seconds


def bar(fraction: float | None, width: int = BAR_WIDTH) -> Text:
    """`██████░░░░`; an unknown total draws an empty track."""
    filled = 0 if fraction is None else round(max(0.0, min(fraction, 1.0)) * width)
    return Text.assemble(("█" * filled, "bold"), ("░" * (width - filled), "dim"))


def progress_text(rate: Rate, width: int = BAR_WIDTH) -> Text:
    """`██████░░░░  1.2 MiB / 4.0 MiB   30%  2.0 MiB/s  ETA 0:02`."""
    return Text.assemble(bar(rate.fraction(), width), "  " + "  ".join(rate.parts()))


class Throttle:
    """True at most every `every` seconds (and always for the first and the final report)."""

    def __init__(self, every: float = REDRAW_EVERY, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.clock = clock
        self._last: float | None = None

    def __call__(self, final: bool = False) -> bool:
        now = self.clock()
        if final or self._last is None or now - self._last >= self.every:
            self._last = now
            return True
        return False


class TransferScreen(Dialog[R]):
    """What the upload and download screens share: while `busy`, esc and ctrl+c cancel the
    running transfer (its worker group) instead of closing; ctrl+c copies in an input otherwise."""

    transfer_group: ClassVar[str] = ""
    BINDINGS = [
        Binding("escape", "close", "Close / cancel", id="ds.transfer.close"),
        Binding("ctrl+c", "cancel_transfer", "Cancel", show=False, priority=True,
                id="ds.transfer.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.busy = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_transfer" and not self.busy:
            return False  # the key goes on to the focused input (copy)
        return super().check_action(action, parameters)

    def action_cancel_transfer(self) -> None:
        if self.busy:
            self.workers.cancel_group(self, self.transfer_group)

    def action_close(self) -> None:
        if self.busy:
            self.action_cancel_transfer()
        else:
            self.leave()

    def leave(self) -> None:
        """esc when nothing runs."""
        raise NotImplementedError
