"""Datastore transfer benchmark (issue 8). Prints figures; asserts nothing.

Uploads then downloads a 1 GiB pseudo-random file through the demo server over loopback HTTP with
`iris-tui ds put` / `ds get` (sha256 checks included), or with the bare API client (`--api`),
and prints the throughput each way and the PEAK RSS of this process, the client. The server runs
in its own process (`iris-tui demo-server`), so the figures are the client's alone; its own peak
is printed too. Target: client memory flat, under 100 MB.

Run: python tests/perf/bench_datastore.py [--size-mb 1024] [--api]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNK = 4 << 20
CASE = 1


def status(pid: str = "self") -> dict[str, int]:
    """VmRSS / VmHWM of a process in kB, from /proc (no psutil)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def reset_peak() -> bool:
    """Start a new VmHWM measurement (Linux >= 4.0); False if not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def mb(kb: int) -> str:
    return f"{kb / 1024:6.1f} MiB"


def make_file(path: Path, size: int) -> None:
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(CHUNK, left))
            out.write(block)
            left -= len(block)


@contextlib.contextmanager
def demo_server():
    """`iris-tui demo-server` in a subprocess on a free loopback port; yields (url, key, pid)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "iris_tui.cli", "demo-server", "--port", "0", "--seed", "fresh"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        url = key = ""
        assert proc.stdout is not None
        while not (url and key):
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("the demo server did not start")
            if "listening on" in line:
                url = line.split("listening on", 1)[1].strip()
            elif line.startswith("API key:"):
                key = line.split(":", 1)[1].strip()
        yield url, key, proc.pid
    finally:
        proc.terminate()
        proc.wait(10)


def cli_put(local: Path) -> int:
    from iris_tui import cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["ds", "put", str(CASE), str(local), "--folder", "Evidences"])
    if code:
        raise SystemExit(f"ds put failed ({code})")
    return int(out.getvalue().split("\t")[0])


def cli_get(file_id: int, dest: Path) -> None:
    from iris_tui import cli

    with contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["ds", "get", str(CASE), str(file_id), str(dest)])
    if code:
        raise SystemExit(f"ds get failed ({code})")


async def api_put(url: str, key: str, local: Path) -> int:
    from iris_tui.api import IrisClient

    async with IrisClient(url, key, timeout=300) as iris:
        root = await iris.datastore.tree(CASE)
        return (await iris.datastore.upload(CASE, root, local)).file_id


async def api_get(url: str, key: str, file_id: int, dest: Path) -> None:
    from iris_tui.api import IrisClient

    async with IrisClient(url, key, timeout=300) as iris:
        await iris.datastore.download(CASE, file_id, dest)


def timed(label: str, size: int, fn) -> object:
    peak_reset = reset_peak()
    before = status()
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    after = status()
    peak = after["VmHWM"] if peak_reset else max(after["VmHWM"], before["VmHWM"])
    print(f"{label:9} {size / 1e6 / elapsed:8.1f} MB/s  ({elapsed:5.1f} s)   client RSS before "
          f"{mb(before['VmRSS'])}, peak {mb(peak)}{'' if peak_reset else ' (since start)'}",
          flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="file size in MiB (default 1024)")
    parser.add_argument("--api", action="store_true", help="bare API calls instead of `ds put/get`")
    opts = parser.parse_args()
    size = opts.size_mb << 20

    with tempfile.TemporaryDirectory(prefix="iris-bench-ds-") as tmp, demo_server() as (url, key, pid):
        work = Path(tmp)
        os.environ.update({"IRIS_TUI_CONFIG_DIR": str(work / "config"),
                           "IRIS_TUI_DATA_DIR": str(work / "data"), "IRIS_TUI_API_KEY_BENCH": key})
        from iris_tui import config as cfg

        config = cfg.Config()
        config.set_profile(cfg.Profile(name="bench", url=url, timeout=300))
        config.save()
        import iris_tui.api  # noqa: F401 - imports count in the baseline, not in the transfer

        local, dest = work / "upload.bin", work / "download.bin"
        start = time.perf_counter()
        make_file(local, size)
        print(f"{size >> 20} MiB pseudo-random file written in {time.perf_counter() - start:.1f} s; "
              f"{'bare API' if opts.api else 'iris-tui ds put/get (with sha256 checks)'} against "
              f"{url} (server pid {pid})", flush=True)
        if opts.api:
            file_id = timed("upload", size, lambda: asyncio.run(api_put(url, key, local)))
            timed("download", size, lambda: asyncio.run(api_get(url, key, file_id, dest)))
        else:
            file_id = timed("upload", size, lambda: cli_put(local))
            timed("download", size, lambda: cli_get(file_id, dest))
        same = dest.stat().st_size == size
        server = status(str(pid))
        print(f"downloaded size matches: {same}; server RSS {mb(server['VmRSS'])}, "
              f"peak {mb(server['VmHWM'])}")
        print(f"client ru_maxrss over the whole run: "
              f"{mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)}")


if __name__ == "__main__":
    main()
