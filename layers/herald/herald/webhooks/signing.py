"""Webhook signatures: `Herald-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.

The timestamp is inside the signed text, so a captured delivery cannot be replayed later with a
new timestamp; receivers refuse signatures older than a tolerance (5 minutes is usual).
docs/webhooks.md shows a receiver's side."""

from __future__ import annotations

import hashlib
import hmac

DEFAULT_TOLERANCE = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def body_hmac(secret: str, body: bytes) -> str:
    """HMAC-SHA256 of the raw body alone (hex): Ayrshare's `X-Authorization-Content-SHA256`."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(header: str, body: bytes, secret: str, now: int, tolerance: int = DEFAULT_TOLERANCE) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is within `tolerance`."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))
