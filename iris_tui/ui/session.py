"""A connection the UI works through: which profile, which client, what it may do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iris_tui.api import IrisClient


@dataclass
class Session:
    profile: str
    url: str
    client: IrisClient
    read_only: bool = False
    insecure_storage: bool = False  # the key came from the opt-in plain file: warn in the header
    demo: Any = None  # the in-process DemoApp in demo mode (tests inspect what it received)
    notes: list[str] = field(default_factory=list)  # one-line explanations from the key lookup
    # events per case when its timeline was last listed: a small one asks its two lists at once
    timeline_sizes: dict[int, int] = field(default_factory=dict)


def demo_session(*, latency: float = 0.0, read_only: bool = False, scale: dict[str, int] | None = None) -> Session:
    """The built-in demo server, in-process: no configuration, no keyring, no network."""
    from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app

    app = create_app(latency=latency, scale=scale)
    client = IrisClient("http://demo.iris", DEMO_API_KEY, transport=DemoTransport(app))
    return Session("demo", "http://demo.iris", client, read_only=read_only, demo=app)
