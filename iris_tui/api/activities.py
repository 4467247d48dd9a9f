"""Activity logs: per case (last 40, what the case page shows) and across cases.

Activity texts are stored lower-cased except their first character (iris-api.md 3.10), so they
are for reading only: never parse object names out of them.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from iris_tui.api.model import Model
from iris_tui.api.resource import Resource


class CaseActivity(Model):
    """A row of `/case/activities/list`: newest first, `name` is the user's display name."""

    activity_date: _dt.datetime | None = None
    name: str | None = None
    activity_desc: str = ""
    is_from_api: bool | None = None

    @property
    def user(self) -> str | None:
        return self.name


class Activity(Model):
    """A row of `/activities/list` (and `list-all`): one activity of any case.

    `list-all` rows of case-less activities (deleted tasks, lookup edits) carry no `case_id`
    nor `user_id`, and the user's *id* under `user_name` (411): it is moved to `user_id`.
    """

    case_id: int | None = None
    case_name: str | None = None
    user_id: int | None = None
    user_name: str | None = None
    activity_date: _dt.datetime | None = None
    activity_desc: str = ""
    user_input: bool | None = None
    is_from_api: bool | None = None

    @classmethod
    def prepare(cls, raw: dict[str, Any]) -> dict[str, Any]:
        name = raw.get("user_name")
        if isinstance(name, int) and not isinstance(name, bool):
            raw = {**raw, "user_name": None, "user_id": raw.get("user_id", name)}
        return raw

    @property
    def user(self) -> str | None:
        return self.user_name


class ActivityEntry(Model):
    """The raw activity row `/case/tasklog/add` answers (its date is nulled by the serialiser)."""

    id: int
    case_id: int | None = None
    user_id: int | None = None
    activity_desc: str = ""
    activity_date: _dt.datetime | None = None
    user_input: bool | None = None
    is_from_api: bool | None = None
    display_in_ui: bool | None = None


class Activities(Resource):
    """`iris.activities.list()`, `iris.activities.case(cid)`."""

    async def list(self, all: bool = False) -> list[Activity]:  # noqa: A002 - mirrors "list-all"
        """Up to 10,000 activities, newest first.

        Needs the `activities_read` permission; `all=True` (`all_activities_read`) adds the
        entries the UI hides (403 without the permission).
        """
        path = "/activities/list-all" if all else "/activities/list"
        return Activity.list_from_raw(await self._http.data("GET", path))

    async def case(self, cid: int) -> list[CaseActivity]:
        """The last 40 UI-visible activities of one case, newest first."""
        return CaseActivity.list_from_raw(
            await self._http.data("GET", "/case/activities/list", cid=cid)
        )

    async def log(self, cid: int, text: str) -> ActivityEntry:
        """Add a manual line to the case's activity log (`/case/tasklog/add`)."""
        data = await self._http.data(
            "POST", "/case/tasklog/add", cid=cid, json={"log_content": text}
        )
        return ActivityEntry.from_raw(data)
