"""HTTP helpers every network adapter shares: sending a call with transport failures classified,
reading a JSON object body, and the PlatformErrors that are the same on every network (transport
failures, malformed answers, media not built yet). Each network's own rules (its error names,
its status mapping, its rate-limit header) stay in its adapter: the helpers take them as
arguments or call back into the adapter's `classify_error`.

`network` arguments are the name people know the network by ("X", "Bluesky"), used in messages."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from herald.platforms.base import ErrorClass, PlatformError

if TYPE_CHECKING:
    from herald.platforms.base import Platform


def send(platform: Platform, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """`platform.client.request(method, url, **kwargs)`, whatever the status; a transport failure
    (timeout, refused connection, ...) is raised as `platform.classify_error(None, exc)`."""
    try:
        return platform.client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise platform.classify_error(None, exc) from exc


def succeeded(platform: Platform, response: httpx.Response) -> httpx.Response:
    """`response` when its status is a success; otherwise `platform.classify_error(response)` is raised."""
    if not response.is_success:
        raise platform.classify_error(response)
    return response


def json_object(platform: Platform, response: httpx.Response) -> dict[str, Any]:
    """The response's body, a JSON object; any other body is raised as `platform.classify_error(response)`
    (for a success: the network's malformed-answer error)."""
    body = body_of(response)
    if body is None:
        raise platform.classify_error(response)
    return body


def body_of(response: httpx.Response) -> dict[str, Any] | None:
    """The response's body when it is a JSON object; None for anything else (HTML, a list, nothing)."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def transport_error(network: str, exc: Exception | None) -> PlatformError:
    """A call that got no answer: `timeout` for an httpx timeout, `network_error` otherwise; both RETRY,
    with the exception's class name as the platform code."""
    name = type(exc).__name__ if exc is not None else None
    if isinstance(exc, httpx.TimeoutException):
        return PlatformError(
            ErrorClass.RETRY, "timeout", f"{network} did not answer in time ({name}).", platform_code=name
        )
    return PlatformError(
        ErrorClass.RETRY, "network_error", f"Could not reach {network} ({name}: {exc}).", platform_code=name
    )


def malformed(network: str, response: httpx.Response, what: str) -> PlatformError:
    """An answer whose body is not what the network documents (`what` says how): RETRY, platform_unavailable."""
    return PlatformError(
        ErrorClass.RETRY,
        "platform_unavailable",
        f"{network} answered HTTP {response.status_code} with a malformed body: {what}.",
        platform_code=str(response.status_code),
    )


def reset_time(response: httpx.Response, header: str) -> datetime | None:
    """When a rate limit resets, from a header holding Unix epoch seconds; None when absent or not a time."""
    try:
        return datetime.fromtimestamp(int(response.headers[header]), UTC)
    except (KeyError, ValueError, OverflowError):
        return None


def count(values: Mapping[str, Any], field: str) -> int | None:
    """`values[field]` when it is an integer count (not a bool); None otherwise."""
    value = values.get(field)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def batches(items: list[str], size: int) -> Iterator[list[str]]:
    """`items` in consecutive slices of at most `size`, for calls that take a bounded number of ids."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
