"""Schedule naming: one schedule per post, named from its id (Scheduler allows 64 characters)."""

from __future__ import annotations


def schedule_name_for(post_id: str) -> str:
    name = f"publish-{post_id}"
    if len(name) > 64:
        raise ValueError(f"schedule name too long: {name}")
    return name


def at_expression(moment_utc: str) -> str:
    """`moment_utc` as YYYY-MM-DDTHH:MM:SS (UTC); Scheduler's one-time expression."""
    return f"at({moment_utc})"
