"""The HTTP API emulator's conversions: request -> payload format 2.0 event -> response."""

from __future__ import annotations

import base64
import json

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.shared.cookies import Cookie

from local.http_event import (
    DEFAULT_ROUTES,
    HttpRequest,
    InvalidResponse,
    Route,
    build_event,
    error_response,
    match_route,
    render_response,
)

PROXY = Route("ANY", "/{proxy+}")


def request(method: str = "GET", target: str = "/v1/posts", headers=None, body: bytes = b"") -> HttpRequest:
    return HttpRequest(
        method=method,
        target=target,
        headers=headers or [("Host", "127.0.0.1:3000"), ("User-Agent", "curl/8")],
        body=body,
        source_ip="127.0.0.9",
    )


def event_for(req: HttpRequest) -> dict:
    found = match_route(DEFAULT_ROUTES, req.method, req.target.partition("?")[0])
    assert found is not None
    return build_event(req, *found, request_id="rid", now=1_894_006_800.123)


def test_event_has_the_payload_2_0_shape() -> None:
    event = event_for(request(target="/v1/posts/p_1?limit=5&status=scheduled"))
    assert event["version"] == "2.0"
    assert event["routeKey"] == "ANY /{proxy+}"
    assert event["rawPath"] == "/v1/posts/p_1"
    assert event["rawQueryString"] == "limit=5&status=scheduled"
    assert event["queryStringParameters"] == {"limit": "5", "status": "scheduled"}
    assert event["pathParameters"] == {"proxy": "v1/posts/p_1"}
    assert event["isBase64Encoded"] is False
    assert "body" not in event and "cookies" not in event
    context = event["requestContext"]
    assert context["http"] == {
        "method": "GET",
        "path": "/v1/posts/p_1",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.9",
        "userAgent": "curl/8",
    }
    assert context["stage"] == "$default"
    assert context["routeKey"] == "ANY /{proxy+}"
    assert context["requestId"] == "rid"
    assert context["accountId"] == "123456789012"
    assert context["domainName"] == "127.0.0.1"
    assert context["timeEpoch"] == 1_894_006_800_123
    assert context["time"] == "07/Jan/2030:09:00:00 +0000"


def test_headers_are_lower_cased_and_repeats_joined_cookies_moved() -> None:
    event = event_for(
        request(
            headers=[
                ("Host", "127.0.0.1:3000"),
                ("X-Tag", "a"),
                ("x-tag", "b"),
                ("Cookie", "session=abc; theme=dark"),
                ("Cookie", "extra=1"),
            ]
        )
    )
    assert event["headers"]["x-tag"] == "a,b"
    assert event["headers"]["host"] == "127.0.0.1:3000"
    assert "cookie" not in event["headers"]
    assert event["cookies"] == ["session=abc", "theme=dark", "extra=1"]
    assert event["headers"]["x-forwarded-for"] == "127.0.0.9"


def test_repeated_query_parameters_are_joined_with_commas_and_decoded() -> None:
    event = event_for(request(target="/v1/posts?tag=a&tag=b%20c&empty="))
    assert event["rawQueryString"] == "tag=a&tag=b%20c&empty="
    assert event["queryStringParameters"] == {"tag": "a,b c", "empty": ""}


def test_text_bodies_stay_text_and_binary_bodies_are_base64() -> None:
    json_event = event_for(
        request("POST", headers=[("Content-Type", "application/json; charset=utf-8")], body=b'{"text":"hi"}')
    )
    assert json_event["body"] == '{"text":"hi"}'
    assert json_event["isBase64Encoded"] is False

    binary = bytes(range(256))
    binary_event = event_for(request("PUT", headers=[("Content-Type", "image/png")], body=binary))
    assert binary_event["isBase64Encoded"] is True
    assert base64.b64decode(binary_event["body"]) == binary


def test_routes_match_like_api_gateway() -> None:
    routes = [Route("ANY", "/{proxy+}"), Route("ANY", "/"), Route("GET", "/v1/posts/{id}")]
    assert match_route(routes, "GET", "/") == (Route("ANY", "/"), {})
    assert match_route(routes, "GET", "/v1/posts/p%201") == (Route("GET", "/v1/posts/{id}"), {"id": "p 1"})
    assert match_route(routes, "POST", "/v1/posts/p1") == (Route("ANY", "/{proxy+}"), {"proxy": "v1/posts/p1"})
    # A greedy variable needs at least one segment: without a root route, "/" is not found.
    assert match_route(DEFAULT_ROUTES, "GET", "/") is None
    assert match_route([Route.parse("$default")], "DELETE", "/anything")[0].key == "$default"


def test_response_with_status_headers_cookies_and_multi_value_headers() -> None:
    response = render_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "application/json", "X-List": ["a", "b"], "Content-Length": "999"},
            "multiValueHeaders": {"X-Multi": ["1", "2"]},
            "cookies": ["session=abc; HttpOnly"],
            "body": '{"ok":true}',
        }
    )
    assert response.status == 201
    assert ("Content-Type", "application/json") in response.headers
    assert ("X-List", "a, b") in response.headers
    assert ("X-Multi", "1") in response.headers and ("X-Multi", "2") in response.headers
    assert ("set-cookie", "session=abc; HttpOnly") in response.headers
    assert all(name.lower() != "content-length" for name, _ in response.headers)  # the server sets it
    assert response.body == b'{"ok":true}'


def test_base64_response_body_is_decoded() -> None:
    data = bytes(range(10))
    response = render_response({"statusCode": 200, "body": base64.b64encode(data).decode(), "isBase64Encoded": True})
    assert response.body == data


def test_result_without_status_code_is_a_200_json_body() -> None:
    response = render_response({"hello": "world"})
    assert response.status == 200
    assert ("content-type", "application/json") in response.headers
    assert json.loads(response.body) == {"hello": "world"}
    assert json.loads(render_response("text").body) == "text"


@pytest.mark.parametrize(
    "result", [{"statusCode": "abc"}, {"statusCode": 99}, {"statusCode": 200, "body": "%%", "isBase64Encoded": True}]
)
def test_invalid_results_are_rejected(result: dict) -> None:
    with pytest.raises(InvalidResponse):
        render_response(result)


def test_error_response_uses_the_error_envelope() -> None:
    response = error_response(413, "payload_too_large", "too big")
    assert response.status == 413
    assert json.loads(response.body) == {"error": {"code": "payload_too_large", "message": "too big", "details": []}}


def test_powertools_http_resolver_understands_the_event_and_its_response_renders() -> None:
    """The round trip through the same resolver class the API function uses."""
    app = APIGatewayHttpResolver()

    @app.post("/v1/posts/<post_id>")
    def create(post_id: str) -> Response:
        return Response(
            status_code=201,
            content_type="application/json",
            body=json.dumps(
                {
                    "post_id": post_id,
                    "limit": app.current_event.get_query_string_value("limit"),
                    "session": app.current_event.resolved_cookies_field.get("session"),
                    "body": app.current_event.json_body,
                }
            ),
            cookies=[Cookie(name="seen", value="1")],
        )

    req = request(
        "POST",
        "/v1/posts/p_1?limit=3",
        headers=[("Host", "127.0.0.1:3000"), ("Content-Type", "application/json"), ("Cookie", "session=s1")],
        body=b'{"text":"hello"}',
    )
    result = app.resolve(event_for(req), None)
    response = render_response(json.loads(json.dumps(result)))
    assert response.status == 201
    assert json.loads(response.body) == {"post_id": "p_1", "limit": "3", "session": "s1", "body": {"text": "hello"}}
    assert any(name == "set-cookie" and value.startswith("seen=1") for name, value in response.headers)
