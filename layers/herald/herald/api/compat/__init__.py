"""The Ayrshare-compatible API at /api: Ayrshare's request and response shapes translated to and
from the same services the native /v1 API uses (docs/migrate-from-ayrshare.md). No rule lives here:
only names, shapes, statuses and error codes are translated.

Its routes are a resolver of their own (herald.api.compat.app), built on the first /api request:
a container that serves the native API never loads them."""

from __future__ import annotations

PREFIX = "/api"


def is_compat_path(path: str | None) -> bool:
    return bool(path) and (path == PREFIX or str(path).startswith(PREFIX + "/"))


__all__ = ["PREFIX", "is_compat_path"]
