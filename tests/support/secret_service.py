"""A real Secret Service for tests: a private D-Bus session bus and an unlocked gnome-keyring.

`.ci/run` installs the Debian packages (APT_LINE). Without them the fixture fails in CI (env
CI=true), so a missing package can never turn these tests into silent skips there, and skips
on a developer's machine.

```python
from support.secret_service import secret_service, real_keyring  # noqa: F401 (fixtures)

@pytest.mark.keyring
def test_x(real_keyring): ...
```
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest

APT_LINE = "apt-get update && apt-get install -y gnome-keyring dbus dbus-x11 libsecret-tools"
SECRETS_NAME = "org.freedesktop.secrets"
PASSWORD = "iris-tui-test-keyring"


@dataclass
class SecretService:
    address: str
    env: dict[str, str]  # for subprocesses such as secret-tool

    def secret_tool(self, *args: str) -> subprocess.CompletedProcess[str]:
        """libsecret's own client: an independent look at what is really stored."""
        return subprocess.run(["secret-tool", *args], env=self.env, capture_output=True,
                              text=True, timeout=20, check=False)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing_programs() -> list[str]:
    return [p for p in ("dbus-daemon", "gnome-keyring-daemon", "secret-tool") if not shutil.which(p)]


def _read_address(proc: subprocess.Popen[bytes], timeout: float) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        raise RuntimeError("dbus-daemon did not print its address")
    line = os.read(proc.stdout.fileno(), 4096).decode().strip().splitlines()
    if not line:
        raise RuntimeError("dbus-daemon exited without an address")
    return line[0]


def _name_has_owner(address: str, name: str) -> bool:
    """Ask the bus without activating anything (activation would start a stray daemon)."""
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus=address) as conn:
        reply = conn.send_and_get_reply(message_bus.NameHasOwner(name), timeout=5)
        return bool(reply.body[0])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextmanager
def running_secret_service(tmp: Path) -> Iterator[SecretService]:
    """Start dbus-daemon and gnome-keyring-daemon (ours only, stopped by pid afterwards)."""
    for sub in ("home", "data", "config", "run"):
        (tmp / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(tmp / "home"), XDG_DATA_HOME=str(tmp / "data"),
               XDG_CONFIG_HOME=str(tmp / "config"), XDG_RUNTIME_DIR=str(tmp / "run"))
    # no display: an unlock prompt must fail here, not pop up on a developer's desktop
    for name in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    started: list[subprocess.Popen[bytes]] = []
    try:
        with open(tmp / "daemons.log", "wb") as log:
            bus = subprocess.Popen(
                ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, stderr=log, env=env,
            )
            started.append(bus)
            env["DBUS_SESSION_BUS_ADDRESS"] = address = _read_address(bus, 10)
            daemon = subprocess.Popen(
                ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE, stdout=log, stderr=log, env=env,
            )
        started.append(daemon)
        assert daemon.stdin is not None
        daemon.stdin.write(PASSWORD.encode())  # --unlock reads the login password from stdin
        daemon.stdin.close()
        deadline = time.monotonic() + 15
        while not _name_has_owner(address, SECRETS_NAME):
            if daemon.poll() is not None or time.monotonic() > deadline:
                log_text = (tmp / "daemons.log").read_text(errors="replace")
                raise RuntimeError(f"gnome-keyring-daemon did not start: {log_text[-500:]}")
            time.sleep(0.05)
        yield SecretService(address=address, env=env)
    finally:
        for proc in reversed(started):
            _stop(proc)


@pytest.fixture(scope="module")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    missing = missing_programs()
    if missing:
        message = (f"a real Secret Service needs {', '.join(missing)}: install with "
                   f"`{APT_LINE}`")
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with running_secret_service(tmp_path_factory.mktemp("secret-service")) as service:
        yield service


@pytest.fixture
def real_keyring(secret_service: SecretService, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    """keyring's own backend detection, pointed at our private bus; restored afterwards."""
    from keyring.backends import SecretService as SecretServiceBackend

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service.address)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", secret_service.env["XDG_CONFIG_HOME"])  # no keyringrc
    previous = keyring.get_keyring()
    _forget_detected_backends()  # detection ran before, without a bus; and it is cached
    keyring.core.init_backend()
    try:
        chosen = keyring.get_keyring()
        assert isinstance(chosen, SecretServiceBackend.Keyring), chosen
        yield secret_service
    finally:
        _forget_detected_backends()  # the bus goes away with the fixture
        keyring.set_keyring(previous)


def _forget_detected_backends() -> None:
    cached = keyring.backend.get_all_keyring
    if hasattr(cached, "saved_result"):
        cached.reset()
