"""The HTTP API emulator: every request becomes an API Gateway HTTP API payload 2.0 event for
the function whose HttpApi route matches, and the function's result becomes the response.

What the emulator answers itself, like API Gateway: 404 `{"message":"Not Found"}` when no route
matches, 413 (Herald's error envelope, `payload_too_large`) above the 10 MB payload quota, and
500 (envelope, `internal_error`, with the traceback in the log) when the function fails or
returns something that is not a valid response."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler

from local.functions import LocalFunction
from local.http_event import (
    HttpRequest,
    HttpResponse,
    InvalidResponse,
    Route,
    build_event,
    error_response,
    match_route,
    new_request_id,
    render_response,
)
from local.server import LocalService

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway HTTP API payload quota
_MAX_DISCARD_BYTES = 64 * 1024 * 1024


class HttpApi(LocalService):
    def __init__(
        self,
        routes: Sequence[tuple[Route, LocalFunction]],
        *,
        port: int = 3000,
        max_body_bytes: int = MAX_BODY_BYTES,
    ):
        self.routes = list(routes)
        self.max_body_bytes = max_body_bytes
        self._listen(_ApiRequestHandler, port, "http-api")

    def handle(self, request: HttpRequest) -> HttpResponse:
        found = match_route((route for route, _ in self.routes), request.method, request.target.partition("?")[0])
        if found is None:
            return HttpResponse(404, [("content-type", "application/json")], b'{"message":"Not Found"}')
        route, path_parameters = found
        function = next(fn for candidate, fn in self.routes if candidate == route)
        event = build_event(request, route, path_parameters)
        invocation = function.run_alone(event)
        if invocation.failed:
            response = error_response(500, "internal_error", "Internal server error (the function failed: see the log)")
        else:
            try:
                response = render_response(invocation.result())
            except (InvalidResponse, json.JSONDecodeError) as exc:
                log.error("%s returned an invalid HTTP API response: %s", function.name, exc)
                response = error_response(500, "internal_error", "Internal server error (invalid function response)")
        response.headers.append(("apigw-requestid", event["requestContext"]["requestId"]))
        return response


class _BodyTooLarge(Exception):
    pass


class _ApiRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "herald-local"
    sys_version = ""

    @property
    def api(self) -> HttpApi:
        return self.server.service  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def handle_expect_100(self) -> bool:
        # Refuse an announced oversized body before the client sends it.
        if self._declared_length() > self.api.max_body_bytes:
            self._send(self._too_large(), close=True)
            return False
        return super().handle_expect_100()

    def _serve(self) -> None:
        started = time.monotonic()
        try:
            body = self._read_body()
        except _BodyTooLarge:
            response, close = self._too_large(), True
        except ValueError:
            response, close = error_response(400, "bad_request", "Malformed request body framing"), True
        else:
            close = False
            request = HttpRequest(
                method=self.command,
                target=self.path,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
                protocol=self.request_version,
                host=self.headers.get("host") or f"127.0.0.1:{self.server.server_address[1]}",
            )
            try:
                response = self.api.handle(request)
            except Exception:
                log.exception("HTTP API emulator failed on %s %s", self.command, self.path)
                response = error_response(500, "internal_error", "Internal server error")
        self._send(response, close=close)
        log.info(
            '%s "%s %s" %d %d %.0fms',
            self.client_address[0],
            self.command,
            self.path,
            response.status,
            len(response.body),
            (time.monotonic() - started) * 1000,
        )

    def _declared_length(self) -> int:
        try:
            return int(self.headers.get("content-length") or 0)
        except ValueError:
            return 0

    def _read_body(self) -> bytes:
        limit = self.api.max_body_bytes
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > limit:
                    raise _BodyTooLarge
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = self._declared_length()
        if length > limit:
            self._discard(length)
            raise _BodyTooLarge
        return self.rfile.read(length) if length > 0 else b""

    def _discard(self, length: int) -> None:
        """Read an oversized body away (up to a bound) so that the client, still sending it, gets
        the 413 instead of a connection reset."""
        if length > _MAX_DISCARD_BYTES:
            return
        self.connection.settimeout(5)
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                return
            length -= len(chunk)

    def _too_large(self) -> HttpResponse:
        return error_response(
            413,
            "payload_too_large",
            f"The request body exceeds the {self.api.max_body_bytes // (1024 * 1024)} MB limit of the HTTP API",
        )

    def _send(self, response: HttpResponse, *, close: bool) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        if not any(name.lower() == "apigw-requestid" for name, _ in response.headers):
            self.send_header("apigw-requestid", new_request_id())
        if close:
            self.send_header("connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD" and response.body:
            try:
                self.wfile.write(response.body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a browser's aborted fetch)
                self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        log.debug(format, *args)
