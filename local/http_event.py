"""API Gateway HTTP API (payload format 2.0) events from HTTP requests, and HTTP responses from
the function's result. Pure functions: the server is in local.http_api.

Follows the HTTP API's documented behaviour: header names lower-cased and repeated headers
joined with commas; cookies moved from the `cookie` header to `cookies`; repeated query
parameters joined with commas; bodies of non-text content types base64-encoded; a result
without `statusCode` answered as 200 application/json with the result as the body."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

ACCOUNT_ID = "123456789012"
API_ID = "local"

_TEXT_TYPES = re.compile(
    r"^(text/.*|application/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded|graphql|yaml|x-yaml)"
    r"|multipart/form-data)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Route:
    """A route of the HTTP API: `ANY /{proxy+}`, `GET /v1/posts/{id}` or `$default`."""

    method: str
    path: str

    @classmethod
    def parse(cls, route_key: str) -> Route:
        if route_key == "$default":
            return cls("ANY", "$default")
        method, _, path = route_key.partition(" ")
        return cls(method.upper(), path)

    @property
    def key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Path parameters when the route matches (decoded), else None."""
        if self.method not in ("ANY", method.upper()):
            return None
        if self.path == "$default":
            return {}
        route_parts = self.path.strip("/").split("/") if self.path != "/" else []
        path_parts = path.strip("/").split("/") if path.strip("/") else []
        params: dict[str, str] = {}
        for index, part in enumerate(route_parts):
            if part.startswith("{") and part.endswith("+}"):
                rest = path_parts[index:]
                if not rest:
                    return None  # a greedy variable needs at least one segment: /{proxy+} misses "/"
                params[part[1:-2]] = unquote("/".join(rest))
                return params
            if index >= len(path_parts):
                return None
            if part.startswith("{") and part.endswith("}"):
                if not path_parts[index]:
                    return None
                params[part[1:-1]] = unquote(path_parts[index])
            elif part != path_parts[index]:
                return None
        return params if len(path_parts) == len(route_parts) else None

    @property
    def priority(self) -> tuple[bool, bool, int, tuple[bool, ...], bool]:
        """Lower is more specific, as API Gateway picks among the routes that match: a full match
        (literal segments, then `{variables}`) before a greedy `{proxy+}` route, and those before
        `$default`. Among greedy routes the longer literal prefix wins (`GET /console/{proxy+}`
        before `ANY /{proxy+}`); then literal segments before variables, left to right; then an
        exact method before `ANY` (`GET /` before `ANY /`). AWS documents the three classes and
        the method rule; the order inside a class is the "most specific match" it promises."""
        parts = [part for part in self.path.split("/") if part]
        variables = tuple(part.startswith("{") for part in parts)
        return (
            self.path == "$default",
            any(part.endswith("+}") for part in parts),
            -variables.count(False),
            variables,
            self.method == "ANY",
        )


DEFAULT_ROUTES = (Route("ANY", "/{proxy+}"),)


def match_route(routes: Iterable[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in sorted(routes, key=lambda route: route.priority):
        params = route.match(method, path)
        if params is not None:
            return route, params
    return None


@dataclass
class HttpRequest:
    method: str
    target: str  # path and query string as received, e.g. /v1/posts?limit=5
    headers: list[tuple[str, str]]
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"
    host: str = "127.0.0.1:3000"


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def is_text_content_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    return bool(_TEXT_TYPES.match(content_type.split(";", 1)[0].strip()))


def build_event(
    request: HttpRequest,
    route: Route,
    path_parameters: dict[str, str],
    *,
    request_id: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The payload format 2.0 event API Gateway would send for `request` on `route`."""
    raw_path, _, raw_query = request.target.partition("?")
    now = time.time() if now is None else now
    request_id = request_id or new_request_id()

    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    headers.setdefault("host", request.host)
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    headers.setdefault("x-forwarded-port", request.host.rpartition(":")[2] or "80")
    headers.setdefault("x-amzn-trace-id", f"Root=1-{int(now):08x}-{uuid.uuid4().hex[:24]}")

    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value

    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": raw_path or "/",
        "rawQueryString": raw_query,
        "headers": headers,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": request.host.split(":")[0],
        "domainPrefix": request.host.split(".")[0].split(":")[0],
        "http": {
            "method": request.method.upper(),
            "path": raw_path or "/",
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": route.key,
        "stage": "$default",
        "time": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now * 1000),
    }
    if path_parameters:
        event["pathParameters"] = path_parameters
    if request.body:
        if is_text_content_type(headers.get("content-type")):
            try:
                event["body"] = request.body.decode("utf-8")
                event["isBase64Encoded"] = False
            except UnicodeDecodeError:
                event["body"] = base64.b64encode(request.body).decode()
                event["isBase64Encoded"] = True
        else:
            event["body"] = base64.b64encode(request.body).decode()
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event


class InvalidResponse(ValueError):
    """The function returned something API Gateway cannot turn into a response (it answers 500)."""


_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}


def render_response(result: Any) -> HttpResponse:
    """The HTTP response API Gateway makes of a payload format 2.0 function result."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # "If your Lambda function returns valid JSON and doesn't return a statusCode,
        # API Gateway assumes 200 and treats the whole result as the JSON body."
        body = json.dumps(result).encode()
        return HttpResponse(200, [("content-type", "application/json")], body)
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError) as exc:
        raise InvalidResponse(f"statusCode is not an integer: {result['statusCode']!r}") from exc
    if not 100 <= status <= 599:
        raise InvalidResponse(f"statusCode out of range: {status}")

    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        if value is None or name.lower() in _HOP_BY_HOP:
            continue
        headers.append((name, ", ".join(map(str, value)) if isinstance(value, list) else str(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if name.lower() in _HOP_BY_HOP:
            continue
        headers.extend((name, str(value)) for value in values or [])
    headers.extend(("set-cookie", str(cookie)) for cookie in result.get("cookies") or [])

    body = result.get("body")
    if body is None:
        data = b""
    elif result.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body, validate=True)
        except (ValueError, TypeError) as exc:
            raise InvalidResponse("isBase64Encoded is true but the body is not base64") from exc
    else:
        data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode()
    return HttpResponse(status, headers, data)


def error_response(status: int, code: str, message: str) -> HttpResponse:
    """Herald's error envelope, for the errors the emulator itself answers."""
    body = json.dumps({"error": {"code": code, "message": message, "details": []}}).encode()
    return HttpResponse(status, [("content-type", "application/json")], body)


def new_request_id() -> str:
    # API Gateway's request ids look like "JKJaXmPLvHcESHA="
    return base64.b64encode(uuid.uuid4().bytes[:10]).decode()
