"""The per-case change counter of one object family (iris-api.md 2.9)."""

from __future__ import annotations

import datetime as _dt

from iris_tui.api.model import Model


class ObjectState(Model):
    """`{"object_state", "object_last_update"}`: a change detector for polling, not a version.

    Compare two states for inequality only: one write may move the counter by more than one,
    and some writes (asset delete, comments, note edits) do not move it at all.
    """

    object_state: int
    object_last_update: _dt.datetime | None = None
