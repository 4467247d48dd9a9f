"""keyring backends that behave like the keyrings of SSH jump hosts: missing, locked, broken,
hanging; plus an in-memory one that works."""

from __future__ import annotations

import threading

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import InitError, KeyringLocked, PasswordDeleteError


class _TestBackend(KeyringBackend):
    """Every KeyringBackend subclass joins keyring's auto-detection; a priority that raises keeps
    these out of it (they are only used when a test sets them)."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend: use keyring.set_keyring()")


class MemoryKeyring(_TestBackend):
    """A working keyring in a dict."""


    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("No such password!")


class LockedKeyring(_TestBackend):
    """What SecretService raises when the collection stays locked (nobody answered the prompt)."""


    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


class InitFailKeyring(_TestBackend):

    def get_password(self, service: str, username: str) -> str | None:
        raise InitError("Failed to create the collection: no such object.")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise InitError("Failed to create the collection: no such object.")

    def delete_password(self, service: str, username: str) -> None:
        raise InitError("Failed to create the collection: no such object.")


class BrokenKeyring(_TestBackend):
    """A backend leaking a non-keyring exception (secretstorage/jeepney errors do)."""


    def get_password(self, service: str, username: str) -> str | None:
        raise ConnectionRefusedError(111, "Connection refused")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    def delete_password(self, service: str, username: str) -> None:
        raise ConnectionRefusedError(111, "Connection refused")


class HangingKeyring(_TestBackend):
    """Blocks until released (a Secret Service waiting for a prompt nobody sees)."""


    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.calls = 0

    def _hang(self) -> None:
        self.calls += 1
        self.release.wait(60)

    def get_password(self, service: str, username: str) -> str | None:
        self._hang()
        return "too-late"

    def set_password(self, service: str, username: str, password: str) -> None:
        self._hang()

    def delete_password(self, service: str, username: str) -> None:
        self._hang()


@pytest.fixture
def use_keyring():
    """`use_keyring(backend)` for the test, previous backend restored afterwards."""
    previous = keyring.get_keyring()
    hanging: list[HangingKeyring] = []

    def use(backend: KeyringBackend) -> KeyringBackend:
        if isinstance(backend, HangingKeyring):
            hanging.append(backend)
        keyring.set_keyring(backend)
        return backend

    yield use
    for backend in hanging:
        backend.release.set()
    keyring.set_keyring(previous)


@pytest.fixture
def iris_env(tmp_path, monkeypatch, use_keyring):
    """Config and data dirs in tmp, no IRIS_TUI_API_KEY* variables, and no keyring at all unless
    the test picks one: never the developer's real keyring or config."""
    import os
    from keyring.backends import fail

    monkeypatch.setenv("IRIS_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("IRIS_TUI_DATA_DIR", str(tmp_path / "data"))
    for name in list(os.environ):
        if name.startswith("IRIS_TUI_API_KEY"):
            monkeypatch.delenv(name)
    use_keyring(fail.Keyring())
    return tmp_path
