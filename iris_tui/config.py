"""Profiles and settings in one TOML file under the platform's config dir.

```toml
default_profile = "prod"
theme = "textual-dark"
auto_refresh = 10                   # seconds between checks of the visible tab; 0: off

[profiles.prod]
url = "https://iris.example.org"
verify = "/etc/ssl/our-ca.pem"      # true, false or a CA bundle path
timeout = 30.0
read_only = false
api_key_command = "pass show iris/prod"

[keys]                              # keymap overrides: binding id -> key
"case_list.open" = "l"
```

API keys never go in this file (it is often synced, backed up or shown on screen): saving a
profile that carries a key-like field is refused, and so is loading one. Keys live in the
places `iris_tui.credentials` knows about.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs
import tomli_w

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

APP_NAME = "iris-tui"
CONFIG_DIR_ENV = "IRIS_TUI_CONFIG_DIR"
CONFIG_FILE = "config.toml"
DEFAULT_TIMEOUT = 30.0

PROFILE_FIELDS = ("url", "verify", "proxy", "timeout", "read_only", "api_key_command")
# a field name that smells like a secret; `api_key_command` is the one allowed exception
_KEY_LIKE = re.compile(r"key|token|secret|passw|bearer|credential|auth", re.I)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ConfigError(Exception):
    """The config file or a profile is unusable; the message says what to fix."""


def config_dir() -> Path:
    override = os.environ.get(CONFIG_DIR_ENV)
    return Path(override) if override else platformdirs.user_config_path(APP_NAME)


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def key_like_fields(data: dict[str, Any]) -> list[str]:
    """Field names that look like they hold a secret (never allowed in the config file)."""
    return sorted(k for k in data if k != "api_key_command" and _KEY_LIKE.search(k))


def check_profile_name(name: str) -> str:
    """Profile names end up in env var names, keyring entries and the command line: keep them tame."""
    if not _NAME.match(name or ""):
        raise ConfigError(
            f"invalid profile name {name!r}: use letters, digits, '.', '_' or '-' (up to 64)"
        )
    return name


def check_url(url: str) -> str:
    """An http(s) URL with a host, without a trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"invalid URL {url!r}: expected https://host[:port][/path]")
    if parts.query or parts.fragment:
        raise ConfigError(f"invalid URL {url!r}: no query string or fragment")
    return url.strip().rstrip("/")


@dataclass
class Profile:
    """One IRIS server and how to reach it. `verify`: True, False or a CA bundle path."""

    name: str
    url: str
    verify: bool | str = True
    proxy: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    read_only: bool = False
    api_key_command: str | None = None

    def __post_init__(self) -> None:
        check_profile_name(self.name)
        self.url = check_url(self.url)
        if not isinstance(self.verify, (bool, str)) or self.verify == "":
            raise ConfigError(f"profile {self.name!r}: verify must be true, false or a CA bundle path")
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float)) \
                or self.timeout <= 0:
            raise ConfigError(f"profile {self.name!r}: timeout must be a positive number of seconds")
        self.timeout = float(self.timeout)
        if not isinstance(self.read_only, bool):
            raise ConfigError(f"profile {self.name!r}: read_only must be true or false")
        for opt in ("proxy", "api_key_command"):
            value = getattr(self, opt)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigError(f"profile {self.name!r}: {opt} must be a non-empty string")

    @property
    def is_plain_http(self) -> bool:
        return urlsplit(self.url).scheme == "http"

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> Profile:
        """Build from a TOML table, refusing secrets and unknown fields (typos fail loudly)."""
        if not isinstance(data, dict):
            raise ConfigError(f"profile {name!r} must be a table")
        secret = key_like_fields(data)
        if secret:
            raise ConfigError(
                f"profile {name!r} has {', '.join(secret)}: API keys do not belong in the config "
                f"file; remove it and run `iris-tui auth login --profile {name}`"
            )
        unknown = sorted(set(data) - set(PROFILE_FIELDS))
        if unknown:
            raise ConfigError(f"profile {name!r}: unknown field(s) {', '.join(unknown)}")
        if "url" not in data:
            raise ConfigError(f"profile {name!r} has no url")
        return cls(name=name, **data)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"url": self.url, "verify": self.verify, "timeout": self.timeout,
                               "read_only": self.read_only}
        if self.proxy:
            out["proxy"] = self.proxy
        if self.api_key_command:
            out["api_key_command"] = self.api_key_command
        return out


@dataclass
class Config:
    """Everything in the config file. Unknown top-level entries are kept, so that saving from an
    older version never drops a newer version's settings."""

    profiles: dict[str, Profile] = field(default_factory=dict)
    default_profile: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    auto_refresh: float | None = None  # seconds; None: the app's default, 0: off
    extra: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def profile(self, name: str | None = None) -> Profile:
        """The named profile, else the default one, else the only one."""
        if name is None:
            name = self.default_profile
            if name is None and len(self.profiles) == 1:
                name = next(iter(self.profiles))
        if name is None:
            if not self.profiles:
                raise ConfigError("no profile yet: add one with `iris-tui auth login --url URL`")
            raise ConfigError(
                "several profiles and no default: pick one with --profile or set one with "
                "`iris-tui profile default NAME`"
            )
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise ConfigError(f"no profile named {name!r} (known: {known})") from None

    def set_profile(self, profile: Profile) -> None:
        """Add or replace; the first profile becomes the default."""
        self.profiles[profile.name] = profile
        if self.default_profile is None:
            self.default_profile = profile.name

    def remove_profile(self, name: str) -> Profile:
        profile = self.profile(name)
        del self.profiles[name]
        if self.default_profile == name:
            self.default_profile = next(iter(self.profiles)) if len(self.profiles) == 1 else None
        return profile

    def set_default(self, name: str) -> None:
        self.default_profile = self.profile(name).name

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        if self.default_profile is not None:
            out["default_profile"] = self.default_profile
        if self.theme is not None:
            out["theme"] = self.theme
        if self.auto_refresh is not None:
            out["auto_refresh"] = self.auto_refresh
        if self.profiles:
            out["profiles"] = {n: p.to_dict() for n, p in self.profiles.items()}
        if self.keys:
            out["keys"] = dict(self.keys)
        return out

    def save(self, path: Path | None = None) -> Path:
        return save(self, path)


def from_dict(data: dict[str, Any], path: Path | None = None) -> Config:
    data = dict(data)
    raw_profiles = data.pop("profiles", {})
    if not isinstance(raw_profiles, dict):
        raise ConfigError("[profiles] must be a table of profiles")
    profiles = {name: Profile.from_dict(name, raw) for name, raw in raw_profiles.items()}
    default = data.pop("default_profile", None)
    if default is not None and default not in profiles:
        raise ConfigError(f"default_profile {default!r} is not a profile")
    keys = data.pop("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ConfigError("[keys] must map binding ids to key names (strings)")
    theme = data.pop("theme", None)
    if theme is not None and not isinstance(theme, str):
        raise ConfigError("theme must be a string")
    auto_refresh = data.pop("auto_refresh", None)
    if auto_refresh is not None and (isinstance(auto_refresh, bool)
                                     or not isinstance(auto_refresh, (int, float)) or auto_refresh < 0):
        raise ConfigError("auto_refresh must be a number of seconds (0 turns it off)")
    secret = key_like_fields(data)
    if secret:
        raise ConfigError(f"the config file has {', '.join(secret)}: API keys do not belong there")
    return Config(profiles=profiles, default_profile=default, keys=keys, theme=theme,
                  auto_refresh=auto_refresh, extra=data, path=path)


def load(path: Path | None = None) -> Config:
    """Read the config file; a missing file is an empty config."""
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return from_dict(data, path)


def save(config: Config, path: Path | None = None) -> Path:
    """Write atomically (temp file + rename): a crash never leaves half a config behind."""
    path = path or config.path or config_path()
    data = config.to_dict()
    refuse_secrets(data)
    write_atomic(path, tomli_w.dumps(data).encode("utf-8"))
    config.path = path
    return path


def refuse_secrets(data: dict[str, Any]) -> None:
    """The last line of defence before anything reaches the disk (covers `extra` too)."""
    top = {k: v for k, v in data.items() if k not in ("profiles", "keys")}
    where = {"the config file": key_like_fields(top)}
    for name, profile in (data.get("profiles") or {}).items():
        where[f"profile {name!r}"] = key_like_fields(profile)
    for place, secret in where.items():
        if secret:
            raise ConfigError(
                f"refusing to save {place} with {', '.join(secret)}: API keys do not belong in "
                "the config file"
            )


def write_atomic(path: Path, content: bytes, *, mode: int = 0o600, dir_mode: int = 0o700) -> None:
    """Write `content` to `path` through a temp file in the same folder and `os.replace`."""
    path.parent.mkdir(mode=dir_mode, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
