"""Comments on a case object: the editor, and the modal that lists them (add, edit, delete)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from iris_tui.api import IrisError
from iris_tui.api.comments import Comment, Comments
from iris_tui.ui.forms.base import FormScreen
from iris_tui.ui.forms.confirm import ConfirmScreen
from iris_tui.ui.forms.fields import TextAreaField
from iris_tui.ui.text import plain, safe, safe_block


class CommentForm(FormScreen):
    def __init__(self, resource: Comments, cid: int, obj_id: int, *, about: str | Text = "",
                 comment: Comment | None = None) -> None:
        title = Text("Edit comment" if comment else "New comment")
        if about:
            title.append(" on ")
            title.append_text(about if isinstance(about, Text) else Text(about))
        super().__init__(title, editing=comment is not None)
        self.resource = resource
        self.cid = cid
        self.obj_id = obj_id
        self.comment = comment

    def compose_fields(self) -> ComposeResult:
        yield TextAreaField("comment_text", "Comment", self.comment and self.comment.text,
                            required=True, tall=True)

    async def submit(self, values: dict[str, Any]) -> Comment:
        text = values["comment_text"]
        if self.comment is not None:
            return await self.resource.update(self.cid, self.obj_id, self.comment.comment_id, text)
        return await self.resource.add(self.cid, self.obj_id, text)


def comment_option(comment: Comment) -> Text:
    text = safe(comment.author, limit=40, style="bold")
    if comment.comment_date is not None:
        text.append(f"  {comment.comment_date:%Y-%m-%d %H:%M}", style="dim")
    text.append("\n")
    body = safe_block(comment.text, limit=600)
    text.append_text(body)
    return text


class CommentsScreen(ModalScreen[bool]):
    """The comments of one object; dismisses with whether anything changed."""

    DEFAULT_CSS = """
    CommentsScreen { align: center middle; }
    CommentsScreen > Vertical { width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1; }
    CommentsScreen #comments-title { text-style: bold; }
    CommentsScreen OptionList { height: auto; max-height: 18; }
    CommentsScreen #comments-status { color: $text-muted; }
    CommentsScreen #comments-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("n", "add", "Add", id="comments.add"),
        Binding("e", "edit", "Edit", id="comments.edit"),
        Binding("d", "delete", "Delete", id="comments.delete"),
        Binding("escape,q", "close", "Close", id="comments.close"),
    ]

    def __init__(self, resource: Comments, cid: int, obj_id: int, about: str | Text) -> None:
        super().__init__()
        self.resource = resource
        self.cid = cid
        self.obj_id = obj_id
        self.about = about if isinstance(about, Text) else Text(about)
        self.comments: list[Comment] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        title = Text("Comments on ")
        title.append_text(self.about)
        with Vertical():
            yield Static(title, id="comments-title")
            yield Static(Text("Loading…"), id="comments-status")
            yield OptionList(compact=True)
            keys = "esc close" if self.app.read_only else "n add   e edit   d delete   esc close"  # type: ignore[attr-defined]
            yield Static(Text(keys), id="comments-keys")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.reload()

    @work(exclusive=True, group="comments")
    async def reload(self) -> None:
        status = self.query_one("#comments-status", Static)
        try:
            self.comments = await self.resource.list(self.cid, self.obj_id)
        except IrisError as exc:
            status.update(Text(f"Could not load the comments: {plain(exc.message or exc, limit=200)}"))
            return
        status.update(Text(f"{len(self.comments)} comment(s)" if self.comments else "No comments yet."))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(comment_option(c), id=str(c.comment_id)) for c in self.comments])
        if self.comments:
            options.highlighted = len(self.comments) - 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "edit", "delete") and self.app.read_only:  # type: ignore[attr-defined]
            return False
        return True

    @property
    def current(self) -> Comment | None:
        index = self.query_one(OptionList).highlighted
        return self.comments[index] if index is not None and index < len(self.comments) else None

    def _saved(self, result: Any) -> None:
        if result is not None:
            self.changed = True
            self.reload()

    def action_add(self) -> None:
        if not self.app.refuse_write():  # type: ignore[attr-defined]
            self.app.push_screen(CommentForm(self.resource, self.cid, self.obj_id, about=self.about),
                                 self._saved)

    def action_edit(self) -> None:
        comment = self.current
        if comment is not None and not self.app.refuse_write():  # type: ignore[attr-defined]
            self.app.push_screen(CommentForm(self.resource, self.cid, self.obj_id, about=self.about,
                                             comment=comment), self._saved)

    def action_delete(self) -> None:
        comment = self.current
        if comment is None or self.app.refuse_write():  # type: ignore[attr-defined]
            return
        body = safe_block(comment.text, limit=300)

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(comment)

        self.app.push_screen(ConfirmScreen("Delete this comment?", body, yes="delete"), answered)

    @work(group="comments-write")
    async def _delete(self, comment: Comment) -> None:
        try:
            await self.resource.delete(self.cid, self.obj_id, comment.comment_id)
        except IrisError as exc:
            self.notify(f"Comment not deleted: {plain(exc.message or exc, limit=200)}",
                        severity="error", markup=False)
            return
        self.changed = True
        self.notify("comment deleted", markup=False)
        self.reload()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    def action_close(self) -> None:
        self.dismiss(self.changed)
