"""What every request passes before routing: the API key, then the body's media type.

Authentication comes first, so a caller without a valid key learns nothing about the request
format; the principal found here is the one the routes use (one key lookup per request)."""

from __future__ import annotations

import base64
import json
from contextvars import ContextVar
from typing import Any

from herald import errors
from herald.api.errors import ErrorBody, ErrorEnvelope
from herald.workspaces.model import Principal

PUBLIC_PATHS = frozenset({"/health", "/v1/openapi.json", "/v1/docs"})
PUBLIC_PREFIXES = ("/l/", "/v1/oauth/")  # short-link redirects; OAuth callbacks (the state authenticates)
# `curl -d` labels a JSON body as a form; a body without a label, or labelled form or plain
# text, is read as JSON. Any other media type answers 415.
_READ_AS_JSON = frozenset({"", "application/json", "application/x-www-form-urlencoded", "text/plain"})

current_principal: ContextVar[Principal | None] = ContextVar("current_principal", default=None)


def _answer(status: int, code: str, message: str, path: str = "") -> dict[str, Any]:
    if path == "/api" or path.startswith("/api/"):  # the Ayrshare-compatible API answers in its shape
        from herald.api.compat.errors import AyrshareError

        text = json.dumps(AyrshareError(message, herald_code=code, status=status).body())
        return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": text}
    body = ErrorEnvelope(error=ErrorBody(code=code, message=message))
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": body.model_dump_json()}


def bearer_token(headers: dict[str, str]) -> str | None:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def admit(event: dict[str, Any]) -> dict[str, Any] | None:
    """None when the request may go on (with `current_principal` set), else the answer."""
    from herald.wiring import workspace_service

    current_principal.set(None)
    path = event.get("rawPath") or event.get("requestContext", {}).get("http", {}).get("path", "")
    headers = event.get("headers") or {}
    if path not in PUBLIC_PATHS and not path.startswith(PUBLIC_PREFIXES):
        try:
            current_principal.set(workspace_service().authenticate(bearer_token(headers)))
        except errors.Unauthenticated as exc:
            return _answer(401, exc.code, exc.message, path)
    if event.get("body"):
        labels = [k for k in headers if k.lower() == "content-type"]
        kind = headers[labels[0]].split(";")[0].strip().lower() if labels else ""
        if kind not in _READ_AS_JSON and not kind.endswith("+json"):
            return _answer(415, "unsupported_media_type", f"Send JSON with Content-Type: application/json, not {kind}.",
                           path)
        for label in labels:
            del headers[label]
        headers["content-type"] = "application/json"
        if event.get("isBase64Encoded"):  # API Gateway sends a body that is not UTF-8 text in base64
            try:
                event["body"] = base64.b64decode(event["body"]).decode("utf-8")
            except ValueError:  # not base64, or not UTF-8 (UnicodeDecodeError)
                return _answer(422, "validation_error", "The body is not UTF-8 JSON.", path)
            event["isBase64Encoded"] = False
    return None

