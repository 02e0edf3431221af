"""What the mentions contract tests share: a recorded exchange (from any network's recordings) as
a scripted one, with its query as pairs in order, whether the recording holds it as an object or
as pairs (repeated keys such as Bluesky's `reasons`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scripted_http import Exchange


def scripted(entry: dict[str, Any], **changes: Any) -> Exchange:
    """The recorded exchange `entry` ({name, request, response}): the adapter must send its request
    (method, URL, query in order, headers) and gets its answer; `changes` replace Exchange fields."""
    request, response = entry["request"], entry["response"]
    parts = urlsplit(request["url"])
    params = request.get("params")
    if isinstance(params, dict):
        params = list(params.items())
    fields: dict[str, Any] = {
        "method": request["method"],
        "url": f"{parts.scheme}://{parts.netloc}{parts.path}",
        "status": response["status"],
        "body": response["body"],
        "headers": response.get("headers") or {},
        "params": [tuple(pair) for pair in params] if params is not None else None,
        "request_headers": {key.lower(): value for key, value in (request.get("headers") or {}).items()},
    }
    return Exchange(**(fields | changes))


def without(params: list[tuple[str, str]] | None, *names: str) -> list[tuple[str, str]]:
    """`params` without the pairs named `names`."""
    return [pair for pair in params or [] if pair[0] not in names]
