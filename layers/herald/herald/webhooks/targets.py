"""Where a webhook may be delivered: checked like media URLs, so Herald cannot be used to reach
addresses inside the deployment's network.

At registration: an https URL (any port), no credentials in it, a host written as an IP address
must be public. At delivery: the host name is resolved once and refused if any address it
resolves to is not public; the request is then pinned to the vetted address (herald.webhooks.
sender), so a DNS answer that changes in between cannot redirect it.

The local cloud (`allow_loopback`) also takes plain http to 127.0.0.1, ::1 or localhost, so a
receiver on the developer's machine can be used; nothing else private is ever allowed."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from herald.errors import InvalidRequest
from herald.media.urls import IPAddress, forbidden_reason

MAX_URL_LENGTH = 2048
LOOPBACK_NAMES = frozenset({"localhost"})

Resolver = Callable[[str, int], Sequence[str]]


class WebhookUrlRefused(InvalidRequest):
    code = "webhook_url_refused"


@dataclass(frozen=True)
class DeliveryTarget:
    url: str
    scheme: str
    host: str  # lower-case, IPv6 without brackets
    port: int
    address: IPAddress | None  # when the host is written as an IP address

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if isinstance(self.address, ipaddress.IPv6Address) else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _refuse(url: str, reason: str) -> WebhookUrlRefused:
    return WebhookUrlRefused(f"The webhook URL {url[:200]!r} {reason}.", details=[{"field": "url", "issue": reason}])


def _is_loopback(host: str, address: IPAddress | None) -> bool:
    return host in LOOPBACK_NAMES or (address is not None and address.is_loopback)


def parse_target(url: str, *, allow_loopback: bool = False) -> DeliveryTarget:
    """The URL as a delivery target, or `WebhookUrlRefused` saying why it cannot be one."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise _refuse(str(url), f"must be a URL of 1 to {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 32 for ch in url) or "\\" in url:
        raise _refuse(url, "contains a space, a control character or a backslash")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse(url, "cannot be read as a URL (bad brackets or port)") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _refuse(url, "is not an https URL with a host")
    if "@" in parts.netloc:
        raise _refuse(url, "carries a user name or password; put credentials in the secret instead")
    if parts.fragment:
        raise _refuse(url, "has a fragment (#...), which is never sent")
    host = parts.hostname.lower().rstrip(".")
    try:
        address: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    loopback = _is_loopback(host, address)
    if parts.scheme == "http" and not (allow_loopback and loopback):
        raise _refuse(url, "uses http; webhooks are delivered over https only"
                      + (" (http is allowed for 127.0.0.1 and localhost in the local cloud)" if allow_loopback else ""))
    if loopback and not allow_loopback:
        raise _refuse(url, "points at this machine (loopback), which is refused")
    if address is not None and not loopback:
        reason = forbidden_reason(address)
        if reason is not None:
            raise _refuse(url, f"names {address}, {reason}; only public internet addresses are allowed")
    return DeliveryTarget(url=url, scheme=parts.scheme, host=host,
                          port=port or (443 if parts.scheme == "https" else 80), address=address)


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def vetted_addresses(target: DeliveryTarget, resolver: Resolver, *, allow_loopback: bool = False) -> list[IPAddress]:
    """The addresses the delivery may connect to (all public, or loopback in the local cloud);
    `WebhookUrlRefused` when any address the name resolves to is not allowed. OSError when the
    name does not resolve (worth another attempt later)."""
    if target.address is not None:
        return [target.address]
    addresses = [ipaddress.ip_address(answer.split("%", 1)[0]) for answer in resolver(target.host, target.port)]
    if not addresses:
        raise OSError(f"{target.host} resolves to no address")
    for address in addresses:
        if allow_loopback and address.is_loopback:
            continue
        reason = forbidden_reason(address)
        if reason is not None:
            raise _refuse(target.url, f"names {target.host}, which resolves to {address}, {reason}")
    return addresses
