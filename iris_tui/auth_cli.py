"""`iris-tui auth login|status|logout` and `iris-tui profile list|add|remove|default`.

The key is never an argument (it would land in argv, `ps` and the shell history): `auth login`
reads it with hidden input, or from stdin when that is not a terminal (`pass show x | iris-tui
auth login`). It is checked against the server before anything is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import ipaddress
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from iris_tui import config as cfg
from iris_tui import credentials as creds
from iris_tui.api.errors import (
    IrisAuthError,
    IrisConnectionError,
    IrisError,
    IrisNotFoundError,
    IrisProtocolError,
    IrisTimeoutError,
)

if TYPE_CHECKING:
    from iris_tui.api import IrisClient
    from iris_tui.api.server import ServerVersions, User


def make_client(url: str, key: str, **options: Any) -> IrisClient:
    """Build the client (tests replace this to pass `transport=`). Imported late: `profile list`
    need not load httpx."""
    from iris_tui.api import IrisClient

    return IrisClient(url, key, retries=1, **options)


# -- output ----------------------------------------------------------------------------------

def _out(text: str) -> None:
    print(text, file=sys.stdout)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


# -- checking a key --------------------------------------------------------------------------

def _verify_arg(profile: cfg.Profile) -> bool | str:
    return os.path.expanduser(profile.verify) if isinstance(profile.verify, str) else profile.verify


async def check_key(profile: cfg.Profile, key: str) -> tuple[ServerVersions, User]:
    """versions + whoami with this key: proves the URL is IRIS and the key is accepted."""
    async with make_client(profile.url, key, verify=_verify_arg(profile), proxy=profile.proxy,
                           timeout=profile.timeout) as iris:
        return await iris.versions(), await iris.whoami()


def explain(exc: BaseException, profile: cfg.Profile, key: str | None) -> str:
    """One clear sentence for a failed check, with the fix when there is an obvious one."""
    url = profile.url
    if isinstance(exc, IrisAuthError):
        text = f"{url} refused this API key ({exc.message}); copy it again from IRIS › My settings"
    elif isinstance(exc, IrisTimeoutError):
        text = f"{url} did not answer within {profile.timeout:g} s"
    elif isinstance(exc, IrisConnectionError) and "CERTIFICATE_VERIFY_FAILED" in exc.message:
        reason = exc.message.split("certificate verify failed:")[-1].split("(_ssl")[0].strip()
        text = (
            f"the TLS certificate of {url} is not trusted ({reason}): if the server uses a "
            "self-signed certificate or a private CA, pass --ca-bundle PATH with that CA "
            "certificate (or --no-verify, which lets anyone on the path read the key)"
        )
    elif isinstance(exc, IrisConnectionError):
        text = f"cannot reach {url}: {exc.message}"
    elif isinstance(exc, (IrisNotFoundError, IrisProtocolError)):
        text = f"{url} does not look like an IRIS server: {exc}"
    elif isinstance(exc, IrisError):
        text = f"{url} answered with an error: {exc}"
    elif isinstance(exc, OSError) and isinstance(profile.verify, str):
        text = f"cannot use the CA bundle {profile.verify}: {exc.strerror or exc}"
    else:
        text = f"checking {url} failed: {type(exc).__name__}: {exc}"
    return creds.redact(text, key)


def _check(profile: cfg.Profile, key: str) -> tuple[tuple[ServerVersions, User] | None, str]:
    """Run check_key; (result, "") or (None, explanation). Never a traceback."""
    try:
        return asyncio.run(check_key(profile, key)), ""
    except Exception as exc:  # noqa: BLE001 - a CLI answers with a sentence, not a traceback
        return None, explain(exc, profile, key)


# -- small pieces shared by the commands -----------------------------------------------------

def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _security_warnings(profile: cfg.Profile) -> None:
    if profile.is_plain_http and not _is_loopback(profile.url):
        _err(f"warning: {profile.url} is plain http: the API key travels unencrypted; "
             "use https:// unless you trust every network in between")
    if profile.verify is False:
        _err("warning: TLS certificate checks are off for this profile (--no-verify): anyone on "
             "the path can read the key; prefer --ca-bundle PATH")


def _tls_choice(args: argparse.Namespace) -> bool | str | None:
    """--no-verify -> False, --ca-bundle -> absolute path, neither -> None (keep as is)."""
    if args.no_verify:
        return False
    if args.ca_bundle:
        path = Path(args.ca_bundle).expanduser().resolve()
        if not path.is_file():
            raise cfg.ConfigError(f"CA bundle {args.ca_bundle} is not a file")
        return str(path)
    return None


def _add_tls_options(parser: argparse.ArgumentParser) -> None:
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--no-verify", action="store_true",
                     help="do not check the server's TLS certificate (insecure)")
    tls.add_argument("--ca-bundle", metavar="PATH",
                     help="trust the CA certificate(s) in this PEM file (self-signed servers)")


def _read_key(prompt: str) -> str:
    """Hidden input on a terminal; else the first line of stdin (for scripts and `pass`)."""
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt).strip()
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.strip()


def _profile_arg(args: argparse.Namespace) -> str | None:
    return getattr(args, "profile", None)


def _shadowing_sources(profile: cfg.Profile) -> list[str]:
    """Sources that come before the keyring and the file, so they win over a stored key."""
    found = [name for name in (creds.env_var(profile.name), creds.ENV_KEY)
             if os.environ.get(name, "").strip()]
    if profile.api_key_command:
        found.append(f"api_key_command ({profile.api_key_command})")
    return found


# -- auth login ------------------------------------------------------------------------------

def _login_profile(args: argparse.Namespace, config: cfg.Config) -> cfg.Profile:
    """The profile to log in to: existing one (updated by --url / TLS flags) or a new one."""
    name = _profile_arg(args)
    if name is None:
        name = config.profile().name if config.profiles else "default"
    existing = config.profiles.get(cfg.check_profile_name(name))
    url = args.url
    if url is None and existing is None:
        if not (sys.stdin is not None and sys.stdin.isatty()):
            raise cfg.ConfigError(f"profile {name!r} does not exist yet: pass --url URL")
        url = input(f"IRIS URL for profile {name!r}: ").strip()
    verify = _tls_choice(args)
    if existing is None:
        return cfg.Profile(name=name, url=url or "", verify=True if verify is None else verify)
    changes: dict[str, Any] = existing.to_dict()
    if url:
        changes["url"] = url
    if verify is not None:
        changes["verify"] = verify
    return cfg.Profile.from_dict(name, changes)


def cmd_login(args: argparse.Namespace) -> int:
    try:
        config = cfg.load()
        profile = _login_profile(args, config)
    except cfg.ConfigError as exc:
        _err(f"error: {exc}")
        return 2
    except (EOFError, KeyboardInterrupt):
        _err("cancelled")
        return 130
    _security_warnings(profile)
    try:
        key = _read_key(f"API key for {profile.name} ({profile.url}), input hidden: ")
    except (EOFError, KeyboardInterrupt):
        _err("cancelled")
        return 130
    problem = creds.key_problem(key)
    if problem:
        _err(f"error: no usable API key: {problem}. Nothing was stored.")
        return 1
    result, why = _check(profile, key)
    if result is None:
        _err(f"error: {why}. Nothing was stored.")
        return 1
    versions, user = result
    try:
        where = creds.store_key(profile.name, key, insecure_storage=args.insecure_storage)
        config.set_profile(profile)
        config.save()
    except (creds.CredentialError, cfg.ConfigError, OSError) as exc:
        _err(f"error: {creds.redact(str(exc), key)}")
        return 1
    _out(f"Logged in to {profile.url} as {user.user_login or user.user_name} "
         f"(IRIS {versions.iris_current or '?'}, API {versions.api_current or '?'}).")
    if args.insecure_storage:
        _out(f"Key for profile {profile.name!r} stored in plain text: {where} (mode 0600).")
    else:
        _out(f"Key for profile {profile.name!r} stored in the OS keyring ({where}).")
    if config.default_profile == profile.name:
        _out(f"{profile.name!r} is the default profile.")
    for source in _shadowing_sources(profile):
        _err(f"note: {source} is set and takes precedence over the stored key")
    return 0


# -- auth status / logout --------------------------------------------------------------------

def cmd_status(args: argparse.Namespace) -> int:
    try:
        config = cfg.load()
        only = _profile_arg(args)
        profiles = [config.profile(only)] if only else list(config.profiles.values())
    except cfg.ConfigError as exc:
        _err(f"error: {exc}")
        return 2
    if not profiles:
        _out("No profiles yet: add one with `iris-tui auth login --url URL`.")
        return 1
    all_ok = True
    for profile in profiles:
        default = " (default)" if profile.name == config.default_profile else ""
        _out(f"{profile.name}{default}: {profile.url}")
        found = creds.lookup_key(profile)
        _out(f"  key: {found.describe()}")
        for note in found.notes:
            _out(f"  note: {note}")
        if found.insecure:
            _out("  warning: the key is stored in plain text (--insecure-storage)")
        if found.key is None:
            all_ok = False
            continue
        result, why = _check(profile, found.key)
        if result is None:
            all_ok = False
            _out(f"  check: FAILED: {why}")
        else:
            versions, user = result
            _out(f"  check: ok, {user.user_login or user.user_name} on IRIS "
                 f"{versions.iris_current or '?'}")
    return 0 if all_ok else 1


def cmd_logout(args: argparse.Namespace) -> int:
    try:
        config = cfg.load()
        only = _profile_arg(args)
        if only and only not in config.profiles:
            profile = None  # a key left behind by a removed profile can still be deleted
            name = cfg.check_profile_name(only)
        else:
            profile = config.profile(only)
            name = profile.name
    except cfg.ConfigError as exc:
        _err(f"error: {exc}")
        return 2
    try:
        removal = creds.delete_key(name)
    except creds.CredentialError as exc:
        _err(f"error: {exc}")
        return 1
    for note in removal.notes:
        _err(f"note: {note}")
    if removal.removed:
        _out(f"Removed the key for {name!r} from: {', '.join(removal.removed)}.")
    else:
        _out(f"No stored key for {name!r}.")
    for source in _shadowing_sources(profile) if profile else ():
        _err(f"note: {source} still provides a key for {name!r}")
    return 0


# -- profile list / add / remove / default ---------------------------------------------------

def _verify_text(verify: bool | str) -> str:
    if verify is True:
        return "verify"
    if verify is False:
        return "no-verify"
    return f"ca-bundle {verify}"


def cmd_profile_list(args: argparse.Namespace) -> int:
    try:
        config = cfg.load()
    except cfg.ConfigError as exc:
        _err(f"error: {exc}")
        return 2
    if not config.profiles:
        _out("No profiles yet: add one with `iris-tui auth login --url URL`.")
        return 0
    width = max(len(n) for n in config.profiles)
    for name, profile in config.profiles.items():
        mark = "*" if name == config.default_profile else " "
        extras = [_verify_text(profile.verify)]
        if profile.read_only:
            extras.append("read-only")
        if profile.proxy:
            extras.append(f"proxy {profile.proxy}")
        if profile.api_key_command:
            extras.append(f"key from `{profile.api_key_command}`")
        _out(f"{mark} {name:<{width}}  {profile.url}  ({', '.join(extras)})")
    return 0


def cmd_profile_add(args: argparse.Namespace) -> int:
    try:
        config = cfg.load()
        if args.name in config.profiles:
            raise cfg.ConfigError(
                f"profile {args.name!r} exists: remove it first, or log in again with "
                f"`iris-tui auth login --profile {args.name} --url URL`"
            )
        verify = _tls_choice(args)
        profile = cfg.Profile(
            name=args.name, url=args.url, verify=True if verify is None else verify,
            proxy=args.proxy, timeout=args.timeout, read_only=args.read_only,
            api_key_command=args.api_key_command,
        )
        config.set_profile(profile)
        if args.default:
            config.set_default(profile.name)
        config.save()
    except cfg.ConfigError as exc:
        _err(f"error: {exc}")
        return 2
    _security_warnings(profile)
    _out(f"Added profile {profile.name!r} ({profile.url}).")
    if not profile.api_key_command:
        _out(f"Store its key with `iris-tui auth login --profile {profile.name}`.")
    return 0


def cmd_profile_remove(args: argparse.Namespace) -> int:
    try:
        config = cfg.load()
        config.remove_profile(args.name)
        config.save()
    except cfg.ConfigError as exc:
        _err(f"error: {exc}")
        return 2
    _out(f"Removed profile {args.name!r}.")
    try:
        removal = creds.delete_key(args.name)
    except creds.CredentialError as exc:
        _err(f"error: {exc}")
        return 1
    for note in removal.notes:
        _err(f"note: {note}")
    if removal.removed:
        _out(f"Removed its key from: {', '.join(removal.removed)}.")
    if config.default_profile is None and config.profiles:
        _out("There is no default profile now: set one with `iris-tui profile default NAME`.")
    return 0


def cmd_profile_default(args: argparse.Namespace) -> int:
    try:
        config = cfg.load()
        config.set_default(args.name)
        config.save()
    except cfg.ConfigError as exc:
        _err(f"error: {exc}")
        return 2
    _out(f"Default profile: {args.name!r}.")
    return 0


# -- the parser ------------------------------------------------------------------------------

def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _parser(subparsers: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """No abbreviated options: `--api-key SECRET` must not pass for `--api-key-command`.
    The one-line help also heads the command's own --help unless it has a description."""
    if kwargs.get("help"):
        kwargs.setdefault("description", kwargs["help"][0].upper() + kwargs["help"][1:] + ".")
    return subparsers.add_parser(name, allow_abbrev=False, **kwargs)


def add_subcommands(subparsers: Any) -> None:
    """Register `auth` and `profile` on an argparse subparsers object; each leaf sets `func`
    (Namespace -> exit code). `--profile` is left unset when absent, so that a top-level
    `iris-tui --profile P auth status` is not overwritten by the subcommand's default."""
    auth = _parser(subparsers, "auth", help="log in, check or forget API keys")
    auth_sub = auth.add_subparsers(dest="auth_command", metavar="COMMAND", required=True)

    login = _parser(
        auth_sub, "login", help="check an API key against the server and store it",
        description="Reads the API key with hidden input (or from stdin when it is not a "
                    "terminal), checks it with the server, then stores it in the OS keyring.",
    )
    login.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS,
                       help="profile to log in to (default: the default profile, or 'default')")
    login.add_argument("--url", help="IRIS URL (required for a new profile)")
    login.add_argument("--insecure-storage", action="store_true",
                       help="store the key in a plain-text file (mode 0600) instead of the OS "
                            "keyring, for hosts without one")
    _add_tls_options(login)
    login.set_defaults(func=cmd_login)

    status = _parser(auth_sub, "status", help="where each profile's key comes from, and "
                                                "whether it works")
    status.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS,
                        help="only this profile")
    status.set_defaults(func=cmd_status)

    logout = _parser(auth_sub, "logout", help="remove a profile's stored key")
    logout.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS,
                        help="default: the default profile")
    logout.set_defaults(func=cmd_logout)

    profile = _parser(subparsers, "profile", help="list, add, remove profiles")
    profile_sub = profile.add_subparsers(dest="profile_command", metavar="COMMAND", required=True)

    _parser(profile_sub, "list", help="list profiles (* marks the default)").set_defaults(
        func=cmd_profile_list)

    add = _parser(profile_sub, "add", help="add a profile (store its key with auth login)")
    add.add_argument("name", help="profile name (letters, digits, ., _ and -)")
    add.add_argument("--url", required=True, help="IRIS URL, e.g. https://iris.example.org")
    _add_tls_options(add)
    add.add_argument("--proxy", metavar="URL", help="HTTP(S) proxy for this server")
    add.add_argument("--timeout", type=_positive_float, default=cfg.DEFAULT_TIMEOUT,
                     metavar="SECONDS", help=f"request timeout (default {cfg.DEFAULT_TIMEOUT:g})")
    add.add_argument("--read-only", action="store_true", help="the app will not change anything")
    add.add_argument("--api-key-command", metavar="CMD",
                     help="command printing the key, e.g. 'pass show iris/prod' (run without a "
                          "shell)")
    add.add_argument("--default", action="store_true", help="make it the default profile")
    add.set_defaults(func=cmd_profile_add)

    remove = _parser(profile_sub, "remove", help="remove a profile and its stored key")
    remove.add_argument("name", help="profile to remove")
    remove.set_defaults(func=cmd_profile_remove)

    default = _parser(profile_sub, "default", help="set the default profile")
    default.add_argument("name", help="profile to make the default")
    default.set_defaults(func=cmd_profile_default)
