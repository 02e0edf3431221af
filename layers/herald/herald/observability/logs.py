"""Keys on every log line of a piece of work (a publish run, a delivery, a collection).

The package logs with `logging.getLogger(__name__)`; the handler decorator's powertools Logger is
named `herald` (herald.observability.handler), so all those loggers are its children and their
lines come out as its JSON, with the Lambda context, the correlation id and the keys set here.
Keys are per thread (powertools' thread-safe keys, a context variable), so the local cloud's
concurrent in-process runs keep their own; the decorator clears them when an invocation starts.
Importing this module creates no logger and changes no logging configuration."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools.logging.formatter import THREAD_LOCAL_KEYS, remove_context_keys, set_context_keys


@contextmanager
def log_keys(**keys: Any) -> Iterator[None]:
    """Adds `keys` (None values left out) to every line logged inside, then puts back what was
    there before."""
    keys = {name: value for name, value in keys.items() if value is not None}
    current = THREAD_LOCAL_KEYS.get()
    previous = {name: current[name] for name in keys if name in current}
    set_context_keys(**keys)
    try:
        yield
    finally:
        remove_context_keys(list(keys))
        if previous:
            set_context_keys(**previous)


def set_log_keys(**keys: Any) -> None:
    """Adds `keys` (None values left out) to every line of the rest of this invocation."""
    set_context_keys(**{name: value for name, value in keys.items() if value is not None})
