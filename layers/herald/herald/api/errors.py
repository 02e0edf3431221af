"""The one error envelope and the one mapping from exception classes to HTTP statuses."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from herald import errors
from herald.pydantic_base import Model

log = logging.getLogger(__name__)

# Most specific first: the first class an exception is an instance of decides its status.
STATUS_BY_ERROR: tuple[tuple[type[errors.HeraldError], HTTPStatus], ...] = (
    (errors.Unauthenticated, HTTPStatus.UNAUTHORIZED),
    (errors.Forbidden, HTTPStatus.FORBIDDEN),
    (errors.NotFound, HTTPStatus.NOT_FOUND),
    (errors.InvalidState, HTTPStatus.CONFLICT),
    (errors.Conflict, HTTPStatus.CONFLICT),
    (errors.InvalidRequest, HTTPStatus.UNPROCESSABLE_ENTITY),
    (errors.TooManyRequests, HTTPStatus.TOO_MANY_REQUESTS),
    (errors.ScheduleUnavailable, HTTPStatus.SERVICE_UNAVAILABLE),
    (errors.ServiceUnavailable, HTTPStatus.SERVICE_UNAVAILABLE),
)


class ErrorBody(Model):
    code: str
    message: str
    details: list[dict[str, Any]] = []


class ErrorEnvelope(Model):
    error: ErrorBody


def envelope(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> Response:
    body = ErrorEnvelope(error=ErrorBody(code=code, message=message, details=details or []))
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body.model_dump_json())


def from_herald_error(exc: errors.HeraldError) -> Response:
    for cls, status in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return envelope(status, exc.code, exc.message, exc.details)
    log.exception("unmapped domain error")
    return envelope(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side.")


def from_validation_error(exc: RequestValidationError) -> Response:
    details = []
    for problem in exc.errors():
        # Pydantic names the member of a union it tried ("constrained-str", "dict[str,...]"):
        # that is not part of the field's path.
        location = [str(part) for part in problem.get("loc", ()) if not _is_union_member(part)]
        details.append(
            {
                "field": ".".join(location[1:]) if len(location) > 1 else ".".join(location),
                "in": location[0] if location else "body",
                "issue": problem.get("type", "invalid"),
                "message": problem.get("msg", ""),
            }
        )
    return envelope(HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error", "The request is not valid.", details)


def _is_union_member(part: object) -> bool:
    return isinstance(part, str) and ("[" in part or "-" in part)


def from_aws_error(exc: Exception) -> Response | None:
    """Throttling or an unavailable AWS dependency is a 503 the client may retry; anything else
    is our bug."""
    from herald.store.errors import error_code

    code = error_code(exc)
    if code in {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
                "InternalServerError", "ServiceUnavailable", "TransactionConflictException"}:
        return envelope(HTTPStatus.SERVICE_UNAVAILABLE, "store_unavailable", "The store is busy; retry shortly.")
    return None


_DESCRIPTIONS = {
    401: "No API key, or an unknown or revoked one (`unauthenticated`)",
    403: "The key's role does not allow this (`forbidden`)",
    404: "Not found in this workspace and profile",
    409: "Not allowed in the current state (`invalid_state`), or a conflicting write",
    422: "The request is not valid (`validation_error`, `invalid_request`, `invalid_content`, ...)",
    429: "Asked too often; retry after the time the message names (`rate_limited`)",
    500: "Our bug (`internal_error`)",
    503: "A dependency (Scheduler, the store) refused; nothing was changed (`schedule_unavailable`)",
}


def documented(*statuses: int, ok: int | tuple[int, ...] = 200) -> dict[int, dict[str, Any]]:
    """OpenAPI responses: the success statuses `ok` (with the route's return type; a redirect
    without a body), then the error statuses a route can answer, all in the envelope. Powertools
    documents no success answer for a route that passes `responses`, so it is listed here."""
    answers: dict[int, dict[str, Any]] = {
        status: {"description": "Redirect", "content": {}} if 300 <= status < 400 else {"description": "Success"}
        for status in sorted((ok,) if isinstance(ok, int) else ok)
    }
    return answers | {
        status: {"description": _DESCRIPTIONS[status], "content": {"application/json": {"model": ErrorEnvelope}}}
        for status in sorted({401, 403, 422, 500, *statuses})
    }
