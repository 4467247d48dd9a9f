"""Helpers for the case-object tests (assets, IOCs, tasks, timeline, evidences, comments).

`replay(...)` is `replay_client` that also takes exchanges built in the test: a recorded answer
moved to another path (`at("466", "GET", "/case/assets/filter")`) or an answer made up from a
recorded shape (`answer("GET", "/case/x", body)`) where no recording exists.
"""

from __future__ import annotations

import copy
from typing import Any

from iris_tui.api import IrisClient
from support.replay import ReplayTransport, transcript

CID = 3  # the case of the recorded scenario


def at(name: str, method: str, path: str, *, develop: bool = False) -> dict[str, Any]:
    """A recorded exchange answered at another method/path."""
    ex = copy.deepcopy(transcript(name, develop=develop))
    ex["request"]["method"], ex["request"]["path"] = method, path
    return ex


def answer(method: str, path: str, body: Any, status: int = 200) -> dict[str, Any]:
    """A made-up JSON answer (used only where no recording exists)."""
    return {
        "request": {"method": method, "path": path},
        "response": {
            "status": status, "headers": {"content-type": "application/json"},
            "body_is_json": True, "body": body,
        },
    }


def replay(*items: str | dict[str, Any], develop: bool = False) -> tuple[IrisClient, ReplayTransport]:
    """A client answering with the given transcripts ("115") / exchanges, in order."""
    exchanges = [
        transcript(i, develop=develop) if isinstance(i, str) else i for i in items
    ]
    transport = ReplayTransport(exchanges)
    client = IrisClient("http://iris.test", "test-key-not-real", transport=transport, retries=0)
    return client, transport


def dev(name: str) -> dict[str, Any]:
    """A develop-branch (/api/v2) exchange, to mix with legacy ones in `replay()`."""
    return transcript(name, develop=True)


def recorded(name: str, *, develop: bool = False) -> Any:
    """The envelope `data` (or bare body) of a recorded answer."""
    body = transcript(name, develop=develop)["response"]["body"]
    return body.get("data", body) if isinstance(body, dict) and "status" in body else body


def sent_json(name: str) -> Any:
    """The JSON body the recording sent."""
    return transcript(name)["request"].get("json")
