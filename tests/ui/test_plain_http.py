"""A session over plain http to anything but loopback says so in the header, on every screen:
the API key travels in clear text there. The built-in demo (no network) and https do not."""

from __future__ import annotations

import pytest

from iris_tui.api import IrisClient
from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.ui.app import IrisApp
from iris_tui.ui.chrome import AppHeader
from iris_tui.ui.session import Session


def header(app: IrisApp) -> str:
    return str(app.screen.query_one(AppHeader).content)


@pytest.mark.parametrize(("url", "warned"), [
    ("http://iris.example.org", True),
    ("http://10.0.0.5:8080", True),
    ("https://iris.example.org", False),
    ("http://127.0.0.1:8000", False),
    ("http://localhost:8000", False),
])
async def test_plain_http_badge(url: str, warned: bool) -> None:
    demo = create_app(seed="fresh")
    client = IrisClient(url, DEMO_API_KEY, transport=DemoTransport(demo))
    app = IrisApp(Session("lab", url, client))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert ("PLAIN HTTP" in header(app)) is warned
        assert "administrator" in header(app)


async def test_the_demo_has_no_badge() -> None:
    demo = create_app(seed="fresh")
    client = IrisClient("http://demo.iris", DEMO_API_KEY, transport=DemoTransport(demo))
    app = IrisApp(Session("demo", "http://demo.iris", client, demo=demo))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "PLAIN HTTP" not in header(app)
