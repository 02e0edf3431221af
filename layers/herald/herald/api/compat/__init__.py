"""The Ayrshare-compatible API at /api: Ayrshare's request and response shapes translated to and
from the same services the native /v1 API uses (docs/migrate-from-ayrshare.md). No rule lives here:
only names, shapes, statuses and error codes are translated."""

from __future__ import annotations

from herald.api.compat import routes  # noqa: F401 - registers the routes
from herald.api.compat.errors import failure, no_route
from herald.api.compat.router import router

PREFIX = "/api"


def is_compat_path(path: str | None) -> bool:
    return bool(path) and (path == PREFIX or str(path).startswith(PREFIX + "/"))


__all__ = ["PREFIX", "failure", "is_compat_path", "no_route", "router"]
