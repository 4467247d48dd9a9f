"""What the command line (`iris-tui ds`) and the app's datastore screens share about file
transfers: sizes and durations as people read them, speed over a short window (so a stall shows
at once), hashing what is read while it is uploaded, and hashing a finished download."""

from __future__ import annotations

import hashlib
import os
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO


def human_size(size: float | None) -> str:
    """1536 -> "1.5 KiB"; bytes below 1 KiB stay exact; None -> "?"."""
    if size is None:
        return "?"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(size) < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def duration(seconds: float) -> str:
    """65 -> "1:05", 3725 -> "1:02:05"."""
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Rate:
    """Progress of one transfer: bytes done of a total (None when unknown), the speed over the
    last `WINDOW` seconds and the time left at that speed."""

    WINDOW = 3.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.start = clock()
        self.done = 0
        self.total: int | None = None
        self._samples: deque[tuple[float, int]] = deque([(self.start, 0)])

    def update(self, done: int, total: int | None) -> float:
        """Record a progress report; returns the time it was taken at."""
        now = self.clock()
        self.done, self.total = done, total
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.WINDOW:
            self._samples.popleft()
        return now

    def speed(self) -> float:
        """Bytes per second over the window (0 when nothing moved in it)."""
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0

    def eta(self) -> float | None:
        """Seconds left at the current speed; None without a total or a speed."""
        rate = self.speed()
        if not self.total or rate <= 0 or self.done >= self.total:
            return None
        return (self.total - self.done) / rate

    def fraction(self) -> float | None:
        return min(self.done / self.total, 1.0) if self.total else None

    def parts(self) -> list[str]:
        """`["50.0 MiB / 100.0 MiB", " 50%", "10.0 MiB/s", "ETA 0:05"]` (no total: no % nor ETA)."""
        parts = [human_size(self.done)]
        if self.total:
            parts[-1] += f" / {human_size(self.total)}"
            parts.append(f"{100 * self.done // self.total:3d}%")
        parts.append(f"{human_size(self.speed())}/s")
        eta = self.eta()
        if eta is not None:
            parts.append(f"ETA {duration(eta)}")
        return parts

    def summary(self) -> str:
        """`100.0 MiB in 10.0 s (10.0 MiB/s)`: what was moved, how long it took, average speed."""
        elapsed = max(self.clock() - self.start, 1e-9)
        return f"{human_size(self.done)} in {elapsed:.1f} s ({human_size(self.done / elapsed)}/s)"


class HashingFile:
    """A binary file that hashes the bytes read from it, for checking the server's sha256 without
    a second pass. httpx measures the file (seek to the end and back) and rewinds before sending:
    a rewind to 0 restarts the hash, any other jump makes it unusable (`hexdigest()` -> None)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.name = getattr(raw, "name", "")
        self._digest = hashlib.sha256()
        self._pos = 0
        self._valid = True

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        if self._valid:
            self._digest.update(chunk)
        self._pos += len(chunk)
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        pos = self._raw.seek(offset, whence)
        if pos == 0:
            self._digest, self._valid = hashlib.sha256(), True
        elif pos != self._pos:
            self._valid = False
        self._pos = pos
        return pos

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return True

    def hexdigest(self) -> str | None:
        return self._digest.hexdigest() if self._valid else None


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """Lower-case hex sha256 of a file, read in chunks (memory stays flat for big files)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
