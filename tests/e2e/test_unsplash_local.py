"""Test-mode posts with simulated Unsplash photos through `python -m local`, offline: the photos'
image URLs exist nowhere, yet the posts publish, the networks that take uploads getting the
photo's bytes (made up by the media source) and the others its URL.

The simulators refuse a post that names media the account did not upload (X: media ids of
uploads that succeeded, after checking the image with Pillow; Bluesky: blobs uploaded to the PDS),
so a published target is the upload's proof."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from local_process import LocalCloudProcess, running_local_cloud
from test_walkthrough import client, wait_for_status

from herald.platforms.simulators import unsplash as simulator

FINAL = {"published", "partially_published", "failed"}


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudProcess]:
    with running_local_cloud(tmp_path_factory.mktemp("unsplash")) as process:
        yield process


def test_a_random_unsplash_photo_publishes_to_x_and_bluesky(cloud: LocalCloudProcess) -> None:
    with client(cloud) as api:
        ids = [api.post("/v1/accounts", json={"platform": n, "name": "Acme"}).json()["id"] for n in ("x", "bluesky")]
        created = api.post("/v1/posts", json={"text": "Monday fuel", "account_ids": ids, "unsplash": "random"})
        assert created.status_code == 201, created.text
        post = created.json()
        done = wait_for_status(api, post["id"], FINAL, 60)
    [photo_url] = post["media"]
    assert simulator.is_simulated_image(photo_url)
    assert post["media_credits"][0]["text"].endswith("on Unsplash")
    assert done["status"] == "published", (done, cloud.output()[-4000:])
    assert {t["platform"] for t in done["targets"]} == {"x", "bluesky"}
    assert all(t["status"] == "published" and t["attempts"] == 1 for t in done["targets"]), done["targets"]


def test_a_portrait_photo_publishes_to_all_eight_networks(cloud: LocalCloudProcess) -> None:
    portrait = next(p for p in simulator.PHOTOS if simulator.photo_json(p)["height"] > simulator.photo_json(p)["width"])
    networks = ("x", "linkedin", "facebook", "instagram", "threads", "bluesky", "mastodon", "telegram")
    with client(cloud) as api:
        ids = [api.post("/v1/accounts", json={"platform": n, "name": "Acme"}).json()["id"] for n in networks]
        created = api.post("/v1/posts", json={"text": "Latte o'clock", "account_ids": ids, "unsplash": [portrait.id]})
        assert created.status_code == 201, created.text
        done = wait_for_status(api, created.json()["id"], FINAL, 90)
    assert done["status"] == "published", ([(t["platform"], t["status"], t.get("error")) for t in done["targets"]],
                                           cloud.output()[-4000:])
