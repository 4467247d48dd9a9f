"""Client benchmarks (issue 2). Prints figures; asserts nothing.

1. Fetch a whole case (summary, assets, IOCs, tasks, timeline, notes, datastore, evidences) from
   the demo server with 50 ms of latency per request: concurrently, then one request after another.
   Target: concurrent within 3 x one request's latency.
2. Decode a 100,000-IOC list answer (the real server's row shape) into models. Target: < 1 s.

Run: python tests/perf/bench_api.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import httpx

from iris_tui.api import IrisClient
from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app

LATENCY = 0.05


def case_calls(iris: IrisClient, cid: int):
    return [
        lambda: iris.cases.meta(cid),
        lambda: iris.assets.list(cid),
        lambda: iris.iocs.list(cid),
        lambda: iris.tasks.list(cid),
        lambda: iris.events.list(cid),
        lambda: iris.notes.directories(cid),
        lambda: iris.datastore.tree(cid),
        lambda: iris.evidences.list(cid),
    ]


async def bench_case_fetch(rounds: int = 5) -> None:
    app = create_app(latency=LATENCY)
    async with IrisClient("http://demo.iris", DEMO_API_KEY, transport=DemoTransport(app)) as iris:
        await iris.lookups.list("tlp")  # warm-up
        cid = next(c["case_id"] for c in app.store.cases.values() if c["soc_id"] == "INC-2025-0142")
        concurrent, sequential = [], []
        for _ in range(rounds):
            start = time.perf_counter()
            await asyncio.gather(*(call() for call in case_calls(iris, cid)))
            concurrent.append(time.perf_counter() - start)
            start = time.perf_counter()
            for call in case_calls(iris, cid):
                await call()
            sequential.append(time.perf_counter() - start)
    c, s = statistics.median(concurrent), statistics.median(sequential)
    print(f"whole case, 8 calls, {LATENCY * 1000:.0f} ms latency per request (median of {rounds}):")
    print(f"  concurrent   {c * 1000:7.1f} ms  ({c / LATENCY:.2f} x one request's latency; target <= 3)")
    print(f"  one by one   {s * 1000:7.1f} ms  ({s / LATENCY:.2f} x)")


def ioc_rows(n: int) -> bytes:
    rows = [
        {"ioc_id": i, "ioc_uuid": f"00000000-0000-4000-8000-{i:012d}", "ioc_value": f"host{i}.evil.example",
         "ioc_type_id": 20, "ioc_type": "domain", "ioc_description": "C2 domain seen in proxy logs",
         "ioc_tags": "c2,lockbit", "ioc_misp": None, "ioc_tlp_id": 2, "tlp_name": "amber",
         "tlp_bscolor": "warning", "link": [], "misp_link": None}
        for i in range(1, n + 1)
    ]
    body = {"status": "success", "message": "",
            "data": {"ioc": rows, "state": {"object_state": 7, "object_last_update": "2025-03-04T10:00:00.1"}}}
    return json.dumps(body).encode()


async def bench_decode(n: int = 100_000, rounds: int = 5) -> None:
    content = ioc_rows(n)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "application/json"}, content=content)

    timings = []
    async with IrisClient("http://iris.test", "k", transport=httpx.MockTransport(answer)) as iris:
        for _ in range(rounds):
            start = time.perf_counter()
            iocs = await iris.iocs.list(3)
            timings.append(time.perf_counter() - start)
            assert len(iocs) == n
    print(f"decode {n:,} IOCs ({len(content) / 1e6:.1f} MB): median {statistics.median(timings):.3f} s, "
          f"best {min(timings):.3f} s (target < 1 s)")


async def main() -> None:
    await bench_case_fetch()
    await bench_decode()


if __name__ == "__main__":
    asyncio.run(main())
