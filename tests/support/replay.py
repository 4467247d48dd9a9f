"""Replay recorded real IRIS exchanges (tests/fixtures/transcripts) to the client.

`replay_client("058-case-add-minimal", ...)` gives an IrisClient whose HTTP transport answers each
request with the next recorded response, after checking that the request goes to the recorded
method and path. The requests the client sent are kept in `transport.sent` for assertions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

from iris_tui.api import IrisClient

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "transcripts"
LEGACY = FIXTURES / "v2.4.20"
DEVELOP = FIXTURES / "develop-api-v2"


def transcript(name: str, *, develop: bool = False) -> dict[str, Any]:
    """Load one exchange by file name or number prefix ("058" or "058-case-add-minimal")."""
    folder = DEVELOP if develop else LEGACY
    matches = sorted(folder.glob(f"{name}*.json"))
    if not matches:
        raise FileNotFoundError(f"no transcript {name!r} in {folder}")
    return json.loads(matches[0].read_text())


def all_transcripts(*, develop: bool = False) -> list[tuple[str, dict[str, Any]]]:
    folder = DEVELOP if develop else LEGACY
    return [(p.stem, json.loads(p.read_text())) for p in sorted(folder.glob("*.json"))]


def recorded_response(ex: dict[str, Any]) -> httpx.Response:
    """The recorded answer as an httpx.Response (JSON body re-encoded, text bodies as text)."""
    resp = ex["response"]
    headers = {}
    for key in ("content-type", "location", "content-disposition", "deprecation", "link", "allow"):
        if key in resp.get("headers", {}):
            headers[key] = resp["headers"][key]
    body = resp.get("body")
    if resp.get("body_is_json"):
        content = json.dumps(body).encode()
    elif body is None:
        content = b""
    else:
        content = str(body).encode()
    return httpx.Response(resp["status"], headers=headers, content=content)


@dataclass
class Sent:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    content_type: str
    headers: dict[str, str]


@dataclass
class ReplayTransport(httpx.AsyncBaseTransport):
    exchanges: list[dict[str, Any]]
    strict_path: bool = True
    sent: list[Sent] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        ctype = request.headers.get("content-type", "")
        payload: Any = None
        if body and "json" in ctype:
            payload = json.loads(body)
        self.sent.append(
            Sent(
                method=request.method,
                path=request.url.path,
                query=dict(parse_qsl(request.url.query.decode())),
                json=payload,
                content_type=ctype,
                headers=dict(request.headers),
            )
        )
        if not self.exchanges:
            raise AssertionError(f"unexpected extra request {request.method} {request.url.path}")
        ex = self.exchanges.pop(0)
        want = ex["request"]
        got = (request.method, request.url.path)
        if self.strict_path and got != (want["method"], want["path"]):
            raise AssertionError(f"client sent {got}, transcript has {(want['method'], want['path'])}")
        return recorded_response(ex)


def replay_client(*names: str, develop: bool = False, strict_path: bool = True) -> tuple[IrisClient, ReplayTransport]:
    """A client wired to replay the given transcripts in order."""
    transport = ReplayTransport([transcript(n, develop=develop) for n in names], strict_path=strict_path)
    client = IrisClient("http://iris.test", "test-key-not-real", transport=transport, retries=0)
    return client, transport
