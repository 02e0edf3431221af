"""The rules an external media URL must pass before anything is fetched from it. Pure: no I/O.

Shape (`check_url_shape`, `parse_url`):

- `https` only, absolute, at most 2048 characters;
- no whitespace, control or invisible characters, raw or percent-encoded (`%20`, `%0A`, `%C2%A0`,
  ...), and no `+` in the path (many networks read it as a space); `+` stays allowed in the query,
  where signed CDN URLs carry it. No backslash (parsers disagree on what it means);
- no user name or password (`user:pass@host`);
- no port other than 443: media lives on the standard port, and a free port turns the probe into a
  port scanner. `:443` is dropped when normalising;
- the host is a domain name or an IP address. Names are lower-cased and IDNA-encoded with the
  standard library (IDNA 2003); a name with a character IDNA 2003 and 2008 map differently (ß, ς,
  ZWJ, ZWNJ) is refused rather than guessed at. A name must have a dot and must not be a local-only
  name (localhost, *.local, *.internal, *.home.arpa, *.localdomain). One trailing dot is dropped.
- a host whose last label is a number is an IPv4 address, parsed as browsers (WHATWG) and
  `inet_aton` do: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x). So `2130706433`,
  `0x7f.1` and `017700000001` are all 127.0.0.1. Such an address is judged like any other; if it is
  not written in dotted decimal it is also refused as invalid, since the networks that later fetch
  the URL themselves may read it differently. A host ending in a number that is not an address is
  invalid (`1.2.3.999`, `example.123`).

Address (`check_address`): every address that is not public is refused: unspecified, "this
network" 0/8, loopback, link-local (with the cloud metadata addresses named), private, CGNAT
100.64/10, unique-local fc00::/7, site-local, multicast, broadcast, reserved and the other
special-purpose ranges, plus IPv6 forms that embed an IPv4 address (IPv4-mapped, NAT64 64:ff9b::/96,
6to4 2002::/16), which are judged by the address they embed. Local-use NAT64 and IPv4-compatible
forms are refused whatever they embed, as are Teredo addresses (2001::/32, not global).

Kinds (`expected_kind`): the path's extension decides; without a known extension the caller's
`is_video` flag does; with neither the kind is open (None) and the server's content type decides.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from herald.errors import InvalidRequest

ProblemCode = Literal["media_url_invalid", "media_url_forbidden", "media_unreachable", "media_type_mismatch"]
Kind = Literal["image", "video", "gif"]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

INVALID: ProblemCode = "media_url_invalid"
FORBIDDEN: ProblemCode = "media_url_forbidden"
UNREACHABLE: ProblemCode = "media_unreachable"
MISMATCH: ProblemCode = "media_type_mismatch"

MAX_URL_LENGTH = 2048
HTTPS_PORT = 443

EXTENSION_KINDS: dict[str, Kind] = {
    "jpg": "image",
    "jpeg": "image",
    "png": "image",
    "webp": "image",
    "heic": "image",
    "gif": "gif",
    "mp4": "video",
    "mov": "video",
    "m4v": "video",
    "webm": "video",
}

# Names that only ever mean a machine on the local network (RFC 6761, RFC 8375, ICANN's .internal).
LOCAL_ONLY_SUFFIXES = ("localhost", "local", "internal", "home.arpa", "localdomain")
# Characters IDNA 2003 (the standard library) and IDNA 2008 (httpx, browsers) encode differently.
IDNA_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")

_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")

_NET = ipaddress.ip_network
_THIS_NETWORK = _NET("0.0.0.0/8")
_CGNAT = _NET("100.64.0.0/10")
_PRIVATE_V4 = (_NET("10.0.0.0/8"), _NET("172.16.0.0/12"), _NET("192.168.0.0/16"))
_BROADCAST = ipaddress.IPv4Address("255.255.255.255")
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_UNIQUE_LOCAL = _NET("fc00::/7")
_NAT64 = _NET("64:ff9b::/96")
_NAT64_LOCAL = _NET("64:ff9b:1::/48")
_IPV4_COMPATIBLE = _NET("::/96")
_TEREDO = _NET("2001::/32")
# IANA special-purpose blocks that are not global, listed here as well as trusting `ipaddress`,
# whose tables differ between Python patch releases (3.12.1 thinks 192.0.0.192 is global).
_SPECIAL_V4 = tuple(
    _NET(block)
    for block in ("0.0.0.0/8", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "198.18.0.0/15",
                  "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4")
)
_SPECIAL_V6 = tuple(
    _NET(block) for block in ("100::/64", "100:0:0:1::/64", "2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16")
)


@dataclass(frozen=True)
class UrlProblem:
    """Why a media URL is refused. `code` is stable; `message` names the URL and the reason in plain
    words; `field` is where the URL was given (e.g. `media[0]`)."""

    code: ProblemCode
    message: str
    field: str = "media"


@dataclass(frozen=True)
class MediaUrl:
    """A URL that passed the shape rules, normalised: lower-case ASCII host without a trailing dot,
    no port, no fragment."""

    url: str  # https://{authority}{path}[?{query}]
    host: str  # the ASCII host name, or the IP address's text (IPv6 without brackets)
    address: IPAddress | None  # set when the host is an IP address

    @property
    def authority(self) -> str:
        """The host as it goes into a URL or a Host header (IPv6 in brackets)."""
        return f"[{self.host}]" if isinstance(self.address, ipaddress.IPv6Address) else self.host


def check_url_shape(url: object, *, field: str = "media") -> list[UrlProblem]:
    """Every shape problem of `url`, the forbidden ones first; empty when the URL may be probed.
    A host written as an IP address is judged here too (`check_address`)."""
    return parse_url(url, field=field)[1]


def parse_url(url: object, *, field: str = "media") -> tuple[MediaUrl | None, list[UrlProblem]]:
    """`(normalised URL, [])` when `url` passes the shape rules, else `(None, problems)` with the
    forbidden problems first (so the first problem is the one to show)."""
    if not isinstance(url, str) or not url:
        return None, [UrlProblem(INVALID, "A media URL must be a non-empty string.", field)]
    shown = display_url(url)
    if len(url) > MAX_URL_LENGTH:
        message = f"The media URL {shown} is {len(url)} characters long; at most {MAX_URL_LENGTH} are accepted."
        return None, [UrlProblem(INVALID, message, field)]

    problems: list[UrlProblem] = []

    def refuse(code: ProblemCode, reason: str) -> None:
        problems.append(UrlProblem(code, f"The media URL {shown} {reason}.", field))

    def done(result: MediaUrl | None = None) -> tuple[MediaUrl | None, list[UrlProblem]]:
        ordered = sorted(problems, key=lambda problem: problem.code != FORBIDDEN)
        return (None if ordered else result), ordered

    raw_blank = any(_is_blank(ch) for ch in url)
    if raw_blank:
        refuse(INVALID, "contains a space, a line break or an invisible character")
    if "\\" in url:
        refuse(INVALID, "contains a backslash")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        refuse(INVALID, "cannot be read as a URL (bad brackets or port)")
        return done()

    if parts.scheme == "http":
        refuse(INVALID, "uses http; only https URLs are accepted")
    elif parts.scheme != "https":
        refuse(INVALID, "is not an https URL")
    if not parts.netloc:
        if parts.scheme in ("http", "https"):
            refuse(INVALID, "has no host")
        return done()
    if "+" in parts.path:
        refuse(INVALID, "has a '+' in its path, which many networks read as a space")
    if not raw_blank and any(_is_blank(ch) for ch in unquote(parts.path + parts.query)):
        refuse(INVALID, "contains an encoded space or control character (such as %20 or %0A)")
    if "@" in parts.netloc:
        refuse(INVALID, "carries a user name or password (user:password@); put credentials nowhere in a media URL")
    if port is not None and port != HTTPS_PORT:
        refuse(INVALID, f"uses port {port}; only the standard https port (443) is accepted")

    hostport = parts.netloc.rpartition("@")[2]
    host, address = _read_host(parts.hostname or "", bracketed=hostport.startswith("["), refuse=refuse)
    if address is not None:
        problem = check_address(address, url=url, field=field)
        if problem is not None:
            problems.append(problem)
    if host is None:
        return done()
    authority = f"[{host}]" if isinstance(address, ipaddress.IPv6Address) else host
    normalised = f"https://{authority}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    return done(MediaUrl(url=normalised, host=host, address=address))


def check_address(
    ip: IPAddress | str, *, url: str | None = None, host: str | None = None, field: str = "media"
) -> UrlProblem | None:
    """None when `ip` is a public internet address; otherwise a `media_url_forbidden` problem that
    names the URL (when given), the host name it was resolved from (when given), the address and
    why it is refused."""
    where = f"The media URL {display_url(url)}" if url else "The media URL"
    where += f" names {host}, which resolves to" if host else " leads to"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return UrlProblem(FORBIDDEN, f"{where} {ip!r}, which is not an IP address.", field)
    reason = forbidden_reason(address)
    if reason is None:
        return None
    return UrlProblem(FORBIDDEN, f"{where} {address}, {reason}. Only public internet addresses are allowed.", field)


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why `ip` may not be fetched from, in words; None for a public address."""
    if isinstance(ip, ipaddress.IPv4Address):
        return _ipv4_reason(ip)
    ip = ipaddress.IPv6Address(int(ip))  # without a zone id
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        form, inner, public_ok = embedded
        reason = _ipv4_reason(inner)
        if reason is not None:
            return f"{form} of {inner}, {reason}"
        if public_ok:
            return None
    return _ipv6_reason(ip)


def extension_kind(url: str) -> Kind | None:
    """The kind the last path segment's extension names; None without a known extension."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    name = unquote(path).rsplit("/", 1)[-1]
    return EXTENSION_KINDS.get(posixpath.splitext(name)[1][1:].lower())


def expected_kind(url: str, is_video: bool | None) -> Kind | None:
    """What the URL must serve: the extension's kind; else "video"/"image" from `is_video`; else
    None (any image or video, the content type decides)."""
    kind = extension_kind(url)
    if kind is not None or is_video is None:
        return kind
    return "video" if is_video else "image"


def check_kind_flag(url: str, is_video: bool | None, *, field: str = "media") -> UrlProblem | None:
    """A `media_type_mismatch` when `is_video` contradicts the URL's extension (a `.png` said to be
    a video, an `.mp4` said not to be); None otherwise."""
    kind = extension_kind(url)
    if kind is None or is_video is None or (kind == "video") == is_video:
        return None
    said = "a video" if is_video else "not a video"
    return UrlProblem(MISMATCH, f"The media URL {display_url(url)} is marked as {said} but its name ends in a {kind} extension.", field)


def _read_host(
    raw: str, *, bracketed: bool, refuse: Callable[[ProblemCode, str], None]
) -> tuple[str | None, IPAddress | None]:
    """The normalised host and its address when it is an IP; (None, ...) after refusing."""
    if bracketed:
        if "%" in raw:
            refuse(INVALID, "names an IPv6 zone (%), which only means something on the local machine")
            return None, None
        try:
            address = ipaddress.IPv6Address(raw)
        except ValueError:
            refuse(INVALID, "has an invalid IPv6 address in brackets")
            return None, None
        return str(address), address

    if not raw.isascii():
        if IDNA_DEVIATIONS & set(raw):
            refuse(INVALID, "has an international host name with a character (such as ß) that is encoded two ways")
            return None, None
        try:
            raw = raw.encode("idna").decode("ascii")
        except UnicodeError:
            refuse(INVALID, "has a host name that is not a valid international domain name")
            return None, None
    name = raw.lower()
    if name.endswith("."):
        name = name[:-1]
    if not name:
        refuse(INVALID, "has no host")
        return None, None

    labels = name.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        address = _legacy_ipv4(labels)
        if address is None:
            refuse(INVALID, f"has a host ({name}) that ends in a number but is not an IPv4 address")
            return None, None
        if str(address) != name:
            refuse(INVALID, f"writes the IP address {address} in an unusual form ({name}); use dotted decimal")
            return None, address
        return name, address

    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        refuse(INVALID, f"has an invalid host name ({name})")
        return None, None
    if any(name == suffix or name.endswith("." + suffix) for suffix in LOCAL_ONLY_SUFFIXES):
        refuse(FORBIDDEN, f"names a local-only host ({name})")
        return None, None
    if len(labels) == 1:
        refuse(FORBIDDEN, f"names a host without a domain ({name}), which can only be a machine on a local network")
        return None, None
    return name, None


def _legacy_ipv4(parts: list[str]) -> ipaddress.IPv4Address | None:
    """The IPv4 address `inet_aton` and the WHATWG URL parser read from dot-separated parts (1 to
    4, each decimal, octal or hex; the last fills the remaining bytes); None if they read none."""
    if len(parts) > 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    if part.startswith("0x"):
        digits, base = part[2:], 16
        if digits and not all(ch in "0123456789abcdef" for ch in digits):
            return None
        return int(digits, base) if digits else 0
    if not part or not part.isdigit():
        return None
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8) if all(ch in "01234567" for ch in part) else None
    return int(part)


def _ipv4_reason(ip: ipaddress.IPv4Address) -> str | None:
    if ip.is_unspecified:
        return "the unspecified address"
    if ip in _THIS_NETWORK:
        return 'a "this network" address'
    if ip.is_loopback:
        return "a loopback address (the server itself)"
    if ip in _METADATA:
        return "the cloud metadata service's link-local address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip in _CGNAT:
        return "a carrier-grade NAT (shared) address"
    if any(ip in network for network in _PRIVATE_V4):
        return "a private network address"
    if ip == _BROADCAST:
        return "the broadcast address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private or not ip.is_global or any(ip in block for block in _SPECIAL_V4):
        return "a special-purpose address that is not on the public internet"
    return None


def _ipv6_reason(ip: ipaddress.IPv6Address) -> str | None:
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_loopback:
        return "a loopback address (the server itself)"
    if ip in _METADATA:
        return "the cloud metadata service's address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip in _UNIQUE_LOCAL:
        return "a unique local (private IPv6) address"
    if ip.is_site_local:
        return "a site-local (deprecated private IPv6) address"
    if ip in _IPV4_COMPATIBLE:
        return "a deprecated IPv4-compatible address"
    if ip in _NAT64_LOCAL:
        return "a local-use NAT64 address"
    if ip in _TEREDO:
        return "a Teredo tunnel address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private or not ip.is_global or any(ip in block for block in _SPECIAL_V6):
        return "a special-purpose address that is not on the public internet"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address, bool] | None:
    """(form, the IPv4 address it embeds, whether a public embedded address makes it acceptable)."""
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.ipv4_mapped is not None:
        return "an IPv4-mapped form", ip.ipv4_mapped, True
    if ip in _NAT64:
        return "a NAT64 form", low32, True
    if ip.sixtofour is not None:
        return "a 6to4 form", ip.sixtofour, True
    if ip in _NAT64_LOCAL:
        return "a local-use NAT64 form", low32, False
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:
        return "an IPv4-compatible form", low32, False
    return None


def _is_blank(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf", "Zs", "Zl", "Zp"}


def display_url(url: str | None) -> str:
    """The URL as a message shows it: invisible characters escaped, cut at 200 characters."""
    text = "".join(ch if ch == " " or not _is_blank(ch) else f"\\u{ord(ch):04x}" for ch in url or "")
    return text if len(text) <= 200 else text[:199] + "…"


class MediaUrlError(InvalidRequest):
    """A media URL was refused; `problem` is the one to show, `problems` all that were found."""

    def __init__(self, problem: UrlProblem, *more: UrlProblem) -> None:
        self.problem = problem
        self.problems = (problem, *more)
        super().__init__(
            problem.message,
            details=[{"field": p.field, "issue": p.code, "message": p.message} for p in self.problems],
        )
        self.code = problem.code
