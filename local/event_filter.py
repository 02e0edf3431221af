"""Lambda event filtering: an event source mapping's `FilterCriteria` (DynamoDB streams, SQS).

`FilterCriteria: {Filters: [{Pattern: '<JSON>'}, ...]}`: a record goes to the function when it
matches at least one pattern (patterns are ORed); Lambda discards the others (a stream record
is skipped, an SQS message deleted). A pattern is matched against the record as the function
would get it (for SQS, against `body` parsed as JSON when it is JSON, else the plain string):

- an object in the pattern matches an object of the record, key by key (all must match);
- a list holds the allowed values of a leaf: strings, numbers (compared as numbers), booleans,
  null, or `{"prefix": s}`, `{"suffix": s}`, `{"equals-ignore-case": s}`, `{"anything-but":
  value | [values] | {"prefix"|"suffix"|"equals-ignore-case": s}}`, `{"numeric": [">", 0,
  "<=", 5]}`, `{"exists": true|false}`; a list in the record matches when one of its items does;
- `{"$or": [pattern, pattern, ...]}` at any level.

A pattern that Lambda would refuse raises FilterError (the local cloud then does not create the
mapping, as the deployment would fail)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_MISSING = object()
_STRING_MATCHERS = ("prefix", "suffix", "equals-ignore-case")
_NUMERIC_OPERATORS = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class FilterError(ValueError):
    """A FilterCriteria that Lambda would not accept."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_matcher(matcher: Any, where: str) -> None:
    if matcher is None or isinstance(matcher, str | bool) or _is_number(matcher):
        return
    if not isinstance(matcher, dict) or len(matcher) != 1:
        raise FilterError(f"{where}: {matcher!r} is not a value nor a one-key matcher object")
    ((name, operand),) = matcher.items()
    if name in _STRING_MATCHERS:
        if not isinstance(operand, str):
            raise FilterError(f"{where}: {name} takes a string")
    elif name == "exists":
        if not isinstance(operand, bool):
            raise FilterError(f"{where}: exists takes true or false")
    elif name == "anything-but":
        if isinstance(operand, dict):
            if len(operand) != 1 or next(iter(operand)) not in _STRING_MATCHERS:
                raise FilterError(f"{where}: anything-but takes values or one of {', '.join(_STRING_MATCHERS)}")
            _check_matcher(operand, where)
        else:
            for value in operand if isinstance(operand, list) else [operand]:
                if not (value is None or isinstance(value, str | bool) or _is_number(value)):
                    raise FilterError(f"{where}: anything-but takes values, got {value!r}")
    elif name == "numeric":
        pairs = operand if isinstance(operand, list) else []
        if not pairs or len(pairs) % 2 or any(
            op not in _NUMERIC_OPERATORS or not _is_number(number) for op, number in zip(pairs[::2], pairs[1::2], strict=True)
        ):
            raise FilterError(f"{where}: numeric takes [operator, number, ...], got {operand!r}")
    else:
        raise FilterError(f"{where}: unknown matcher {name!r}")


def _check(pattern: Any, where: str) -> None:
    if not isinstance(pattern, dict) or not pattern:
        raise FilterError(f"{where}: a pattern is a non-empty JSON object")
    for key, value in pattern.items():
        here = f"{where}.{key}"
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                raise FilterError(f"{here}: $or takes a list of at least two patterns")
            for index, alternative in enumerate(value):
                _check(alternative, f"{here}[{index}]")
        elif isinstance(value, dict):
            _check(value, here)
        elif isinstance(value, list):
            if not value:
                raise FilterError(f"{here}: an empty list matches nothing")
            for matcher in value:
                _check_matcher(matcher, here)
        else:
            raise FilterError(f"{here}: a leaf takes a list of values or matchers, not {value!r}")


def _matches_value(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, dict):
        if _is_number(matcher):
            return _is_number(value) and float(value) == float(matcher)
        if isinstance(matcher, bool) or matcher is None:
            return value is matcher
        return isinstance(value, str) and value == matcher
    ((name, operand),) = matcher.items()
    if name == "prefix":
        return isinstance(value, str) and value.startswith(operand)
    if name == "suffix":
        return isinstance(value, str) and value.endswith(operand)
    if name == "equals-ignore-case":
        return isinstance(value, str) and value.casefold() == operand.casefold()
    if name == "anything-but":
        excluded = [operand] if not isinstance(operand, list) else operand
        return not any(_matches_value(item, value) for item in excluded)
    if name == "numeric":
        return _is_number(value) and all(
            _NUMERIC_OPERATORS[op](float(value), float(number)) for op, number in zip(operand[::2], operand[1::2], strict=True)
        )
    return False


def _matches_leaf(matchers: list[Any], value: Any) -> bool:
    present = value is not _MISSING
    values = value if isinstance(value, list) else [value]
    for matcher in matchers:
        if isinstance(matcher, dict) and "exists" in matcher:
            if matcher["exists"] == present:
                return True
        elif present and any(_matches_value(matcher, item) for item in values):
            return True
    return False


def matches(pattern: dict[str, Any], data: Any) -> bool:
    """Whether `data` (a record, as JSON values) matches one (checked) pattern."""
    for key, expected in pattern.items():
        if key == "$or":
            if not any(matches(alternative, data) for alternative in expected):
                return False
            continue
        value = data.get(key, _MISSING) if isinstance(data, dict) else _MISSING
        if isinstance(expected, dict):
            if not matches(expected, value if isinstance(value, dict) else {}):
                return False
        elif not _matches_leaf(expected, value):
            return False
    return True


@dataclass(frozen=True)
class EventFilter:
    patterns: tuple[dict[str, Any], ...]

    @classmethod
    def from_criteria(cls, criteria: Any) -> EventFilter | None:
        """The FilterCriteria of an event's properties; None when it has no filter."""
        if not criteria:
            return None
        filters = criteria.get("Filters") if isinstance(criteria, dict) else None
        if not isinstance(filters, list) or not filters:
            raise FilterError("FilterCriteria takes Filters: a list of {Pattern: '<JSON>'}")
        patterns = []
        for index, entry in enumerate(filters):
            raw = entry.get("Pattern") if isinstance(entry, dict) else None
            try:
                pattern = json.loads(raw) if isinstance(raw, str) else raw
            except json.JSONDecodeError as exc:
                raise FilterError(f"Filters[{index}].Pattern is not JSON: {exc}") from exc
            _check(pattern, f"Filters[{index}]")
            patterns.append(pattern)
        return cls(tuple(patterns))

    def matches(self, data: Any) -> bool:
        return any(matches(pattern, data) for pattern in self.patterns)


def sqs_filter_data(record: dict[str, Any]) -> dict[str, Any]:
    """What an SQS record's patterns see: its body parsed when it is JSON, else the string."""
    try:
        body = json.loads(record.get("body", ""))
    except (TypeError, ValueError):
        return record
    return {**record, "body": body}
