"""Converting between domain values and DynamoDB attribute values.

Datetimes are stored as fixed-width UTC strings (see clock.to_iso) so that string comparison in
key and condition expressions is time order."""

from __future__ import annotations

import base64
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from herald.clock import to_iso

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def plain(value: Any) -> Any:
    """Domain value -> plain Python value DynamoDB can hold (None values dropped)."""
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in plain(values).items()}


def to_value(value: Any) -> dict[str, Any]:
    return _serializer.serialize(plain(value))


def _python(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Binary):
        return bytes(value.value)
    if isinstance(value, dict):
        return {k: _python(v) for k, v in value.items()}
    if isinstance(value, (list, set)):
        return [_python(v) for v in value]
    return value


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item as the SDK returns it, or a stream record's image (where binary values are base64)."""
    return {k: _python(_deserializer.deserialize(_event_binary(v))) for k, v in item.items()}


def _event_binary(value: dict[str, Any]) -> dict[str, Any]:
    """A Lambda event's JSON carries binary attribute values (B, BS) as base64 text."""
    if isinstance(value.get("B"), str):
        return {"B": base64.b64decode(value["B"])}
    if "BS" in value and any(isinstance(v, str) for v in value["BS"]):
        return {"BS": [base64.b64decode(v) if isinstance(v, str) else v for v in value["BS"]]}
    if "M" in value:
        return {"M": {k: _event_binary(v) for k, v in value["M"].items()}}
    if "L" in value:
        return {"L": [_event_binary(v) for v in value["L"]]}
    return value
