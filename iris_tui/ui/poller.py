"""Auto-refresh of the case workspace: poll the visible tab's change counter, reload on a change.

IRIS keeps one counter per case and object family (iris-api.md 2.9). `GET /case/<family>/state`
answers in a few bytes where the list itself can weigh megabytes, so the visible tab is checked
every few seconds and reloaded only when its counter moved. Counters are compared for inequality
only: one write may move a counter by more than one. Some writes do not move it at all (asset
delete, comments, note edits): the tabs reload themselves after their own writes.

Lists longer than `HEAVY_ROWS` are not polled unless the user turns it on for that tab (`a`):
reloading 100,000 rows because someone renamed one is not free. Nothing is polled while the app
is suspended (an external editor runs), while another screen or a modal is on top, while the tab
is still loading, or while the previous poll has not answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.timer import Timer

from iris_tui.api import IrisError
from iris_tui.api.errors import IrisBadRequestError
from iris_tui.api.state import ObjectState
from iris_tui.ui.text import plain

if TYPE_CHECKING:
    from iris_tui.ui.screens.workspace import CaseWorkspace
    from iris_tui.ui.tabs.base import CaseTab

DEFAULT_INTERVAL = 10.0  # seconds; the config file's `auto_refresh` overrides it (0: off)
HEAVY_ROWS = 5_000  # above this many rows a tab is not polled unless the user turns it on

# workspace tab id -> the IRIS object family whose counter it shows (summary, datastore: none)
FAMILIES = {
    "assets": "assets",
    "iocs": "ioc",
    "tasks": "tasks",
    "timeline": "timeline",
    "evidences": "evidences",
    "notes": "notes",
}


def loading(tab: CaseTab) -> bool:
    """Whether the tab's load worker is out (a poll then has nothing to add)."""
    return any(w.node is tab and w.group == "load" and not w.is_finished for w in tab.app.workers)


class AutoRefresh:
    """The poller of one `CaseWorkspace`. `interval <= 0` means off unless turned on per tab."""

    def __init__(self, workspace: CaseWorkspace, interval: float = DEFAULT_INTERVAL,
                 heavy_rows: int = HEAVY_ROWS) -> None:
        self.workspace = workspace
        self.default_on = interval > 0
        self.interval = interval if interval > 0 else DEFAULT_INTERVAL
        self.heavy_rows = heavy_rows
        self.choices: dict[str, bool] = {}  # tab id -> what the user chose with `a`
        self.seen: dict[str, ObjectState] = {}  # last counter polled, per tab
        self.unsupported: set[str] = set()  # the server has no counter for this case and family
        self.failure: str | None = None  # the last poll's error, until one succeeds
        self._busy = False
        self._suspended = False
        self._timer: Timer | None = None

    def start(self) -> None:
        app = self.workspace.app
        app.app_suspend_signal.subscribe(self.workspace, self._suspend)
        app.app_resume_signal.subscribe(self.workspace, self._resume)
        self._timer = self.workspace.set_interval(self.interval, self.tick, name="autorefresh")

    def stop(self) -> None:
        """Leave the app's signals. They hold their subscribers' callbacks, and through them the
        workspace with every row it loaded, until the app is next suspended."""
        app = self.workspace.app
        app.app_suspend_signal.unsubscribe(self.workspace)
        app.app_resume_signal.unsubscribe(self.workspace)
        if self._timer is not None:
            self._timer.stop()

    def _suspend(self, _app: object) -> None:
        self._suspended = True

    def _resume(self, _app: object) -> None:
        self._suspended = False

    # -- what is on -----------------------------------------------------------------------

    def heavy(self, tab_id: str) -> bool:
        count = self.workspace.tab_count(tab_id)
        return count is not None and count > self.heavy_rows

    def active(self, tab_id: str) -> bool:
        """Whether the tab is polled while visible."""
        if tab_id not in FAMILIES or tab_id in self.unsupported:
            return False
        if tab_id in self.choices:
            return self.choices[tab_id]
        return self.default_on and not self.heavy(tab_id)

    def toggle(self, tab_id: str) -> bool | None:
        """Flip polling for one tab; None for a tab IRIS keeps no counter for."""
        if tab_id not in FAMILIES:
            return None
        self.unsupported.discard(tab_id)  # let the user try again
        self.choices[tab_id] = on = not self.active(tab_id)
        if on:
            self.tick()  # do not make them wait a whole interval
        return on

    def label(self, tab_id: str) -> str:
        """The state for the header: `auto 10s`, `auto off`, `auto off (large list)`."""
        if tab_id not in FAMILIES:
            return ""
        if tab_id in self.unsupported:
            return "auto n/a"
        if self.active(tab_id):
            return f"auto {self.interval:g}s" + (" (failing)" if self.failure else "")
        if tab_id not in self.choices and self.default_on and self.heavy(tab_id):
            return "auto off (large list)"
        return "auto off"

    # -- polling ----------------------------------------------------------------------------

    def paused(self) -> bool:
        """Not now: suspended, covered by another screen or modal, or the last poll is out."""
        workspace = self.workspace
        return (self._busy or self._suspended or not workspace.is_attached
                or workspace.app.screen is not workspace)

    def tick(self) -> None:
        """One poll of the visible tab, if it is polled and nothing pauses polling."""
        if self.paused():
            return
        tab_id = self.workspace.active_tab_id()
        if not self.active(tab_id):
            return
        tab = self.workspace.tab(tab_id)
        if not tab.loaded or loading(tab):
            return  # the first load is still out (or failed: `r` retries it)
        self._busy = True
        self.workspace.run_worker(self._poll(tab), group="autorefresh")

    async def _poll(self, tab: CaseTab) -> None:
        try:
            try:
                current = await tab.iris.cases.state(tab.cid, FAMILIES[tab.tab_id])
            except IrisError as exc:
                if isinstance(exc, IrisBadRequestError) and "state" in exc.message.lower():
                    self.unsupported.add(tab.tab_id)  # "No <x> state for this case."
                    self.workspace.refresh_header()
                else:
                    self._failed(exc)
                return
            self._succeeded()
            known = getattr(tab, "object_state", None) or self.seen.get(tab.tab_id)
            self.seen[tab.tab_id] = current
            if known is not None and current.changed_since(known) and not loading(tab):
                tab._load()  # quietly: the rows stay on screen until the new ones arrive
        finally:
            self._busy = False

    def _failed(self, error: IrisError) -> None:
        """Say it once per run of failures, in a toast; the header keeps saying it quietly."""
        first = self.failure is None
        self.failure = plain(error, limit=200)
        if first:
            self.workspace.notify(f"auto-refresh: {self.failure}", severity="warning", timeout=4,
                                  markup=False)
            self.workspace.refresh_header()

    def _succeeded(self) -> None:
        if self.failure is not None:
            self.failure = None
            self.workspace.refresh_header()
