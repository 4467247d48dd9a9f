"""Memory of big list answers (issue 9): no body outlives its rows' decoding, and rows share the
strings that repeat from row to row."""

from __future__ import annotations

import gc
import json
import tracemalloc

import httpx
import msgspec

from iris_tui.api import IrisClient, listing
from iris_tui.api.assets import Asset
from iris_tui.api.events import Event
from iris_tui.api.iocs import Ioc

MB = 1 << 20


def ioc_rows(n: int) -> list[dict]:
    return [{"ioc_id": i, "ioc_value": f"h{i}.example", "ioc_type": ["domain", "ip-dst"][i % 2],
             "ioc_tags": "c2,lockbit", "tlp_name": "amber", "tlp_bscolor": "warning", "link": []}
            for i in range(1, n + 1)]


def enveloped(data: dict, padding: int = 0) -> bytes:
    # JSON allows whitespace anywhere: padding makes the body big without making rows big
    return json.dumps({"status": "success", "message": "", "data": data}).encode() + b" " * padding


async def test_no_body_outlives_the_decoding_of_its_rows() -> None:
    """httpx's Response sits in a reference cycle until the GC runs: a 40 MB list body held by
    it stayed in memory after its rows were decoded. Here the GC never runs."""
    body = enveloped({"ioc": ioc_rows(6_000), "state": {"object_state": 1}}, padding=8 * MB)

    async def chunks():  # as the network hands it over
        for start in range(0, len(body), 64 * 1024):
            yield body[start:start + 64 * 1024]

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "application/json"}, content=chunks())

    async with IrisClient("http://iris.test", "k", transport=httpx.MockTransport(reply)) as iris:
        await iris.iocs.list(1)  # connection set up, decoders built
        gc.collect()
        gc.disable()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            rows = await iris.iocs.list(1, preview=None)
            previewed = await iris.iocs.list(1, preview=lambda first, total: _nothing())
            kept = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
            gc.enable()
    assert len(rows) == len(previewed) == 6_000
    assert kept < 4 * MB, f"{kept / MB:.1f} MB still held after two 8 MB answers"


async def _nothing() -> None:
    return None


def test_a_big_list_shares_its_repeated_strings() -> None:
    data = msgspec.Raw(json.dumps({"ioc": ioc_rows(listing.PREVIEW_FROM)}).encode())
    rows = listing.listing_from(Ioc, data, "ioc")
    assert rows[0].ioc_type == "ip-dst" and rows[1].ioc_type == "domain"
    for name in Ioc.repeated:
        assert len({id(getattr(r, name)) for r in rows}) == len({getattr(r, name) for r in rows})
    assert len({id(r.ioc_value) for r in rows}) == len(rows)  # the others are left alone


async def test_the_preview_shares_repeated_strings_across_its_steps(monkeypatch) -> None:
    monkeypatch.setattr(listing, "STEP_ROWS", 1_000)
    events = [{"event_id": i, "event_title": f"e{i}", "event_tz": "+02:00",
               "event_date_wtz": "2025-03-04T10:00:00",
               "category_name": "Lateral movement", "event_tags": "t1021"} for i in range(1, 6_001)]
    data = msgspec.Raw(json.dumps({"timeline": events}).encode())
    seen: list[Event] = []

    async def preview(first: list, total: int) -> None:
        seen.extend(first)

    rows = await listing.listing_previewed(Event, data, "timeline", preview)
    assert len(rows) == 6_000 and seen
    assert len({id(r.category_name) for r in rows}) == 1
    assert rows[-1].event_tz is seen[0].event_tz  # first step and last step alike
    assert rows[-1].when.utcoffset().total_seconds() == 7200


def test_a_repeated_field_holding_an_object_stays_as_sent() -> None:
    rows = [{"asset_id": i, "asset_name": f"h{i}", "asset_type": {"asset_name": "Windows"}
             if i == 7 else "Linux"} for i in range(1, listing.PREVIEW_FROM + 1)]
    got = listing.listing_from(Asset, msgspec.Raw(json.dumps({"assets": rows}).encode()), "assets")
    assert got[6].asset_type == {"asset_name": "Windows"}
    assert got[0].asset_type is got[-1].asset_type == "Linux"
