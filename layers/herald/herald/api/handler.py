"""The API function's handler: an API Gateway HTTP API event -> the resolver."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths

from herald.api.app import app
from herald.api.gate import admit

logger = Logger(service="herald-api")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    refused = admit(event)
    if refused is not None:
        return refused
    return app.resolve(event, context)
