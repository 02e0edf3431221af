"""The HTTP API emulator over a real socket, with a stub API function."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest

from local.functions import LocalFunction
from local.http_api import MAX_BODY_BYTES, HttpApi
from local.http_event import Route


def api_handler(event: dict[str, Any], context: Any) -> Any:
    path = event["rawPath"]
    if path == "/boom":
        raise RuntimeError("handler crashed")
    if path == "/binary":
        return {
            "statusCode": 200,
            "headers": {"content-type": "image/png"},
            "body": base64.b64encode(b"\x89PNG\x00\x01").decode(),
            "isBase64Encoded": True,
        }
    if path == "/cookies":
        return {"statusCode": 204, "cookies": ["a=1; Path=/", "b=2"], "headers": {"x-one": "1"}}
    if path == "/bad-response":
        return {"statusCode": "not-a-number"}
    if path == "/plain":
        return {"hello": "world"}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}


@pytest.fixture(scope="module")
def api() -> Iterator[HttpApi]:
    function = LocalFunction.stub("herald-api", api_handler)
    server = HttpApi([(Route("ANY", "/{proxy+}"), function)], port=0)
    server.start()
    yield server
    server.stop()


def call(
    api: HttpApi, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_a_request_reaches_the_function_as_a_payload_2_0_event(api: HttpApi) -> None:
    status, headers, body = call(
        api,
        "POST",
        "/v1/posts?limit=2&tag=a&tag=b",
        body=b'{"text":"hi"}',
        headers={"Content-Type": "application/json", "Authorization": "Bearer hk_x", "Cookie": "s=1"},
    )
    assert status == 200
    event = json.loads(body)
    assert event["version"] == "2.0"
    assert event["routeKey"] == "ANY /{proxy+}"
    assert event["rawPath"] == "/v1/posts"
    assert event["queryStringParameters"] == {"limit": "2", "tag": "a,b"}
    assert event["headers"]["authorization"] == "Bearer hk_x"
    assert event["cookies"] == ["s=1"]
    assert event["body"] == '{"text":"hi"}' and event["isBase64Encoded"] is False
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    assert headers["apigw-requestid"] == event["requestContext"]["requestId"]


def test_head_answers_headers_without_a_body_and_options_reaches_the_function(api: HttpApi) -> None:
    status, headers, body = call(api, "HEAD", "/v1/posts")
    assert status == 200 and body == b""
    assert int(headers["content-length"]) > 0
    status, _, body = call(api, "OPTIONS", "/v1/posts")
    assert status == 200 and json.loads(body)["requestContext"]["http"]["method"] == "OPTIONS"


def test_a_binary_request_body_arrives_base64_encoded(api: HttpApi) -> None:
    data = bytes(range(256))
    _, _, body = call(api, "PUT", "/upload", body=data, headers={"Content-Type": "application/octet-stream"})
    event = json.loads(body)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == data


def test_binary_cookie_and_plain_results_are_rendered(api: HttpApi) -> None:
    status, headers, body = call(api, "GET", "/binary")
    assert (status, headers["content-type"], body) == (200, "image/png", b"\x89PNG\x00\x01")
    status, headers, body = call(api, "GET", "/cookies")
    assert status == 204 and body == b""
    assert headers.get_all("set-cookie") == ["a=1; Path=/", "b=2"]
    assert headers["x-one"] == "1"
    status, headers, body = call(api, "GET", "/plain")
    assert (status, headers["content-type"], json.loads(body)) == (200, "application/json", {"hello": "world"})


def test_a_crashing_handler_is_a_500_with_the_error_envelope(api: HttpApi) -> None:
    for path in ("/boom", "/bad-response"):
        status, _, body = call(api, "GET", path)
        assert status == 500
        error = json.loads(body)["error"]
        assert error["code"] == "internal_error"
        assert error["details"] == []


def test_no_matching_route_is_api_gateways_404(api: HttpApi) -> None:
    status, _, body = call(api, "GET", "/")
    assert (status, json.loads(body)) == (404, {"message": "Not Found"})


def test_a_body_over_10_mb_is_refused_with_413(api: HttpApi) -> None:
    status, _, body = call(
        api, "POST", "/v1/media", body=b"x" * (MAX_BODY_BYTES + 1), headers={"Content-Type": "text/plain"}
    )
    assert status == 413
    assert json.loads(body)["error"] == {
        "code": "payload_too_large",
        "message": "The request body exceeds the 10 MB limit of the HTTP API",
        "details": [],
    }


def test_an_announced_oversized_body_is_refused_before_it_is_sent(api: HttpApi) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    try:
        connection.putrequest("POST", "/v1/media")
        connection.putheader("Content-Type", "application/octet-stream")
        connection.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
        connection.putheader("Expect", "100-continue")
        connection.endheaders()  # the body is never sent: the server answers at once
        response = connection.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["error"]["code"] == "payload_too_large"
    finally:
        connection.close()


def test_a_body_of_exactly_10_mb_is_accepted(api: HttpApi) -> None:
    data = b"x" * MAX_BODY_BYTES
    status, _, body = call(api, "POST", "/upload", body=data, headers={"Content-Type": "text/plain"})
    assert status == 200
    assert len(json.loads(body)["body"]) == MAX_BODY_BYTES


def test_a_chunked_body_is_read(api: HttpApi) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    try:
        connection.request(
            "POST",
            "/chunked",
            body=iter([b'{"a":', b"1}"]),
            encode_chunked=True,
            headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        )
        response = connection.getresponse()
        assert response.status == 200
        assert json.loads(response.read())["body"] == '{"a":1}'
    finally:
        connection.close()


def test_one_request_at_a_time_reaches_a_function_like_one_warm_container() -> None:
    """powertools' resolver keeps the current event on itself: two requests at once in one
    process answered one with the other's route arguments (a 500 the console's parallel calls
    hit). The second request waits for the first, as it would for one Lambda container."""
    import threading

    first_in, release, second_in = threading.Event(), threading.Event(), threading.Event()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event["rawPath"] == "/first":
            first_in.set()
            release.wait(10)
        else:
            second_in.set()
        return {"statusCode": 200, "body": event["rawPath"]}

    server = HttpApi([(Route("ANY", "/{proxy+}"), LocalFunction.stub("herald-api", handler))], port=0)
    server.start()
    try:
        answers: dict[str, int] = {}
        first = threading.Thread(target=lambda: answers.setdefault("first", call(server, "GET", "/first")[0]))
        first.start()
        assert first_in.wait(10)
        second = threading.Thread(target=lambda: answers.setdefault("second", call(server, "GET", "/second")[0]))
        second.start()
        assert not second_in.wait(0.3), "the second request ran while the first was still being handled"
        release.set()
        first.join(10)
        second.join(10)
        assert second_in.is_set() and answers == {"first": 200, "second": 200}
    finally:
        release.set()
        server.stop()
