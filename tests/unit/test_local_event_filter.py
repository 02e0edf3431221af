"""Lambda event filtering (local.event_filter): FilterCriteria patterns as event source mappings
apply them to DynamoDB stream records and SQS messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.event_filter import EventFilter, FilterError, sqs_filter_data

# The stream function's filters in template.yaml: a post modified, a snapshot inserted.
ANALYTICS = {"Filters": [
    {"Pattern": '{"dynamodb": {"NewImage": {"entity": {"S": ["post"]}}}, "eventName": ["MODIFY"]}'},
    {"Pattern": '{"dynamodb": {"NewImage": {"entity": {"S": ["snapshot"]}}}, "eventName": ["INSERT"]}'},
]}


def stream_record(event_name: str, entity: str | None) -> dict[str, Any]:
    image = {"PK": {"S": "WS#1"}, **({"entity": {"S": entity}} if entity else {})}
    return {"eventName": event_name, "eventSource": "aws:dynamodb",
            "dynamodb": {"Keys": {"PK": {"S": "WS#1"}}, "NewImage": image, "SequenceNumber": "1"}}


def one(pattern: dict[str, Any]) -> EventFilter:
    event_filter = EventFilter.from_criteria({"Filters": [{"Pattern": json.dumps(pattern)}]})
    assert event_filter is not None
    return event_filter


@pytest.mark.parametrize(
    ("event_name", "entity", "kept"),
    [
        ("MODIFY", "post", True),
        ("INSERT", "post", False),
        ("INSERT", "snapshot", True),
        ("MODIFY", "snapshot", False),
        ("INSERT", "account", False),
        ("INSERT", None, False),
    ],
)
def test_the_templates_stream_filters(event_name: str, entity: str | None, kept: bool) -> None:
    event_filter = EventFilter.from_criteria(ANALYTICS)
    assert event_filter is not None
    assert event_filter.matches(stream_record(event_name, entity)) is kept


def test_no_filter_criteria_is_no_filter() -> None:
    assert EventFilter.from_criteria(None) is None
    assert EventFilter.from_criteria({}) is None


@pytest.mark.parametrize(
    ("pattern", "data", "kept"),
    [
        ({"a": ["x", "y"]}, {"a": "y"}, True),
        ({"a": ["x"]}, {"a": ["z", "x"]}, True),  # a list in the record: one item is enough
        ({"a": [5]}, {"a": 5.0}, True),  # numbers compare as numbers
        ({"a": [5]}, {"a": "5"}, False),
        ({"a": [True]}, {"a": True}, True),
        ({"a": [None]}, {"a": None}, True),
        ({"a": [{"prefix": "post#"}]}, {"a": "post#1"}, True),
        ({"a": [{"suffix": ".png"}]}, {"a": "x.jpg"}, False),
        ({"a": [{"equals-ignore-case": "Post"}]}, {"a": "POST"}, True),
        ({"a": [{"anything-but": ["x", "y"]}]}, {"a": "z"}, True),
        ({"a": [{"anything-but": "x"}]}, {"a": "x"}, False),
        ({"a": [{"anything-but": {"prefix": "tmp"}}]}, {"a": "tmp1"}, False),
        ({"a": [{"anything-but": "x"}]}, {}, False),  # a missing field matches no value matcher
        ({"a": [{"numeric": [">", 0, "<=", 5]}]}, {"a": 5}, True),
        ({"a": [{"numeric": [">", 0, "<=", 5]}]}, {"a": 6}, False),
        ({"a": [{"exists": True}]}, {"a": None}, True),
        ({"a": [{"exists": False}]}, {"b": 1}, True),
        ({"a": {"b": [{"exists": False}]}}, {}, True),
        ({"a": {"b": ["x"]}}, {"a": "not an object"}, False),
        ({"a": ["x"], "b": ["y"]}, {"a": "x", "b": "z"}, False),  # every key must match
        ({"$or": [{"a": ["x"]}, {"b": ["y"]}]}, {"b": "y"}, True),
        ({"$or": [{"a": ["x"]}, {"b": ["y"]}]}, {"c": "y"}, False),
    ],
)
def test_pattern_matching(pattern: dict[str, Any], data: dict[str, Any], kept: bool) -> None:
    assert one(pattern).matches(data) is kept


@pytest.mark.parametrize(
    "criteria",
    [
        {"Filters": []},
        {"Filters": [{"Pattern": "{not json"}]},
        {"Filters": [{"Pattern": "[]"}]},
        {"Filters": [{"Pattern": '{"a": "x"}'}]},  # a leaf takes a list
        {"Filters": [{"Pattern": '{"a": []}'}]},
        {"Filters": [{"Pattern": '{"a": [{"wildcard": "x*"}]}'}]},
        {"Filters": [{"Pattern": '{"a": [{"numeric": [">", "zero"]}]}'}]},
        {"Filters": [{"Pattern": '{"$or": [{"a": ["x"]}]}'}]},
    ],
)
def test_patterns_lambda_would_refuse(criteria: dict[str, Any]) -> None:
    with pytest.raises(FilterError):
        EventFilter.from_criteria(criteria)


def test_sqs_patterns_see_a_json_body_parsed_and_a_plain_one_as_a_string() -> None:
    json_body = sqs_filter_data({"body": '{"kind": "collect", "n": 3}', "messageId": "m"})
    assert json_body["body"] == {"kind": "collect", "n": 3}
    assert one({"body": {"kind": ["collect"]}}).matches(json_body)
    plain = sqs_filter_data({"body": "hello", "messageId": "m"})
    assert one({"body": ["hello"]}).matches(plain)
    assert not one({"body": {"kind": ["collect"]}}).matches(plain)  # a JSON pattern on a plain body
