"""Answers from a hostile or broken server. A lone surrogate escape (`"\\ud800"`, valid JSON that
msgspec refuses) in one value must not make a whole list unreadable; truly malformed JSON is
still an error. Invalid UTF-8 bytes in a download's Content-Disposition (raw, or percent-encoded
in `filename*`) never crash it nor give a name with controls, bidi overrides or a directory."""

from __future__ import annotations

import urllib.parse

import httpx
import pytest

from iris_tui.api import IrisClient, IrisProtocolError
from iris_tui.demo.hostile import corpus

HEADERS = [
    pytest.param(b'attachment; filename="' + e.raw + b'"', id=f"raw-{e.name}")
    for e in corpus() if e.raw is not None
] + [
    pytest.param(b"inline; filename*=UTF-8''" + urllib.parse.quote_from_bytes(e.raw).encode(),
                 id=f"rfc5987-{e.name}")
    for e in corpus() if e.raw is not None
] + [
    pytest.param(b'inline; filename="\x1b]0;pwned\x07\xe2\x80\xaefdp.exe"', id="osc-and-rlo"),
    pytest.param(b'inline; filename="../../.bashrc"', id="traversal"),
]


@pytest.mark.parametrize("header", HEADERS)
async def test_download_with_an_undecodable_name(header: bytes, tmp_path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=[(b"content-type", b"application/octet-stream"),
                                            (b"content-disposition", header)], content=b"data")

    async with IrisClient("https://iris.example", "k", transport=httpx.MockTransport(answer)) as iris:
        path = await iris.datastore.download(1, 7, tmp_path)
    assert path.parent == tmp_path
    assert path.read_bytes() == b"data"
    assert path.name and not path.name.startswith(".")
    assert all(ch.isprintable() for ch in path.name), repr(path.name)


def _answer(body: bytes):
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "application/json"}, content=body)

    return httpx.MockTransport(answer)


async def test_a_lone_surrogate_escape_in_a_list_is_read() -> None:
    body = (b'{"status": "success", "message": "", "data": {"ioc": [{"ioc_id": 1, '
            b'"ioc_value": "a\\ud800b", "ioc_description": "\\udcff"}], "field_mapping": {}}}')
    async with IrisClient("https://iris.example", "k", transport=_answer(body)) as iris:
        iocs = await iris.iocs.list(1)
    assert [(i.ioc_value, i.ioc_description) for i in iocs] == [("a\ud800b", "\udcff")]


async def test_malformed_json_is_still_a_protocol_error() -> None:
    for body in (b'{"status": "success", "data": [1, 2', b'\xff\xfe{}', b'[1, 2]'):
        async with IrisClient("https://iris.example", "k", transport=_answer(body)) as iris:
            with pytest.raises(IrisProtocolError, match="malformed JSON"):
                await iris.iocs.list(1)
