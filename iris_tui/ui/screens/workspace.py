"""The case workspace: one tab per part of the case, all loading at once when the case opens."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widgets import TabbedContent, TabPane

from iris_tui.ui.chrome import IrisScreen
from iris_tui.ui.poller import DEFAULT_INTERVAL, AutoRefresh
from iris_tui.ui.tabs.base import CaseTab


def tab_classes() -> list[type[CaseTab]]:
    """The eight tabs, in the order of their 1..8 keys."""
    from iris_tui.ui.tabs.assets import AssetsTab
    from iris_tui.ui.tabs.datastore import DatastoreTab
    from iris_tui.ui.tabs.evidences import EvidencesTab
    from iris_tui.ui.tabs.iocs import IocsTab
    from iris_tui.ui.tabs.notes import NotesTab
    from iris_tui.ui.tabs.summary import SummaryTab
    from iris_tui.ui.tabs.tasks import TasksTab
    from iris_tui.ui.tabs.timeline import TimelineTab

    return [SummaryTab, AssetsTab, IocsTab, TasksTab, TimelineTab, NotesTab, DatastoreTab, EvidencesTab]


class CaseWorkspace(IrisScreen):
    HELP_TITLE = "case workspace"
    DEFAULT_CSS = """
    CaseWorkspace TabbedContent { height: 1fr; }
    CaseWorkspace TabPane { padding: 0; height: 1fr; }
    """
    BINDINGS = [
        *(Binding(str(n), f"tab({n - 1})", show=False, id=f"workspace.tab{n}") for n in range(1, 9)),
        Binding("left_square_bracket", "cycle(-1)", "Prev tab", show=False, id="workspace.prev"),
        Binding("right_square_bracket", "cycle(1)", "Next tab", show=False, id="workspace.next"),
        Binding("a", "autorefresh", "Auto-refresh", id="workspace.autorefresh"),
    ]

    def __init__(self, case_id: int, *, tab: str | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.case_title = f"#{case_id}"
        self._initial_tab = tab
        self._tabs = tab_classes()
        self._counts: dict[str, int | None] = {}
        self.autorefresh: AutoRefresh | None = None

    def crumbs(self) -> list[str]:
        try:
            active = self.query_one(TabbedContent).active
        except Exception:
            active = ""
        names = {cls.tab_id: cls.title for cls in self._tabs}
        return [self.case_title] + ([names[active]] if active in names else [])

    def header_status(self) -> str:
        """The visible tab's auto-refresh state, on the header's right (never cut off)."""
        if self.autorefresh is None:
            return ""
        try:
            return self.autorefresh.label(self.active_tab_id())
        except NoMatches:  # before the tabs are composed
            return ""

    def compose_body(self) -> ComposeResult:
        with TabbedContent(initial=self._initial_tab or self._tabs[0].tab_id):
            for n, cls in enumerate(self._tabs, 1):
                with TabPane(f"{n} {cls.title}", id=cls.tab_id):
                    yield cls(self.case_id)

    def on_mount(self) -> None:
        for tab in self.query(CaseTab):
            tab.load()
        interval = getattr(self.app, "auto_refresh", DEFAULT_INTERVAL)
        self.autorefresh = AutoRefresh(self, interval)
        self.autorefresh.start()
        self.call_after_refresh(self._focus_active)  # the tab's keys work (and show) at once

    # -- tabs -------------------------------------------------------------------------------

    def tab(self, tab_id: str) -> CaseTab:
        return self.query_one(f"#tab-{tab_id}", CaseTab)

    def active_tab_id(self) -> str:
        return self.query_one(TabbedContent).active

    def tab_count(self, tab_id: str) -> int | None:
        """How many objects the tab showed last (None before it loaded)."""
        return self._counts.get(tab_id)

    def show_tab(self, tab_id: str) -> None:
        self.query_one(TabbedContent).active = tab_id
        self._focus_active()

    def action_tab(self, index: int) -> None:
        if 0 <= index < len(self._tabs):
            self.show_tab(self._tabs[index].tab_id)

    def action_cycle(self, step: int) -> None:
        ids = [cls.tab_id for cls in self._tabs]
        current = self.query_one(TabbedContent).active
        self.show_tab(ids[(ids.index(current) + step) % len(ids)] if current in ids else ids[0])

    def goto(self, tab_id: str, key: Any) -> None:
        """Follow a link: show `tab_id` with the cursor on the object `key`."""
        self.show_tab(tab_id)
        target = self.tab(tab_id)
        if not getattr(target, "select_key", lambda k: False)(key):
            self.notify(f"{target.title}: #{key} is not in this case's list", severity="warning",
                        markup=False)

    def _focus_active(self) -> None:
        active = self.query_one(TabbedContent).active
        pane = self.query_one(f"#{active}", TabPane)
        focusable = [w for w in pane.query("*") if w.can_focus and w.display]
        if focusable:
            focusable[0].focus()
        self.refresh_header()

    @on(TabbedContent.TabActivated)
    def _activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_header()

    @on(CaseTab.Counted)
    def _counted(self, event: CaseTab.Counted) -> None:
        self._counts[event.tab_id] = event.count
        for n, cls in enumerate(self._tabs, 1):
            if cls.tab_id == event.tab_id:
                label = f"{n} {cls.title}" + (f" ({event.count})" if event.count is not None else "")
                self.query_one(TabbedContent).get_tab(cls.tab_id).label = label
        self.refresh_header()  # "auto off (large list)" depends on the count

    def set_case_title(self, title: str) -> None:
        self.case_title = title
        self.refresh_header()

    def action_refresh(self) -> None:
        active = self.query_one(TabbedContent).active
        self.tab(active).load()

    def action_autorefresh(self) -> None:
        """`a`: auto-refresh on/off for the visible tab (large lists start off)."""
        assert self.autorefresh is not None
        tab_id = self.active_tab_id()
        on = self.autorefresh.toggle(tab_id)
        if on is None:
            self.notify("auto-refresh: IRIS keeps no change counter for this tab",
                        severity="warning", markup=False)
        else:
            self.notify(f"auto-refresh {'on' if on else 'off'} for this tab", markup=False, timeout=2)
        self.refresh_header()
