"""`iris-tui auth ...` / `profile ...` end to end: against the in-process demo IRIS, a real HTTPS
server with a self-signed certificate, a closed port, and a real Secret Service."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import ipaddress
import json
import socket
import ssl
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from keyring.backends import fail

from iris_tui import auth_cli
from iris_tui import config as cfg
from iris_tui import credentials as creds
from iris_tui.api import IrisClient
from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from support.fake_keyrings import LockedKeyring, MemoryKeyring, iris_env, use_keyring  # noqa: F401
from support.replay import transcript
from support.secret_service import real_keyring, secret_service  # noqa: F401 (fixtures)

URL = "https://iris.example.test"
WRONG_KEY = "wrong-key-1234567890abcdef-not-valid"


@pytest.fixture(autouse=True)
def _isolated(iris_env):
    return iris_env


@pytest.fixture
def demo(monkeypatch):
    """The fake IRIS in-process: every client auth_cli builds talks to it."""
    app = create_app(seed="fresh")
    app.client_options = []

    def client(url, key, **options):
        app.client_options.append(options)
        # a proxy would take the request away from the in-process transport
        kept = {k: v for k, v in options.items() if k not in ("retries", "proxy")}
        return IrisClient(url, key, transport=DemoTransport(app), retries=0, **kept)

    monkeypatch.setattr(auth_cli, "make_client", client)
    return app


@pytest.fixture
def memory_keyring(use_keyring):
    return use_keyring(MemoryKeyring())


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="iris-tui")
    top.add_argument("-p", "--profile")  # like iris_tui.cli: must not be overwritten
    auth_cli.add_subcommands(top.add_subparsers(metavar="COMMAND"))
    return top


def run(*argv: str, stdin: str | None = None, monkeypatch=None) -> int:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    args = parser().parse_args(argv)
    return args.func(args)


def config_text() -> str:
    path = cfg.config_path()
    return path.read_text() if path.exists() else ""


def assert_nothing_stored(kr: MemoryKeyring | None = None) -> None:
    assert not cfg.config_path().exists()
    assert not creds.credentials_path().exists()
    if kr is not None:
        assert kr.entries == {}


# -- auth login --------------------------------------------------------------------------------

def test_login_checks_the_key_then_stores_it_in_the_keyring(demo, memory_keyring, capsys,
                                                            monkeypatch):
    rc = run("auth", "login", "--profile", "prod", "--url", URL, stdin=DEMO_API_KEY + "\n",
             monkeypatch=monkeypatch)
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert [(r.method, r.path) for r in demo.received] == [
        ("GET", "/api/versions"), ("GET", "/user/whoami")]
    assert memory_keyring.entries == {("iris-tui", "prod"): DEMO_API_KEY}
    assert out.splitlines() == [
        f"Logged in to {URL} as administrator (IRIS v2.4.20, API 2.0.5).",
        f"Key for profile 'prod' stored in the OS keyring ({memory_keyring.name}).",
        "'prod' is the default profile.",
    ]
    config = cfg.load()
    assert config.profiles["prod"] == cfg.Profile(name="prod", url=URL)
    assert config.default_profile == "prod"
    # the key is nowhere but in the keyring
    assert DEMO_API_KEY not in config_text() and DEMO_API_KEY not in out + err
    assert not creds.credentials_path().exists()


def test_login_reads_the_key_with_hidden_input_on_a_terminal(demo, memory_keyring, capsys,
                                                             monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return DEMO_API_KEY

    monkeypatch.setattr("sys.stdin", Terminal("must not be read\n"))
    monkeypatch.setattr(auth_cli.getpass, "getpass", fake_getpass)
    assert run("auth", "login", "--url", URL) == 0
    assert prompts == [f"API key for default ({URL}), input hidden: "]
    assert memory_keyring.entries == {("iris-tui", "default"): DEMO_API_KEY}


def test_login_takes_the_first_line_of_piped_pass_output(demo, memory_keyring, monkeypatch):
    piped = f"{DEMO_API_KEY}\nurl: {URL}\nlogin: administrator\n"
    assert run("auth", "login", "--url", URL, stdin=piped, monkeypatch=monkeypatch) == 0
    assert memory_keyring.entries == {("iris-tui", "default"): DEMO_API_KEY}


def test_a_wrong_key_is_refused_and_nothing_is_stored(demo, memory_keyring, capsys, monkeypatch):
    rc = run("auth", "login", "--url", URL, stdin=WRONG_KEY, monkeypatch=monkeypatch)
    out, err = capsys.readouterr()
    assert rc == 1 and out == ""
    assert err == (f"error: {URL} refused this API key (Authentication required); copy it again "
                   "from IRIS › My settings. Nothing was stored.\n")
    assert WRONG_KEY not in err
    assert_nothing_stored(memory_keyring)


@pytest.mark.parametrize("stdin", ["", "\n", "two words\n"])
def test_an_empty_or_malformed_key_is_refused_before_any_request(demo, capsys, monkeypatch, stdin):
    assert run("auth", "login", "--url", URL, stdin=stdin, monkeypatch=monkeypatch) == 1
    assert "error: no usable API key" in capsys.readouterr().err
    assert demo.received == []
    assert_nothing_stored()


def test_without_a_keyring_login_explains_the_options_and_stores_nothing(demo, capsys,
                                                                        monkeypatch):
    rc = run("auth", "login", "--url", URL, stdin=DEMO_API_KEY, monkeypatch=monkeypatch)
    err = capsys.readouterr().err
    assert rc == 1
    assert "could not store the key in the OS keyring: keyring: none usable" in err
    assert "--insecure-storage" in err and DEMO_API_KEY not in err
    assert_nothing_stored()


def test_a_locked_keyring_is_reported_and_nothing_is_stored(demo, use_keyring, capsys,
                                                            monkeypatch):
    use_keyring(LockedKeyring())
    assert run("auth", "login", "--url", URL, stdin=DEMO_API_KEY, monkeypatch=monkeypatch) == 1
    assert "keyring: locked (KeyringLocked)" in capsys.readouterr().err
    assert_nothing_stored()


def test_insecure_storage_writes_a_0600_file_and_the_config_stays_clean(demo, capsys,
                                                                        monkeypatch):
    rc = run("auth", "login", "--url", URL, "--insecure-storage", stdin=DEMO_API_KEY,
             monkeypatch=monkeypatch)
    out = capsys.readouterr().out
    path = creds.credentials_path()
    assert rc == 0
    assert f"Key for profile 'default' stored in plain text: file {path} (mode 0600)." in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert DEMO_API_KEY in path.read_text()
    assert DEMO_API_KEY not in config_text() and DEMO_API_KEY not in out


def test_plain_http_warns_except_on_loopback(demo, memory_keyring, capsys, monkeypatch):
    assert run("auth", "login", "--profile", "a", "--url", "http://iris.example.test",
               stdin=DEMO_API_KEY, monkeypatch=monkeypatch) == 0
    assert ("warning: http://iris.example.test is plain http: the API key travels unencrypted"
            in capsys.readouterr().err)
    assert run("auth", "login", "--profile", "b", "--url", "http://127.0.0.1:8000",
               stdin=DEMO_API_KEY, monkeypatch=monkeypatch) == 0
    assert "warning" not in capsys.readouterr().err


def test_unreachable_url_is_a_clear_message(memory_keyring, capsys, monkeypatch):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    rc = run("auth", "login", "--url", url, stdin=DEMO_API_KEY, monkeypatch=monkeypatch)
    err = capsys.readouterr().err
    assert rc == 1
    assert err.startswith(f"error: cannot reach {url}: connection failed: ")
    assert err.endswith("Nothing was stored.\n") and "Traceback" not in err
    assert_nothing_stored(memory_keyring)


def test_a_server_that_is_not_iris_is_named_as_such(memory_keyring, capsys, monkeypatch):
    def web_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, html="<html><body>Welcome to nginx!</body></html>")

    monkeypatch.setattr(auth_cli, "make_client", lambda url, key, **options: IrisClient(
        url, key, transport=httpx.MockTransport(web_page), retries=0))
    rc = run("auth", "login", "--url", URL, stdin=DEMO_API_KEY, monkeypatch=monkeypatch)
    assert rc == 1
    assert capsys.readouterr().err == (
        f"error: {URL} does not look like an IRIS server: expected JSON, got text/html; "
        "charset=utf-8 [GET /api/versions -> 200]. Nothing was stored.\n")
    assert_nothing_stored(memory_keyring)


def test_a_slow_server_times_out_with_the_profile_timeout(demo, memory_keyring, capsys,
                                                          monkeypatch):
    demo.latency = 2.0
    config = cfg.Config()
    config.set_profile(cfg.Profile(name="slow", url=URL, timeout=0.2))
    config.save()
    assert run("auth", "login", stdin=DEMO_API_KEY, monkeypatch=monkeypatch) == 1
    assert capsys.readouterr().err == (
        f"error: {URL} did not answer within 0.2 s. Nothing was stored.\n")
    assert memory_keyring.entries == {}


def test_an_unreadable_ca_bundle_is_explained(memory_keyring, capsys, monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n")
    rc = run("auth", "login", "--url", URL, "--ca-bundle", str(bundle), stdin=DEMO_API_KEY,
             monkeypatch=monkeypatch)
    err = capsys.readouterr().err
    assert rc == 1 and err.startswith(f"error: cannot use the CA bundle {bundle}: ")
    assert_nothing_stored(memory_keyring)


def test_new_profile_without_url_is_a_usage_error(capsys, monkeypatch):
    assert run("auth", "login", "--profile", "x", stdin="k", monkeypatch=monkeypatch) == 2
    assert "profile 'x' does not exist yet: pass --url URL" in capsys.readouterr().err


def test_logging_in_again_keeps_the_profile_settings(demo, memory_keyring, monkeypatch):
    config = cfg.Config()
    config.set_profile(cfg.Profile(name="prod", url="https://old.example", timeout=5,
                                   read_only=True, proxy="http://proxy:3128"))
    config.save()
    assert run("auth", "login", "--url", URL, stdin=DEMO_API_KEY, monkeypatch=monkeypatch) == 0
    assert demo.client_options == [{"verify": True, "proxy": "http://proxy:3128", "timeout": 5.0}]
    assert cfg.load().profiles["prod"] == cfg.Profile(
        name="prod", url=URL, timeout=5, read_only=True, proxy="http://proxy:3128")


def test_login_notes_a_variable_that_would_shadow_the_stored_key(demo, memory_keyring, capsys,
                                                                 monkeypatch):
    monkeypatch.setenv("IRIS_TUI_API_KEY", "something-else")
    assert run("auth", "login", "--url", URL, stdin=DEMO_API_KEY, monkeypatch=monkeypatch) == 0
    assert ("note: IRIS_TUI_API_KEY is set and takes precedence over the stored key"
            in capsys.readouterr().err)


@pytest.mark.parametrize("argv", [
    ["auth", "login", "--api-key", "k"],
    ["auth", "login", "--key", "k"],
    ["auth", "login", "--token", "k"],
    ["auth", "login", "k"],
    ["profile", "add", "p", "--url", URL, "--api-key", "k"],
])
def test_the_key_is_never_accepted_on_the_command_line(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        parser().parse_args(argv)
    assert exc.value.code == 2


def test_a_top_level_profile_option_is_not_overwritten():
    args = parser().parse_args(["--profile", "prod", "auth", "status"])
    assert args.profile == "prod"
    args = parser().parse_args(["auth", "status", "--profile", "lab"])
    assert args.profile == "lab"


# -- TLS: a real HTTPS server with a self-signed certificate ----------------------------------

def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "iris.test")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class _RecordedIris(BaseHTTPRequestHandler):
    """Answers like the real server did (transcripts 001, 003 and 433)."""

    answers = {"/api/versions": transcript("001"), "/user/whoami": transcript("003")}
    refused = transcript("433")

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        exchange = self.answers.get(self.path.split("?")[0])
        if self.headers.get("Authorization") != f"Bearer {DEMO_API_KEY}" or exchange is None:
            exchange = self.refused
        body = json.dumps(exchange["response"]["body"]).encode()
        self.send_response(exchange["response"]["status"])
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def https_iris(tmp_path) -> Iterator[tuple[str, Path]]:
    cert, key = _self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordedIris)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", cert
    server.shutdown()
    server.server_close()


def test_a_self_signed_certificate_suggests_the_ca_bundle_option(https_iris, memory_keyring,
                                                                  capsys, monkeypatch):
    url, cert = https_iris
    rc = run("auth", "login", "--url", url, stdin=DEMO_API_KEY, monkeypatch=monkeypatch)
    err = capsys.readouterr().err
    assert rc == 1
    assert f"error: the TLS certificate of {url} is not trusted (self-signed certificate)" in err
    assert "pass --ca-bundle PATH" in err and err.endswith("Nothing was stored.\n")
    assert_nothing_stored(memory_keyring)

    rc = run("auth", "login", "--url", url, "--ca-bundle", str(cert), stdin=DEMO_API_KEY,
             monkeypatch=monkeypatch)
    assert rc == 0, capsys.readouterr().err
    assert cfg.load().profiles["default"].verify == str(cert)
    assert memory_keyring.entries == {("iris-tui", "default"): DEMO_API_KEY}


def test_no_verify_works_with_a_warning(https_iris, memory_keyring, capsys, monkeypatch):
    url, _ = https_iris
    rc = run("auth", "login", "--url", url, "--no-verify", stdin=DEMO_API_KEY,
             monkeypatch=monkeypatch)
    assert rc == 0
    assert "warning: TLS certificate checks are off" in capsys.readouterr().err
    assert cfg.load().profiles["default"].verify is False


def test_the_recorded_server_refuses_a_wrong_key_over_tls(https_iris, memory_keyring, capsys,
                                                          monkeypatch):
    url, cert = https_iris
    rc = run("auth", "login", "--url", url, "--ca-bundle", str(cert), stdin=WRONG_KEY,
             monkeypatch=monkeypatch)
    assert rc == 1
    assert "refused this API key (Authentication required)" in capsys.readouterr().err
    assert_nothing_stored(memory_keyring)


def test_a_missing_ca_bundle_is_a_usage_error(capsys, monkeypatch, tmp_path):
    rc = run("auth", "login", "--url", URL, "--ca-bundle", str(tmp_path / "nope.pem"), stdin="k",
             monkeypatch=monkeypatch)
    assert rc == 2
    assert "nope.pem is not a file" in capsys.readouterr().err


# -- auth status / logout ------------------------------------------------------------------------

def _profiles(*names: str) -> None:
    config = cfg.Config()
    for name in names:
        config.set_profile(cfg.Profile(name=name, url=f"https://{name}.example.test"))
    config.save()


def test_status_shows_sources_and_checks_without_ever_printing_a_key(demo, capsys, monkeypatch):
    _profiles("prod", "lab", "old")
    monkeypatch.setenv("IRIS_TUI_API_KEY_PROD", DEMO_API_KEY)
    monkeypatch.setenv("IRIS_TUI_API_KEY_OLD", WRONG_KEY)
    rc = run("auth", "status")
    out = capsys.readouterr().out
    assert rc == 1
    assert out.splitlines() == [
        "prod (default): https://prod.example.test",
        "  key: env (IRIS_TUI_API_KEY_PROD)",
        "  check: ok, administrator on IRIS v2.4.20",
        "lab: https://lab.example.test",
        "  key: no stored key (the app will ask for it)",
        "  note: keyring: none usable, e.g. no Secret Service (NoKeyringError)",
        "old: https://old.example.test",
        "  key: env (IRIS_TUI_API_KEY_OLD)",
        "  check: FAILED: https://old.example.test refused this API key (Authentication "
        "required); copy it again from IRIS › My settings",
    ]
    assert DEMO_API_KEY not in out and WRONG_KEY not in out


def test_status_of_one_working_profile_exits_0_and_flags_plain_text_storage(demo, capsys,
                                                                          monkeypatch):
    _profiles("prod", "lab")
    creds.store_key("lab", DEMO_API_KEY, insecure_storage=True)
    assert run("auth", "status", "--profile", "lab") == 0
    out = capsys.readouterr().out
    assert f"  key: file ({creds.credentials_path()})" in out
    assert "  warning: the key is stored in plain text (--insecure-storage)" in out
    assert "prod" not in out


def test_status_without_profiles(capsys):
    assert run("auth", "status") == 1
    assert "No profiles yet" in capsys.readouterr().out


def test_logout_removes_the_stored_key(memory_keyring, capsys, monkeypatch):
    _profiles("prod")
    creds.store_key("prod", DEMO_API_KEY)
    assert run("auth", "logout") == 0
    assert capsys.readouterr().out == (
        f"Removed the key for 'prod' from: {memory_keyring.name}.\n")
    assert memory_keyring.entries == {}
    monkeypatch.setenv("IRIS_TUI_API_KEY", DEMO_API_KEY)
    assert run("auth", "logout", "--profile", "prod") == 0
    out, err = capsys.readouterr()
    assert out == "No stored key for 'prod'.\n"
    assert "note: IRIS_TUI_API_KEY still provides a key for 'prod'" in err


def test_logout_of_a_removed_profile_still_deletes_its_key(memory_keyring, capsys):
    creds.store_key("gone", DEMO_API_KEY)
    assert run("auth", "logout", "--profile", "gone") == 0
    assert memory_keyring.entries == {}


# -- profile list / add / remove / default ---------------------------------------------------------

def test_profile_commands(memory_keyring, capsys, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    assert run("profile", "list") == 0
    assert "No profiles yet" in capsys.readouterr().out

    assert run("profile", "add", "prod", "--url", "https://iris.example.org", "--ca-bundle",
               str(ca), "--timeout", "10", "--read-only") == 0
    assert capsys.readouterr().out == (
        "Added profile 'prod' (https://iris.example.org).\n"
        "Store its key with `iris-tui auth login --profile prod`.\n")
    assert run("profile", "add", "lab", "--url", "http://10.0.0.5", "--no-verify", "--proxy",
               "http://proxy:3128", "--api-key-command", "pass show iris/lab", "--default") == 0
    err = capsys.readouterr().err
    assert "is plain http" in err and "TLS certificate checks are off" in err

    assert run("profile", "list") == 0
    assert capsys.readouterr().out.splitlines() == [
        f"  prod  https://iris.example.org  (ca-bundle {ca}, read-only)",
        "* lab   http://10.0.0.5  (no-verify, proxy http://proxy:3128, key from "
        "`pass show iris/lab`)",
    ]
    assert cfg.load().profiles["prod"].timeout == 10.0

    assert run("profile", "default", "prod") == 0
    assert cfg.load().default_profile == "prod"

    creds.store_key("prod", DEMO_API_KEY)
    assert run("profile", "remove", "prod") == 0
    assert capsys.readouterr().out == (
        "Default profile: 'prod'.\nRemoved profile 'prod'.\n"
        f"Removed its key from: {memory_keyring.name}.\n")
    assert memory_keyring.entries == {}
    assert list(cfg.load().profiles) == ["lab"] and cfg.load().default_profile == "lab"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["profile", "add", "a", "--url", "https://a.example"], "profile 'a' exists"),
        (["profile", "add", "b c", "--url", "https://a.example"], "invalid profile name"),
        (["profile", "add", "b", "--url", "iris.example"], "invalid URL"),
        (["profile", "remove", "zzz"], "no profile named 'zzz'"),
        (["profile", "default", "zzz"], "no profile named 'zzz'"),
    ],
)
def test_profile_command_errors(capsys, argv, message):
    _profiles("a")
    assert run(*argv) == 2
    assert message in capsys.readouterr().err


def test_a_key_in_the_config_file_stops_every_command_without_echoing_it(capsys):
    cfg.config_path().parent.mkdir(parents=True)
    cfg.config_path().write_text(f'[profiles.p]\nurl = "{URL}"\ntoken = "{DEMO_API_KEY}"\n')
    assert run("profile", "list") == 2
    err = capsys.readouterr().err
    assert "profile 'p' has token: API keys do not belong in the config file" in err
    assert DEMO_API_KEY not in err


# -- with a real Secret Service -----------------------------------------------------------------

@pytest.mark.keyring
def test_login_status_logout_with_a_real_secret_service(demo, real_keyring, capsys, monkeypatch):
    assert run("auth", "login", "--profile", "prod", "--url", URL, stdin=DEMO_API_KEY,
               monkeypatch=monkeypatch) == 0
    assert "stored in the OS keyring (SecretService Keyring)" in capsys.readouterr().out
    seen = real_keyring.secret_tool("lookup", "service", "iris-tui", "username", "prod")
    assert seen.stdout == DEMO_API_KEY
    assert DEMO_API_KEY not in config_text()

    assert run("auth", "status") == 0
    out = capsys.readouterr().out
    assert "  key: keyring (SecretService Keyring)" in out
    assert "  check: ok, administrator on IRIS v2.4.20" in out
    assert DEMO_API_KEY not in out

    assert run("auth", "logout") == 0
    assert capsys.readouterr().out == "Removed the key for 'prod' from: SecretService Keyring.\n"
    gone = real_keyring.secret_tool("lookup", "service", "iris-tui", "username", "prod")
    assert gone.stdout == ""


def test_fail_keyring_is_the_default_in_these_tests():
    """Guard: no test here may reach the developer's real keyring by accident."""
    import keyring

    assert isinstance(keyring.get_keyring(), fail.Keyring)
