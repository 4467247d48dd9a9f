"""`--debug FILE` logs what the client did and never the API key (issue 4, issue 10)."""

from __future__ import annotations

import logging

import pytest
from support.fake_keyrings import iris_env, use_keyring  # noqa: F401 (fixtures)

from iris_tui import logs
from iris_tui.api import IrisAuthError, IrisClient, IrisPermissionError
from iris_tui.cli import main
from iris_tui.config import Profile, load, save
from iris_tui.demo import DemoTransport, create_app
from iris_tui.demo.serve import running_server

SECRET = "s3cret-api-key-0123456789abcdef0123456789"


@pytest.fixture
def debug_log(tmp_path):
    path = tmp_path / "debug.log"
    handler = logs.setup(path)
    yield path
    for name in logs.LOGGERS:
        logging.getLogger(name).removeHandler(handler)
    handler.close()


async def test_requests_are_logged_without_the_key(debug_log):
    app = create_app(seed="fresh", api_key=SECRET)
    async with IrisClient("http://iris.demo", SECRET, transport=DemoTransport(app)) as iris:
        await iris.versions()
        with pytest.raises(IrisPermissionError):
            await iris.assets.list(424242)
        logging.getLogger("iris_tui").debug("whatever logs it, the key %s stays out", SECRET)
    async with IrisClient("http://iris.demo", SECRET + "-wrong", transport=DemoTransport(app)) as bad:
        with pytest.raises(IrisAuthError) as refused:
            await bad.versions()
    assert SECRET not in str(refused.value)
    text = debug_log.read_text()
    assert "GET /api/versions" in text and "-> 200" in text and "-> 403" in text
    assert logs.REDACTED in text
    assert SECRET not in text
    assert (debug_log.stat().st_mode & 0o777) == 0o600


def test_the_cli_debug_log_of_a_real_session_holds_no_key(iris_env, tmp_path, monkeypatch, capsys):
    app = create_app(seed="fresh", api_key=SECRET)
    with running_server(app) as (url, _):
        config = load()
        config.profiles["lab"] = Profile(name="lab", url=url)
        save(config)
        monkeypatch.setenv("IRIS_TUI_API_KEY", SECRET)
        log = tmp_path / "cli-debug.log"
        assert main(["--debug", str(log), "auth", "status"]) == 0
    out = capsys.readouterr()
    assert "lab" in out.out
    for text in (log.read_text(), out.out, out.err, (tmp_path / "config").joinpath("config.toml").read_text()):
        assert SECRET not in text
    assert "/user/whoami" in log.read_text()


def test_no_option_takes_a_key():
    """A key on the command line would land in argv and shell history."""
    from iris_tui.cli import build_parser

    parser = build_parser()
    options = {o for action in parser._actions for o in action.option_strings}
    for sub in parser._subparsers._group_actions[0].choices.values():
        options |= {o for action in sub._actions for o in action.option_strings}
    assert not [o for o in options if "key" in o and "command" not in o]
