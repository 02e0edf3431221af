"""Calling the API function in-process with API Gateway HTTP API (v2) events."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


class Context:
    function_name = "herald-api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:herald-api"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    if body is not None or raw_body is not None:
        lowered.setdefault("content-type", "application/json")
    raw_query = urlencode(query or {})
    result: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "ANY /{proxy+}",
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": lowered,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "test",
            "domainName": "test.execute-api.us-east-1.amazonaws.com",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                     "userAgent": "pytest"},
            "requestId": str(uuid.uuid4()),
            "routeKey": "ANY /{proxy+}",
            "stage": "$default",
            "time": "07/Jan/2030:09:00:00 +0000",
            "timeEpoch": 1894006800000,
        },
        "pathParameters": {"proxy": path.lstrip("/")},
        "isBase64Encoded": False,
    }
    if query:
        result["queryStringParameters"] = dict(query)
    if raw_body is not None:
        result["body"] = raw_body
    elif body is not None:
        result["body"] = json.dumps(body)
    return result


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def error_code(self) -> str | None:
        return self.body.get("error", {}).get("code") if isinstance(self.body, dict) else None


class ApiClient:
    """Calls the real handler (herald.api.handler) with a key, like an HTTP client would."""

    def __init__(self, api_key: str | None = None, profile_key: str | None = None) -> None:
        self.api_key = api_key
        self.profile_key = profile_key

    def call(self, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None,
             query: dict[str, str] | None = None, raw_body: str | None = None) -> Reply:
        from herald.api.handler import lambda_handler

        all_headers = {}
        if self.api_key:
            all_headers["authorization"] = f"Bearer {self.api_key}"
        if self.profile_key:
            all_headers["profile-key"] = self.profile_key
        all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
        result = lambda_handler(event(method, path, body=body, headers=all_headers, query=query, raw_body=raw_body),
                                Context())
        text = result.get("body") or ""
        try:
            parsed = json.loads(text) if text else None
        except json.JSONDecodeError:
            parsed = text
        return Reply(result["statusCode"], {k.lower(): v for k, v in (result.get("headers") or {}).items()}, parsed)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.call("DELETE", path, **kw)
