"""Webhooks through `python -m local`: a receiver on loopback registered through the API gets
signed `post.published` events for an immediate and a scheduled post, verifies each signature,
and a receiver that answers 500 twice gets its event on the third attempt. The stream function
(the outbox), the delivery queue and the webhooks function are the local cloud's, from the
template."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from local_process import LocalCloudProcess, running_local_cloud
from test_walkthrough import client, wait_for_status

from herald.webhooks.signing import verify
from support.receiver import Receiver, start_receiver


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudProcess]:
    with running_local_cloud(tmp_path_factory.mktemp("webhooks"), HERALD_WEBHOOK_RETRY_BASE_SECONDS="1") as process:
        yield process


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = start_receiver()
    yield started
    started.stop()


def _verified(receiver: Receiver, secret: str, event_type: str) -> list[dict]:
    """The delivered events of a type whose signature checks out (each checked)."""
    found = []
    for request in receiver.of_type(event_type):
        if request.status != 200:
            continue
        assert verify(request.headers["herald-signature"], request.body, secret, now=int(time.time()))
        event = json.loads(request.body)
        assert event["id"] == request.headers["herald-event-id"] and event["type"] == event_type
        found.append(event)
    return found


def test_immediate_and_scheduled_posts_are_announced_signed(cloud: LocalCloudProcess, receiver: Receiver) -> None:
    with client(cloud) as api:
        hook = api.post("/v1/webhooks", json={"url": receiver.url, "events": ["social.post_published", "post.scheduled"]})
        assert hook.status_code == 201, hook.text
        secret = hook.json()["secret"]
        assert hook.json()["events"] == ["post.published", "post.scheduled"]
        account = api.post("/v1/accounts", json={"platform": "x", "name": "Hooks"}).json()["id"]

        now_post = api.post("/v1/posts", json={"text": "Announced now", "account_ids": [account]}).json()["id"]
        # A minute or more ahead: asked for later (a nearer date counts as immediate)
        when = (datetime.now(UTC) + timedelta(seconds=65)).strftime("%Y-%m-%dT%H:%M:%SZ")
        later = api.post("/v1/posts", json={"text": "Announced later", "account_ids": [account], "scheduled_at": when})
        assert later.status_code == 201, later.text
        later_id = later.json()["id"]
        for post_id in (now_post, later_id):
            assert wait_for_status(api, post_id, {"published", "failed"}, 150)["status"] == "published"

        published = receiver.wait_for(lambda r: len(_verified(r, secret, "post.published")) >= 2 and
                                      _verified(r, secret, "post.published"), 30)
        by_post = {e["data"]["post"]["id"]: e for e in published}
        assert set(by_post) == {now_post, later_id}
        assert by_post[now_post]["data"]["post"]["immediate"] is True
        assert by_post[later_id]["data"]["post"]["immediate"] is False
        target = by_post[later_id]["data"]["post"]["targets"][0]
        assert target["status"] == "published" and target["platform_post_id"] and target["url"]
        scheduled = receiver.wait_for(lambda r: _verified(r, secret, "post.scheduled"), 10)
        assert [e["data"]["post"]["id"] for e in scheduled] == [later_id]  # not the immediate one

        log = api.get(f"/v1/webhooks/{hook.json()['id']}/deliveries").json()["deliveries"]
        assert {d["status"] for d in log} == {"delivered"} and len(log) == 3


def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt(cloud: LocalCloudProcess,
                                                                    receiver: Receiver) -> None:
    receiver.script["post.published"] = [500, 500]
    with client(cloud) as api:
        hook = api.post("/v1/webhooks", json={"url": receiver.url, "events": ["post.published"]}).json()
        account = api.post("/v1/accounts", json={"platform": "bluesky", "name": "Retry"}).json()["id"]
        post_id = api.post("/v1/posts", json={"text": "Third time lucky", "account_ids": [account]}).json()["id"]
        assert wait_for_status(api, post_id, {"published", "failed"}, 60)["status"] == "published"

        attempts = receiver.wait_for(lambda r: [x for x in r.of_type("post.published") if x.status == 200]
                                     and r.of_type("post.published"), 30)
        assert [a.status for a in attempts] == [500, 500, 200]
        assert [a.headers["herald-delivery-attempt"] for a in attempts] == ["1", "2", "3"]
        assert len({a.headers["herald-event-id"] for a in attempts}) == 1
        assert attempts[1].at - attempts[0].at >= 0.9  # the backoff waited (1 s, then 2 s)
        assert verify(attempts[2].headers["herald-signature"], attempts[2].body, hook["secret"], now=int(time.time()))

        log = api.get(f"/v1/webhooks/{hook['id']}/deliveries").json()["deliveries"]
        assert len(log) == 1 and log[0]["status"] == "delivered" and log[0]["attempts"] == 3

        replay = api.post(f"/v1/webhooks/{hook['id']}/deliveries/{log[0]['id']}/replay")
        assert replay.status_code == 202, replay.text
        receiver.wait_for(lambda r: len(r.of_type("post.published")) == 4, 15)
        assert receiver.of_type("post.published")[3].headers["herald-event-id"] == attempts[0].headers["herald-event-id"]

        test = api.post(f"/v1/webhooks/{hook['id']}/test")
        assert test.status_code == 202
        receiver.wait_for(lambda r: r.of_type("webhook.test"), 15)
