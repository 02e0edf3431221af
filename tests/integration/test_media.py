"""Uploaded media against the moto server built from template.yaml: POST /v1/media hands out a
presigned POST, the file goes up with httpx, the inspect function runs on the S3 event, and
GET /v1/media/{id} shows what it found; DELETE removes the objects and the item."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from support import media
from support.apigw import ApiClient, Context
from support.cloud import MotoCloud
from support.uploads import inspect_handler, s3_event, start_upload, upload

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bucket(cloud: MotoCloud) -> str:
    return cloud.stack.physical_name("MediaBucket")


def object_keys(cloud: MotoCloud, bucket: str) -> set[str]:
    return {o["Key"] for o in cloud.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])}


def policy(created: dict[str, Any]) -> dict[str, Any]:
    return json.loads(base64.b64decode(created["upload"]["fields"]["policy"]))  # type: ignore[no-any-return]


def test_a_png_uploaded_through_the_presigned_post_gets_dimensions_thumbnail_and_report(
    api: ApiClient, cloud: MotoCloud, bucket: str, workspace: dict[str, Any]
) -> None:
    png = media.image("PNG", (1080, 1920))
    created = start_upload(api, "Holiday photo.png", "image/png", len(png))
    media_id = created["media_id"]
    assert created["status"] == "pending_upload"
    assert created["upload"]["method"] == "POST"
    assert created["upload"]["url"] == f"{cloud.endpoint}/{bucket}"
    key = created["upload"]["fields"]["key"]
    assert key == f"uploads/{workspace['id']}/{media_id}/Holiday-photo.png"
    assert api.get(f"/v1/media/{media_id}").body["status"] == "pending_upload"

    upload(created, png, "Holiday photo.png")
    result = inspect_handler()(s3_event(bucket, key, len(png)), Context())
    assert result == {"processed": [{"key": key, "result": "ready", "media_id": media_id}]}

    reply = api.get(f"/v1/media/{media_id}")
    assert reply.status == 200, reply.body
    found = reply.body
    assert found["status"] == "ready" and found["problem"] is None
    assert (found["type"], found["kind"], found["format"]) == ("image/png", "image", "PNG")
    assert (found["bytes"], found["width"], found["height"], found["frames"]) == (len(png), 1080, 1920, 1)
    assert found["filename"] == "Holiday photo.png"
    (thumbnail,) = found["thumbnails"]
    assert (thumbnail["width"], thumbnail["height"], thumbnail["content_type"]) == (180, 320, "image/jpeg")
    picture = httpx.get(thumbnail["url"], timeout=10)
    assert picture.status_code == 200
    assert Image.open(io.BytesIO(picture.content)).size == (180, 320)
    report = {entry["network"]: entry for entry in found["compatibility"]}
    assert len(report) == 13
    assert report["x"] == {"network": "x", "ok": True, "reasons": [], "suggestions": []}
    assert report["instagram"]["ok"] is False
    assert "Instagram takes aspect ratios 4:5 to 1.91:1; this image is 9:16." in report["instagram"]["reasons"]
    assert "Crop to 4:5 (e.g. 1080×1350)." in report["instagram"]["suggestions"]
    assert report["youtube"]["reasons"] == ["YouTube does not take images."]

    # A repeated S3 event changes nothing.
    again = inspect_handler()(s3_event(bucket, key), Context())
    assert again["processed"][0]["result"] == "unchanged"

    deleted = api.delete(f"/v1/media/{media_id}")
    assert deleted.status == 200 and deleted.body == {"id": media_id, "deleted": True}
    assert not {k for k in object_keys(cloud, bucket) if media_id in k}
    gone = api.get(f"/v1/media/{media_id}")
    assert gone.status == 404 and gone.error_code == "media_not_found"


def test_the_size_limit_is_in_the_post_policy_and_large_uploads_work(
    api: ApiClient, cloud: MotoCloud, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from herald.settings import get_settings

    monkeypatch.setenv("HERALD_MEDIA_MAX_BYTES", str(40 * 1024 * 1024))
    get_settings.cache_clear()
    open_size = start_upload(api, "clip.mp4", "video/mp4")
    conditions = policy(open_size)["conditions"]
    assert ["content-length-range", 1, 40 * 1024 * 1024] in conditions
    assert {"Content-Type": "video/mp4"} in conditions
    assert {"key": open_size["upload"]["fields"]["key"]} in conditions
    assert open_size["upload"]["max_bytes"] == 40 * 1024 * 1024

    big = media.mp4(width=1080, height=1920, seconds=42, mdat_bytes=12 * 1000 * 1000)  # > 10 MB
    exact = start_upload(api, "clip.mp4", "video/mp4", len(big))
    assert ["content-length-range", len(big), len(big)] in policy(exact)["conditions"]
    upload(exact, big, "clip.mp4", "video/mp4")
    key = exact["upload"]["fields"]["key"]
    assert inspect_handler()(s3_event(bucket, key), Context())["processed"][0]["result"] == "ready"
    found = api.get(f"/v1/media/{exact['media_id']}").body
    assert (found["kind"], found["width"], found["height"], found["duration_seconds"]) == ("video", 1080, 1920, 42.0)
    assert found["thumbnails"] == [] and any("decoder" in note for note in found["notes"])
    report = {entry["network"]: entry for entry in found["compatibility"]}
    assert report["youtube"]["ok"] and report["tiktok"]["ok"]
    assert report["bluesky"]["ok"] and report["telegram"]["ok"]
    assert report["x"]["reasons"] == ["X takes videos up to 1280×1024 (either way round); this one is 1080×1920."]


def test_a_file_that_is_not_what_was_declared_is_rejected_and_removed(
    api: ApiClient, cloud: MotoCloud, bucket: str
) -> None:
    pdf = b"%PDF-1.7\n" + bytes(2000)
    created = start_upload(api, "poster.png", "image/png")
    upload(created, pdf, "poster.png")
    key = created["upload"]["fields"]["key"]
    assert inspect_handler()(s3_event(bucket, key), Context())["processed"][0]["result"] == "rejected"
    found = api.get(f"/v1/media/{created['media_id']}").body
    assert found["status"] == "rejected"
    assert found["problem"].startswith("Unsupported file type")
    assert found["bytes"] == len(pdf) and found["compatibility"] == []
    assert key not in object_keys(cloud, bucket)


def test_a_size_other_than_declared_is_rejected(api: ApiClient, cloud: MotoCloud, bucket: str) -> None:
    """S3 itself refuses it (content-length-range); moto does not, so the inspection checks again."""
    png = media.image("PNG", (100, 100))
    created = start_upload(api, "a.png", "image/png", len(png) - 1)
    upload(created, png, "a.png")
    key = created["upload"]["fields"]["key"]
    assert inspect_handler()(s3_event(bucket, key), Context())["processed"][0]["result"] == "rejected"
    found = api.get(f"/v1/media/{created['media_id']}").body
    assert found["problem"] == f"The file is {len(png)} bytes, not the {len(png) - 1} declared."
    assert key not in object_keys(cloud, bucket)


def test_an_upload_without_a_media_item_is_removed(cloud: MotoCloud, bucket: str, workspace: dict[str, Any]) -> None:
    key = f"uploads/{workspace['id']}/med_unknown/x.png"
    cloud.client("s3").put_object(Bucket=bucket, Key=key, Body=media.image("PNG", (10, 10)))
    result = inspect_handler()(s3_event(bucket, key), Context())
    assert result["processed"] == [{"key": key, "result": "orphan_removed", "media_id": "med_unknown"}]
    assert key not in object_keys(cloud, bucket)


def test_records_of_other_buckets_and_events_are_skipped(bucket: str, trigger: Any) -> None:
    other = s3_event("someone-elses-bucket", "uploads/ws/med/x.png")
    removed = s3_event(bucket, "uploads/ws/med/x.png")
    removed["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    assert inspect_handler()({"Records": other["Records"] + removed["Records"]}, Context()) == {"processed": []}


def test_requests_that_cannot_be_uploads(api: ApiClient) -> None:
    unsupported = api.post("/v1/media", {"filename": "doc.pdf", "content_type": "application/pdf"})
    assert unsupported.status == 422 and unsupported.error_code == "media_unsupported"
    assert "image/png" in unsupported.body["error"]["details"][0]["allowed"]
    too_big = api.post("/v1/media", {"filename": "film.mp4", "content_type": "video/mp4", "size": 6 * 1024**3})
    assert too_big.status == 422 and too_big.error_code == "media_too_large"
    assert too_big.body["error"]["details"] == [{"field": "size", "limit": 1024**3, "measured": 6 * 1024**3}]
    invalid = api.post("/v1/media", {"filename": "", "content_type": "image/png", "extra": 1})
    assert invalid.status == 422 and invalid.error_code == "validation_error"
    assert api.get("/v1/media/med_nope").error_code == "media_not_found"
    assert api.delete("/v1/media/med_nope").error_code == "media_not_found"


def test_viewers_read_and_editors_write(api: ApiClient) -> None:
    viewer = ApiClient(api.post("/v1/api-keys", {"name": "viewer", "role": "viewer"}).body["key"])
    refused = viewer.post("/v1/media", {"filename": "a.png", "content_type": "image/png"})
    assert refused.status == 403 and refused.error_code == "forbidden"
    created = start_upload(api, "a.png", "image/png")
    assert viewer.get(f"/v1/media/{created['media_id']}").status == 200
    assert viewer.delete(f"/v1/media/{created['media_id']}").status == 403
    assert api.delete(f"/v1/media/{created['media_id']}").status == 200


def test_media_of_another_profile_is_not_found(api: ApiClient, workspace: dict[str, Any]) -> None:
    created = start_upload(api, "a.png", "image/png")
    profile = api.post("/v1/profiles", {"name": "Other brand"})
    assert profile.status == 201, profile.body
    other = ApiClient(workspace["key"], profile.body["profile_key"])
    assert other.get(f"/v1/media/{created['media_id']}").error_code == "media_not_found"


def test_the_media_bucket_is_created_from_the_template(cloud: MotoCloud, bucket: str) -> None:
    s3 = cloud.client("s3")
    (cors,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert {"POST", "PUT"} <= set(cors["AllowedMethods"]) and cors["MaxAgeSeconds"] == 3600
    (sse,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
