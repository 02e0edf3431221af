"""The publish function: a Scheduler payload (or an immediate invoke, or the sweeper's) -> one run.
Every line of the run carries post_id and workspace_id (and network for a target's lines); the
run's metrics (published, failed, lag) are flushed when it ends."""

from __future__ import annotations

import logging
from typing import Any

from herald.observability.handler import observed
from herald.observability.logs import set_log_keys
from herald.posts.ports import PublishRequest

log = logging.getLogger(__name__)


@observed()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from herald.wiring import publisher

    version = event.get("schedule_version")
    request = PublishRequest(
        workspace_id=str(event["workspace_id"]),
        post_id=str(event["post_id"]),
        schedule_version=int(version) if version is not None else None,
    )
    set_log_keys(post_id=request.post_id, workspace_id=request.workspace_id)
    outcome = publisher().run(request)
    log.info("publish run ended", extra={"result": outcome.result, "reason": outcome.reason})
    return {"post_id": request.post_id, "result": outcome.result, "reason": outcome.reason}
