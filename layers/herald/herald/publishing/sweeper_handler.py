"""The sweeper function, on its rate() schedule."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service="herald-sweeper")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    from herald.wiring import sweeper, token_refresher

    return {**sweeper().run(), **token_refresher().run()}
