"""`iris-tui ds ls|put|get`: the case datastore from a shell, for scripts on a jump host.

The key comes from the same places as the app's (`--profile`, IRIS_TUI_API_KEY*, the profile's
api_key_command, the keyring, the credentials file). Results go to stdout, progress and errors to
stderr, so `id=$(iris-tui ds put 3 dump.raw | cut -f1)` works. Exit codes: 0 ok, 1 failure,
2 usage or configuration, 130 interrupted. Uploads are checked against the sha256 the server
computed, downloads against the stored sha256; a failed or interrupted download leaves no file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from iris_tui import auth_cli
from iris_tui import config as cfg
from iris_tui import credentials as creds
from iris_tui.auth_cli import _parser, _profile_arg, _security_warnings, _verify_arg, explain
from iris_tui.api.errors import (
    IrisConnectionError,
    IrisError,
    IrisNotFoundError,
    IrisPermissionError,
    IrisTimeoutError,
)
from iris_tui.transfers import HashingFile, Rate, file_sha256, human_size

if TYPE_CHECKING:
    from iris_tui.api import IrisClient
    from iris_tui.api.datastore import File, Folder


class Failure(Exception):
    """A command failed; the message is the whole explanation (exit code 1)."""


@dataclass
class Conn:
    """What every command works with; the key is kept only to redact messages."""

    iris: IrisClient
    profile: cfg.Profile
    key: str = field(repr=False)

    def describe(self, exc: BaseException) -> str:
        return describe(exc, self.profile, self.key)


# -- text ------------------------------------------------------------------------------------

def safe(text: object) -> str:
    """Server text made harmless for a terminal: control, bidi and other invisible characters
    are shown escaped instead of being interpreted."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(text))


def _out(text: str) -> None:
    print(text, file=sys.stdout, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- progress --------------------------------------------------------------------------------

class ProgressLine:
    """The API's `progress(done, total)` callback as one status line on stderr: redrawn in place
    on a terminal, a plain line every `every` seconds otherwise (logs, CI), a summary at the end."""

    def __init__(self, label: str, stream: TextIO | None = None, *, every: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = 0.1 if self.tty else every
        self.rate = Rate(clock)
        self._drawn = self.rate.start
        self._width = 0  # length of the line on screen (tty), to blank what is left of it

    @property
    def done(self) -> int:
        return self.rate.done

    def __call__(self, done: int, total: int | None) -> None:
        now = self.rate.update(done, total)
        if now - self._drawn >= self.every:
            self._drawn = now
            self._show("  ".join([self.label, *self.rate.parts()]))

    def speed(self, now: float) -> float:
        return self.rate.speed()

    def _show(self, line: str) -> None:
        if self.tty:
            columns = shutil.get_terminal_size((80, 24)).columns - 1
            line = line[-columns:] if len(line) > columns else line
            self.stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self, note: str = "") -> None:
        """The summary line: size, time, average speed."""
        self._show(f"{self.label}  {self.rate.summary()}" + (f"  {note}" if note else ""))
        self.close()

    def close(self) -> None:
        """End the in-place line, so that whatever follows starts on its own line."""
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0


class _NoProgress:
    def __call__(self, done: int, total: int | None) -> None:
        pass

    def finish(self, note: str = "") -> None:
        pass

    def close(self) -> None:
        pass


def _progress(args: argparse.Namespace, label: str) -> ProgressLine | _NoProgress:
    return _NoProgress() if args.quiet else ProgressLine(label)


# -- folders ---------------------------------------------------------------------------------

def folder_path(folder: Folder) -> str:
    return "/".join(folder.path)


def resolve_folder(root: Folder, spec: str) -> Folder:
    """A folder from its id (`12` or `d-12`) or its path from the root (`Evidences/Mails`,
    matched exactly, else case-insensitively; the root's own name may lead). LookupError says
    what is there instead."""
    text = spec.strip()
    ident = text[2:] if text[:2].lower() == "d-" else text
    if ident.isdigit():
        found = root.find_folder(int(ident))
        if found is not None:
            return found
        if ident != text:
            raise LookupError(f"no folder with id {ident} in this case")
    parts = [p for p in text.split("/") if p.strip()]
    if parts and parts[0] == root.name and not any(c.name == parts[0] for c in root.children):
        parts = parts[1:]
    folder = root
    for part in parts:
        matches = [c for c in folder.children if c.name == part] or [
            c for c in folder.children if c.name.casefold() == part.casefold()]
        if len(matches) > 1:
            ids = ", ".join(str(c.id) for c in matches)
            raise LookupError(f'several folders named "{part}" in "{folder_path(folder)}" '
                              f"(ids {ids}): give the folder id")
        if not matches:
            there = ", ".join(f'"{c.name}"' for c in folder.children) or "no sub-folders"
            raise LookupError(f'no folder "{part}" in "{folder_path(folder)}" (it has {there})')
        folder = matches[0]
    return folder


# -- errors ----------------------------------------------------------------------------------

def describe(exc: BaseException, profile: cfg.Profile, key: str | None) -> str:
    """One line for a failed transfer or listing; never the key, never a traceback."""
    if isinstance(exc, Failure):
        text = str(exc)
    elif isinstance(exc, FileExistsError):
        text = f"{exc.filename} exists: pass --overwrite to replace it"
    elif isinstance(exc, IrisPermissionError):
        text = (f"{profile.url} refused access ({exc.message}): the case does not exist, or "
                "this user may not open or change it")
    elif isinstance(exc, IrisConnectionError) and not isinstance(exc, IrisTimeoutError) \
            and "CERTIFICATE_VERIFY_FAILED" not in exc.message:
        text = f"the connection to {profile.url} failed: {exc.message}"
    elif isinstance(exc, OSError) and not isinstance(exc, IrisError) and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    else:
        text = explain(exc, profile, key)
    return creds.redact(safe(" ".join(text.split())), key)


# -- ls --------------------------------------------------------------------------------------

def _flags(file: File) -> str:
    flags = [name for name, on in (("ioc", file.is_ioc), ("evidence", file.is_evidence),
                                   ("password", file.has_password)) if on]
    return f"  [{','.join(flags)}]" if flags else ""


def tree_lines(folder: Folder, depth: int = 0) -> list[str]:
    """`name/  (folder N)`, then its files (`id  size  sha256  name  [flags]`), then sub-folders."""
    pad = "  " * depth
    lines = [f"{pad}{safe(folder.name)}/  (folder {folder.id})"]
    for file in folder.files:
        sha = (file.file_sha256 or "-").lower()
        lines.append(f"{pad}  {file.file_id:>5}  {human_size(file.file_size):>10}  {sha:<64}  "
                     f"{safe(file.name)}{_flags(file)}")
    for child in folder.children:
        lines.extend(tree_lines(child, depth + 1))
    return lines


async def do_ls(conn: Conn, args: argparse.Namespace) -> int:
    root = await conn.iris.datastore.tree(args.case)
    for line in tree_lines(root):
        _out(line)
    return 0


# -- put -------------------------------------------------------------------------------------

def _local_files(paths: list[str]) -> list[Path]:
    problems = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            problems.append(f"{text} is a folder (upload files, e.g. an archive of it)")
        elif not path.is_file():
            problems.append(f"{text} does not exist" if not path.exists() else f"{text} is not a file")
        elif not os.access(path, os.R_OK):
            problems.append(f"{text} is not readable")
    if problems:
        raise Failure("; ".join(problems) + ". Nothing was uploaded.")
    return [Path(p) for p in paths]


async def _put_one(iris: IrisClient, args: argparse.Namespace, folder: Folder, path: Path) -> File:
    progress = _progress(args, safe(path.name))
    try:
        with path.open("rb") as raw:
            source = HashingFile(raw)
            stored = await iris.datastore.upload(
                args.case, folder, source, name=path.name, description=args.description,
                tags=args.tags, password=args.password, is_ioc=args.ioc,
                is_evidence=args.evidence, progress=progress,
            )
    except BaseException:
        progress.close()
        raise
    local = source.hexdigest()
    if local and stored.file_sha256 and stored.file_sha256.lower() != local:
        progress.close()
        raise Failure(f"the server stored file {stored.file_id} with sha256 "
                      f"{stored.file_sha256.lower()}, but {path} has {local}: upload it again")
    progress.finish("sha256 checked" if local and stored.file_sha256 else "")
    return stored


async def do_put(conn: Conn, args: argparse.Namespace) -> int:
    paths = _local_files(args.local)
    root = await conn.iris.datastore.tree(args.case)
    try:
        folder = resolve_folder(root, args.folder) if args.folder else root
    except LookupError as exc:
        raise Failure(f"case {args.case}: {exc} (see `iris-tui ds ls {args.case}`)") from None
    failed = 0
    for path in paths:
        try:
            stored = await _put_one(conn.iris, args, folder, path)
        except Exception as exc:  # noqa: BLE001 - report it and go on with the next file
            failed += 1
            _err(f"error: upload of {safe(path)} failed: {conn.describe(exc)}")
            continue
        sha = (stored.file_sha256 or "").lower()
        _out(f"{stored.file_id}\t{sha}\t{safe(folder_path(folder))}/{safe(stored.name)}")
    if failed and len(paths) > 1:
        _err(f"error: {failed} of {len(paths)} uploads failed")
    return 1 if failed else 0


# -- get -------------------------------------------------------------------------------------

def _zip_note(info: File) -> str:
    password = ('"infected"' if info.file_password == "infected"
                else "the file's password as set in IRIS")
    return (f"note: IRIS serves IOC and password-protected files as an encrypted ZIP; "
            f"its password is {password}")


async def do_get(conn: Conn, args: argparse.Namespace) -> int:
    iris = conn.iris
    dest = Path(args.dest)
    if not args.overwrite and dest.exists() and not dest.is_dir():
        raise Failure(f"{dest} exists: pass --overwrite to replace it")
    if not dest.is_dir() and not dest.parent.is_dir():
        raise Failure(f"cannot save to {dest}: the folder {dest.parent} does not exist")
    try:
        info = await iris.datastore.info(args.case, args.file_id)
    except IrisNotFoundError:
        raise Failure(f"case {args.case} has no datastore file {args.file_id} "
                      f"(see `iris-tui ds ls {args.case}`)") from None
    progress = _progress(args, safe(info.download_name or f"file {info.file_id}"))
    try:
        final = await iris.datastore.download(
            args.case, info, dest, progress=progress, overwrite=args.overwrite)
    except BaseException as exc:
        progress.close()
        if isinstance(exc, FileExistsError):  # into a folder that has a file of that name
            raise Failure(conn.describe(exc)) from None
        if isinstance(exc, Exception):
            raise Failure(f"download of file {info.file_id} failed: "
                          f"{conn.describe(exc)}. No file was written.") from None
        raise
    zipped = info.download_name != info.name
    note = ""
    if info.file_sha256 and not zipped:
        actual = await asyncio.to_thread(file_sha256, final)
        if actual != info.file_sha256.lower():
            final.unlink(missing_ok=True)
            progress.close()
            raise Failure(f"file {info.file_id} arrived with sha256 {actual} instead of "
                          f"{info.file_sha256.lower()}: removed it, try again")
        note = "sha256 checked"
    progress.finish(note)
    if zipped:
        _err(_zip_note(info))
    _out(safe(final))
    return 0


# -- running a command -----------------------------------------------------------------------

Action = Callable[[Conn, argparse.Namespace], Awaitable[int]]


def _client_options(args: argparse.Namespace, profile: cfg.Profile) -> dict[str, Any]:
    # the client itself waits longer for the answer to a big upload (Transport.upload)
    return {"verify": _verify_arg(profile), "proxy": profile.proxy, "timeout": profile.timeout}


async def run(args: argparse.Namespace) -> int:
    """The whole command in a running loop: profile, key, client, action; the exit code."""
    try:
        profile = cfg.load().profile(_profile_arg(args))
    except cfg.ConfigError as exc:
        _err(f"error: {exc}")
        return 2
    if args.ds_command == "put" and (profile.read_only or getattr(args, "read_only", False)):
        _err(f"error: profile {profile.name!r} is read-only: nothing was uploaded")
        return 1
    found = await creds.lookup_key_async(profile)
    if found.key is None:
        for note in found.notes:
            _err(f"note: {note}")
        _err(f"error: no API key for profile {profile.name!r}: store one with `iris-tui auth "
             f"login --profile {profile.name}`, or set {creds.env_var(profile.name)}")
        return 1
    _security_warnings(profile)
    key = found.key
    try:
        async with auth_cli.make_client(profile.url, key, **_client_options(args, profile)) as iris:
            return await args.ds_action(Conn(iris, profile, key), args)
    except Exception as exc:  # noqa: BLE001 - a CLI answers with a sentence, not a traceback
        _err(f"error: {describe(exc, profile, key)}")
        return 1


def cmd_ds(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        what = {"put": "the upload did not complete", "get": "no partial file was left"}
        _err(f"interrupted: {what.get(args.ds_command, 'stopped')}")
        return 130


# -- the parser ------------------------------------------------------------------------------

def _case_id(text: str) -> int:
    value = text.strip().lstrip("#")
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a case id: {text!r}")
    return int(value)


def _file_id(text: str) -> int:
    value = text.strip()
    value = value[2:] if value[:2].lower() == "f-" else value
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a file id: {text!r} (see `iris-tui ds ls CASE`)")
    return int(value)


def _common(parser: argparse.ArgumentParser, action: Action) -> None:
    parser.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS,
                        help="profile to use (default: the default profile)")
    parser.add_argument("case", type=_case_id, metavar="CASE", help="case id")
    parser.set_defaults(func=cmd_ds, ds_action=action)


def add_subcommands(subparsers: Any) -> None:
    """Register `ds ls|put|get` on an argparse subparsers object (see auth_cli)."""
    ds = _parser(subparsers, "ds", help="list, upload and download case datastore files",
                 description="The case datastore from the command line. Progress and errors "
                             "go to stderr; exit codes: 0 ok, 1 failure, 2 usage, 130 "
                             "interrupted.")
    sub = ds.add_subparsers(dest="ds_command", metavar="COMMAND", required=True)

    ls = _parser(sub, "ls", help="the case's folder tree with file ids, sizes and sha256")
    _common(ls, do_ls)

    put = _parser(sub, "put", help="upload files (prints: id, sha256, path in the datastore)")
    _common(put, do_put)
    put.add_argument("local", nargs="+", metavar="LOCAL", help="file(s) to upload")
    put.add_argument("--folder", metavar="FOLDER",
                     help='folder id or path such as "Evidences/Mails" (default: the root)')
    put.add_argument("--description", default="", metavar="TEXT", help="description of the file(s)")
    put.add_argument("--tags", default="", metavar="A,B", help="comma-separated tags")
    put.add_argument("--password", metavar="P",
                     help="store the file in a password-protected ZIP on the server")
    put.add_argument("--ioc", action="store_true",
                     help='mark as IOC: IRIS adds its sha256 as an IOC and zips it ("infected")')
    put.add_argument("--evidence", action="store_true", help="also register it as an evidence")
    put.add_argument("-q", "--quiet", action="store_true", help="no progress line")

    get = _parser(sub, "get", help="download a file (prints the path written)")
    _common(get, do_get)
    get.add_argument("file_id", type=_file_id, metavar="FILE_ID", help="file id (see ds ls)")
    get.add_argument("dest", nargs="?", default=".", metavar="DEST",
                     help="file path, or a folder to save under the server's file name "
                          "(default: the current folder)")
    get.add_argument("--overwrite", action="store_true", help="replace an existing file")
    get.add_argument("-q", "--quiet", action="store_true", help="no progress line")
