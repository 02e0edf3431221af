"""Ayrshare's error shape for every /api answer: `{status: "error", code, message, action,
errors: [{action, status, code, message, platform}]}` with an HTTP 4xx/5xx status. Routes raise
`AyrshareError` or let a HeraldError through; `guarded` turns either (and anything unexpected)
into that shape, so an /api caller never sees the native envelope or a bare 500."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from herald import errors
from herald.api.compat import codes

log = logging.getLogger(__name__)


class AyrshareError(Exception):
    """A failed /api call, already in Ayrshare's terms."""

    def __init__(
        self,
        message: str,
        *,
        herald_code: str = "validation_error",
        status: int = HTTPStatus.BAD_REQUEST,
        code: int | None = None,
        action: str = "request",
        entries: list[dict[str, Any]] | None = None,
        details: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.herald_code = herald_code
        self.status = int(status)
        self.code = code if code is not None else codes.ayrshare_code(herald_code)
        self.action = action
        self.entries = entries
        self.details = details or []
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        entries = self.entries or [entry(self.action, self.code, self.message, herald_code=self.herald_code)]
        body: dict[str, Any] = {
            "status": "error", "action": self.action, "code": self.code, "message": self.message,
            "heraldCode": self.herald_code, "errors": entries,
        }
        if self.details:
            body["details"] = self.details
        return {**body, **self.extra}


def entry(action: str, code: int, message: str, *, platform: str | None = None, herald_code: str | None = None,
          **more: Any) -> dict[str, Any]:
    """One element of Ayrshare's `errors` array."""
    item: dict[str, Any] = {"action": action, "status": "error", "code": code, "message": message}
    if platform is not None:
        item["platform"] = platform
    if herald_code is not None:
        item["heraldCode"] = herald_code
    return {**item, **more}


def from_herald(exc: errors.HeraldError, action: str = "request") -> AyrshareError:
    """A domain error in Ayrshare's terms (a profile without an account on a network is 156)."""
    from herald.api.compat.names import ayrshare_name

    status = codes.http_status(exc)
    issues = [d for d in exc.details if isinstance(d, dict) and d.get("issue") in ("no_account", "several_accounts")]
    if issues and isinstance(exc, errors.InvalidRequest):
        entries = []
        for issue in issues:
            network = str(issue.get("value", ""))
            platform = ayrshare_name(network)
            if issue["issue"] == "no_account":
                entries.append(entry(action, codes.NOT_LINKED, f"{platform} is not linked for this profile.",
                                     platform=platform, herald_code="not_linked"))
            else:
                entries.append(entry(action, codes.HERALD_CODES["several_accounts"],
                                     f"The profile has several {platform} accounts; Herald's native API names the "
                                     "one to use (account_ids).", platform=platform, herald_code="several_accounts"))
        first = entries[0]
        return AyrshareError(first["message"], herald_code=first["heraldCode"], code=first["code"], action=action,
                             entries=entries, status=status)
    per_network = [d for d in exc.details if isinstance(d, dict) and d.get("network") and d.get("message")]
    if per_network and isinstance(exc, errors.InvalidRequest):  # content rules: one entry per problem
        entries = [entry(action, codes.ayrshare_code(str(d.get("code") or exc.code), str(d["network"])),
                         str(d["message"]), platform=ayrshare_name(str(d["network"])),
                         herald_code=str(d.get("code") or exc.code)) for d in per_network]
        return AyrshareError(exc.message, herald_code=exc.code, status=status, action=action, entries=entries,
                             details=exc.details)
    return AyrshareError(exc.message, herald_code=exc.code, status=status, action=action, details=exc.details)


def answer(payload: Any, status: int = HTTPStatus.OK) -> Response:
    return Response(status_code=int(status), content_type=content_types.APPLICATION_JSON,
                    body=json.dumps(payload, default=str))


def failure(exc: Exception, action: str = "request") -> Response:
    """Any exception as Ayrshare's error answer."""
    if isinstance(exc, AyrshareError):
        return answer(exc.body(), exc.status)
    if isinstance(exc, errors.HeraldError):
        mapped = from_herald(exc, action)
        return answer(mapped.body(), mapped.status)
    from herald.store.errors import error_code

    if error_code(exc) in {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
                           "InternalServerError", "ServiceUnavailable", "TransactionConflictException"}:
        busy = AyrshareError("The store is busy; retry shortly.", herald_code="store_unavailable",
                             status=HTTPStatus.SERVICE_UNAVAILABLE, action=action)
        return answer(busy.body(), busy.status)
    log.exception("unhandled error on an /api route")
    internal = AyrshareError("Something went wrong on our side.", herald_code="internal_error",
                             status=HTTPStatus.INTERNAL_SERVER_ERROR, action=action)
    return answer(internal.body(), internal.status)


def guarded(action: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Route decorator: every failure of the route answers in Ayrshare's shape."""

    def wrap(route: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(route)
        def run(*args: Any, **kwargs: Any) -> Response:
            try:
                return route(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - every failure becomes an Ayrshare answer
                return failure(exc, action)

        return run

    return wrap


def no_route() -> Response:
    missing = AyrshareError("No such /api route in Herald's Ayrshare-compatible API.", herald_code="route_not_found",
                            status=HTTPStatus.NOT_FOUND)
    return answer(missing.body(), missing.status)
