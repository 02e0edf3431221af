"""API Gateway HTTP API (payload 2.0) events for the benchmarks."""

from __future__ import annotations

from typing import Any


def api_event(method: str, path: str, key: str, body: str | None = None, query: str = "") -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "ANY /{proxy+}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"authorization": f"Bearer {key}", "content-type": "application/json"},
        "queryStringParameters": dict(p.split("=", 1) for p in query.split("&")) if query else None,
        "requestContext": {
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                     "userAgent": "bench"},
            "requestId": "bench", "routeKey": "ANY /{proxy+}", "stage": "$default", "accountId": "123456789012",
            "apiId": "bench", "domainName": "bench", "time": "", "timeEpoch": 0,
        },
        "body": body,
        "isBase64Encoded": False,
    }


class LambdaContext:
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    aws_request_id = "bench"

    def __init__(self, name: str = "herald-api") -> None:
        self.function_name = name
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000
