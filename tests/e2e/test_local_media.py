"""Media over real HTTP against `python -m local`: a PNG uploaded through the presigned POST (to
the local cloud's moto) is inspected by the inspect function, which the local cloud's S3
notification pump runs by itself; GET /v1/media/{id} then shows its dimensions, a thumbnail
link that works and the per-network report."""

from __future__ import annotations

import io
import time
from typing import Any

import httpx
from local_process import LocalCloudProcess
from PIL import Image

from support import media


def wait_until_settled(api: httpx.Client, media_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found = api.get(f"/v1/media/{media_id}").json()
        if found["status"] != "pending_upload" or time.monotonic() > deadline:
            return found  # type: ignore[no-any-return]
        time.sleep(0.2)


def test_a_png_uploaded_through_the_presigned_post_is_inspected_by_the_local_cloud(
    local_cloud: LocalCloudProcess,
) -> None:
    png = media.image("PNG", (1200, 1500))
    headers = {"Authorization": f"Bearer {local_cloud.api_key}"}
    with httpx.Client(base_url=local_cloud.api_url, headers=headers, timeout=10) as api:
        created = api.post("/v1/media", json={"filename": "poster.png", "content_type": "image/png"})
        assert created.status_code == 201, created.text
        body = created.json()
        form = body["upload"]
        assert form["url"].startswith(local_cloud.aws_endpoint + "/")
        sent = httpx.post(form["url"], data=form["fields"], files={"file": ("poster.png", png, "image/png")},
                          timeout=30)
        assert sent.status_code in (200, 201, 204), sent.text

        found = wait_until_settled(api, body["media_id"])
        assert found["status"] == "ready", (found, local_cloud.output()[-3000:])
        assert (found["type"], found["width"], found["height"], found["bytes"]) == ("image/png", 1200, 1500, len(png))
        (thumbnail,) = found["thumbnails"]
        picture = httpx.get(thumbnail["url"], timeout=10)
        assert picture.status_code == 200
        assert Image.open(io.BytesIO(picture.content)).size == (256, 320)
        report = {entry["network"]: entry for entry in found["compatibility"]}
        assert set(report) >= {"x", "instagram", "bluesky", "youtube", "google_business"}
        assert report["instagram"]["reasons"] == ["Instagram takes images as JPEG; this one is PNG."]
        assert report["x"]["ok"]

        assert api.delete(f"/v1/media/{body['media_id']}").status_code == 200
        assert api.get(f"/v1/media/{body['media_id']}").status_code == 404
