"""Streaming a server file to disk without ever leaving a partial file behind.

Bytes go to a temporary file next to the destination, which is put in place only once complete;
any failure or cancellation removes it. An existing file is never replaced unless asked.
"""

from __future__ import annotations

import contextlib
import email.message
import errno
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Union

from iris_tui.api.transport import Transport

Progress = Callable[[int, Union[int, None]], None]
"""`progress(done_bytes, total_bytes_or_None)`, called after every chunk."""


def disposition_filename(header: str | None) -> str:
    """The file name of a Content-Disposition header, made safe to create in a folder."""
    if not header:
        return ""
    msg = email.message.Message()
    msg["content-disposition"] = header
    return safe_filename(msg.get_filename() or "")


def safe_filename(name: str) -> str:
    """A server-given file name made safe to create in a folder: no directories, no control or
    bidi characters, no leading dots. "" if nothing usable."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".").strip()
    return name[:200]


def _refuse(path: Path) -> FileExistsError:
    return FileExistsError(errno.EEXIST, "refusing to overwrite", str(path))


def _commit(tmp: str, final: Path, overwrite: bool) -> None:
    """Put the finished temp file in place; without `overwrite` never replace an existing file."""
    if overwrite:
        os.replace(tmp, final)
        return
    try:
        os.link(tmp, final)  # atomic: fails if `final` appeared meanwhile
    except FileExistsError:
        raise _refuse(final) from None
    except OSError:  # a filesystem without hard links
        if final.exists():
            raise _refuse(final) from None
        os.replace(tmp, final)
        return
    os.unlink(tmp)


async def stream_to_file(
    http: Transport,
    path: str,
    dest: str | os.PathLike[str],
    *,
    cid: int | None,
    params: Mapping[str, Any] | None = None,
    fallback_name: str,
    progress: Progress | None = None,
    overwrite: bool = False,
) -> Path:
    """GET `path` into `dest` (a file, or a folder: then the server's file name is used)."""
    dest = Path(dest)
    into_folder = dest.is_dir()
    if not into_folder and not overwrite and dest.exists():
        raise _refuse(dest)
    async with http.stream("GET", path, cid=cid, params=params) as response:
        final = dest
        if into_folder:
            name = disposition_filename(response.headers.get("content-disposition"))
            final = dest / (name or fallback_name)
            if not overwrite and final.exists():
                raise _refuse(final)
        total = None
        if "content-encoding" not in response.headers:  # httpx hands out decoded bytes
            with contextlib.suppress(TypeError, ValueError):
                total = int(response.headers.get("content-length"))
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name[:100]}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                done = 0
                async for chunk in response.aiter_bytes():
                    out.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
            _commit(tmp, final, overwrite)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return final
