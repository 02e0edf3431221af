"""Make moto's DynamoDB behave like DynamoDB under concurrent requests.

moto runs a transaction by deep-copying the table, applying the writes and, when a condition
fails, putting the copy back. Two requests at once can therefore lose each other's writes or
leave half a transaction behind — DynamoDB never does either (transactions are atomic and
isolated). Serialising moto's DynamoDB requests restores those guarantees locally; it costs
nothing that matters on one machine, where moto is bound by one interpreter anyway."""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.RLock()
_applied = False


def make_dynamodb_atomic() -> None:
    global _applied
    if _applied:
        return
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with _lock:
            return original(self)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
    _applied = True
