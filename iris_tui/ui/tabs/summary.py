"""Summary tab: the case's fields and its markdown description (code blocks highlighted)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from iris_tui.api.cases import CaseDetails
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
    BINDINGS = [Binding("y", "copy", "Copy id", id="summary.copy")]

    case: CaseDetails | None = None

    def compose_content(self) -> ComposeResult:
        with VerticalScroll(can_focus=True):
            yield Static(id="summary-fields")
            yield Markdown(id="summary-description")

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

    def action_copy(self) -> None:
        if self.case is not None:
            self.app.copy_to_clipboard(str(self.case.case_id))
            self.app.notify(f"copied case id {self.case.case_id}", markup=False)
