"""The IOC extractor behind the bulk paste: refanging, each recogniser, what it must NOT take,
duplicates, positions in the original text, and a real-world report end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iris_tui.iocparse import ALTERNATIVES, Candidate, extract, match_key, refang

LOOKUPS = Path(__file__).resolve().parent.parent / "iris_tui" / "demo" / "data" / "lookups.json"
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def found(text: str, **options: bool) -> list[tuple[str, str]]:
    return [(c.kind, c.value) for c in extract(text, **options)]


# -- refanging ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("defanged", "expected"), [
    ("hxxp://evil.com", "http://evil.com"),
    ("hxxps://evil.com", "https://evil.com"),
    ("HXXPS://evil.com", "https://evil.com"),
    ("hXXp://evil.com", "http://evil.com"),
    ("h**ps://evil.com", "https://evil.com"),
    ("fxp://files.evil.com", "ftp://files.evil.com"),
    ("hxxps[:]//evil.com", "https://evil.com"),
    ("hxxps[://]evil.com", "https://evil.com"),
    ("evil[.]com", "evil.com"),
    ("evil(.)com", "evil.com"),
    ("evil{.}com", "evil.com"),
    ("evil[dot]com", "evil.com"),
    ("evil [dot] com", "evil.com"),
    ("evil[DOT]com", "evil.com"),
    ("bob[@]evil.com", "bob@evil.com"),
    ("bob[at]evil.com", "bob@evil.com"),
    ("bob (at) evil.com", "bob@evil.com"),
    ("10.0.0.1[:]8080", "10.0.0.1:8080"),
    ("evil.com[/]gate", "evil.com/gate"),
    ("\x1b[1;31mhxxp://evil.com\x1b[0m", "http://evil.com"),  # colours from a copied log
    ("\x1b]52;c;aGk=\x07evil.com", "evil.com"),  # an OSC sequence
    ("the hxxp word alone", "the hxxp word alone"),  # not a scheme: left as it is
    ("plain [text] (here)", "plain [text] (here)"),
])
def test_refang(defanged: str, expected: str) -> None:
    assert refang(defanged) == expected


# -- each recogniser ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    # IPv4: octets checked, versions skipped, a bare dotted quad kept
    ("1.2.3.4", [("ip-any", "1.2.3.4")]),
    ("ip=1.2.3.4; port 1.2.3.4:8080", [("ip-any", "1.2.3.4")]),
    ("10.0.0.0/8 and 192.168.1.1.", [("ip-any", "10.0.0.0"), ("ip-any", "192.168.1.1")]),
    ("185.220.101[.]4", [("ip-any", "185.220.101.4")]),
    ("1[.]2[.]3[.]4", [("ip-any", "1.2.3.4")]),
    ("256.1.1.1 1.2.3.256 010.1.1.1", []),
    ("1.2.3.4.5 is a version", []),
    ("v1.2.3.4, version 1.2.3.4, Version: 2.3.4.5, build 3.4.5.6, Chrome/4.5.6.7", []),
    ("Windows 10.0.19041.1", []),
    # IPv6: validated, compressed, mapped IPv4 kept readable
    ("2001:0db8:0000:0000:0000:0000:0000:0001", [("ip-any", "2001:db8::1")]),
    ("2001:DB8:0:0:8:800:200C:417A", [("ip-any", "2001:db8::8:800:200c:417a")]),
    ("fe80::1%eth0", [("ip-any", "fe80::1")]),
    ("::ffff:192.0.2.1", [("ip-any", "::ffff:192.0.2.1")]),
    ("[2001:db8::dead:beef]:8443", [("ip-any", "2001:db8::dead:beef")]),
    ("2001:db8[:]:1", [("ip-any", "2001:db8::1")]),
    ("10:11:12 00:1A:2B:3C:4D:5E std::vector A::B ::1 ::", []),
    # hashes: exact lengths, word boundaries, lower-cased
    ("D41D8CD98F00B204E9800998ECF8427E", [("md5", "d41d8cd98f00b204e9800998ecf8427e")]),
    ("sha1=86F7E437FAA5A7FCE15D1DDCB9EAEAEA377667B8.", [("sha1", "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8")]),
    (f"SHA256:{SHA256},", [("sha256", SHA256)]),
    ("(" + "ab" * 64 + ")", [("sha512", "ab" * 64)]),
    ("a" * 96, []),  # sha384 length: no IRIS default type here, and not a prefix of anything
    ("a" * 33 + " " + "b" * 31, []),
    ("hash_" + "c" * 32, []),  # glued to a word
    ("c" * 32 + "g", []),
    ("{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", []),
    # domains: real TLDs only
    ("example.com", [("domain", "example.com")]),
    ("EVIL.COM evil.com Evil.Com", [("domain", "evil.com")]),
    ("evil.co.uk, evil.com.au.", [("domain", "evil.co.uk"), ("domain", "evil.com.au")]),
    ("xn--80ak6aa92e.com", [("domain", "xn--80ak6aa92e.com")]),
    ("e.g. i.e. U.S. config.json not.atld", []),
    ("shop.example.pl www.evil.zip", [("domain", "shop.example.pl"), ("domain", "www.evil.zip")]),
    # file names: executable, script, document, archive extensions
    ("example.exe", [("filename", "example.exe")]),
    ("invoice.pdf.exe", [("filename", "invoice.pdf.exe")]),
    ("C:\\Users\\Public\\a b\\evil.dll", [("filename", "evil.dll")]),
    ("%APPDATA%\\update.vbs /tmp/.x/kworker.sh", [("filename", "update.vbs"), ("filename", "kworker.sh")]),
    ("jquery-3.5.1.min.js payload.7z sample.tar.gz", [
        ("filename", "jquery-3.5.1.min.js"), ("filename", "payload.7z"), ("filename", "sample.tar.gz")]),
    ("archive.zip run.sh README.md Invoice_0423.one", [
        ("filename", "archive.zip"), ("filename", "run.sh"), ("filename", "README.md"),
        ("filename", "Invoice_0423.one")]),
    ("Stager.HTA and Report.DOCM", [("filename", "Stager.HTA"), ("filename", "Report.DOCM")]),
    ("evil.exe.bak", []),
    # emails
    ("bob@example.com", [("email", "bob@example.com")]),
    ("Bob@Example.COM bob@example.com", [("email", "Bob@example.com")]),
    ("exfil.ops[at]protonmail[.]com", [("email", "exfil.ops@protonmail.com")]),
    ("a.b+tag@evil.co.uk.", [("email", "a.b+tag@evil.co.uk")]),
    ("foo@bar user@localhost @handle", []),
])
def test_recognisers(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(("text", "url"), [
    ("https://en.wikipedia.org/wiki/Foo_(bar).", "https://en.wikipedia.org/wiki/Foo_(bar)"),
    ("(see https://evil.com/a)", "https://evil.com/a"),
    ("<https://evil.com/a>", "https://evil.com/a"),
    ('"https://evil.com/a",', "https://evil.com/a"),
    ("https://evil.com/a...", "https://evil.com/a"),
    ("[https://evil.com/a]", "https://evil.com/a"),
    ("**https://evil.com/a**", "https://evil.com/a"),
    ("go to https://evil.com/a?x=1&y=2#frag; then", "https://evil.com/a?x=1&y=2#frag"),
    ("hxxps[:]//evil[.]com/a[.]", "https://evil.com/a"),
    ("HXXP://evil.com/a", "http://evil.com/a"),
])
def test_urls_lose_trailing_punctuation(text: str, url: str) -> None:
    assert found(text)[0] == ("url", url)


def test_urls_next_to_each_other_are_two_urls() -> None:
    assert found("https://evil.com/f,https://evil.org/g", url_parts=False) == [
        ("url", "https://evil.com/f"), ("url", "https://evil.org/g")]


def test_url_hosts_are_offered_unless_asked_not_to() -> None:
    text = "hxxps://cdn[.]evil[.]top/dl/inv.php?id=7 https://1.2.3.4:8443/x http://[2001:db8::1]:80/"
    assert found(text) == [
        ("url", "https://cdn.evil.top/dl/inv.php?id=7"), ("domain", "cdn.evil.top"),
        ("url", "https://1.2.3.4:8443/x"), ("ip-any", "1.2.3.4"),
        ("url", "http://[2001:db8::1]:80/"), ("ip-any", "2001:db8::1"),
    ]
    # the file name and the query inside the URL are never offered on their own
    assert found(text, url_parts=False) == [
        ("url", "https://cdn.evil.top/dl/inv.php?id=7"), ("url", "https://1.2.3.4:8443/x"),
        ("url", "http://[2001:db8::1]:80/"),
    ]


def test_a_host_seen_only_in_urls_is_flagged_and_one_seen_alone_is_not() -> None:
    by_value = {c.value: c for c in extract("https://a.evil.com/x then b.evil.com and https://b.evil.com/y")}
    assert by_value["a.evil.com"].in_url is True
    assert by_value["b.evil.com"].in_url is False
    assert by_value["b.evil.com"].count == 2


def test_an_unknown_host_keeps_the_url_but_offers_no_host() -> None:
    assert found("http://intranet/x and ftp://fileserver/share") == [
        ("url", "http://intranet/x"), ("url", "ftp://fileserver/share")]


def test_the_domain_of_an_email_is_not_offered() -> None:
    assert found("mail from bob@phish.co.uk") == [("email", "bob@phish.co.uk")]


def test_a_hash_named_file_gives_the_hash() -> None:
    assert found("d41d8cd98f00b204e9800998ecf8427e.exe") == [("md5", "d41d8cd98f00b204e9800998ecf8427e")]


# -- duplicates, positions ----------------------------------------------------------------------

def test_duplicates_are_dropped_and_counted() -> None:
    text = "\n".join([
        "EVIL.com", "evil[.]com", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e",
        "2001:db8::1", "2001:0DB8::0001", "HTTPS://Evil.com/A", "https://evil.com/A", "https://evil.com/a",
        "Bob@evil.com", "bob@EVIL.COM", "Dropper.EXE", "dropper.exe",
    ])
    candidates = extract(text, url_parts=False)
    assert [(c.kind, c.value, c.count) for c in candidates] == [
        ("domain", "evil.com", 2),
        ("md5", "d41d8cd98f00b204e9800998ecf8427e", 2),
        ("ip-any", "2001:db8::1", 2),
        ("url", "https://Evil.com/A", 2),  # scheme and host compared case-insensitively
        ("url", "https://evil.com/a", 1),  # the path is not
        ("email", "Bob@evil.com", 2),
        ("filename", "Dropper.EXE", 2),
    ]


def test_positions_point_into_the_original_defanged_text() -> None:
    text = "first line\nC2: hxxps[:]//evil[.]example[.]com/gate and 185.220.101[.]4\nhash D41D8CD98F00B204E9800998ECF8427E"
    candidates = extract(text)
    for c in candidates:
        assert text[c.start:c.end] == c.raw
    assert [(c.value, c.line, c.raw) for c in candidates] == [
        ("https://evil.example.com/gate", 2, "hxxps[:]//evil[.]example[.]com/gate"),
        ("evil.example.com", 2, "evil[.]example[.]com"),
        ("185.220.101.4", 2, "185.220.101[.]4"),
        ("d41d8cd98f00b204e9800998ecf8427e", 3, "D41D8CD98F00B204E9800998ECF8427E"),
    ]


def test_positions_skip_terminal_escapes() -> None:
    text = "\x1b[32m2025-03-03\x1b[0m dst=\x1b[1m45.137.22[.]91\x1b[0m"
    [candidate] = extract(text)
    assert candidate.value == "45.137.22.91"
    assert candidate.raw == "45.137.22[.]91"


def test_empty_and_boring_text() -> None:
    assert extract("") == []
    assert extract("Nothing to see here.\nJust words, 42 and 3.14.") == []


# -- types --------------------------------------------------------------------------------------

def test_every_type_offered_exists_in_iris() -> None:
    names = {row["type_name"] for row in json.loads(LOOKUPS.read_text())["ioc_type"]}
    offered = {kind for kinds in ALTERNATIVES.values() for kind in kinds}
    assert offered <= names
    assert {"ip-any", "domain", "url", "email", "md5", "sha1", "sha256", "sha512", "filename"} <= set(ALTERNATIVES)


def test_alternatives_cover_the_file_or_domain_doubt() -> None:
    def kinds(text: str) -> tuple[str, ...]:
        return extract(text)[0].alternatives

    assert kinds("1.2.3.4") == ("ip-any", "ip-dst", "ip-src")
    assert kinds("evil.com") == ("domain", "hostname")
    assert kinds("shop.example.pl") == ("domain", "hostname", "filename")
    assert kinds("archive.zip") == ("filename", "domain")
    assert kinds("invoice.pdf") == ("filename",)
    assert kinds("https://a.com/") == ("url", "uri", "link")
    assert kinds("a@b.com") == ("email", "email-src", "email-dst")
    assert kinds("d41d8cd98f00b204e9800998ecf8427e") == ("md5",)


def test_match_key_compares_addresses_and_ignores_case() -> None:
    assert match_key("2001:0DB8::0001") == match_key("2001:db8::1")
    assert match_key(" Evil.COM ") == match_key("evil.com")
    assert match_key("D41D8CD98F00B204E9800998ECF8427E") == "d41d8cd98f00b204e9800998ecf8427e"
    assert match_key("evil.com") != match_key("evil.org")


# -- a real-world report ------------------------------------------------------------------------

REPORT = r"""## Indicators of compromise (TLP:AMBER)

The actor delivered a OneNote lure (Invoice_0423.one) from hxxps://cdn-update[.]msedge-sync[.]top/dl/inv.php?id=7712,
which dropped `C:\Users\Public\Libraries\svcupd.exe` (SHA256: 3B5C1A3E0D7F4B2A9C8E6D5F4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B).
Beaconing to 45.137.22[.]91:443 and 2a03:2880:f12f:83:face:b00c:0:25de every 60s; exfiltration over
rclone to mega[.]nz (user: exfil.ops[at]protonmail[.]com). Ransom note: README.txt,
leak site: http://lockbit7z2jwcskxpbokpemdxmltipntwlkmidcll2qirbu7ykg46eyd.onion/.
Tools: AdFind.exe, netscan.exe, PsExec64.exe v2.43. Version 10.0.19041.1 (Windows build 19041).
MD5 of the loader: 0CC175B9C0F1B6A831C399E269772661; sha1=86f7e437faa5a7fce15d1ddcb9eaeaea377667b8.
Also seen: hxxp://185[.]220[.]101[.]4/gate (Tor exit), [2001:db8::dead:beef]:8443 and evil[dot]example[dot]com.
Again: 45.137.22.91, SVCUPD.EXE, 0cc175b9c0f1b6a831c399e269772661.
"""

ONION = "lockbit7z2jwcskxpbokpemdxmltipntwlkmidcll2qirbu7ykg46eyd.onion"


def test_a_real_world_report() -> None:
    candidates = extract(REPORT)
    assert [(c.kind, c.value, c.line) for c in candidates] == [
        ("filename", "Invoice_0423.one", 3),
        ("url", "https://cdn-update.msedge-sync.top/dl/inv.php?id=7712", 3),
        ("domain", "cdn-update.msedge-sync.top", 3),
        ("filename", "svcupd.exe", 4),
        ("sha256", "3b5c1a3e0d7f4b2a9c8e6d5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b", 4),
        ("ip-any", "45.137.22.91", 5),
        ("ip-any", "2a03:2880:f12f:83:face:b00c:0:25de", 5),
        ("domain", "mega.nz", 6),
        ("email", "exfil.ops@protonmail.com", 6),
        ("filename", "README.txt", 6),
        ("url", f"http://{ONION}/", 7),
        ("domain", ONION, 7),
        ("filename", "AdFind.exe", 8),
        ("filename", "netscan.exe", 8),
        ("filename", "PsExec64.exe", 8),
        ("md5", "0cc175b9c0f1b6a831c399e269772661", 9),
        ("sha1", "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8", 9),
        ("url", "http://185.220.101.4/gate", 10),
        ("ip-any", "185.220.101.4", 10),
        ("ip-any", "2001:db8::dead:beef", 10),
        ("domain", "evil.example.com", 10),
    ]
    counts = {c.value: c.count for c in candidates}
    assert counts["45.137.22.91"] == 2
    assert counts["svcupd.exe"] == 2
    assert counts["0cc175b9c0f1b6a831c399e269772661"] == 2


def test_a_mixed_log() -> None:
    log = (
        "2025-03-03T10:11:12Z fw deny src=10.1.2.3 dst=45.137.22.91 dport=443 proto=tcp\n"
        "2025-03-03T10:11:13Z proxy GET http://update.msedge-cdn.example.net/u?id=42 ua=\"Mozilla/5.0 (Windows NT 10.0)\"\n"
        "2025-03-03T10:11:14Z edr proc=C:\\Windows\\Temp\\svchost32.exe parent=cmd.exe sha256=" + SHA256 + "\n"
        "2025-03-03T10:11:15Z dns query=evil-c2.example.com answer=2001:db8::53 ttl=60\n"
    )
    assert found(log) == [
        ("ip-any", "10.1.2.3"),
        ("ip-any", "45.137.22.91"),
        ("url", "http://update.msedge-cdn.example.net/u?id=42"),
        ("domain", "update.msedge-cdn.example.net"),
        ("filename", "svchost32.exe"),
        ("filename", "cmd.exe"),
        ("sha256", SHA256),
        ("domain", "evil-c2.example.com"),
        ("ip-any", "2001:db8::53"),
    ]


def test_candidates_are_frozen_values() -> None:
    candidate = extract("evil.com")[0]
    assert isinstance(candidate, Candidate)
    with pytest.raises(AttributeError):
        candidate.value = "x"  # type: ignore[misc]
