"""What the compat resolver mounts: every /api route, registered on the shared router by importing
the route modules, and the answer for a path that is none of them."""

from __future__ import annotations

from herald.api.compat import routes  # noqa: F401 - registers the routes
from herald.api.compat.errors import no_route
from herald.api.compat.router import router

__all__ = ["no_route", "router"]
