"""Summary tab: the case's fields and its markdown description (code blocks highlighted)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from iris_tui.api.cases import CaseDetails
from iris_tui.ui.forms.case import close_or_reopen, delete_case, edit_case
from iris_tui.ui.tabs.base import CaseTab, custom_attribute_rows, field_table
from iris_tui.ui.text import clean


def case_fields(case: CaseDetails) -> list[tuple[str, object]]:
    return [
        ("Case", f"#{case.case_id} {case.bare_title}"),
        ("Customer", case.customer),
        ("State", case.state_label or ("open" if case.is_open else "closed")),
        ("Outcome", (case.status_name or "").replace("_", " ")),
        ("Severity", case.severity_label),
        ("Classification", case.classification.name_expanded or case.classification.name
         if case.classification else None),
        ("SOC id", case.soc_id),
        ("Owner", case.owner_name),
        ("Opened by", case.user.user_name if case.user else None),
        ("Opened", case.opened_on),
        ("Closed", case.closed_on),
        ("Initial date", case.initial_date),
        ("Reviewer", case.reviewer.user_name if case.reviewer else None),
        ("Tags", ", ".join(case.tag_list)),
        ("Protagonists", "; ".join(
            f"{p.role}: {p.name}" + (f" ({p.contact})" if p.contact else "") for p in case.protagonists
        )),
        *custom_attribute_rows(case.custom_attributes),
    ]


class SummaryTab(CaseTab):
    tab_id = "summary"
    title = "Summary"
    DEFAULT_CSS = """
    SummaryTab > VerticalScroll { height: 1fr; padding: 0 1; }
    SummaryTab #summary-fields { margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("y", "copy", "Copy id", id="summary.copy"),
        Binding("e", "edit", "Edit", id="summary.edit"),
        Binding("c", "close_case", "Close", id="summary.close"),
        Binding("o", "reopen_case", "Reopen", id="summary.reopen"),
        Binding("D", "delete_case", "Delete", id="summary.delete"),
    ]

    case: CaseDetails | None = None

    def compose_content(self) -> ComposeResult:
        with VerticalScroll(can_focus=True):
            yield Static(id="summary-fields")
            yield Markdown(id="summary-description", open_links=False)  # server text: no browser

    async def fetch(self) -> Any:
        return await self.iris.cases.meta(self.cid)

    def show(self, case: CaseDetails) -> None:
        self.case = case
        self.query_one("#summary-fields", Static).update(field_table(case_fields(case)))
        # markdown is parsed, never Textual markup; control characters are made visible first
        self.query_one("#summary-description", Markdown).update(
            clean(case.description or "*No description.*", multiline=True)
        )
        screen = self.screen
        if hasattr(screen, "set_case_title"):
            screen.set_case_title(f"#{case.case_id} {case.bare_title}")
        self.count(None)
        self.refresh_bindings()  # close or reopen, depending on the case

    def action_copy(self) -> None:
        if self.case is not None:
            self.app.copy_to_clipboard(str(self.case.case_id))
            self.app.notify(f"copied case id {self.case.case_id}", markup=False)

    # -- case-wide writes (iris_tui.ui.forms.case) --------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "close_case", "reopen_case", "delete_case"):
            if self.case is None or self.app.read_only:  # type: ignore[attr-defined]
                return False
            if action == "close_case":
                return self.case.is_open
            if action == "reopen_case":
                return not self.case.is_open
        return True

    def action_edit(self) -> None:
        if self.case is not None and not self.app.refuse_write():  # type: ignore[attr-defined]
            edit_case(self, self.case.case_id, self.load)

    def action_close_case(self) -> None:
        if self.case is not None and not self.app.refuse_write():  # type: ignore[attr-defined]
            close_or_reopen(self, self.case, self.load)

    action_reopen_case = action_close_case

    def action_delete_case(self) -> None:
        if self.case is not None and not self.app.refuse_write():  # type: ignore[attr-defined]
            delete_case(self, self.case, self._deleted)

    def _deleted(self) -> None:
        """Back to the case list, which no longer has the case."""
        app = self.app
        while len(app.screen_stack) > 2:
            app.pop_screen()
        getattr(app.screen, "action_refresh", lambda: None)()
