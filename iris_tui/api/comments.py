"""Comments on case objects (iris-api.md 11): the same five endpoints under each object's path.

Quirks handled here: the list is a GET (the official client POSTs and gets a 405); event
comments live under `/case/timeline/events/{id}`, not `/case/events/{id}`; the single-comment GET
answers a flat shape (`user` is the login string, `name` the display name) while list/add/edit
nest a `user` object.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from iris_tui.api.fields import check_text
from iris_tui.api.model import Model
from iris_tui.api.resource import Resource

if TYPE_CHECKING:
    from iris_tui.api.client import IrisClient


class Comment(Model):
    """A comment, from either shape the server uses."""

    comment_id: int
    comment_uuid: str | None = None
    comment_text: str | None = None
    comment_date: _dt.datetime | None = None
    comment_update_date: _dt.datetime | None = None
    comment_user_id: int | None = None
    comment_case_id: int | None = None
    comment_alert_id: int | None = None
    # list/add/edit: {"id", "user_name", "user_login", "user_email"}; single GET: the login
    user: dict[str, Any] | str | None = None
    # single GET only: the author's display name
    name: str | None = None

    @property
    def id(self) -> int:
        return self.comment_id

    @property
    def text(self) -> str:
        return self.comment_text or ""

    @property
    def author(self) -> str:
        """The author's display name (falls back to the login)."""
        if isinstance(self.user, dict):
            return str(self.user.get("user_name") or self.user.get("user_login") or "")
        return self.name or self.user or ""

    @property
    def author_login(self) -> str:
        if isinstance(self.user, dict):
            return str(self.user.get("user_login") or "")
        return self.user or ""


class Comments(Resource):
    """`iris.assets.comments.list(cid, asset_id)` etc.; `base` is e.g. "/case/assets/{id}"."""

    def __init__(self, client: IrisClient, base: str) -> None:
        super().__init__(client)
        self._base = base

    def _path(self, obj_id: int, tail: str) -> str:
        return self._base.format(id=int(obj_id)) + "/comments/" + tail

    async def list(self, cid: int, obj_id: int) -> list[Comment]:
        """Oldest first. An unknown object gives `[]`, not an error (server behaviour)."""
        data = await self._http.data("GET", self._path(obj_id, "list"), cid=cid)
        return Comment.list_from_raw(data)

    async def get(self, cid: int, obj_id: int, comment_id: int) -> Comment:
        data = await self._http.data("GET", self._path(obj_id, str(int(comment_id))), cid=cid)
        return Comment.from_raw(data)

    async def add(self, cid: int, obj_id: int, text: str) -> Comment:
        body = {"comment_text": text}
        check_text(body, "comment_text")
        data = await self._http.data("POST", self._path(obj_id, "add"), cid=cid, json=body)
        return Comment.from_raw(data)

    async def update(self, cid: int, obj_id: int, comment_id: int, text: str) -> Comment:
        """Any user with full access to the case may edit any comment."""
        body = {"comment_text": text}
        check_text(body, "comment_text")
        path = self._path(obj_id, f"{int(comment_id)}/edit")
        return Comment.from_raw(await self._http.data("POST", path, cid=cid, json=body))

    async def delete(self, cid: int, obj_id: int, comment_id: int) -> None:
        """Only the author may delete; a comment already gone answers "not allowed" too."""
        await self._http.call("POST", self._path(obj_id, f"{int(comment_id)}/delete"), cid=cid)
