"""The Scheduler port over EventBridge Scheduler: one one-time at() schedule per post."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from herald.errors import ScheduleUnavailable
from herald.posts.ports import PublishRequest
from herald.schedules.names import at_expression, schedule_name_for
from herald.store.errors import error_code

# Scheduler retries handing the event to Lambda for up to a day; Lambda's async queue takes it
# from there. What still fails lands in the dead-letter queue.
RETRY_POLICY = {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}


class EventBridgeScheduler:
    def __init__(self, client: Any, *, group: str, target_arn: str, role_arn: str, dlq_arn: str) -> None:
        self._client = client
        self._group = group
        self._target_arn = target_arn
        self._role_arn = role_arn
        self._dlq_arn = dlq_arn

    def _definition(self, post_id: str, at: datetime, request: PublishRequest) -> dict[str, Any]:
        return {
            "Name": schedule_name_for(post_id),
            "GroupName": self._group,
            "ScheduleExpression": at_expression(at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")),
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "State": "ENABLED",
            "Target": {
                "Arn": self._target_arn,
                "RoleArn": self._role_arn,
                "Input": json.dumps(request.as_payload()),
                "RetryPolicy": RETRY_POLICY,
                "DeadLetterConfig": {"Arn": self._dlq_arn},
            },
        }

    def upsert(self, post_id: str, at: datetime, request: PublishRequest) -> None:
        definition = self._definition(post_id, at, request)
        try:
            try:
                self._client.create_schedule(**definition)
            except Exception as exc:
                if error_code(exc) != "ConflictException":
                    raise
                self._client.update_schedule(**definition)
        except Exception as exc:
            raise ScheduleUnavailable(
                f"The schedule could not be created ({error_code(exc) or type(exc).__name__}); nothing was scheduled."
            ) from exc

    def disable(self, post_id: str) -> None:
        name = schedule_name_for(post_id)
        try:
            current = self._client.get_schedule(Name=name, GroupName=self._group)
            fields = {k: current[k] for k in ("ScheduleExpression", "FlexibleTimeWindow", "Target") if k in current}
            for optional in ("ScheduleExpressionTimezone", "ActionAfterCompletion"):
                if optional in current:
                    fields[optional] = current[optional]
            self._client.update_schedule(Name=name, GroupName=self._group, State="DISABLED", **fields)
        except Exception as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return
            raise ScheduleUnavailable(f"The schedule could not be disabled ({error_code(exc)}).") from exc

    def delete(self, post_id: str) -> None:
        try:
            self._client.delete_schedule(Name=schedule_name_for(post_id), GroupName=self._group)
        except Exception as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return
            raise ScheduleUnavailable(f"The schedule could not be deleted ({error_code(exc)}).") from exc
