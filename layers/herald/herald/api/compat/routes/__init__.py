"""The /api routes; importing this package registers them on the compat router."""

from herald.api.compat.routes import analytics, delete, history, hooks, links, media, patch, post, profiles, user

__all__ = ["analytics", "delete", "history", "hooks", "links", "media", "patch", "post", "profiles", "user"]
