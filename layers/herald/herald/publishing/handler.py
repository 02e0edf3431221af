"""The publish function: a Scheduler payload (or an immediate invoke, or the sweeper's) -> one run."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from herald.posts.ports import PublishRequest

logger = Logger(service="herald-publish")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from herald.wiring import publisher

    version = event.get("schedule_version")
    request = PublishRequest(
        workspace_id=str(event["workspace_id"]),
        post_id=str(event["post_id"]),
        schedule_version=int(version) if version is not None else None,
    )
    logger.append_keys(post_id=request.post_id, workspace_id=request.workspace_id)
    outcome = publisher().run(request)
    logger.info("publish run ended", extra={"result": outcome.result, "reason": outcome.reason})
    return {"post_id": request.post_id, "result": outcome.result, "reason": outcome.reason}
