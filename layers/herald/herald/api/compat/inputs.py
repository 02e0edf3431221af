"""Reading an /api request: the JSON body (any malformed body is a 400 in Ayrshare's shape, never a
500) and the query string (with the `platforms[0]=..&platforms[1]=..` form the official clients
send for arrays)."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from herald.api.compat.errors import AyrshareError

_INDEXED = re.compile(r"^(?P<name>[A-Za-z_]+)\[(?P<index>\d*)\]$")


def json_body(resolver: Any, *, required: bool = True) -> dict[str, Any]:
    event = resolver.current_event
    raw = event.decoded_body if event.body else ""
    if not raw or not raw.strip():
        if required:
            raise AyrshareError("Send a JSON object as the request body.", herald_code="invalid_json")
        return {}
    try:
        parsed = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise AyrshareError("The request body is not valid JSON.", herald_code="invalid_json") from exc
    if not isinstance(parsed, dict):
        raise AyrshareError("The request body must be a JSON object.", herald_code="invalid_json")
    return parsed


def query(resolver: Any) -> dict[str, Any]:
    """Query parameters; `name[0]=a&name[1]=b` (and a repeated or comma-joined `name`) become lists
    under `name`, in index order."""
    raw: dict[str, str] = dict(resolver.current_event.query_string_parameters or {})
    result: dict[str, Any] = {}
    indexed: dict[str, list[tuple[int, str]]] = {}
    for key, value in raw.items():
        match = _INDEXED.match(key)
        if match:
            index = int(match["index"]) if match["index"] else len(indexed.get(match["name"], []))
            indexed.setdefault(match["name"], []).append((index, value))
        else:
            result[key] = value
    for name, items in indexed.items():
        result[name] = [value for _, value in sorted(items)]
    return result


def as_list(value: Any) -> list[str]:
    """A query value that may be a list, or one string with comma-separated items."""
    if value is None:
        return []
    if isinstance(value, list):
        items = value
    else:
        items = str(value).split(",")
    return [item.strip() for item in items if item and item.strip()]


def as_int(value: Any, field: str, *, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise AyrshareError(f"`{field}` must be a whole number.", details=[{"field": field}]) from exc
    if not low <= number <= high:
        raise AyrshareError(f"`{field}` must be between {low} and {high}.", details=[{"field": field}])
    return number


def model[M: BaseModel](cls: type[M], data: dict[str, Any]) -> M:
    """`data` validated as `cls`; problems answer 400 with one detail each."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in problem.get("loc", ()) if not _union_member(p)) or "body",
             "issue": problem.get("type", "invalid"), "message": problem.get("msg", "")}
            for problem in exc.errors()
        ]
        names = ", ".join(dict.fromkeys(d["field"] for d in details))
        raise AyrshareError(f"Invalid request body ({names}).", details=details) from exc


def _union_member(part: object) -> bool:
    return isinstance(part, str) and ("[" in part or "-" in part)
