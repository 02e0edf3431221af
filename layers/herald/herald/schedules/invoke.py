"""The PublishTrigger port: hand a publish request to the publish function's async queue."""

from __future__ import annotations

import json
from typing import Any

from herald.errors import ScheduleUnavailable
from herald.posts.ports import PublishRequest
from herald.store.errors import error_code


class LambdaPublishTrigger:
    def __init__(self, client: Any, function_arn: str) -> None:
        self._client = client
        self._function = function_arn

    def publish_soon(self, request: PublishRequest) -> None:
        try:
            self._client.invoke(
                FunctionName=self._function,
                InvocationType="Event",
                Payload=json.dumps(request.as_payload()).encode(),
            )
        except Exception as exc:
            raise ScheduleUnavailable(
                f"The publish function could not be invoked ({error_code(exc) or type(exc).__name__})."
            ) from exc
