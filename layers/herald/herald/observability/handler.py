"""The decorator every Lambda handler wears: structured logs with the invocation's context (and
nothing left over from the previous invocation), metrics collected and flushed once, and the
DynamoDB client's throttled answers counted (herald.aws registers that on the client)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger

from herald.observability import metrics


class _Stdout:
    """sys.stdout as it is when a line is written, not when the logger was made (a test runner or
    the local cloud may have replaced it since)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


# Named `herald`: every `logging.getLogger("herald.…")` in the package is its child (see logs.py).
logger = Logger(service="herald", stream=_Stdout())

Handler = TypeVar("Handler", bound=Callable[..., Any])


def observed(correlation_id_path: str | None = None) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        measured = metrics.log_metrics(handler)

        @functools.wraps(handler)
        def run(event: Any, context: Any) -> Any:
            try:
                return measured(event, context)
            finally:  # a thread of the local cloud's pool runs other work next
                logger.thread_safe_clear_keys()

        wrapped = logger.inject_lambda_context(run, correlation_id_path=correlation_id_path, clear_state=True)
        return functools.wraps(handler)(wrapped)  # type: ignore[return-value]

    return decorate
