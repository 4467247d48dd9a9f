"""TLS against the demo server over real loopback HTTPS, with a private CA made in the test
(trustme): verification is on by default and refuses the server with a message that names the
certificate and the fix, before the API key is ever sent; a CA bundle (`verify="ca.pem"`, a
profile's `verify`) makes it work; plain http to anything but loopback gets a warning."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from iris_tui.api import IrisClient, IrisConnectionError
from iris_tui.config import ConfigError, Profile
from iris_tui.demo import DEMO_API_KEY
from iris_tui.demo.serve import running_server
from iris_tui.ui.connect import failure, make_session, plain_http_warning


class Server:
    def __init__(self, url: str, app, ca: Path) -> None:
        self.url, self.app, self.ca = url, app, ca


def _serve(tmp: Path, *names: str) -> Iterator[Server]:
    ca = trustme.CA()
    (tmp / "server.pem").write_bytes(ca.issue_cert(*names).private_key_and_cert_chain_pem.bytes())
    (tmp / "ca.pem").write_bytes(ca.cert_pem.bytes())
    with running_server(seed="fresh", ssl_certfile=str(tmp / "server.pem")) as (url, app):
        yield Server(url, app, tmp / "ca.pem")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    yield from _serve(tmp_path_factory.mktemp("tls"), "127.0.0.1", "localhost")


async def _refused(url: str, **options) -> IrisConnectionError:
    async with IrisClient(url, DEMO_API_KEY, retries=0, **options) as iris:
        with pytest.raises(IrisConnectionError) as caught:
            await iris.versions()
    return caught.value


async def test_a_self_signed_server_is_refused_by_default(server) -> None:
    assert server.url.startswith("https://127.0.0.1:")
    error = await _refused(server.url)
    assert "TLS certificate was not accepted" in error.message
    assert "self-signed certificate" in error.message or "unable to get local issuer" in error.message
    assert "CA certificate file" in error.message
    assert DEMO_API_KEY not in str(error) and DEMO_API_KEY not in repr(error)
    assert server.app.received == []  # no request (so no key) went over the refused connection


async def test_the_ca_bundle_makes_it_trusted(server) -> None:
    async with IrisClient(server.url, DEMO_API_KEY, verify=str(server.ca)) as iris:
        assert (await iris.versions()).iris_current == "v2.4.20"
        assert (await iris.whoami()).user_login == "administrator"


async def test_another_ca_bundle_is_refused(server, tmp_path) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(trustme.CA().cert_pem.bytes())
    error = await _refused(server.url, verify=str(other))
    assert "TLS certificate was not accepted" in error.message


async def test_a_certificate_for_another_name_is_refused(tmp_path) -> None:
    for served in _serve(tmp_path, "iris.example.org"):
        error = await _refused(served.url, verify=str(served.ca))
        assert "TLS certificate was not accepted" in error.message
        assert "127.0.0.1" in error.message  # the name it was not valid for


async def test_a_profile_with_the_ca_bundle_connects_and_a_bad_bundle_is_a_config_error(
        server, tmp_path) -> None:
    session = make_session(Profile("lab", server.url, verify=str(server.ca)), DEMO_API_KEY)
    async with session.client as iris:
        assert (await iris.versions()).iris_current == "v2.4.20"
    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(ConfigError, match="CA bundle"):
        make_session(Profile("lab", server.url, verify=str(tmp_path / "junk.pem")), DEMO_API_KEY)


async def test_the_connect_screen_explains_the_refusal(server) -> None:
    error = await _refused(server.url)
    field, text = failure(error, Profile("lab", server.url), DEMO_API_KEY)
    assert "not trusted" in text and "CA bundle" in text
    assert "(_ssl" not in text


def test_plain_http_is_warned_about_except_on_loopback() -> None:
    assert "unencrypted" in plain_http_warning("http://iris.example.org")
    assert "unencrypted" in plain_http_warning("HTTP://10.0.0.5:8080/")
    for url in ("https://iris.example.org", "http://127.0.0.1:8000", "http://localhost:8000",
                "http://[::1]:8000"):
        assert plain_http_warning(url) is None, url
