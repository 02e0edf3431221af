"""The inspect function: S3 `ObjectCreated` notifications for the media bucket's uploads/ prefix.

Each record's object is inspected and its media item settled (herald.media.service). Keys in S3
event records are URL-encoded (a space arrives as `+`). Records of another bucket or event are
skipped. An exception (S3 or DynamoDB unavailable) fails the invocation, and Lambda's async
retries deliver it again; processing is idempotent."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote_plus

from herald.observability.handler import observed
from herald.observability.logs import log_keys

logger = logging.getLogger(__name__)


def _upload_keys(key: str) -> dict[str, str | None]:
    """uploads/{workspace}/{media}/{file} -> the workspace and media ids for the log lines."""
    parts = key.split("/")
    return {"workspace_id": parts[1] if len(parts) > 2 else None, "media_id": parts[2] if len(parts) > 3 else None}


@observed()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from herald.settings import get_settings
    from herald.wiring import media_service

    bucket = get_settings().media_bucket
    service = media_service()
    processed = []
    for record in event.get("Records") or []:
        s3 = record.get("s3") or {}
        name = str(record.get("eventName", ""))
        record_bucket = (s3.get("bucket") or {}).get("name")
        key = unquote_plus(str((s3.get("object") or {}).get("key", "")))
        if record.get("eventSource") != "aws:s3" or not name.startswith("ObjectCreated:") or not key:
            logger.info("skipping a record that is not an S3 object creation", extra={"event_name": name})
            continue
        if record_bucket != bucket:
            logger.warning("skipping an object of another bucket", extra={"bucket": record_bucket, "key": key})
            continue
        with log_keys(**_upload_keys(key)):
            outcome = service.process_upload(key)
            logger.info("processed an upload", extra=outcome.as_dict())
        processed.append(outcome.as_dict())
    return {"processed": processed}
