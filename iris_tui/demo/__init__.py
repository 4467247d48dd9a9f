"""A faithful fake IRIS 2.4.20 server (ASGI), seeded with a realistic incident.

`create_app()` builds one; `DemoTransport(app)` lets an httpx client talk to it in-process;
`iris-tui demo-server` serves it on loopback for scripts. Imports nothing from the UI or the client.
"""

from __future__ import annotations

from iris_tui.demo.app import DemoApp, Received
from iris_tui.demo.faults import KINDS as FAULT_KINDS
from iris_tui.demo.seed import DEMO_API_KEY, fresh_install
from iris_tui.demo.store import Store
from iris_tui.demo.transport import DemoTransport


def create_app(
    *,
    seed: str = "demo",
    latency: float = 0.0,
    scale: dict[str, int] | None = None,
    api_key: str = DEMO_API_KEY,
) -> DemoApp:
    """A new fake server with its own in-memory state.

    seed: "fresh" (a freshly installed IRIS: case #1 only), "demo" (plus the ransomware
    incident and a few other cases) or "hostile" (demo plus `iris_tui.demo.hostile`: attackers'
    text in every field). latency: seconds added to every request. scale: sizes for
    benchmarks, e.g. {"cases": 100_000, "iocs": 100_000, "events": 100_000, "assets": 5_000}.
    """
    store = Store()
    fresh_install(store, api_key)
    if seed in ("demo", "hostile"):
        from iris_tui.demo.incident import seed_incident

        seed_incident(store, scale or {})
    elif seed != "fresh":
        raise ValueError(f"unknown seed {seed!r}: 'demo', 'fresh' or 'hostile'")
    if seed == "hostile":
        from iris_tui.demo.hostile import seed_hostile

        seed_hostile(store)
    return DemoApp(store, latency=latency)


__all__ = [
    "DEMO_API_KEY", "FAULT_KINDS", "DemoApp", "DemoTransport", "Received", "Store", "create_app",
]
