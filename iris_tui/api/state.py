"""The per-case change counter of one object family (iris-api.md 2.9)."""

from __future__ import annotations

import datetime as _dt

from iris_tui.api.model import Model
from iris_tui.api.transport import Transport

# family -> path segment of /case/<segment>/state (note `ioc`, singular)
FAMILIES: dict[str, str] = {
    "assets": "assets",
    "ioc": "ioc",
    "tasks": "tasks",
    "timeline": "timeline",
    "evidences": "evidences",
    "notes": "notes",
}
# the names the rest of the client uses for the same families
_ALIASES = {"iocs": "ioc", "events": "timeline", "evidence": "evidences"}


class ObjectState(Model):
    """`{"object_state", "object_last_update"}`: a change detector for polling, not a version.

    Compare two states for inequality only: one write may move the counter by more than one,
    and some writes (asset delete, comments, note edits) do not move it at all.
    """

    object_state: int
    object_last_update: _dt.datetime | None = None

    def changed_since(self, previous: ObjectState | None) -> bool:
        """True when `previous` is unknown or the counter moved."""
        return previous is None or previous.object_state != self.object_state


def family_segment(family: str) -> str:
    """The path segment for a family, accepting the client's own names (`iocs`, `events`)."""
    key = _ALIASES.get(family, family)
    if key not in FAMILIES:
        raise ValueError(f"unknown object family {family!r}; one of {', '.join(FAMILIES)}")
    return FAMILIES[key]


async def fetch_state(http: Transport, cid: int, family: str) -> ObjectState:
    """`GET /case/<family>/state?cid=`: the cheapest poll for changes in one family.

    A case without the counter row answers 400 "No <x> state for this case." (a typed error).
    """
    segment = family_segment(family)
    return ObjectState.from_raw(await http.data("GET", f"/case/{segment}/state", cid=cid))
