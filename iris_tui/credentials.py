"""Where an API key comes from, and where `auth login` keeps it.

First hit wins:

1. `IRIS_TUI_API_KEY_<PROFILE>` then `IRIS_TUI_API_KEY` (CI, containers, one-off runs);
2. the profile's `api_key_command`, e.g. `pass show iris/prod` (first line of its output);
3. the OS keyring (service `iris-tui`, username = profile name);
4. the credentials file, which exists only if the user chose `--insecure-storage`;
5. nothing: the app asks and keeps the key in memory.

On SSH jump hosts the keyring is often missing, locked, or *hangs* (a Secret Service waiting for a
prompt nobody will see). So every keyring call runs in a daemon thread with a timeout, and every
failure becomes a one-line note and a step to the next source, never a traceback or a frozen
screen. Daemon threads rather than `asyncio.to_thread`: a hung call left in the default executor
would block `asyncio.run()` at exit, forever.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import keyring
import keyring.errors
import platformdirs
import tomli_w

from iris_tui.config import APP_NAME, Profile, write_atomic

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SERVICE = "iris-tui"
ENV_KEY = "IRIS_TUI_API_KEY"
DATA_DIR_ENV = "IRIS_TUI_DATA_DIR"
KEYRING_TIMEOUT = 3.0
COMMAND_TIMEOUT = 15.0
_SLACK = 5.0  # on top of the per-step timeouts, for the file and thread hand-offs

SOURCE_ENV = "env"
SOURCE_COMMAND = "command"
SOURCE_KEYRING = "keyring"
SOURCE_FILE = "file"
SOURCE_NONE = "none"

_NO_KEYRING = ("keyring.backends.fail", "keyring.backends.null")
# an HTTP header value: printable ASCII without spaces (IRIS keys are url-safe tokens)
_KEY_CHARS = re.compile(r"^[\x21-\x7e]+$")

T = TypeVar("T")


class CredentialError(Exception):
    """A key could not be stored or removed; the message says why and what to do instead."""


@dataclass(frozen=True)
class KeyLookup:
    """The key (or None), where it came from and why the earlier sources gave nothing.

    source: env / command / keyring / file / none. backend: the variable name, the command, the
    keyring backend's name or the file path. notes: one line per source that failed.
    """

    key: str | None = field(repr=False)
    source: str
    backend: str = ""
    notes: tuple[str, ...] = ()

    @property
    def insecure(self) -> bool:
        """The key sits in a plain file: the app shows a standing warning."""
        return self.source == SOURCE_FILE

    def describe(self) -> str:
        if self.key is None:
            return "no stored key (the app will ask for it)"
        return f"{self.source} ({self.backend})" if self.backend else self.source


@dataclass(frozen=True)
class Removal:
    """What `delete_key` removed, and the places it could not check."""

    removed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


class TimedOut(Exception):
    """A call run off-thread did not return in time (it is left running in its daemon thread)."""


# -- small helpers ---------------------------------------------------------------------------

def env_var(profile_name: str) -> str:
    """`IRIS_TUI_API_KEY_<PROFILE>`: upper-cased, anything not a letter or digit becomes `_`."""
    return f"{ENV_KEY}_{re.sub(r'[^A-Za-z0-9]', '_', profile_name).upper()}"


def key_problem(key: str) -> str | None:
    """Why this cannot be an API key (never quoting it), or None."""
    if not key:
        return "it is empty"
    if not _KEY_CHARS.match(key):
        return "it contains spaces, control or non-ASCII characters"
    return None


def redact(text: str, key: str | None) -> str:
    """Belt and braces for messages built from third-party exceptions."""
    return text.replace(key, "***") if key else text


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(str(text).split())
    return line[:limit] + ("…" if len(line) > limit else "")


def _error_text(exc: BaseException) -> str:
    detail = _one_line(str(exc))
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override) if override else platformdirs.user_data_path(APP_NAME)


def credentials_path() -> Path:
    """A file in its own 0700 folder, so that the data dir itself can stay world-listable."""
    return data_dir() / "credentials" / "credentials.toml"


# -- running things that may hang ------------------------------------------------------------

def _start(fn: Callable[[], T], done: Callable[[T | None, BaseException | None], None]) -> None:
    def target() -> None:
        try:
            result = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            done(None, exc)
        else:
            done(result, None)

    threading.Thread(target=target, name="iris-tui-keyring", daemon=True).start()


def call_with_timeout(fn: Callable[[], T], timeout: float) -> T:
    """Run `fn` in a daemon thread; raise TimedOut if it has not returned in time."""
    box: list[Any] = []
    finished = threading.Event()

    def done(result: Any, exc: BaseException | None) -> None:
        box.extend((result, exc))
        finished.set()

    _start(fn, done)
    if not finished.wait(timeout):
        raise TimedOut
    result, exc = box
    if exc is not None:
        raise exc
    return result


async def acall_with_timeout(fn: Callable[[], T], timeout: float) -> T:
    """The async twin: the event loop keeps running while `fn` works (or hangs)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: Any, exc: BaseException | None) -> None:
        if future.done():
            return
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)

    def done(result: Any, exc: BaseException | None) -> None:
        try:
            loop.call_soon_threadsafe(settle, result, exc)
        except RuntimeError:  # the loop is gone: nobody is waiting any more
            pass

    _start(fn, done)
    try:
        return await asyncio.wait_for(future, timeout)
    except asyncio.TimeoutError:
        raise TimedOut from None


# -- the keyring -----------------------------------------------------------------------------

def _usable_keyring() -> Any:
    """The configured backend, or None when it is `fail`/`null` (or a chain of nothing)."""
    backend = keyring.get_keyring()
    if type(backend).__module__ in _NO_KEYRING:
        return None
    if hasattr(backend, "backends") and not backend.backends:  # ChainerBackend with no members
        return None
    return backend


def _keyring_note(exc: BaseException, timeout: float, key: str | None = None) -> str:
    """One line for the user: what went wrong with the keyring, without a traceback."""
    if isinstance(exc, TimedOut):
        return f"keyring: timed out after {timeout:g} s (the keyring service did not answer)"
    if isinstance(exc, keyring.errors.NoKeyringError):
        return "keyring: none usable, e.g. no Secret Service (NoKeyringError)"
    if isinstance(exc, keyring.errors.KeyringLocked):
        return "keyring: locked (KeyringLocked)"
    if isinstance(exc, keyring.errors.InitError):
        return redact(f"keyring: could not open it ({_error_text(exc)})", key)
    return redact(f"keyring: failed ({_error_text(exc)})", key)


def _keyring_do(op: Callable[[Any], T]) -> Callable[[], tuple[str, T]]:
    """Wrap one keyring operation: pick the backend (in the worker thread: picking it talks to
    D-Bus too), refuse the no-op backends, return (backend name, result)."""

    def run() -> tuple[str, T]:
        backend = _usable_keyring()
        if backend is None:
            raise keyring.errors.NoKeyringError(type(keyring.get_keyring()).__name__)
        return backend.name, op(backend)

    return run


# -- lookup ----------------------------------------------------------------------------------

def _from_env(profile: Profile, notes: list[str]) -> KeyLookup | None:
    for name in (env_var(profile.name), ENV_KEY):
        value = os.environ.get(name, "").strip()
        if not value:
            continue
        problem = key_problem(value)
        if problem:
            notes.append(f"{name}: ignored, {problem}")
            continue
        return KeyLookup(value, SOURCE_ENV, name, tuple(notes))
    return None


def run_key_command(command: str, timeout: float = COMMAND_TIMEOUT) -> str:
    """Run `api_key_command` without a shell; return the first line of its output.

    The first line only, like `pass` whose later lines hold metadata. The command gets no
    stdin (it must not wait for input) and its own process group, so a timeout kills helpers
    it spawned too. Raises CredentialError with a one-line reason.
    """
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise CredentialError(f"cannot parse it ({exc})") from None
    if not argv:
        raise CredentialError("it is empty")
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise CredentialError(f"{argv[0]!r} not found") from None
    except OSError as exc:
        raise CredentialError(f"cannot run {argv[0]!r} ({exc.strerror or exc})") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise CredentialError(f"timed out after {timeout:g} s") from None
    lines = out.decode("utf-8", "replace").strip().splitlines()
    key = lines[0].strip() if lines else ""
    if proc.returncode != 0:
        reason = err.decode("utf-8", "replace").strip().splitlines()
        detail = f": {_one_line(redact(reason[0], key))}" if reason else ""
        raise CredentialError(f"exited with status {proc.returncode}{detail}")
    if not key:
        raise CredentialError("printed nothing")
    problem = key_problem(key)
    if problem:
        raise CredentialError(f"its output is not a key: {problem}")
    return key


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except ProcessLookupError:
        pass


def _from_command(profile: Profile, notes: list[str], timeout: float) -> KeyLookup | None:
    if not profile.api_key_command:
        return None
    try:
        key = run_key_command(profile.api_key_command, timeout)
    except CredentialError as exc:
        notes.append(f"api_key_command: {exc}")
        return None
    return KeyLookup(key, SOURCE_COMMAND, profile.api_key_command, tuple(notes))


def _from_keyring(profile: Profile, notes: list[str], timeout: float) -> KeyLookup | None:
    try:
        name, key = call_with_timeout(
            _keyring_do(lambda kr: kr.get_password(SERVICE, profile.name)), timeout
        )
    except Exception as exc:  # noqa: BLE001 - any backend failure means "next source"
        notes.append(_keyring_note(exc, timeout))
        return None
    if key is None:
        return None
    problem = key_problem(key)
    if problem:
        notes.append(f"keyring: ignored the entry for {profile.name!r}, {problem}")
        return None
    return KeyLookup(key, SOURCE_KEYRING, name, tuple(notes))


def _read_file(path: Path) -> dict[str, str]:
    data = tomllib.loads(path.read_text("utf-8"))
    keys = data.get("api_keys", {})
    return {k: v for k, v in keys.items() if isinstance(v, str)} if isinstance(keys, dict) else {}


def _from_file(profile: Profile, notes: list[str]) -> KeyLookup | None:
    path = credentials_path()
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        return None
    except OSError as exc:
        notes.append(f"credentials file: cannot read {path} ({exc.strerror or exc})")
        return None
    if os.name == "posix" and mode & 0o077:
        notes.append(f"credentials file: ignored, others can read it (mode {mode:o}); "
                     f"run chmod 600 {path}")
        return None
    try:
        key = _read_file(path).get(profile.name)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        notes.append(f"credentials file: cannot read {path} ({type(exc).__name__})")
        return None
    if key is None:
        return None
    problem = key_problem(key)
    if problem:
        notes.append(f"credentials file: ignored the entry for {profile.name!r}, {problem}")
        return None
    return KeyLookup(key, SOURCE_FILE, str(path), tuple(notes))


def lookup_key(
    profile: Profile,
    *,
    keyring_timeout: float = KEYRING_TIMEOUT,
    command_timeout: float = COMMAND_TIMEOUT,
) -> KeyLookup:
    """Find the key for `profile` (blocking, bounded by the timeouts). See the module doc."""
    notes: list[str] = []
    found = (
        _from_env(profile, notes)
        or _from_command(profile, notes, command_timeout)
        or _from_keyring(profile, notes, keyring_timeout)
        or _from_file(profile, notes)
    )
    return found or KeyLookup(None, SOURCE_NONE, "", tuple(notes))


async def lookup_key_async(
    profile: Profile,
    *,
    keyring_timeout: float = KEYRING_TIMEOUT,
    command_timeout: float = COMMAND_TIMEOUT,
) -> KeyLookup:
    """`lookup_key` off the event loop; each slow step has its own timeout, the total a bound."""
    limit = keyring_timeout + command_timeout + _SLACK
    try:
        return await acall_with_timeout(
            lambda: lookup_key(profile, keyring_timeout=keyring_timeout,
                               command_timeout=command_timeout),
            limit,
        )
    except TimedOut:
        return KeyLookup(None, SOURCE_NONE, "", (f"key lookup: timed out after {limit:g} s",))


# -- store / delete --------------------------------------------------------------------------

def _write_file(keys: dict[str, str]) -> Path:
    path = credentials_path()
    content = (
        "# API keys stored by `iris-tui auth login --insecure-storage`: plain text, keep it 0600.\n"
        + tomli_w.dumps({"api_keys": keys})
    )
    write_atomic(path, content.encode("utf-8"), mode=0o600, dir_mode=0o700)
    os.chmod(path.parent, 0o700)  # mkdir's mode does not apply to a folder that already existed
    return path


def _file_keys() -> dict[str, str]:
    path = credentials_path()
    try:
        return _read_file(path)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CredentialError(f"cannot read {path} ({type(exc).__name__}); fix or delete it") from None


def _remove_from_file(profile_name: str) -> bool:
    keys = _file_keys()
    if profile_name not in keys:
        return False
    del keys[profile_name]
    if keys:
        _write_file(keys)
    else:
        credentials_path().unlink()
    return True


def _keyring_delete(profile_name: str, timeout: float) -> tuple[str | None, str | None]:
    """(backend name if an entry was deleted, note if the keyring could not be asked)."""

    def delete(kr: Any) -> bool:
        try:
            kr.delete_password(SERVICE, profile_name)
        except keyring.errors.PasswordDeleteError:
            return False
        return True

    try:
        name, deleted = call_with_timeout(_keyring_do(delete), timeout)
    except Exception as exc:  # noqa: BLE001
        return None, _keyring_note(exc, timeout)
    return (name if deleted else None), None


def store_key(
    profile_name: str,
    key: str,
    *,
    insecure_storage: bool = False,
    keyring_timeout: float = KEYRING_TIMEOUT,
) -> str:
    """Keep `key` for `profile_name`; return where it went ("<backend name>" or "file <path>").

    Without `insecure_storage` only the OS keyring will do; if there is none, raise
    CredentialError saying what the alternatives are. With it, the key goes to the 0600 file
    (and any older keyring entry goes away, since the keyring would shadow the file). Storing
    in the keyring removes a plain-text copy from the file.
    """
    problem = key_problem(key)
    if problem:
        raise CredentialError(f"this is not an API key: {problem}")
    if insecure_storage:
        keys = _file_keys()
        keys[profile_name] = key
        path = _write_file(keys)
        _keyring_delete(profile_name, keyring_timeout)
        return f"file {path}"
    try:
        name, _ = call_with_timeout(
            _keyring_do(lambda kr: kr.set_password(SERVICE, profile_name, key)), keyring_timeout
        )
    except Exception as exc:  # noqa: BLE001
        note = _keyring_note(exc, keyring_timeout, key)
        raise CredentialError(
            f"could not store the key in the OS keyring: {note}. Use --insecure-storage to keep "
            f"it in a mode-0600 file, or set api_key_command or {env_var(profile_name)} instead"
        ) from None
    _remove_from_file(profile_name)
    return name


def delete_key(profile_name: str, *, keyring_timeout: float = KEYRING_TIMEOUT) -> Removal:
    """Remove the stored key from the keyring and the credentials file (env and commands are the
    user's own business)."""
    removed: list[str] = []
    name, note = _keyring_delete(profile_name, keyring_timeout)
    if name:
        removed.append(name)
    if _remove_from_file(profile_name):
        removed.append(f"file {credentials_path()}")
    return Removal(tuple(removed), (note,) if note else ())


async def store_key_async(profile_name: str, key: str, *, insecure_storage: bool = False,
                          keyring_timeout: float = KEYRING_TIMEOUT) -> str:
    limit = keyring_timeout + _SLACK
    try:
        return await acall_with_timeout(
            lambda: store_key(profile_name, key, insecure_storage=insecure_storage,
                              keyring_timeout=keyring_timeout),
            limit,
        )
    except TimedOut:
        raise CredentialError(f"storing the key timed out after {limit:g} s") from None


async def delete_key_async(profile_name: str, *,
                           keyring_timeout: float = KEYRING_TIMEOUT) -> Removal:
    limit = keyring_timeout + _SLACK
    try:
        return await acall_with_timeout(
            lambda: delete_key(profile_name, keyring_timeout=keyring_timeout), limit
        )
    except TimedOut:
        return Removal(notes=(f"removing the key timed out after {limit:g} s",))
