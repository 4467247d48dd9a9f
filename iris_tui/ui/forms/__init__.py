"""Editors: modal forms that check what was typed, send it in a worker, and keep it on failure."""

from __future__ import annotations

from iris_tui.ui.forms.base import FormScreen
from iris_tui.ui.forms.case import CaseForm
from iris_tui.ui.forms.comment import CommentForm, CommentsScreen
from iris_tui.ui.forms.confirm import ChoiceScreen, ConfirmScreen, TypedConfirmScreen
from iris_tui.ui.forms.event import EventForm
from iris_tui.ui.forms.objects import AssetForm, EvidenceForm, IocForm
from iris_tui.ui.forms.tasks import GlobalTaskForm, TaskForm

__all__ = [
    "AssetForm", "CaseForm", "ChoiceScreen", "CommentForm", "CommentsScreen", "ConfirmScreen",
    "EventForm", "EvidenceForm", "FormScreen", "GlobalTaskForm", "IocForm", "TaskForm",
    "TypedConfirmScreen",
]
