"""Server-level calls: ping, versions, whoami, permissions, and what the server can do."""

from __future__ import annotations

import re
from typing import Any

from iris_tui.api.errors import IrisError, IrisNotFoundError
from iris_tui.api.model import Model
from iris_tui.api.resource import Resource


class ServerVersions(Model):
    """`/api/versions`: e.g. iris_current "v2.4.20", api_min "2.0.4", api_current "2.0.5"."""

    iris_current: str = ""
    api_min: str = ""
    api_current: str = ""

    @property
    def api_level(self) -> tuple[int, ...]:
        """The highest API level the server speaks, as a comparable tuple."""
        return parse_version(self.api_current or self.api_min)

    @property
    def min_level(self) -> tuple[int, ...]:
        return parse_version(self.api_min)

    @property
    def has_note_directories(self) -> bool:
        """IRIS 2.4 (API 2.0.4+) organises notes in directories; 2.0–2.3 used groups."""
        return self.api_level >= (2, 0, 4)


class User(Model):
    """The current user (`/user/whoami`)."""

    user_id: int
    user_name: str = ""
    user_login: str = ""
    user_email: str | None = None
    user_uuid: str | None = None
    is_service_account: bool | None = None


def parse_version(text: str) -> tuple[int, ...]:
    """'v2.4.20' -> (2, 4, 20); unknown parts are dropped, never raise."""
    return tuple(int(p) for p in re.findall(r"\d+", text or "")[:3])


PERMISSIONS = {
    "standard_user": 0x1, "server_administrator": 0x2, "alerts_read": 0x4, "alerts_write": 0x8,
    "alerts_delete": 0x10, "search_across_cases": 0x20, "customers_read": 0x40,
    "customers_write": 0x80, "case_templates_read": 0x100, "case_templates_write": 0x200,
    "activities_read": 0x400, "all_activities_read": 0x800,
}


class Server(Resource):
    """Calls without a case: `iris.server.versions()` (also `iris.versions()`)."""

    _versions: ServerVersions | None = None
    _has_v2: bool | None = None

    async def ping(self) -> bool:
        await self._http.call("GET", "/api/ping")
        return True

    async def versions(self, *, refresh: bool = False) -> ServerVersions:
        if self._versions is None or refresh:
            self._versions = ServerVersions.from_raw(await self._http.data("GET", "/api/versions"))
        return self._versions

    async def whoami(self) -> User:
        return User.from_raw(await self._http.data("GET", "/user/whoami"))

    async def has_permission(self, name: str) -> bool:
        """Whether the current user holds one permission bit (403 means no)."""
        from iris_tui.api.errors import IrisPermissionError

        if name not in PERMISSIONS:
            raise ValueError(f"unknown permission {name!r}")
        try:
            await self._http.call(
                "POST", "/user/has-permission",
                json={"permission_name": name, "permission_value": PERMISSIONS[name]},
            )
        except IrisPermissionError:
            return False
        return True

    async def has_api_v2(self) -> bool:
        """Whether the server has the develop branch's `/api/v2` (2.4.20 answers an HTML 404)."""
        if self._has_v2 is None:
            try:
                await self._http.call_bare("GET", "/api/v2/cases", params={"per_page": 1})
                self._has_v2 = True
            except IrisNotFoundError:
                self._has_v2 = False
            except IrisError:
                self._has_v2 = False
        return self._has_v2

    async def search(self, search_type: str, value: str) -> list[dict[str, Any]]:
        """Global search across cases (`ioc`, `notes` or `comments`; perm search_across_cases)."""
        data = await self._http.data(
            "POST", "/search", json={"search_type": search_type, "search_value": value}
        )
        return list(data or [])

    async def tag_suggestions(self, term: str) -> list[str]:
        """Tag autocompletion (the one JSON endpoint without the envelope)."""
        body = await self._http.call_bare("GET", "/manage/tags/suggest", params={"term": term})
        return list((body or {}).get("suggestions") or [])
