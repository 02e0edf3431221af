"""events/: sample events for `sam local invoke -e` and the handler tests, one or more per
function, named after it (api-*.json, publish*.json, sweeper*.json), shaped like the real ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .cfn_yaml import function_properties, resources_of_type
from .conftest import ROOT

EVENTS = ROOT / "events"
API_EVENTS = sorted(EVENTS.glob("api-*.json"))


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_function_has_a_sample_event(template: dict[str, Any]) -> None:
    for logical_id in resources_of_type(template, "AWS::Serverless::Function"):
        name = Path(function_properties(template, logical_id)["CodeUri"]).name
        assert list(EVENTS.glob(f"{name}*.json")), f"no events/{name}*.json for {logical_id}"


def test_every_event_is_json() -> None:
    for path in EVENTS.glob("*.json"):
        assert isinstance(load(path), dict), path.name


@pytest.mark.parametrize("path", API_EVENTS, ids=[p.name for p in API_EVENTS])
def test_api_events_are_http_api_v2_payloads(path: Path) -> None:
    event = load(path)
    assert event["version"] == "2.0"
    assert event["routeKey"] == "ANY /{proxy+}"
    assert event["rawPath"].startswith("/v1/")
    assert isinstance(event["rawQueryString"], str)
    assert all(name == name.lower() for name in event["headers"]), "HTTP API lower-cases header names"
    assert event["headers"]["authorization"].startswith("Bearer ")
    http = event["requestContext"]["http"]
    assert http["path"] == event["rawPath"]
    assert http["method"] in {"GET", "POST", "PUT", "PATCH", "DELETE"}
    assert http["sourceIp"]
    assert event["requestContext"]["routeKey"] == event["routeKey"]
    assert event["isBase64Encoded"] is False
    if "body" in event:
        assert isinstance(event["body"], str)
        json.loads(event["body"])


def test_api_create_post_event() -> None:
    event = load(EVENTS / "api-create-post.json")
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["rawPath"] == "/v1/posts"
    assert json.loads(event["body"]) == {"text": "Hello from Herald", "platforms": ["x"]}
    assert event["headers"]["content-type"] == "application/json"


def test_publish_event_is_the_scheduler_payload() -> None:
    event = load(EVENTS / "publish.json")
    assert set(event) == {"workspace_id", "post_id", "schedule_version"}
    assert isinstance(event["schedule_version"], int)


def test_sweeper_event_is_an_eventbridge_scheduled_event() -> None:
    event = load(EVENTS / "sweeper.json")
    assert event["source"] == "aws.events"
    assert event["detail-type"] == "Scheduled Event"
    assert event["detail"] == {}
