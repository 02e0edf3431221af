"""The sweeper function, on its rate() schedule. What it hands over is the SweeperFinds metric."""

from __future__ import annotations

from typing import Any

from herald.observability.handler import observed


@observed()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    from herald.wiring import sweeper, token_refresher

    return {**sweeper().run(), **token_refresher().run()}
