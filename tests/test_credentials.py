"""Where a key comes from: env, command, a REAL Secret Service, the opt-in file; and the fallback
when the keyring is missing, locked, broken or hangs."""

from __future__ import annotations

import asyncio
import shlex
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from keyring.backends import fail, null

from iris_tui import credentials as creds
from iris_tui.config import Profile
from iris_tui.credentials import CredentialError, KeyLookup
from support.fake_keyrings import (  # noqa: F401 (fixtures)
    BrokenKeyring,
    HangingKeyring,
    InitFailKeyring,
    LockedKeyring,
    MemoryKeyring,
    iris_env,
    use_keyring,
)
from support.secret_service import (  # noqa: F401 (fixtures)
    real_keyring,
    running_secret_service,
    secret_service,
)

KEY = "Zx9-real-looking_key.0123456789abcdef"
PY = shlex.quote(sys.executable)
NO_KEYRING = "keyring: none usable, e.g. no Secret Service (NoKeyringError)"


@pytest.fixture(autouse=True)
def _isolated(iris_env):
    return iris_env


def prod(**kw) -> Profile:
    return Profile(name="prod", url="https://iris.example", **kw)


# -- env --------------------------------------------------------------------------------------

def test_env_var_names():
    assert creds.env_var("prod") == "IRIS_TUI_API_KEY_PROD"
    assert creds.env_var("eu-west.2") == "IRIS_TUI_API_KEY_EU_WEST_2"


def test_per_profile_env_beats_the_global_one_which_beats_everything_else(monkeypatch, use_keyring):
    kr = use_keyring(MemoryKeyring())
    kr.set_password("iris-tui", "prod", "from-keyring")
    monkeypatch.setenv("IRIS_TUI_API_KEY", "global-key")
    monkeypatch.setenv("IRIS_TUI_API_KEY_PROD", "prod-key")
    assert creds.lookup_key(prod()) == KeyLookup("prod-key", "env", "IRIS_TUI_API_KEY_PROD")
    monkeypatch.delenv("IRIS_TUI_API_KEY_PROD")
    assert creds.lookup_key(prod(api_key_command=f"{PY} -c 'print(1)'")) == KeyLookup(
        "global-key", "env", "IRIS_TUI_API_KEY")


def test_an_env_value_that_cannot_be_a_header_is_ignored_with_a_note(monkeypatch):
    monkeypatch.setenv("IRIS_TUI_API_KEY", "two words")
    found = creds.lookup_key(prod())
    assert found.key is None
    assert "IRIS_TUI_API_KEY: ignored, it contains spaces, control or non-ASCII characters" in found.notes
    assert not any("two words" in n for n in found.notes)


# -- api_key_command ----------------------------------------------------------------------------

def test_command_output_first_line_stripped_like_pass():
    cmd = f"""{PY} -c 'print("  {KEY}  "); print("url: https://iris.example")'"""
    assert creds.lookup_key(prod(api_key_command=cmd)) == KeyLookup(KEY, "command", cmd)


def test_command_runs_without_a_shell(tmp_path):
    marker = tmp_path / "pwned"
    found = creds.lookup_key(prod(api_key_command=f"echo abc; touch {marker}"))
    assert not marker.exists()  # `;` was an argument to echo, not a shell operator
    assert found.key is None
    assert found.notes == ("api_key_command: its output is not a key: it contains spaces, "
                           "control or non-ASCII characters", NO_KEYRING)


@pytest.mark.parametrize(
    ("cmd", "note"),
    [
        (f"{PY} -c 'import sys; print(\"nope\", file=sys.stderr); sys.exit(3)'",
         "api_key_command: exited with status 3: nope"),
        ("/nonexistent/pass show x", "api_key_command: '/nonexistent/pass' not found"),
        (f"{PY} -c 'pass'", "api_key_command: printed nothing"),
        ("pass show 'unterminated", "api_key_command: cannot parse it (No closing quotation)"),
    ],
)
def test_command_failures_become_one_line_notes(cmd, note):
    found = creds.lookup_key(prod(api_key_command=cmd))
    assert found.key is None and found.source == "none"
    assert found.notes == (note, NO_KEYRING)


def test_command_timeout_kills_it_and_its_children(tmp_path):
    pidfile = tmp_path / "child.pid"
    script = textwrap.dedent(f"""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        open({str(pidfile)!r}, "w").write(str(child.pid))
        time.sleep(60)
    """)
    start = time.monotonic()
    found = creds.lookup_key(prod(api_key_command=f"{PY} -c {shlex.quote(script)}"),
                             command_timeout=1.0)
    assert time.monotonic() - start < 10
    assert found.notes == ("api_key_command: timed out after 1 s", NO_KEYRING)
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie (killed, not yet reaped by whoever adopted it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


# -- no keyring, locked, broken, hanging ----------------------------------------------------------

@pytest.mark.parametrize(
    ("backend", "note"),
    [
        (fail.Keyring(), NO_KEYRING),
        (null.Keyring(), NO_KEYRING),
        (LockedKeyring(), "keyring: locked (KeyringLocked)"),
        (InitFailKeyring(), "keyring: could not open it (InitError: Failed to create the "
                            "collection: no such object.)"),
        (BrokenKeyring(), "keyring: failed (ConnectionRefusedError: [Errno 111] Connection "
                          "refused)"),
    ],
    ids=["fail", "null", "locked", "init-error", "broken"],
)
def test_an_unusable_keyring_leads_to_the_next_source(use_keyring, backend, note):
    use_keyring(backend)
    assert creds.lookup_key(prod()) == KeyLookup(None, "none", "", (note,))
    creds.store_key("prod", KEY, insecure_storage=True)
    found = creds.lookup_key(prod())
    assert (found.key, found.source, found.notes) == (KEY, "file", (note,))


def test_a_hanging_keyring_times_out(use_keyring):
    use_keyring(HangingKeyring())
    creds.store_key("prod", KEY, insecure_storage=True, keyring_timeout=0.2)
    start = time.monotonic()
    found = creds.lookup_key(prod(), keyring_timeout=0.3)
    assert time.monotonic() - start < 2
    assert (found.key, found.source) == (KEY, "file")
    assert found.notes == ("keyring: timed out after 0.3 s (the keyring service did not answer)",)


async def test_async_lookup_keeps_the_event_loop_running_while_the_keyring_hangs(use_keyring):
    use_keyring(HangingKeyring())
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    found = await creds.lookup_key_async(prod(), keyring_timeout=0.5)
    task.cancel()
    assert found.notes == ("keyring: timed out after 0.5 s (the keyring service did not answer)",)
    assert ticks > 10  # the loop ran all along


async def test_async_variants_have_an_overall_bound_too(monkeypatch):
    """Belt and braces beyond the per-step timeouts (a hung home directory, say)."""
    gate = threading.Event()
    monkeypatch.setattr(creds, "_SLACK", 0.2)
    for name in ("lookup_key", "store_key", "delete_key"):
        monkeypatch.setattr(creds, name, lambda *a, **k: gate.wait(30))
    try:
        found = await creds.lookup_key_async(prod(), keyring_timeout=0.1, command_timeout=0.1)
        assert found == KeyLookup(None, "none", "", ("key lookup: timed out after 0.4 s",))
        with pytest.raises(CredentialError, match="storing the key timed out after 0.3 s"):
            await creds.store_key_async("prod", KEY, keyring_timeout=0.1)
        removal = await creds.delete_key_async("prod", keyring_timeout=0.1)
        assert removal == creds.Removal(notes=("removing the key timed out after 0.3 s",))
    finally:
        gate.set()


def test_call_with_timeout_passes_results_and_errors_through():
    assert creds.call_with_timeout(lambda: 42, 5) == 42
    with pytest.raises(ZeroDivisionError):
        creds.call_with_timeout(lambda: 1 / 0, 5)
    gate = threading.Event()
    with pytest.raises(creds.TimedOut):
        creds.call_with_timeout(lambda: gate.wait(30), 0.1)
    gate.set()


def test_a_hung_keyring_does_not_block_the_program_at_exit():
    """asyncio.to_thread would leave the hung call in the default executor, and asyncio.run()
    would wait for it forever on the way out."""
    script = textwrap.dedent("""
        import asyncio, threading, keyring
        from keyring.backend import KeyringBackend
        from iris_tui import credentials
        from iris_tui.config import Profile

        class Hang(KeyringBackend):
            priority = 1
            def get_password(self, s, u): threading.Event().wait(600)
            def set_password(self, s, u, p): threading.Event().wait(600)
            def delete_password(self, s, u): threading.Event().wait(600)

        keyring.set_keyring(Hang())
        found = asyncio.run(credentials.lookup_key_async(
            Profile(name="p", url="https://x.example"), keyring_timeout=0.3))
        print(found.notes[0])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=30, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "keyring: timed out after 0.3 s (the keyring service did not answer)"


# -- store / delete --------------------------------------------------------------------------------

def test_without_keyring_or_opt_in_storing_fails_clearly_and_writes_nothing(iris_env):
    with pytest.raises(CredentialError) as err:
        creds.store_key("prod", KEY)
    text = str(err.value)
    assert "keyring: none usable" in text and "--insecure-storage" in text
    assert "IRIS_TUI_API_KEY_PROD" in text and KEY not in text
    assert not (iris_env / "data").exists()


def test_insecure_storage_is_a_0600_file_in_a_0700_dir(iris_env):
    where = creds.store_key("prod", KEY, insecure_storage=True)
    path = creds.credentials_path()
    assert where == f"file {path}"
    assert path.parent.parent == iris_env / "data"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    creds.store_key("lab", "other-key", insecure_storage=True)
    found = creds.lookup_key(prod())
    assert (found.key, found.source, found.backend, found.insecure) == (KEY, "file", str(path), True)
    assert KEY not in repr(found) and KEY not in found.describe()


def test_a_credentials_file_others_can_read_is_ignored(iris_env):
    creds.store_key("prod", KEY, insecure_storage=True)
    path = creds.credentials_path()
    path.chmod(0o644)
    found = creds.lookup_key(prod())
    assert found.key is None
    assert found.notes[-1] == (f"credentials file: ignored, others can read it (mode 644); "
                               f"run chmod 600 {path}")


def test_storing_in_the_keyring_removes_the_plain_text_copy(use_keyring):
    kr = use_keyring(MemoryKeyring())
    creds.store_key("prod", "old-key", insecure_storage=True)
    assert creds.store_key("prod", KEY) == kr.name
    assert kr.entries == {("iris-tui", "prod"): KEY}
    assert not creds.credentials_path().exists()
    assert creds.lookup_key(prod()) == KeyLookup(KEY, "keyring", kr.name)


def test_storing_in_the_file_removes_the_keyring_entry_that_would_shadow_it(use_keyring):
    kr = use_keyring(MemoryKeyring())
    creds.store_key("prod", "old-key")
    creds.store_key("prod", KEY, insecure_storage=True)
    assert kr.entries == {}
    assert creds.lookup_key(prod()).key == KEY


def test_store_refuses_a_value_that_is_not_a_key():
    with pytest.raises(CredentialError, match="spaces, control"):
        creds.store_key("prod", "abc\ndef", insecure_storage=True)


def test_a_locked_keyring_refuses_to_store_with_the_reason(use_keyring):
    use_keyring(LockedKeyring())
    with pytest.raises(CredentialError, match=r"keyring: locked \(KeyringLocked\)"):
        creds.store_key("prod", KEY)


def test_delete_removes_from_keyring_and_file(use_keyring):
    kr = use_keyring(MemoryKeyring())
    creds.store_key("prod", KEY)
    kr.entries[("iris-tui", "prod-file")] = "x"
    creds.store_key("lab", "lab-key", insecure_storage=True)
    assert creds.delete_key("prod") == creds.Removal((kr.name,))
    assert creds.delete_key("lab") == creds.Removal((f"file {creds.credentials_path()}",))
    assert creds.delete_key("lab") == creds.Removal()
    assert kr.entries == {("iris-tui", "prod-file"): "x"}


def test_delete_without_keyring_still_cleans_the_file_and_says_why():
    creds.store_key("prod", KEY, insecure_storage=True)
    removal = creds.delete_key("prod")
    assert removal.removed == (f"file {creds.credentials_path()}",)
    assert removal.notes == (NO_KEYRING,)


async def test_async_store_and_delete(use_keyring):
    kr = use_keyring(MemoryKeyring())
    assert await creds.store_key_async("prod", KEY) == kr.name
    assert (await creds.delete_key_async("prod")).removed == (kr.name,)
    assert kr.entries == {}


# -- a real Secret Service ------------------------------------------------------------------------

@pytest.mark.keyring
def test_real_secret_service_store_read_delete(real_keyring):
    where = creds.store_key("prod", KEY)
    assert where == "SecretService Keyring"
    # libsecret's own tool sees the entry: it really is in gnome-keyring
    seen = real_keyring.secret_tool("lookup", "service", "iris-tui", "username", "prod")
    assert seen.stdout == KEY
    assert creds.lookup_key(prod()) == KeyLookup(KEY, "keyring", "SecretService Keyring")
    assert creds.delete_key("prod").removed == ("SecretService Keyring",)
    gone = real_keyring.secret_tool("lookup", "service", "iris-tui", "username", "prod")
    assert gone.returncode != 0 and gone.stdout == ""
    assert creds.lookup_key(prod()) == KeyLookup(None, "none")


@pytest.mark.keyring
async def test_real_secret_service_async(real_keyring):
    assert await creds.store_key_async("lab", KEY) == "SecretService Keyring"
    found = await creds.lookup_key_async(Profile(name="lab", url="https://lab.example"))
    assert (found.key, found.source) == (KEY, "keyring")
    await creds.delete_key_async("lab")


@pytest.mark.keyring
def test_real_locked_secret_service_falls_back_with_a_note(secret_service, tmp_path, monkeypatch,
                                                          use_keyring):
    """Its own daemon: once locked, a keyring cannot be unlocked without a prompt."""
    import secretstorage
    from keyring.backends import SecretService as SecretServiceBackend

    with running_secret_service(tmp_path / "locked") as service:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
        use_keyring(SecretServiceBackend.Keyring())
        creds.store_key("prod", KEY)
        creds.store_key("lab", "lab-key", insecure_storage=True)
        connection = secretstorage.dbus_init()
        secretstorage.get_default_collection(connection).lock()
        connection.close()
        found = creds.lookup_key(prod(), keyring_timeout=5)
        assert (found.key, found.source) == (None, "none")
        assert found.notes in (("keyring: locked (KeyringLocked)",),
                               ("keyring: timed out after 5 s (the keyring service did not "
                                "answer)",))
        lab = creds.lookup_key(Profile(name="lab", url="https://lab.example"), keyring_timeout=5)
        assert (lab.key, lab.source, lab.notes) == ("lab-key", "file", found.notes)
