"""`modification_history`: who changed an object and when (iris-api.md 2.11).

IRIS keys the history by a Unix timestamp *string* ("1714745232.734512"). It is the only reliable
"last edited" signal for notes: `note_lastupdate` is not refreshed by updates on 2.4.20.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, NamedTuple

UTC = _dt.timezone.utc


class Change(NamedTuple):
    when: _dt.datetime
    user: str
    action: str


def changes(history: Any) -> list[Change]:
    """Every entry of a modification history, oldest first; malformed entries are skipped."""
    out: list[Change] = []
    if not isinstance(history, dict):
        return out
    for stamp, entry in history.items():
        try:
            when = _dt.datetime.fromtimestamp(float(stamp), UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            continue
        entry = entry if isinstance(entry, dict) else {}
        out.append(Change(when, str(entry.get("user") or ""), str(entry.get("action") or "")))
    out.sort(key=lambda c: c.when)
    return out


def last_change(history: Any) -> Change | None:
    entries = changes(history)
    return entries[-1] if entries else None
