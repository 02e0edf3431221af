"""Wrapping a function or method in place, once (a module imported again is patched again)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

MARK = "__secret_watch__"


def wrap_once(owner: Any, name: str, wrap: Callable[[Any], Any]) -> None:
    """Replace `owner.name` with `wrap(original)`, unless it is already a watcher's wrapper."""
    original = getattr(owner, name)
    if getattr(original, MARK, False):
        return
    wrapped = wrap(original)
    setattr(wrapped, MARK, True)
    setattr(owner, name, wrapped)


def after_init(cls: type, record: Callable[[Any], None]) -> None:
    """Call `record(instance)` after every `cls(...)` (frozen dataclasses included)."""

    def wrap(init: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(init)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            init(self, *args, **kwargs)
            record(self)

        return __init__

    wrap_once(cls, "__init__", wrap)
