"""The case workspace: one tab per part of the case, all loading at once when the case opens.

Every tab's requests go out when the case is opened, before any widget is built. The visible tab
is built first; the others are built right after the first paint, each taking the answer that
came meanwhile."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widgets import TabbedContent, TabPane
from textual.worker import Worker

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
        self._tabs = tab_classes()
        self._first_tab = tab if tab in {cls.tab_id for cls in self._tabs} else self._tabs[0].tab_id
        self._tab_widgets = {cls.tab_id: cls(case_id) for cls in self._tabs}
        for case_tab in self._tab_widgets.values():
            case_tab.prefetch()
        self._built: dict[str, Worker[None] | None] = {}  # None: built with the screen
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
        with TabbedContent(initial=self._first_tab):
            for n, cls in enumerate(self._tabs, 1):
                with TabPane(f"{n} {cls.title}", id=cls.tab_id):
                    if cls.tab_id == self._first_tab:
                        yield self._tab_widgets[cls.tab_id]

    def on_mount(self) -> None:
        self._built[self._first_tab] = None  # composed with the screen
        self._tab_widgets[self._first_tab].load()
        self.call_after_refresh(self._build_hidden)
        interval = getattr(self.app, "auto_refresh", DEFAULT_INTERVAL)
        self.autorefresh = AutoRefresh(self, interval)
        self.autorefresh.start()
        self.call_after_refresh(self._focus_active)  # the tab's keys work (and show) at once

    # -- tabs -------------------------------------------------------------------------------

    async def _build_hidden(self) -> None:
        """The tabs not shown yet, after the first paint."""
        for building in [self._build(tab_id) for tab_id in self._tab_widgets]:
            if building is not None:
                await building.wait()

    def _build(self, tab_id: str) -> Worker[None] | None:
        """Mount a tab (once) and start its first load, which takes its prefetched answer.
        Returns the worker doing it, or None when the tab is built."""
        if tab_id not in self._built:
            self._built[tab_id] = self.run_worker(self._mount_tab(tab_id))
        building = self._built[tab_id]
        return None if building is None or building.is_finished else building

    async def _mount_tab(self, tab_id: str) -> None:
        tab = self._tab_widgets[tab_id]
        await self.query_one(f"#{tab_id}", TabPane).mount(tab)
        if not tab.is_mounted:  # the case was closed meanwhile
            return
        if self.active_tab_id() == tab_id:  # shown before it was built
            self._focus_active()
        tab.load()

    def on_unmount(self) -> None:
        for tab in self._tab_widgets.values():
            tab.drop_prefetch()
        if self.autorefresh is not None:
            self.autorefresh.stop()

    def tab(self, tab_id: str) -> CaseTab:
        """The tab object, built or not yet (see `loaded`)."""
        try:
            return self._tab_widgets[tab_id]
        except KeyError:
            raise NoMatches(f"no tab {tab_id!r}") from None

    def active_tab_id(self) -> str:
        return self.query_one(TabbedContent).active

    def tab_count(self, tab_id: str) -> int | None:
        """How many objects the tab showed last (None before it loaded)."""
        return self._counts.get(tab_id)

    def show_tab(self, tab_id: str) -> None:
        self.query_one(TabbedContent).active = tab_id
        self._build(tab_id)
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
        building = self._build(tab_id)
        if building is None:
            self._select(tab_id, key)
        else:
            self.run_worker(self._select_when_built(building, tab_id, key))

    async def _select_when_built(self, building: Worker[None], tab_id: str, key: Any) -> None:
        await building.wait()
        self._select(tab_id, key)

    def _select(self, tab_id: str, key: Any) -> None:
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
