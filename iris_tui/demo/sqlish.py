"""Small pieces of IRIS's database behaviour that the fake's route modules share.

IRIS filters with SQL `ILIKE '%<user text>%'`, so `%` and `_` typed by a user are wildcards
there too; and it stamps `modification_history` with `time.time()` keys (iris-api.md 2.11).
"""

from __future__ import annotations

import re
import time
from functools import lru_cache
from typing import Any

from iris_tui.demo.store import Store


@lru_cache(maxsize=256)
def _like_regex(pattern: str) -> re.Pattern[str]:
    out = []
    chars = iter(pattern)
    for ch in chars:
        if ch == "\\":  # PostgreSQL's default LIKE escape character
            out.append(re.escape(next(chars, "\\")))
        elif ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def ilike(value: str | None, pattern: str) -> bool:
    """`value ILIKE pattern`; NULL never matches."""
    return value is not None and _like_regex(pattern).fullmatch(value) is not None


def contains(value: str | None, text: Any) -> bool:
    """`value ILIKE '%<text>%'` as IRIS builds it with an f-string (None becomes "None")."""
    return ilike(value, f"%{text}%")


def add_history(store: Store, record: dict[str, Any], user_id: int, action: str) -> None:
    """Append a `modification_history` entry keyed by the Unix time, as IRIS does."""
    user = store.users.get(user_id) or {}
    history = dict(record.get("modification_history") or {})
    key = repr(time.time())
    while key in history:  # two writes within one clock tick keep both entries
        key = repr(float(key) + 1e-6)
    history[key] = {"user": user.get("user_login"), "user_id": user_id, "action": action}
    record["modification_history"] = history
