"""The media bucket through boto3: presigned POST uploads and GET links, ranged reads, writes and
deletes. S3 errors that mean "no such object" become None; others propagate.

Presigning is local (no call to S3) and uses Signature V4 with virtual-hosted, regional URLs
(`https://{bucket}.s3.{region}.amazonaws.com/`), which browsers can POST to without a redirect;
with a custom endpoint (the local cloud's moto on 127.0.0.1) botocore falls back to path style."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from herald.store.errors import error_code

log = logging.getLogger(__name__)

_lock = threading.Lock()
_MISSING = {"NoSuchKey", "404", "NotFound", "403", "AccessDenied"}  # 403: a missing key without ListBucket


@cache
def _s3_client(endpoint: str | None, region: str | None) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "virtual"},
        retries={"max_attempts": 5, "mode": "standard"},
        connect_timeout=5,
        read_timeout=30,
    )
    with _lock:  # client creation is not thread-safe on a shared session
        return boto3.session.Session().client("s3", config=config, region_name=region, endpoint_url=endpoint)


def s3_client() -> Any:
    """One client per endpoint and region (tests and the local cloud switch endpoints)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return _s3_client(endpoint, os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))


@dataclass(frozen=True)
class ObjectHead:
    size: int
    etag: str
    content_type: str | None


class S3Storage:
    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket

    def presign_post(self, key: str, content_type: str, min_bytes: int, max_bytes: int,
                     expires: timedelta) -> tuple[str, dict[str, str]]:
        """A POST policy for exactly this key and content type, with S3 enforcing the size."""
        answer = self._s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", min_bytes, max_bytes]],
            ExpiresIn=int(expires.total_seconds()),
        )
        return str(answer["url"]), {k: str(v) for k, v in answer["fields"].items()}

    def presign_get(self, key: str, expires: timedelta) -> str:
        return str(self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=int(expires.total_seconds())
        ))

    def head(self, key: str) -> ObjectHead | None:
        try:
            answer = self._s3.head_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            if error_code(exc) in _MISSING:
                return None
            raise
        return ObjectHead(int(answer["ContentLength"]), str(answer.get("ETag", "")).strip('"'),
                          answer.get("ContentType"))

    def read(self, key: str, offset: int, length: int, etag: str | None = None) -> bytes:
        if length <= 0:
            return b""
        request: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "Range": f"bytes={offset}-{offset + length - 1}"}
        if etag:
            request["IfMatch"] = etag  # the object inspected, not one uploaded meanwhile
        try:
            answer = self._s3.get_object(**request)
        except Exception as exc:
            if error_code(exc) == "InvalidRange":
                return b""
            raise
        with answer["Body"] as body:
            return bytes(body.read())

    def read_all(self, key: str, etag: str | None = None) -> bytes:
        request: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if etag:
            request["IfMatch"] = etag
        answer = self._s3.get_object(**request)
        with answer["Body"] as body:
            return bytes(body.read())

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type,
                            CacheControl="private, max-age=31536000, immutable")

    def source(self, key: str, size: int, etag: str | None = None) -> S3Source:
        return S3Source(self, key, size, etag)

    def delete(self, keys: list[str]) -> None:
        """Delete these objects (missing ones are fine)."""
        keys = [key for key in dict.fromkeys(keys) if key]
        for start in range(0, len(keys), 1000):
            chunk = keys[start:start + 1000]
            answer = self._s3.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True}
            )
            errors = answer.get("Errors") or []
            if errors:
                raise RuntimeError(f"could not delete {len(errors)} object(s) from {self.bucket}: {errors[:3]}")


@dataclass
class S3Source:
    """One uploaded object as an inspection Source (herald.media.inspect)."""

    storage: S3Storage
    key: str
    size: int
    etag: str | None = None
    reads: int = 0

    def read(self, offset: int, length: int) -> bytes:
        self.reads += 1
        length = min(length, self.size - offset)
        return self.storage.read(self.key, offset, length, self.etag) if length > 0 else b""

    def read_all(self) -> bytes:
        self.reads += 1
        return self.storage.read_all(self.key, self.etag)
