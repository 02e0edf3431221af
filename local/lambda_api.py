"""The Lambda Invoke emulator: enough of Lambda's REST API for boto3's `lambda` client
(`AWS_ENDPOINT_URL_LAMBDA`) to invoke the local functions unchanged.

- `POST /2015-03-31/functions/{FunctionName|ARN}/invocations`:
  `X-Amz-Invocation-Type: RequestResponse` (default) runs the handler and answers 200 with its
  JSON result (a failure: 200 + `X-Amz-Function-Error: Unhandled` + Lambda's error object);
  `Event` queues it (202, retried like Lambda's async queue); `DryRun` answers 204.
- `POST /2014-11-13/functions/{name}/invoke-async/` (the deprecated InvokeAsync): 202.
- `GET /2015-03-31/functions/{name}`: a minimal GetFunction.
Errors use Lambda's shape (`x-amzn-ErrorType` header, `{"Type", "message"}` body), so botocore
raises e.g. `ResourceNotFoundException`."""

from __future__ import annotations

import base64
import json
import logging
import re
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit

from local.functions import MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD, FunctionRegistry, LocalFunction
from local.server import LocalService

log = logging.getLogger(__name__)

_INVOKE = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$")
_INVOKE_ASYNC = re.compile(r"^/2014-11-13/functions/(?P<name>[^/]+)/invoke-async/?$")
_GET_FUNCTION = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/?$")


class LambdaApi(LocalService):
    def __init__(self, registry: FunctionRegistry | None = None, *, port: int = 3001):
        """Binds the port at once; `registry` may be attached later, before start()."""
        self.registry = registry
        self._listen(_LambdaRequestHandler, port, "lambda-api")


class _LambdaRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "herald-local-lambda"
    sys_version = ""

    @property
    def registry(self) -> FunctionRegistry:
        return self.server.service.registry  # type: ignore[attr-defined]

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        if match := _INVOKE.match(path):
            self._invoke(unquote(match["name"]), body, self.headers.get("x-amz-invocation-type") or "RequestResponse")
        elif match := _INVOKE_ASYNC.match(path):
            self._invoke(unquote(match["name"]), body, "Event", legacy=True)
        else:
            self._error(404, "UnknownOperationException", f"Unknown operation POST {path}")

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        match = _GET_FUNCTION.match(path)
        if not match:
            self._error(404, "UnknownOperationException", f"Unknown operation GET {path}")
            return
        function = self._function(unquote(match["name"]))
        if function is not None:
            spec = function.spec
            configuration = {
                "FunctionName": spec.name,
                "FunctionArn": spec.arn,
                "Runtime": "python3.12",
                "Handler": spec.handler,
                "Timeout": spec.timeout_seconds,
                "MemorySize": spec.memory_mb,
                "Version": "$LATEST",
                "State": "Active",
                "Environment": {"Variables": spec.environment},
            }
            self._json(200, {"Configuration": configuration})

    def _function(self, name: str) -> LocalFunction | None:
        function = self.registry.get(name)
        if function is None:
            self._error(404, "ResourceNotFoundException", f"Function not found: {name}")
        return function

    def _invoke(self, name: str, body: bytes, invocation_type: str, *, legacy: bool = False) -> None:
        function = self._function(name)
        if function is None:
            return
        if invocation_type not in ("RequestResponse", "Event", "DryRun"):
            self._error(400, "InvalidParameterValueException", f"Invalid InvocationType: {invocation_type}")
            return
        limit = MAX_ASYNC_PAYLOAD if invocation_type == "Event" else MAX_SYNC_PAYLOAD
        if len(body) > limit:
            self._error(413, "RequestTooLargeException", f"Request must be smaller than {limit} bytes")
            return
        try:
            event = json.loads(body) if body.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._error(400, "InvalidRequestContentException", "Could not parse request body into json")
            return
        if invocation_type == "DryRun":
            self._reply(204, b"", {})
        elif invocation_type == "Event":
            request_id = self.registry.invoke_async(function, event)
            if legacy:
                self._json(202, {"Status": 202}, {"x-amzn-RequestId": request_id})
            else:
                self._reply(202, b"", {"x-amzn-RequestId": request_id})
        else:
            invocation = self.registry.invoke(function, event, client_context=self._client_context())
            headers = {"x-amzn-RequestId": invocation.request_id, "X-Amz-Executed-Version": "$LATEST"}
            if invocation.failed:
                headers["X-Amz-Function-Error"] = "Unhandled"
            self._reply(200, invocation.payload, headers)

    def _client_context(self) -> Any:
        encoded = self.headers.get("x-amz-client-context")
        if not encoded:
            return None
        try:
            return json.loads(base64.b64decode(encoded))
        except ValueError:
            return None

    def _error(self, status: int, error_type: str, message: str) -> None:
        self._json(status, {"Type": "User", "message": message}, {"x-amzn-ErrorType": error_type})

    def _json(self, status: int, value: Any, headers: dict[str, str] | None = None) -> None:
        self._reply(status, json.dumps(value).encode(), {"content-type": "application/json", **(headers or {})})

    def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        headers = {"content-type": "application/json", **headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug(format, *args)
