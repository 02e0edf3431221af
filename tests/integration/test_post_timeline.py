"""A post's `history` through the API and the moto table: each status change with the key that
asked for it, the claim's `publishing` entry written by the store's one update, a takeover of an
expired lease adding none, and posts stored before the history existed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from herald.posts.model import HISTORY_LIMIT, PostStatus, StatusChange
from support.apigw import ApiClient


@pytest.fixture
def real_time_publisher(publisher: Any, clock: Any) -> Any:
    clock.set(datetime.now(UTC))
    return publisher


def key_id(api: ApiClient) -> str:
    from herald import wiring

    return str(wiring.workspace_service().authenticate(api.api_key).key_id)


def stored(workspace: dict[str, Any], post_id: str) -> Any:
    from herald import wiring

    return wiring.post_store().get(workspace["id"], post_id)


def test_the_timeline_of_an_approved_post_that_went_out_and_was_deleted(api: ApiClient, workspace: dict[str, Any], trigger: Any,
                                                         real_time_publisher: Any) -> None:
    api.post("/v1/accounts", {"platform": "x", "name": "Acme", "username": "acme"})
    editor = ApiClient(api.post("/v1/api-keys", {"name": "writer", "role": "editor"}).body["key"])
    approver = ApiClient(api.post("/v1/api-keys", {"name": "boss", "role": "approver"}).body["key"])
    post = editor.post("/v1/posts", {"text": "Timeline", "platforms": ["x"], "draft": True}).body
    assert [(h["status"], h["by"]) for h in post["history"]] == [("draft", key_id(editor))]
    editor.post("/v1/posts", {"text": "unrelated", "platforms": ["x"], "draft": True})
    editor.put(f"/v1/posts/{post['id']}", {"requires_approval": True})
    assert editor.post(f"/v1/posts/{post['id']}/publish").body["status"] == "pending_approval"
    assert approver.post(f"/v1/posts/{post['id']}/approve").body["status"] == "scheduled"

    outcome = real_time_publisher.run(trigger.for_post(post["id"])[0])

    assert outcome.result == "published"
    done = api.get(f"/v1/posts/{post['id']}").body
    assert [(h["status"], h["by"]) for h in done["history"]] == [
        ("draft", key_id(editor)),
        ("pending_approval", key_id(editor)),
        ("scheduled", key_id(approver)),
        ("publishing", None),
        ("published", None),
    ]
    moments = [datetime.fromisoformat(h["at"]) for h in done["history"]]
    assert moments == sorted(moments) and moments[-1] == datetime.fromisoformat(done["updated_at"])

    deleted = editor.delete(f"/v1/posts/{post['id']}").body  # from the network too, in the request
    assert deleted["status"] == "deleted"
    assert [(h["status"], h["by"]) for h in deleted["history"][-2:]] == [("published", None), ("deleted", key_id(editor))]


def test_a_rejection_and_a_cancel_name_their_keys(api: ApiClient, trigger: Any) -> None:
    api.post("/v1/accounts", {"platform": "x", "name": "Acme"})
    approver = ApiClient(api.post("/v1/api-keys", {"name": "boss", "role": "approver"}).body["key"])
    post = api.post("/v1/posts", {"text": "Needs an ok", "platforms": ["x"], "requires_approval": True}).body
    approver.post(f"/v1/posts/{post['id']}/reject", {"reason": "tone"})
    cancelled = api.delete(f"/v1/posts/{post['id']}").body
    assert [(h["status"], h["by"]) for h in cancelled["history"]] == [
        ("pending_approval", key_id(api)), ("draft", key_id(approver)), ("cancelled", key_id(api)),
    ]


def test_taking_over_an_expired_lease_adds_no_entry(api: ApiClient, workspace: dict[str, Any], trigger: Any,
                                                    clock: Any) -> None:
    from herald import wiring

    api.post("/v1/accounts", {"platform": "x", "name": "Acme"})
    post = api.post("/v1/posts", {"text": "Crashes twice", "platforms": ["x"]}).body
    posts = wiring.post_store()
    clock.set(datetime.now(UTC) + timedelta(seconds=1))
    first = posts.claim(workspace["id"], post["id"], schedule_version=1, now=clock.now(), lease_id="lease_1",
                        lease_expires_at=clock.now() + timedelta(minutes=7))
    assert first is not None and [h.status for h in first.history] == [PostStatus.SCHEDULED, PostStatus.PUBLISHING]
    assert posts.claim(workspace["id"], post["id"], schedule_version=None, now=clock.now(), lease_id="lease_2",
                       lease_expires_at=clock.now() + timedelta(minutes=7)) is None  # the lease holds
    for n in range(3):  # each run dies; the sweeper hands the post over once the lease ran out
        clock.advance(minutes=8)
        taken = posts.claim(workspace["id"], post["id"], schedule_version=None, now=clock.now(),
                            lease_id=f"lease_{n + 3}", lease_expires_at=clock.now() + timedelta(minutes=7))
        assert taken is not None and taken.lease_id == f"lease_{n + 3}"
    assert stored(workspace, post["id"]).history == first.history


def test_a_repeated_claim_after_a_lost_answer_is_this_runs_claim(api: ApiClient, workspace: dict[str, Any],
                                                                  trigger: Any) -> None:
    from herald import wiring

    api.post("/v1/accounts", {"platform": "x", "name": "Acme"})
    post = api.post("/v1/posts", {"text": "Lost answer", "platforms": ["x"]}).body
    posts, now = wiring.post_store(), datetime.now(UTC) + timedelta(seconds=1)
    claim = {"schedule_version": 1, "now": now, "lease_id": "lease_1", "lease_expires_at": now + timedelta(minutes=7)}
    first = posts.claim(workspace["id"], post["id"], **claim)
    again = posts.claim(workspace["id"], post["id"], **claim)  # what botocore's retry of the same update meets
    assert first is not None and again == first
    assert [h.status for h in again.history] == [PostStatus.SCHEDULED, PostStatus.PUBLISHING]


def test_a_post_stored_without_history_reads_as_an_empty_one(api: ApiClient, workspace: dict[str, Any],
                                                              trigger: Any, cloud: Any) -> None:
    from herald import wiring
    from herald.store import keys

    api.post("/v1/accounts", {"platform": "x", "name": "Acme"})
    post = api.post("/v1/posts", {"text": "Old item", "platforms": ["x"], "draft": True}).body
    table = wiring.post_store()
    table._db.update_item(TableName=table._table, Key={"PK": {"S": keys.workspace_pk(workspace["id"])},
                                                       "SK": {"S": keys.post_sk(post["id"])}},
                          UpdateExpression="REMOVE history")
    assert api.get(f"/v1/posts/{post['id']}").body["history"] == []
    scheduled = api.post(f"/v1/posts/{post['id']}/schedule",
                         {"scheduled_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}).body
    assert [h["status"] for h in scheduled["history"]] == ["scheduled"]


def test_a_full_history_stays_at_the_limit_after_a_claim(api: ApiClient, workspace: dict[str, Any],
                                                         trigger: Any) -> None:
    from herald import wiring

    api.post("/v1/accounts", {"platform": "x", "name": "Acme"})
    post_id = api.post("/v1/posts", {"text": "Busy", "platforms": ["x"]}).body["id"]
    posts = wiring.post_store()
    now = datetime.now(UTC) + timedelta(seconds=1)
    full = stored(workspace, post_id)
    padding = [StatusChange(at=now - timedelta(days=1), status=PostStatus.PAUSED)] * (HISTORY_LIMIT - 1)
    posts.save(full.model_copy(update={"history": [*padding, *full.history], "version": full.version + 1}),
               expected_version=full.version)
    claimed = posts.claim(workspace["id"], post_id, schedule_version=1, now=now, lease_id="lease_1",
                          lease_expires_at=now + timedelta(minutes=7))
    assert claimed is not None and len(claimed.history) == HISTORY_LIMIT
    assert claimed.history[-1] == StatusChange(at=claimed.updated_at, status=PostStatus.PUBLISHING)

