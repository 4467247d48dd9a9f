"""The fake over real loopback HTTP: uvicorn in a thread, faults that break the socket."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from iris_tui.demo import DEMO_API_KEY
from iris_tui.demo.serve import base_url, is_loopback, running_server, serve

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


@pytest.fixture(scope="module")
def server():
    with running_server(seed="fresh") as (url, app):
        yield url, app


def test_answers_over_loopback_http(server):
    url, app = server
    assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
    response = httpx.get(f"{url}/api/versions", headers=AUTH)
    assert response.status_code == 200
    assert response.json()["data"]["iris_current"] == "v2.4.20"
    assert app.received[-1].path == "/api/versions"


def test_no_key_is_401_over_http(server):
    url, _ = server
    response = httpx.get(f"{url}/api/ping")
    assert response.status_code == 401
    assert response.json() == {"status": "error", "message": "Authentication required", "data": []}


def test_dropped_connection_is_a_network_error_not_a_200(server):
    url, app = server
    app.faults.add("reset", path="/api/ping")
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/api/ping", headers=AUTH)
    # the server survives and answers the next request
    assert httpx.get(f"{url}/api/ping", headers=AUTH).status_code == 200


def test_timeout_fault_makes_the_client_time_out(server):
    url, app = server
    app.faults.add("timeout", path="/api/ping", hang=0.5)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{url}/api/ping", headers=AUTH, timeout=0.2)


def test_timeout_fault_that_ends_is_still_a_broken_answer(server):
    url, app = server
    app.faults.add("timeout", path="/api/ping", hang=0.05)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/api/ping", headers=AUTH, timeout=5)


def test_html_fault_over_http(server):
    url, app = server
    app.faults.add("bad_gateway", path="/api/ping")
    response = httpx.get(f"{url}/api/ping", headers=AUTH)
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")


def test_non_loopback_needs_allow_remote():
    with pytest.raises(ValueError, match="non-loopback"):
        serve("0.0.0.0", 0)
    with pytest.raises(ValueError, match="non-loopback"):
        serve("192.168.1.10", 0)


@pytest.mark.parametrize("host,expected", [
    ("127.0.0.1", True), ("127.1.2.3", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("10.0.0.1", False), ("example.org", False), ("::", False),
])
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


def test_base_url_brackets_ipv6():
    assert base_url("::1", 8000) == "http://[::1]:8000"
    assert base_url("127.0.0.1", 80) == "http://127.0.0.1:80"


def test_serve_prints_url_and_key_and_answers():
    """The real entry point in a child process: banner first, then it serves on that URL."""
    code = "from iris_tui.demo.serve import serve; serve('127.0.0.1', 0, seed='fresh')"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        second = proc.stdout.readline()
        url = first.rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        assert second.strip() == f"API key: {DEMO_API_KEY}"
        response = httpx.get(f"{url}/api/ping", headers={"Authorization": f"Bearer {second.split()[-1]}"})
        assert response.json()["message"] == "pong"
    finally:
        proc.terminate()
        proc.wait(10)
