"""From a saved profile to a `Session`: which profile, which key, which client.

`launch` calls `session_for_profile` before the app starts (a blocking key lookup is fine there);
the connect screen uses the same pieces from inside the app, off the event loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from iris_tui import auth_cli
from iris_tui import credentials as creds
from iris_tui.api import IrisClient
from iris_tui.api.errors import (
    IrisAuthError,
    IrisConnectionError,
    IrisError,
    IrisNotFoundError,
    IrisProtocolError,
)
from iris_tui.config import Config, ConfigError, Profile
from iris_tui.ui.session import Session

if TYPE_CHECKING:
    from iris_tui.ui.app import IrisApp


def _build_client(url: str, key: str, **options: Any) -> IrisClient:
    return IrisClient(url, key, **options)


# Builds every session's client. Tests swap it for one talking to the in-process demo server.
client_factory: Callable[..., IrisClient] = _build_client


def client_options(profile: Profile) -> dict[str, Any]:
    """The profile's TLS, proxy and timeout settings, as IrisClient takes them."""
    verify = os.path.expanduser(profile.verify) if isinstance(profile.verify, str) else profile.verify
    return {"verify": verify, "proxy": profile.proxy, "timeout": profile.timeout}


def make_session(
    profile: Profile,
    key: str,
    *,
    insecure_storage: bool = False,
    read_only: bool = False,
    notes: Iterable[str] = (),
) -> Session:
    """A session on `profile` with `key`. Raises ConfigError when the CA bundle is unusable (the
    SSL context is built here, not at the first request)."""
    try:
        client = client_factory(profile.url, key, **client_options(profile))
    except OSError as exc:  # ssl.SSLError is an OSError too
        raise ConfigError(
            f"profile {profile.name!r}: cannot use the CA bundle {profile.verify}: "
            f"{exc.strerror or exc}"
        ) from None
    return Session(
        profile.name, profile.url, client,
        read_only=read_only or profile.read_only,
        insecure_storage=insecure_storage,
        notes=list(notes),
    )


def session_from_lookup(profile: Profile, found: creds.KeyLookup, *, read_only: bool = False) -> Session:
    assert found.key is not None
    return make_session(profile, found.key, insecure_storage=found.insecure, read_only=read_only,
                        notes=found.notes)


def pick_profile(config: Config, name: str | None) -> Profile | None:
    """The named profile (KeyError if unknown), else the default or only one; None when there is
    no profile yet or several without a default (the app then shows its connect screen)."""
    if name is not None:
        if name not in config.profiles:
            known = ", ".join(sorted(config.profiles)) or "none"
            raise KeyError(f"no profile named {name!r} (known: {known})")
        return config.profiles[name]
    try:
        return config.profile(None)
    except ConfigError:
        return None


def session_for_profile(config: Config, name: str | None, *, read_only: bool = False) -> Session | None:
    """The session to start with, or None: the app then adds a profile, shows the picker, or
    asks for the key (lookup failures are explained there, not here)."""
    profile = pick_profile(config, name)
    if profile is None:
        return None
    found = creds.lookup_key(profile)
    if found.key is None:
        return None
    return session_from_lookup(profile, found, read_only=read_only)


def plain_http_warning(url: str) -> str | None:
    """Plain http sends the key in clear text; loopback (a local tunnel) is the exception."""
    if url.strip().lower().startswith("http://") and not auth_cli._is_loopback(url.strip()):
        return ("plain http: the API key would travel unencrypted; use https:// unless you "
                "trust every network in between")
    return None


def failure(exc: BaseException, profile: Profile, key: str | None) -> tuple[str, str]:
    """(field, one clear sentence) for a failed check: the field is where the fix goes."""
    if isinstance(exc, IrisConnectionError) and "CERTIFICATE_VERIFY_FAILED" in exc.message:
        reason = exc.message.split("certificate verify failed:")[-1].split("(_ssl")[0].strip()
        text = (f"the TLS certificate of {profile.url} is not trusted ({reason}): for a "
                "self-signed certificate or a private CA, choose \"CA bundle\" and give the CA "
                "certificate file (\"don't verify\" lets anyone on the path read the key)")
        return "tls", creds.redact(text, key)
    text = auth_cli.explain(exc, profile, key)
    if isinstance(exc, IrisAuthError):
        return "key", text
    if isinstance(exc, (IrisConnectionError, IrisNotFoundError, IrisProtocolError)):
        return "url", text
    if isinstance(exc, OSError) and not isinstance(exc, IrisError) and isinstance(profile.verify, str):
        return "tls", text
    return "result", text


def switch_session(app: IrisApp, session: Session) -> None:
    """Start `session` and close the client of the one it replaces, without restarting."""
    old = app.session
    app.user_label = ""
    app.server_version = ""
    app.start_session(session)
    if old is not None and old.client is not session.client:
        # an app-level worker: the screen that asked for the switch is gone by now
        app.run_worker(old.client.aclose(), group="close-client", exit_on_error=False)
