"""Recognising DynamoDB's error answers without importing botocore at module level."""

from __future__ import annotations

from typing import Any


def error_code(exc: Exception) -> str:
    response: Any = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def is_conditional_failure(exc: Exception) -> bool:
    return error_code(exc) == "ConditionalCheckFailedException"


def cancellation_codes(exc: Exception) -> list[str]:
    """Per-action reasons of a cancelled transaction, in action order ('None' when fine)."""
    response: Any = getattr(exc, "response", None) or {}
    return [str(r.get("Code", "None")) for r in response.get("CancellationReasons", [])]
