"""The bugs the fuzzer found, each pinned by the request that showed it (on the same local cloud)
or by the unit that was wrong."""

from __future__ import annotations

import base64
from typing import Any

import requests
from local_process import LocalCloudProcess

from herald.api.openapi import document
from herald.store.codec import from_item


def call(cloud: LocalCloudProcess, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {cloud.api_key}", **kwargs.pop("headers", {})}
    return requests.request(method, cloud.api_url + path, headers=headers, timeout=30, **kwargs)


def test_a_body_that_is_not_utf8_is_a_422_in_the_envelope(fuzz_cloud: LocalCloudProcess) -> None:
    # Was a 500: API Gateway passes such a body base64-encoded, and decoding it raised.
    reply = call(fuzz_cloud, "POST", "/v1/api-keys", data=b"\xc3\x28\x13",
                 headers={"Content-Type": "application/json"})
    assert reply.status_code == 422
    assert reply.json()["error"]["code"] == "validation_error"


def test_a_thread_whose_first_part_is_empty_is_a_422_naming_the_part(fuzz_cloud: LocalCloudProcess) -> None:
    # Was a 500: the thread became a post whose own validation raised inside the route.
    reply = call(fuzz_cloud, "POST", "/v1/threads", json={"parts": [{}, {}], "platforms": ["x"]})
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["details"][0]["field"] == "parts.0"


def test_numbers_are_not_dates_in_query_parameters(fuzz_cloud: LocalCloudProcess) -> None:
    # Were 200s: pydantic's lax mode read "0.5" and "0" as Unix timestamps.
    for path in ("/v1/posts?start_date=0.5", "/v1/queue?end_date=12", "/v1/analytics/summary?end_date=0"):
        reply = call(fuzz_cloud, "GET", path)
        assert reply.status_code == 422, path
        assert reply.json()["error"]["code"] == "validation_error", path
    assert call(fuzz_cloud, "GET", "/v1/posts?start_date=2030-01-01T00:00:00Z").status_code == 200
    assert call(fuzz_cloud, "GET", "/v1/analytics/summary?start_date=2030-01-01&end_date=2030-01-02").status_code == 200


def test_a_stream_image_with_a_binary_attribute_is_read() -> None:
    # Lambda (and the local cloud) pass binary attribute values of stream images as base64 text;
    # the stream and outbox functions failed every batch holding such an item.
    image = {"PK": {"S": "WS#1"}, "sealed": {"B": base64.b64encode(b"\x00\xff").decode()},
             "nested": {"M": {"parts": {"L": [{"B": base64.b64encode(b"ab").decode()}]}}}}
    assert from_item(image) == {"PK": "WS#1", "sealed": b"\x00\xff", "nested": {"parts": [b"ab"]}}
    assert from_item({"sealed": {"B": b"\x01"}}) == {"sealed": b"\x01"}  # as the SDK returns it


def test_every_operation_documents_its_success_answer_and_public_ones_need_no_key() -> None:
    # The spec had no 2xx answer at all (powertools leaves it out when a route passes `responses`),
    # and /health and the OAuth callback were under the bearer requirement.
    spec = document()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert any(status.startswith(("2", "3")) for status in operation["responses"]), (method, path)
    assert spec["paths"]["/health"]["get"]["security"] == []
    assert spec["paths"]["/v1/oauth/{platform}/callback"]["get"]["security"] == []
    assert "security" not in spec["paths"]["/v1/posts"]["get"]
    created = spec["paths"]["/v1/posts"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/PostResponse"}
