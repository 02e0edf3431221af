"""The API function's handler: an API Gateway HTTP API event -> the resolver.

Every log line of a request carries the API Gateway request id as `correlation_id` (the
`requestId` of the HTTP API's access log), the workspace once the key is known, and the post id
when the path (or a compat delete's body) names one, so the lines of a delete run are found by
post id like a publish run's."""

from __future__ import annotations

import json
import re
from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from herald.api.app import resolve
from herald.api.gate import admit, current_principal
from herald.observability.handler import observed
from herald.observability.logs import set_log_keys

_POST_ID = re.compile(r"(?:^|/)(post_[0-9a-z]{26})(?=/|$)")
_COMPAT_DELETES = frozenset({"/api/post", "/api/delete"})  # DELETE with {"id": ...} in the body


def _post_id(event: dict[str, Any]) -> str | None:
    path = str(event.get("rawPath") or "")
    found = _POST_ID.search(path)
    if found:
        return found.group(1)
    method = ((event.get("requestContext") or {}).get("http") or {}).get("method", "")
    if method.upper() == "DELETE" and path in _COMPAT_DELETES and event.get("body") and not event.get("isBase64Encoded"):
        try:
            body = json.loads(event["body"])
        except ValueError:
            return None
        post_id = body.get("id") if isinstance(body, dict) else None
        return post_id if isinstance(post_id, str) and _POST_ID.fullmatch(post_id) else None
    return None


@observed(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    set_log_keys(post_id=_post_id(event))
    refused = admit(event)
    if refused is not None:
        return refused
    principal = current_principal.get()
    if principal is not None:
        set_log_keys(workspace_id=principal.workspace_id)
    return resolve(event, context)
