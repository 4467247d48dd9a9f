"""Checks a form runs before sending, so a typo is shown next to its field at once instead of
costing a round trip (or, where IRIS does not check at all, being stored as typed).

Each check takes the typed text and returns an error message, or None when the value is fine.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import re

from iris_tui.api.events import format_offset, parse_offset

# hex digits per hash IOC type (IRIS's MISP-like type names)
HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}
IP_TYPES = frozenset({"ip-src", "ip-dst", "ip-any", "ip"})
IP_PORT_TYPES = frozenset({"ip-src|port", "ip-dst|port"})
_HEX = re.compile(r"[0-9a-fA-F]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_ip(text: str) -> str | None:
    """One IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text.strip())
    except ValueError:
        return f"Not an IPv4 or IPv6 address: {text.strip()!r}"
    return None


def check_ips(text: str) -> str | None:
    """One address, or several separated by commas (an asset with two interfaces)."""
    for part in (p for p in text.split(",") if p.strip()):
        error = check_ip(part)
        if error:
            return error
    return None


def check_hash(kind: str, text: str) -> str | None:
    length = HASH_LENGTHS[kind]
    value = text.strip()
    if len(value) != length or not _HEX.fullmatch(value):
        return f"A {kind} is {length} hexadecimal characters (got {len(value)})"
    return None


def check_ioc_value(type_name: str | None, text: str) -> str | None:
    """The value against its IOC type: hashes by length and hex digits, IPs by address
    syntax; composite types (`filename|md5`, `ip-dst|port`) check their last part."""
    kind = (type_name or "").strip().lower()
    value = text.strip()
    if kind in IP_TYPES:
        return check_ip(value)
    if kind in IP_PORT_TYPES:
        address, sep, port = value.rpartition("|")
        if not sep:
            return "Expected address|port"
        if not port.isdigit() or not 0 <= int(port) <= 65535:
            return f"Not a port number: {port!r}"
        return check_ip(address)
    last = kind.rpartition("|")[2]
    if last in HASH_LENGTHS:
        part = value.rpartition("|")[2] if "|" in kind else value
        return check_hash(last, part)
    return None


def check_tags(text: str, *, limit: int | None = None) -> str | None:
    """Comma-separated tags: no control characters, and IOC tags fit IRIS's 512 characters."""
    if _CONTROL.search(text):
        return "Tags cannot contain control characters"
    joined = ",".join(t.strip() for t in text.split(",") if t.strip())
    if limit is not None and len(joined) > limit:
        return f"Tags are {len(joined)} characters long; IRIS keeps at most {limit}"
    return None


def check_integer(text: str) -> str | None:
    value = text.strip()
    if value and not value.isdigit():
        return "Not a whole number of bytes"
    return None


def parse_datetime(text: str) -> _dt.datetime:
    """'2025-03-03 10:11', '2025-03-03T10:11:12.5' or a date alone -> a naive datetime.

    Raises ValueError with a message for the field. An offset goes in the timezone field."""
    value = text.strip().replace("T", " ")
    if not value:
        raise ValueError("A date is required")
    if re.search(r"(Z|[+-]\d{2}:?\d{2})$", value) and " " in value:
        raise ValueError("Put the UTC offset in the timezone field")
    for layout in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return _dt.datetime.strptime(value, layout)
        except ValueError:
            continue
    raise ValueError("Not a date: use YYYY-MM-DD HH:MM[:SS]")


def parse_tz(text: str) -> str:
    """'+02:00', '-0500', 'Z' or 'UTC' -> '+HH:MM'. Raises ValueError with a message."""
    value = text.strip()
    if value.upper() in ("", "Z", "UTC", "GMT"):
        return "+00:00"
    offset = parse_offset(value)
    if offset is None:
        raise ValueError("Not a UTC offset: use +HH:MM, e.g. +02:00 or -05:00")
    return format_offset(offset.utcoffset(None))
