"""Probing an external media URL before publish: shape, address, reachability and content type.

`probe(url)` never lets a request reach an address the rules in `herald.media.urls` refuse:

1. The URL must pass the shape rules (a host written as an IP address is judged there).
2. The host name is resolved once, with the injectable `resolver`, and refused if ANY address it
   resolves to is not public (a name that answers one public and one private address is refused).
3. The request is pinned to the vetted address: it is sent to `https://{vetted IP}/{path}` with
   the original name in the `Host` header and, through httpcore's `sni_hostname` request
   extension, as the TLS server name, so the certificate is still verified against the name.
   httpx never resolves the name itself, so a DNS answer that changes between the check and the
   connection (DNS rebinding) cannot move the request to another address. Each request says
   `Connection: close`, so no TLS connection verified for one name is reused for another name on
   the same IP. The default client ignores proxy settings from the environment (`trust_env=False`):
   a proxy would do its own resolution, and an HTTP proxy tunnel does not honour `sni_hostname`.
4. HEAD first; a HEAD refused with 403, 405 or 501 is retried as `GET` with `Range: bytes=0-0`,
   streamed and closed after the headers (the body is never read).
5. Redirects are followed by hand, at most 3, and every new location goes through steps 1-3
   again (so https -> http, or a redirect to 169.254.169.254, is refused).
6. The final answer must be a success whose content type matches the expected kind
   (`herald.media.urls.expected_kind`): image/* for images, video/* for videos, image/gif for GIFs;
   `application/octet-stream` only when the caller said `is_video=True`.

Timeouts per request: connect 5 s, read 10 s. Failures raise `MediaUrlError`, an
`InvalidRequest` (HTTP 422) whose code is the problem's code.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from herald.media.urls import (
    HTTPS_PORT,
    MISMATCH,
    UNREACHABLE,
    IPAddress,
    Kind,
    MediaUrl,
    MediaUrlError,
    UrlProblem,
    check_address,
    check_kind_flag,
    display_url,
    expected_kind,
    parse_url,
)

TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=10.0, pool=5.0)
MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HEAD_REFUSED = frozenset({403, 405, 501})
USER_AGENT = "Herald media check"

# host name -> the addresses it resolves to, as text.
Resolver = Callable[[str], Sequence[str]]


def system_resolver(host: str) -> list[str]:
    """Every address `socket.getaddrinfo` gives for `host` on the https port, in its order."""
    infos = socket.getaddrinfo(host, HTTPS_PORT, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class MediaProbe:
    final_url: str  # after redirects, normalised
    content_type: str  # the media type, lower-case, without parameters
    content_length: int | None  # bytes, when the server said
    kind: Kind


def new_client() -> httpx.Client:
    """The client `probe` uses when given none: no redirects, no environment proxies, the timeouts."""
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False)


def probe(
    url: str,
    *,
    is_video: bool | None = None,
    field: str = "media",
    resolver: Resolver = system_resolver,
    client: httpx.Client | None = None,
) -> MediaProbe:
    """Check `url` (see the module's steps) and answer what it serves; raise `MediaUrlError` if it
    may not be used. `client` is used as given (its transport is what tests replace); only
    `follow_redirects`, the timeouts and the headers above are set per request."""
    target, problems = parse_url(url, field=field)
    if target is None:
        raise MediaUrlError(*problems)
    conflict = check_kind_flag(url, is_video, field=field)
    if conflict is not None:
        raise MediaUrlError(conflict)
    expected = expected_kind(url, is_video)

    http = client if client is not None else new_client()
    try:
        for hop in range(MAX_REDIRECTS + 1):
            # What messages call the URL: the one given, and where a redirect led.
            shown = display_url(url) + (f" (redirected to {target.url})" if hop else "")
            addresses = _vetted_addresses(target, shown, resolver, field)
            response = _ask(http, target, addresses, shown, field)
            if response.status_code not in REDIRECT_STATUSES:
                return _judge(target, response, shown, expected, is_video, field)
            location = response.headers.get("location")
            if not location:
                raise _unreachable(shown, f"answered a redirect (HTTP {response.status_code}) without a location", field)
            if hop == MAX_REDIRECTS:
                raise _unreachable(display_url(url), f"redirects more than {MAX_REDIRECTS} times", field)
            target = _redirect_target(target, location, display_url(url), field)
    finally:
        if client is None:
            http.close()
    raise AssertionError("unreachable")  # the loop returns or raises


def stream(
    url: str,
    chunk_size: int,
    *,
    max_bytes: int,
    resolver: Resolver = system_resolver,
    client: httpx.Client | None = None,
) -> Iterator[bytes]:
    """The body of `url` in pieces of `chunk_size` bytes, fetched under the same rules as `probe`
    (vetted and pinned addresses, every redirect checked again); more than `max_bytes` raises
    `MediaUrlError` (media_unreachable: the file is too large to relay)."""
    target, problems = parse_url(url, field="media")
    if target is None:
        raise MediaUrlError(*problems)
    http = client if client is not None else new_client()
    try:
        for hop in range(MAX_REDIRECTS + 1):
            shown = display_url(url) + (f" (redirected to {target.url})" if hop else "")
            addresses = _vetted_addresses(target, shown, resolver, "media")
            response = _open(http, target, addresses, shown)
            try:
                if response.status_code in REDIRECT_STATUSES and response.headers.get("location"):
                    if hop == MAX_REDIRECTS:
                        raise _unreachable(display_url(url), f"redirects more than {MAX_REDIRECTS} times", "media")
                    target = _redirect_target(target, response.headers["location"], display_url(url), "media")
                    continue
                if not response.is_success:
                    raise _unreachable(shown, f"answered HTTP {response.status_code}", "media")
                try:
                    yield from rechunk(response.iter_bytes(chunk_size), chunk_size, max_bytes)
                except TooLarge as exc:
                    raise _unreachable(shown, f"is larger than the {max_bytes} bytes Herald relays", "media") from exc
                return
            finally:
                response.close()
    finally:
        if client is None:
            http.close()


class TooLarge(Exception):
    pass


def rechunk(pieces: Iterator[bytes], chunk_size: int, max_bytes: int) -> Iterator[bytes]:
    """Re-cut `pieces` into chunks of exactly `chunk_size` (the last may be shorter); TooLarge
    past `max_bytes`."""
    buffer, total = b"", 0
    for piece in pieces:
        total += len(piece)
        if total > max_bytes:
            raise TooLarge(total)
        buffer += piece
        while len(buffer) >= chunk_size:
            yield buffer[:chunk_size]
            buffer = buffer[chunk_size:]
    if buffer:
        yield buffer


def _open(http: httpx.Client, target: MediaUrl, addresses: list[IPAddress], shown: str) -> httpx.Response:
    """A streamed GET to the first vetted address that takes a connection (the caller closes it)."""
    last_error: httpx.TransportError | None = None
    for address in addresses:
        try:
            return _send(http, "GET", target, address, keep_open=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            last_error = exc
        except httpx.HTTPError as exc:
            raise _unreachable(shown, f"could not be fetched ({type(exc).__name__}: {exc})", "media") from exc
    reason = f"{type(last_error).__name__}: {last_error}" if last_error else "no address"
    raise _unreachable(shown, f"could not be connected to ({reason})", "media") from last_error


def _redirect_target(current: MediaUrl, location: str, shown: str, field: str) -> MediaUrl:
    """The normalised URL a redirect leads to; refused (naming both URLs) if it breaks the rules."""
    following, problems = parse_url(urljoin(current.url, location), field=field)
    if following is None:
        first, *rest = (
            UrlProblem(p.code, f"The media URL {shown} redirects elsewhere, which is refused: {p.message}", p.field)
            for p in problems
        )
        raise MediaUrlError(first, *rest)
    return following


def _vetted_addresses(target: MediaUrl, shown: str, resolver: Resolver, field: str) -> list[IPAddress]:
    """The addresses to connect to: the URL's own IP, or every address its name resolves to, all public."""
    if target.address is not None:
        return [target.address]  # judged by parse_url
    try:
        answers = list(resolver(target.host))
    except (OSError, UnicodeError) as exc:
        raise _unreachable(shown, f"names a host ({target.host}) that could not be resolved ({exc})", field) from exc
    if not answers:
        raise _unreachable(shown, f"names a host ({target.host}) that resolves to no address", field)
    addresses: list[IPAddress] = []
    for answer in answers:
        problem = check_address(answer, url=shown, host=target.host, field=field)
        if problem is not None:
            raise MediaUrlError(problem)
        addresses.append(ipaddress.ip_address(answer))
    return addresses


def _ask(http: httpx.Client, target: MediaUrl, addresses: list[IPAddress], shown: str, field: str) -> httpx.Response:
    """HEAD (then a one-byte ranged GET if HEAD is refused) to the first vetted address that takes
    a connection; the answer's headers only, the connection closed."""
    last_error: httpx.TransportError | None = None
    for address in addresses:
        try:
            response = _send(http, "HEAD", target, address)
            if response.status_code in HEAD_REFUSED:
                response = _send(http, "GET", target, address, {"Range": "bytes=0-0"})
            return response
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            last_error = exc  # try the next vetted address
        except httpx.TimeoutException as exc:
            raise _unreachable(shown, f"did not answer within {TIMEOUT.read:g} seconds", field) from exc
        except httpx.HTTPError as exc:
            raise _unreachable(shown, f"could not be fetched ({type(exc).__name__}: {exc})", field) from exc
    reason = f"{type(last_error).__name__}: {last_error}" if last_error else "no address"
    raise _unreachable(shown, f"could not be connected to ({reason})", field) from last_error


def _send(
    http: httpx.Client,
    method: str,
    target: MediaUrl,
    address: IPAddress,
    headers: dict[str, str] | None = None,
    *,
    keep_open: bool = False,
) -> httpx.Response:
    """One request to `target`, connecting to `address` only (see the module's step 3); the
    body is left unread, and the connection open only with `keep_open`."""
    pinned = httpx.URL(target.url).copy_with(host=str(address))
    extensions = {"sni_hostname": target.host} if target.address is None else {}
    request = http.build_request(
        method,
        pinned,
        headers={
            "Host": target.authority,
            "User-Agent": USER_AGENT,
            "Connection": "close",
            **(headers or {}),
        },
        extensions=extensions,
        timeout=TIMEOUT,
    )
    response = http.send(request, stream=True, follow_redirects=False)
    if not keep_open:
        response.close()
    return response


def _judge(
    target: MediaUrl, response: httpx.Response, shown: str, expected: Kind | None, is_video: bool | None, field: str
) -> MediaProbe:
    if not response.is_success:
        raise _unreachable(shown, f"answered HTTP {response.status_code}", field)
    content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    kind = _served_kind(content_type, expected, is_video)
    if kind is None:
        wanted = {"image": "an image", "video": "a video", "gif": "a GIF (image/gif)", None: "an image or a video"}[expected]
        served = f"'{content_type}'" if content_type else "no content type"
        message = f"The media URL {shown} should serve {wanted}, but the server sends {served}."
        raise MediaUrlError(UrlProblem(MISMATCH, message, field))
    return MediaProbe(target.url, content_type, _content_length(response), kind)


def _served_kind(content_type: str, expected: Kind | None, is_video: bool | None) -> Kind | None:
    """The kind the content type shows when it matches what is expected; None for a mismatch."""
    if content_type == "application/octet-stream":
        return "video" if is_video is True else None
    if content_type == "image/gif" and expected in ("gif", "image", None):
        return "gif"
    if content_type.startswith("image/") and expected in ("image", None):
        return "image"
    if content_type.startswith("video/") and expected in ("video", None):
        return "video"
    return None


def _content_length(response: httpx.Response) -> int | None:
    """The full size: from `Content-Range` for a ranged answer, else `Content-Length`."""
    if response.status_code == 206:
        total = response.headers.get("content-range", "").rpartition("/")[2].strip()
        return int(total) if total.isdigit() else None
    length = response.headers.get("content-length", "").strip()
    return int(length) if length.isdigit() else None


def _unreachable(shown: str, reason: str, field: str) -> MediaUrlError:
    return MediaUrlError(UrlProblem(UNREACHABLE, f"The media URL {shown} {reason}.", field))
