"""Uploading media in tests: the presigned POST, then the inspect function on the S3 event."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import httpx

from support.apigw import ApiClient

ROOT = Path(__file__).resolve().parents[2]


def inspect_handler() -> Any:
    spec = importlib.util.spec_from_file_location("fn_inspect_media", ROOT / "functions" / "inspect_media" / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


def s3_event(bucket: str, key: str, size: int = 0) -> dict[str, Any]:
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1", "eventName": "ObjectCreated:Post",
        "eventTime": "2030-01-07T09:00:00.000Z",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": quote_plus(key, safe="/"), "size": size}},
    }]}


def start_upload(api: ApiClient, filename: str, content_type: str, size: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"filename": filename, "content_type": content_type}
    if size is not None:
        body["size"] = size
    reply = api.post("/v1/media", body)
    assert reply.status == 201, reply.body
    return reply.body  # type: ignore[no-any-return]


def upload(created: dict[str, Any], data: bytes, filename: str = "file", content_type: str = "image/png") -> None:
    form = created["upload"]
    answer = httpx.post(form["url"], data=form["fields"], files={"file": (filename, data, content_type)}, timeout=30)
    assert answer.status_code in (200, 201, 204), answer.text
