"""Profiles in TOML: round trip, validation, atomic writes, and never an API key in the file."""

from __future__ import annotations

import os
import stat
import sys

import platformdirs
import pytest

from iris_tui import config as cfg
from iris_tui.config import Config, ConfigError, Profile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("IRIS_TUI_CONFIG_DIR", str(tmp_path / "cfg"))
    return tmp_path / "cfg"


def test_config_dir_follows_the_env_override_else_platformdirs(config_dir, monkeypatch):
    assert cfg.config_path() == config_dir / "config.toml"
    monkeypatch.delenv("IRIS_TUI_CONFIG_DIR")
    assert cfg.config_dir() == platformdirs.user_config_path("iris-tui")


def test_missing_file_is_an_empty_config():
    config = cfg.load()
    assert config.profiles == {} and config.default_profile is None
    assert config.path == cfg.config_path()


def test_round_trip_keeps_every_field(config_dir):
    config = Config()
    config.set_profile(Profile(name="prod", url="https://iris.example.org/", verify="/etc/ca.pem",
                               proxy="http://proxy:3128", timeout=12, read_only=True,
                               api_key_command="pass show iris/prod"))
    config.set_profile(Profile(name="lab", url="http://127.0.0.1:8000", verify=False))
    config.keys = {"case_list.open": "l"}
    config.theme = "textual-light"
    config.save()

    raw = tomllib.loads((config_dir / "config.toml").read_text())
    assert raw["default_profile"] == "prod"  # the first profile became the default
    assert raw["profiles"]["prod"] == {
        "url": "https://iris.example.org", "verify": "/etc/ca.pem", "proxy": "http://proxy:3128",
        "timeout": 12.0, "read_only": True, "api_key_command": "pass show iris/prod",
    }
    assert raw["profiles"]["lab"] == {"url": "http://127.0.0.1:8000", "verify": False,
                                      "timeout": 30.0, "read_only": False}
    loaded = cfg.load()
    assert loaded.profiles == config.profiles
    assert loaded.keys == {"case_list.open": "l"} and loaded.theme == "textual-light"
    assert loaded.profile().name == "prod"
    assert loaded.profiles["lab"].is_plain_http and not loaded.profiles["prod"].is_plain_http


def test_unknown_top_level_settings_survive_a_save(config_dir):
    config_dir.mkdir()
    (config_dir / "config.toml").write_text(
        'future_setting = 3\n[ui]\nmouse = false\n[profiles.a]\nurl = "https://a.example"\n'
    )
    config = cfg.load()
    config.set_profile(Profile(name="b", url="https://b.example"))
    config.save()
    raw = tomllib.loads((config_dir / "config.toml").read_text())
    assert raw["future_setting"] == 3 and raw["ui"] == {"mouse": False}
    assert set(raw["profiles"]) == {"a", "b"}


def test_file_is_private_and_written_atomically(config_dir, monkeypatch):
    config = Config()
    config.set_profile(Profile(name="a", url="https://a.example"))
    path = config.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_bytes()

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    config.set_profile(Profile(name="b", url="https://b.example"))
    with pytest.raises(OSError):
        config.save()
    assert path.read_bytes() == before  # the old file is intact
    assert os.listdir(config_dir) == ["config.toml"]  # and no temp file is left behind


@pytest.mark.parametrize("field", ["api_key", "apikey", "token", "password", "secret", "API-KEY"])
def test_a_profile_dict_with_a_key_like_field_is_refused(field):
    with pytest.raises(ConfigError) as err:
        Profile.from_dict("prod", {"url": "https://iris.example", field: "s3cr3t-value"})
    assert field in str(err.value) and "s3cr3t-value" not in str(err.value)
    assert "auth login --profile prod" in str(err.value)


def test_api_key_command_is_not_a_key():
    profile = Profile.from_dict("prod", {"url": "https://x.example", "api_key_command": "pass x"})
    assert profile.api_key_command == "pass x"


def test_a_key_in_the_file_is_refused_on_load_without_echoing_it(config_dir):
    config_dir.mkdir()
    (config_dir / "config.toml").write_text(
        '[profiles.prod]\nurl = "https://iris.example"\napi_key = "s3cr3t-value"\n'
    )
    with pytest.raises(ConfigError) as err:
        cfg.load()
    assert "api_key" in str(err.value) and "s3cr3t-value" not in str(err.value)


def test_save_refuses_a_secret_smuggled_into_extra_and_writes_nothing(config_dir):
    config = Config()
    config.set_profile(Profile(name="a", url="https://a.example"))
    config.extra["api_token"] = "s3cr3t-value"
    with pytest.raises(ConfigError, match="api_token"):
        config.save()
    assert not (config_dir / "config.toml").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "ftp://iris.example"}, "invalid URL"),
        ({"url": "https://"}, "invalid URL"),
        ({"url": "https://iris.example?x=1"}, "no query string"),
        ({"url": "https://iris.example", "timeout": 0}, "timeout"),
        ({"url": "https://iris.example", "timeout": True}, "timeout"),
        ({"url": "https://iris.example", "verify": ""}, "verify"),
        ({"url": "https://iris.example", "verify": 1}, "verify"),
        ({"url": "https://iris.example", "read_only": "yes"}, "read_only"),
        ({"url": "https://iris.example", "proxy": ""}, "proxy"),
        ({"url": "https://iris.example", "colour": "red"}, "unknown field"),
        ({}, "no url"),
    ],
)
def test_bad_profile_values_say_what_is_wrong(data, message):
    with pytest.raises(ConfigError, match=message):
        Profile.from_dict("p", data)


@pytest.mark.parametrize("name", ["", "-x", "a b", "ä", "x" * 65, "a/b"])
def test_bad_profile_names_are_refused(name):
    with pytest.raises(ConfigError, match="invalid profile name"):
        Profile(name=name, url="https://x.example")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not [toml", "not valid TOML"),
        ('default_profile = "nope"\n', "not a profile"),
        ("profiles = 3\n", "table of profiles"),
        ("[keys]\nquit = 1\n", r"\[keys\]"),
        ("theme = 3\n", "theme"),
    ],
)
def test_bad_files_give_a_config_error(config_dir, text, message):
    config_dir.mkdir()
    (config_dir / "config.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        cfg.load()


def test_profile_resolution():
    config = Config()
    with pytest.raises(ConfigError, match="no profile yet"):
        config.profile()
    config.set_profile(Profile(name="a", url="https://a.example"))
    assert config.profile().name == "a"
    config.set_profile(Profile(name="b", url="https://b.example"))
    assert config.profile().name == "a"  # the default
    assert config.profile("b").name == "b"
    with pytest.raises(ConfigError, match=r"no profile named 'c' \(known: a, b\)"):
        config.profile("c")
    config.set_default("b")
    assert config.default_profile == "b"


def test_removing_the_default_profile():
    config = Config()
    for name in ("a", "b", "c"):
        config.set_profile(Profile(name=name, url=f"https://{name}.example"))
    config.remove_profile("a")
    assert config.default_profile is None
    with pytest.raises(ConfigError, match="several profiles and no default"):
        config.profile()
    config.set_default("b")
    config.remove_profile("b")
    assert config.default_profile == "c"  # the only one left


def test_auto_refresh_interval_is_read_checked_and_kept() -> None:
    config = cfg.from_dict({"auto_refresh": 30})
    assert config.auto_refresh == 30
    assert config.to_dict()["auto_refresh"] == 30
    assert cfg.from_dict({}).auto_refresh is None
    assert "auto_refresh" not in cfg.from_dict({}).to_dict()
    for bad in (-1, "10", True):
        with pytest.raises(cfg.ConfigError, match="auto_refresh"):
            cfg.from_dict({"auto_refresh": bad})
