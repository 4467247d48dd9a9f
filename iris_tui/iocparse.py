"""Find IOCs in any block of text (a report, a log, a list), for the bulk paste into a case.

Pure functions, no UI. `extract(text)` refangs the text (`hxxp`, `[.]`, `[at]`, ...), finds
URLs, emails, hashes, IPv4/IPv6 addresses, file names and domains, and returns one `Candidate`
per distinct IOC with its IRIS IOC type name and where it was first seen in the ORIGINAL text.

Decisions (so the results are predictable):
- Each stretch of text is claimed once, in this order: URL, email, hash, IPv6, IPv4, file
  name, domain. What lies inside a claimed stretch is not offered again, with one exception:
  the host of a URL (domain or IP) is offered as its own candidate (`in_url=True`), because
  responders block and search by domain; `url_parts=False` leaves it out. The domain of an
  email address is not offered (it is usually a mail provider).
- A domain needs a real TLD: every country code and a built-in set of common generic TLDs
  (and `example`, reserved for documentation and training material).
  A name whose last part is a file extension is a file name (`invoice.pdf`, `evil.exe`, `a.js`)
  even when that extension is also a TLD (`.zip`, `.sh`, `.py`), unless it has three or more
  parts or starts with `www.` (`shop.example.pl`, `www.evil.zip`). `example.com` is a domain.
  `.txt` and `.md` count as file extensions: ransom notes are IOCs (`README.md` is a file).
- IPv4 octets are checked (0-255, no leading zeros); dotted numbers right after "version",
  "build" or a `Product/` token are versions, not addresses, but a bare `1.2.3.4` is kept.
  IPv6 candidates are checked with `ipaddress` and written in their compressed form; ones with
  fewer than four hex digits (`::`, `::1`, C++ `a::b`) are skipped. Internationalised domains
  are found in their ASCII (`xn--`) form only.
- Duplicates are dropped: hashes are lower-cased, domains lower-cased, emails and file names
  compared case-insensitively, IPs by address, URLs with scheme and host case-insensitive.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

# IRIS IOC type names (present on every 2.4 install, see demo/data/lookups.json)
IP, DOMAIN, URL, EMAIL, FILENAME = "ip-any", "domain", "url", "email", "filename"
HASH_TYPES = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}

# what the type of a candidate can be switched to (first = what was found)
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    IP: (IP, "ip-dst", "ip-src"),
    DOMAIN: (DOMAIN, "hostname"),
    URL: (URL, "uri", "link"),
    EMAIL: (EMAIL, "email-src", "email-dst"),
    FILENAME: (FILENAME,),
    **{name: (name,) for name in HASH_TYPES.values()},
}

CCTLDS = frozenset("""
ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo bq br bs
bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg
er es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr
ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk
lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf
ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc
sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv
tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
""".split())

GTLDS = frozenset("""
com net org info biz gov edu mil int arpa name pro mobi asia tel jobs travel cat coop aero museum
post xxx onion top xyz online site website club icu vip shop store live life world space tech fun
link click win bid loan work today cloud app dev page blog news email support services digital
network systems solutions agency company group host press cyou buzz monster rest bar sbs cfd
quest lol best bond help run ink stream download review party science date faith racing trade
webcam men cricket accountant gdn kim country autos boats hair homes beauty skin makeup mom lat
center global media studio team zone plus finance financial bank money capital fund cash credit
exchange market trading games casino bet poker love art design photo pics video social chat new
zip mov one moe wtf rocks ninja guru expert tips tools software technology computer business
ltd inc llc church land city london tokyo berlin wiki guide academy school university example
""".split())

TLDS = CCTLDS | GTLDS

FILE_EXTENSIONS = frozenset("""
exe dll sys scr cpl ocx drv msi msp msc mst pif bat cmd ps1 psm1 psd1 vbs vbe js jse wsf wsh wsc
hta lnk inf reg sct jar class apk dex elf so dylib bin sh py pl rb php phtml asp aspx ashx jsp
jspx war cgi iso img vhd vhdx udf zip rar 7z tar gz tgz bz2 xz cab arj ace lzh doc docx docm dot
dotm xls xlsx xlsm xlsb xlam xll xla ppt pptx pptm ppam pps ppsm rtf pdf one onepkg chm hlp html
htm shtml svg xhtml eml msg appx msix appinstaller txt md
""".split())


@dataclass(frozen=True)
class Candidate:
    """One IOC found in the text: `value` refanged and normalised, `kind` an IRIS IOC type
    name, `start`/`end` the span of its first occurrence in the original text, `line` that
    span's line (1-based), `raw` the text as it was written there (maybe defanged)."""

    value: str
    kind: str
    start: int
    end: int
    line: int
    raw: str
    in_url: bool = False  # only ever seen as the host of a URL
    count: int = 1  # occurrences in the text

    @property
    def alternatives(self) -> tuple[str, ...]:
        """The IRIS types this value could also be given (the found type first)."""
        kinds = ALTERNATIVES.get(self.kind, (self.kind,))
        if self.kind == FILENAME and _is_domain(self.value):
            kinds += (DOMAIN,)
        elif self.kind == DOMAIN and _extension(self.value) in FILE_EXTENSIONS:
            kinds += (FILENAME,)
        return kinds


# -- refanging --------------------------------------------------------------------------------

_ESCAPES = re.compile(r"\x1b\[[0-9;:?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")
_REFANG = re.compile(
    r"(?P<scheme>\b(?:h(?:xx|\*\*)p|fxp)(?P<s>s?)(?=\[?:))"
    r"|(?P<sep>\[://\])"
    r"|(?P<dot>[ \t]?[\[({][ \t]?(?:\.|dot)[ \t]?[\])}][ \t]?)"
    r"|(?P<at>[ \t]?[\[({][ \t]?(?:@|at)[ \t]?[\])}][ \t]?)"
    r"|(?P<colon>\[:\])"
    r"|(?P<slash>\[/\])",
    re.IGNORECASE,
)
_SIMPLE = {"sep": "://", "dot": ".", "at": "@", "colon": ":", "slash": "/"}


def _replacement(match: re.Match[str]) -> str:
    if match.group("scheme"):
        base = "ftp" if match.group("scheme")[0] in "fF" else "http"
        return base + match.group("s").lower()
    return _SIMPLE[match.lastgroup or ""]


class _Edited:
    """`text` with each match of `pattern` replaced, and the way back from the new text's
    offsets to the old text's."""

    def __init__(self, text: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> None:
        parts: list[str] = []
        self._edits: list[tuple[int, int, int, int]] = []  # (new start, new len, old start, old end)
        self._new_starts: list[int] = []
        pos = length = 0
        for match in pattern.finditer(text):
            start, end = match.span()
            parts.append(text[pos:start])
            length += start - pos
            new = replace(match)
            self._edits.append((length, len(new), start, end))
            self._new_starts.append(length)
            parts.append(new)
            length += len(new)
            pos = end
        parts.append(text[pos:])
        self.text = "".join(parts)

    def _old(self, index: int, *, end: bool) -> int:
        """Old offset of new character `index` (its end when `end`)."""
        n = bisect.bisect_right(self._new_starts, index) - 1
        if n < 0:
            return index + end
        new_start, new_len, old_start, old_end = self._edits[n]
        if index < new_start + new_len:  # inside a replacement: the whole defanged piece
            return old_end if end else old_start
        return old_end + (index - new_start - new_len) + end

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self._old(start, end=False), self._old(end - 1, end=True)


class _Refanged:
    """Terminal escapes dropped first (a colour code glued to `hxxp` hides the scheme), then
    the defanged forms undone; `span()` maps back through both."""

    def __init__(self, text: str) -> None:
        plain = _Edited(text, _ESCAPES, lambda match: "")
        self._stages = (plain, _Edited(plain.text, _REFANG, _replacement))
        self.text = self._stages[1].text

    def span(self, start: int, end: int) -> tuple[int, int]:
        for stage in reversed(self._stages):
            start, end = stage.span(start, end)
        return start, end


def refang(text: str) -> str:
    """`hxxps[:]//evil[.]com` -> `https://evil.com` (also `(.)`, `{.}`, `[dot]`, `[@]`, `[at]`,
    `[://]`, `[/]`, `fxp://`). Terminal escape sequences (colours in a copied log) are dropped:
    `\x1b[31mevil.com` would otherwise read `31mevil.com`."""
    return _Refanged(text).text


# -- recognisers ------------------------------------------------------------------------------

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_TLD = r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"
_NAME_END = r"(?![\w-]|\.[a-z0-9])"
_DOMAIN_RE = re.compile(rf"(?<![\w.@-])(?:{_LABEL}\.)+{_TLD}{_NAME_END}", re.IGNORECASE)
_DOMAIN_SHAPE = re.compile(rf"(?:{_LABEL}\.)+{_TLD}", re.IGNORECASE)
_EMAIL_RE = re.compile(
    rf"(?<![\w.%+-])[\w%+-][\w.%+-]*@(?:{_LABEL}\.)+{_TLD}{_NAME_END}", re.IGNORECASE)
_SCHEMES = r"(?:https?|ftps?|sftp)://"
_URL_RE = re.compile(
    rf"(?<!\w){_SCHEMES}(?:(?!{_SCHEMES})[^\s<>\"'`{{}}|\\^])+", re.IGNORECASE)
_HASH_RE = re.compile(r"(?<!\w)[0-9a-f]{32,128}(?!\w)", re.IGNORECASE)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4_RE = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\w|\.\d)")
_VERSION_BEFORE = re.compile(
    r"(?:\b(?:version|ver|build|release|rev)\b\.?\s*[:=]?\s*|[a-z]/)$", re.IGNORECASE)
_IPV6_RE = re.compile(
    r"(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:]|\.\d)",
    re.IGNORECASE)
_FILE_RE = re.compile(
    r"(?<![\w$~.-])[\w$~-][\w$~.-]*\.(?:"
    + "|".join(sorted(FILE_EXTENSIONS, key=len, reverse=True))
    + r")(?![\w-]|\.\w)",
    re.IGNORECASE)
_TRAILING = ".,;:!?'\"*_"
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower()


def _has_tld(name: str) -> bool:
    tld = _extension(name)
    return tld in TLDS or tld.startswith("xn--")


def _is_domain(name: str) -> bool:
    return bool(_DOMAIN_SHAPE.fullmatch(name)) and _has_tld(name)


def _file_or_domain(name: str) -> str | None:
    """FILENAME or DOMAIN for a name ending in a file extension (None: not a file name)."""
    ext = _extension(name)
    if ext not in FILE_EXTENSIONS:
        return None
    if _is_domain(name) and (name.count(".") >= 2 or name.lower().startswith("www.")):
        return DOMAIN
    return FILENAME


def _trim_url(url: str) -> str:
    """Drop trailing punctuation and closing brackets that the URL did not open."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _CLOSERS and url.count(_CLOSERS[last]) < url.count(last):
            url = url[:-1]
        else:
            break
    return url


def _ip(text: str) -> str | None:
    """The canonical form of an IP address (IPv4-mapped IPv6 written with its IPv4 part)."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return None
        if address.ipv4_mapped is not None:
            return f"::ffff:{address.ipv4_mapped}"
        return address.compressed
    return str(address)


def match_key(value: str) -> str:
    """What two IOC values are compared by: an IP by address, anything else case-insensitively
    (also used to find the candidates a case already holds)."""
    text = value.strip()
    return _ip(text) or text.casefold()


def _dedupe_key(kind: str, value: str) -> tuple[str, str]:
    if kind == URL:
        scheme, _, rest = value.partition("://")
        netloc, slash, path = rest.partition("/")
        return kind, f"{scheme.lower()}://{netloc.lower()}{slash}{path}"
    return kind, match_key(value)


@dataclass
class _Hit:
    value: str
    kind: str
    start: int  # in the refanged text
    end: int
    in_url: bool = False


class _Finder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.hits: list[_Hit] = []
        self._claimed: list[tuple[int, int]] = []  # sorted, non-overlapping

    def free(self, start: int, end: int) -> bool:
        n = bisect.bisect_right(self._claimed, (start, end))
        if n and self._claimed[n - 1][1] > start:
            return False
        return not (n < len(self._claimed) and self._claimed[n][0] < end)

    def add(self, value: str, kind: str, start: int, end: int, *, claim: bool = True,
            in_url: bool = False) -> None:
        self.hits.append(_Hit(value, kind, start, end, in_url))
        if claim:
            bisect.insort(self._claimed, (start, end))

    def urls(self, hosts: bool) -> None:
        for match in _URL_RE.finditer(self.text):
            url = _trim_url(match.group())
            try:
                host = urlsplit(url).hostname
            except ValueError:
                continue
            if not host or not self.free(match.start(), match.start() + len(url)):
                continue
            scheme, sep, rest = url.partition("://")
            self.add(scheme.lower() + sep + rest, URL, match.start(), match.start() + len(url))
            if hosts:
                self._host(url, host, match.start())

    def _host(self, url: str, host: str, offset: int) -> None:
        at = url.lower().find(host.lower(), url.find("://") + 3)
        if at < 0:
            return
        ip = _ip(host)
        if ip is not None:
            self.add(ip, IP, offset + at, offset + at + len(host), claim=False, in_url=True)
        elif _is_domain(host):
            self.add(host.lower(), DOMAIN, offset + at, offset + at + len(host), claim=False,
                     in_url=True)

    def emails(self) -> None:
        for match in _EMAIL_RE.finditer(self.text):
            value = match.group()
            local, _, domain = value.rpartition("@")
            if _has_tld(domain) and self.free(*match.span()):
                self.add(f"{local}@{domain.lower()}", EMAIL, *match.span())

    def hashes(self) -> None:
        for match in _HASH_RE.finditer(self.text):
            kind = HASH_TYPES.get(len(match.group()))
            if kind and self.free(*match.span()):
                self.add(match.group().lower(), kind, *match.span())

    def ipv4(self) -> None:
        for match in _IPV4_RE.finditer(self.text):
            before = self.text[max(0, match.start() - 16):match.start()]
            if _VERSION_BEFORE.search(before) or not self.free(*match.span()):
                continue
            self.add(match.group(), IP, *match.span())

    def ipv6(self) -> None:
        for match in _IPV6_RE.finditer(self.text):
            text = match.group()
            if sum(c not in ":." for c in text) < 4 or not self.free(*match.span()):
                continue
            value = _ip(text)
            if value is not None and ":" in value:
                self.add(value, IP, *match.span())

    def files(self) -> None:
        for match in _FILE_RE.finditer(self.text):
            if _file_or_domain(match.group()) == FILENAME and self.free(*match.span()):
                self.add(match.group(), FILENAME, *match.span())

    def domains(self) -> None:
        for match in _DOMAIN_RE.finditer(self.text):
            name = match.group()
            if _has_tld(name) and _file_or_domain(name) != FILENAME and self.free(*match.span()):
                self.add(name.lower(), DOMAIN, *match.span())


def extract(text: str, *, url_parts: bool = True) -> list[Candidate]:
    """Every distinct IOC in `text`, in the order of first appearance (see the module doc)."""
    refanged = _Refanged(text)
    finder = _Finder(refanged.text)
    finder.urls(hosts=url_parts)
    finder.emails()
    finder.hashes()
    finder.ipv6()
    finder.ipv4()
    finder.files()
    finder.domains()
    newlines = [m.start() for m in re.finditer("\n", text)]
    groups: dict[tuple[str, str], list[_Hit]] = {}
    for hit in sorted(finder.hits, key=lambda h: (h.start, h.in_url)):
        groups.setdefault(_dedupe_key(hit.kind, hit.value), []).append(hit)
    found = []
    for hits in groups.values():
        first = hits[0]
        start, end = refanged.span(first.start, first.end)
        found.append(Candidate(
            value=first.value, kind=first.kind, start=start, end=end,
            line=bisect.bisect_left(newlines, start) + 1, raw=text[start:end],
            in_url=all(h.in_url for h in hits), count=len(hits),
        ))
    return found
