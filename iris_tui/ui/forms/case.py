"""The case editor (create; update) and the case-wide writes: close, reopen, delete.

IRIS 2.4 answers every failed case creation with one generic message, so the API layer checks
the fields first and names them; those errors land next to the fields like a server's would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.dom import DOMNode

from iris_tui.api import IrisError
from iris_tui.api.cases import CaseDetails, CaseRecord
from iris_tui.ui.forms.base import FormScreen
from iris_tui.ui.forms.confirm import ConfirmScreen, TypedConfirmScreen
from iris_tui.ui.forms.fields import (
    LookupField,
    TagsField,
    TextAreaField,
    TextField,
    custom_attribute_fields,
)
from iris_tui.ui.forms.objects import form_title, present
from iris_tui.ui.text import plain

Done = Callable[[], None]


class CaseForm(FormScreen):
    def __init__(self, case: CaseDetails | None = None) -> None:
        name = case and f"#{case.case_id} {case.bare_title}"
        super().__init__(form_title("Edit" if case else "New", "case", name), editing=case is not None)
        self.case = case

    def compose_fields(self) -> ComposeResult:
        c = self.case
        yield TextField("case_name", "Name", c and c.bare_title, required=True, min_length=2,
                        placeholder="Ransomware at ACME")
        yield LookupField("case_customer", "Customer", "customer", c and c.client_id, required=True)
        yield LookupField("classification_id", "Classification", "classification",
                          c and c.classification_id)
        yield LookupField("severity_id", "Severity", "severity", c and c.severity_id)
        if c is None:
            yield LookupField("case_template_id", "Template", "case_template")
        else:
            yield LookupField("state_id", "State", "case_state", c.state_id)
            yield LookupField("status_id", "Outcome", "outcome", c.status_id)
            yield LookupField("owner_id", "Owner", "user", c.owner_id)
        yield TextField("case_soc_id", "SOC id", c and c.soc_id, placeholder="SOC-4411")
        yield TagsField("case_tags", value=c and c.tag_list)
        yield TextAreaField("case_description", "Description", c and c.description, required=True,
                            min_length=2, tall=True)
        if c is not None:
            yield from custom_attribute_fields(c.custom_attributes)

    async def submit(self, values: dict[str, Any]) -> CaseRecord:
        if self.case is not None:
            return await self.iris.cases.update(self.case.case_id, **values)
        values = present(values)
        return await self.iris.cases.add(
            name=values["case_name"], description=values["case_description"],
            customer=values["case_customer"], soc_id=values.get("case_soc_id", ""),
            classification=values.get("classification_id"), severity=values.get("severity_id"),
            template=values.get("case_template_id"), tags=values.get("case_tags"),
        )


def _run(node: DOMNode, what: str, call: Callable[[], Any], done: Callable[[Any], None]) -> None:
    """One case-wide write in a worker; a failure is said, not raised."""

    async def work() -> None:
        try:
            result = await call()
        except IrisError as exc:
            node.app.notify(f"{what} failed: {plain(exc.message or exc, limit=300)}",
                            severity="error", markup=False)
            return
        done(result)

    node.run_worker(work(), group="case-write", exclusive=True)


def _case_list_too(node: DOMNode, case_id: int) -> None:
    """The case list under the workspace shows the change when the user goes back."""
    for screen in node.app.screen_stack:
        if screen is not node.screen and hasattr(screen, "reload_at"):
            screen.reload_at(case_id)


def edit_case(node: DOMNode, case_id: int, after: Done) -> None:
    """Fetch the case fresh (the list row may be old), then open the editor."""
    iris = node.app.session.client  # type: ignore[attr-defined]

    def opened(case: CaseDetails) -> None:
        def saved(result: Any) -> None:
            if result is not None:
                node.app.notify(f"case #{case_id} updated", markup=False)
                after()
                _case_list_too(node, case_id)

        node.app.push_screen(CaseForm(case), saved)

    _run(node, "Loading the case", lambda: iris.cases.meta(case_id), opened)


def new_case(node: DOMNode, after: Callable[[CaseRecord], None]) -> None:
    def saved(record: CaseRecord | None) -> None:
        if record is not None:
            node.app.notify(f"case #{record.case_id} created", markup=False)
            after(record)

    node.app.push_screen(CaseForm(), saved)


def close_or_reopen(node: DOMNode, case: CaseDetails, after: Done) -> None:
    iris = node.app.session.client  # type: ignore[attr-defined]
    closing = case.is_open
    verb = "Close" if closing else "Reopen"
    title = Text(f"{verb} case #{case.case_id}?")
    body = safe_name(case)
    if closing:
        body.append("\nLinked alerts are closed too.", style="dim")

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        call = iris.cases.close if closing else iris.cases.reopen

        def done(_: Any) -> None:
            node.app.notify(f"case #{case.case_id} {'closed' if closing else 'reopened'}", markup=False)
            after()
            _case_list_too(node, case.case_id)

        _run(node, f"{verb} case", lambda: call(case.case_id), done)

    node.app.push_screen(ConfirmScreen(title, body, yes=verb.lower()), answered)


def delete_case(node: DOMNode, case: CaseDetails, after: Done) -> None:
    """Deleting a case removes everything in it: the user types its id or its name."""
    iris = node.app.session.client  # type: ignore[attr-defined]
    body = Text("Everything in it goes too: assets, IOC links, tasks, events, notes, evidences, "
                "files. This cannot be undone.\n\nType the case id (")
    body.append(str(case.case_id), style="bold")
    body.append(") or its name (")
    body.append_text(safe_name(case, style="bold"))
    body.append(") to confirm.")
    accepted = [str(case.case_id), f"#{case.case_id}", case.bare_title, case.name]

    def answered(yes: bool | None) -> None:
        if not yes:
            return

        def done(_: Any) -> None:
            node.app.notify(f"case #{case.case_id} deleted", markup=False)
            after()

        _run(node, "Delete case", lambda: iris.cases.delete(case.case_id), done)

    node.app.push_screen(TypedConfirmScreen(Text(f"Delete case #{case.case_id}?"), body, accepted),
                         answered)


def safe_name(case: CaseDetails, style: str = "") -> Text:
    return Text(plain(case.bare_title, limit=80), style=style)
