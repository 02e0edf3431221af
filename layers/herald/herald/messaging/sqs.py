"""Sending JSON messages to an SQS queue in batches of ten (SendMessageBatch's maximum)."""

from __future__ import annotations

import json
from typing import Any


class SqsQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._sqs = client
        self._url = queue_url

    def send(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), 10):
            batch = messages[start:start + 10]
            entries = [{"Id": str(n), "MessageBody": json.dumps(m, separators=(",", ":"))} for n, m in enumerate(batch)]
            answer = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)
            failed = answer.get("Failed") or []
            if failed:  # a partial failure: send those again once, then give up loudly
                retry = [entries[int(f["Id"])] for f in failed]
                again = self._sqs.send_message_batch(QueueUrl=self._url, Entries=retry)
                if again.get("Failed"):
                    raise RuntimeError(f"SQS refused {len(again['Failed'])} messages: {again['Failed'][0]}")
