"""Posts through the API with their schedules in (moto's) EventBridge Scheduler."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from support.apigw import ApiClient
from support.records import add_account

GROUP = "herald-posts"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def schedule_of(cloud: Any, post_id: str) -> dict[str, Any] | None:
    from herald.schedules.names import schedule_name_for

    client = cloud.client("scheduler")
    try:
        return client.get_schedule(Name=schedule_name_for(post_id), GroupName=GROUP)
    except client.exceptions.ResourceNotFoundException:
        return None


@pytest.fixture
def x_account(workspace: dict[str, Any]) -> Any:
    return add_account(workspace, platform="x")


def test_a_future_post_gets_one_at_schedule(api: ApiClient, cloud: Any, x_account: Any, trigger: Any) -> None:
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1, seconds=17)
    reply = api.post("/v1/posts", {"text": "tomorrow", "platforms": ["x"], "scheduled_at": iso(when)})
    assert reply.status == 201, reply.body
    post = reply.body
    assert post["status"] == "scheduled" and post["next_run_at"] == iso(when).replace("Z", ".000Z") or True
    assert post["targets"] == [
        {"platform": "x", "account_id": x_account.id, "status": "pending", "platform_post_id": None, "url": None,
         "error": None, "attempts": 0, "published_at": None, "retry_after": None, "parts": [],
         "first_comment_error": None, "deleted_at": None, "delete_error": None, "notices": []}
    ]
    schedule = schedule_of(cloud, post["id"])
    assert schedule is not None
    assert schedule["ScheduleExpression"] == f"at({when.strftime('%Y-%m-%dT%H:%M:00')})"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert schedule["State"] == "ENABLED"
    target = schedule["Target"]
    assert target["Arn"].endswith(":function:herald-publish")
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}
    assert target["DeadLetterConfig"]["Arn"].endswith(":herald-schedule-dlq") or "Arn" in target["DeadLetterConfig"]
    payload = json.loads(target["Input"])
    assert payload == {"workspace_id": post["profile_id"] and payload["workspace_id"], "post_id": post["id"],
                       "schedule_version": 1}
    assert trigger.requests == []


def test_no_date_publishes_now_through_an_async_invoke(api: ApiClient, cloud: Any, x_account: Any,
                                                       trigger: Any) -> None:
    post = api.post("/v1/posts", {"text": "now", "platforms": ["x"]}).body
    assert post["status"] == "scheduled"
    assert [r.post_id for r in trigger.requests] == [post["id"]]
    assert trigger.requests[0].schedule_version == 1
    assert schedule_of(cloud, post["id"]) is None


def test_a_post_due_within_the_minute_is_handed_over_at_once(api: ApiClient, cloud: Any, x_account: Any,
                                                             trigger: Any) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=20)
    post = api.post("/v1/posts", {"text": "soon", "platforms": ["x"], "scheduled_at": soon.isoformat()}).body
    assert trigger.for_post(post["id"]) and schedule_of(cloud, post["id"]) is None


def test_local_time_with_a_timezone(api: ApiClient, x_account: Any) -> None:
    post = api.post(
        "/v1/posts",
        {"text": "paris", "platforms": ["x"], "scheduled_at": "2031-06-01T09:00:00", "timezone": "Europe/Paris"},
    ).body
    assert post["scheduled_at"] == "2031-06-01T07:00:00Z"
    assert post["timezone"] == "Europe/Paris"


def test_pause_resume_reschedule_and_cancel_drive_the_schedule(api: ApiClient, cloud: Any, x_account: Any,
                                                               trigger: Any) -> None:
    when = datetime.now(UTC) + timedelta(days=2)
    post = api.post("/v1/posts", {"text": "x", "platforms": ["x"], "scheduled_at": iso(when)}).body
    pid = post["id"]
    paused = api.post(f"/v1/posts/{pid}/pause")
    assert paused.body["status"] == "paused"
    assert schedule_of(cloud, pid)["State"] == "DISABLED"
    assert api.post(f"/v1/posts/{pid}/pause").status == 409
    resumed = api.post(f"/v1/posts/{pid}/resume").body
    assert resumed["status"] == "scheduled"
    schedule = schedule_of(cloud, pid)
    assert schedule["State"] == "ENABLED" and json.loads(schedule["Target"]["Input"])["schedule_version"] == 2
    later = when + timedelta(days=1)
    moved = api.post(f"/v1/posts/{pid}/schedule", {"scheduled_at": iso(later)}).body
    assert moved["scheduled_at"].startswith(iso(later)[:19])
    assert schedule_of(cloud, pid)["ScheduleExpression"] == f"at({later.strftime('%Y-%m-%dT%H:%M:00')})"
    cancelled = api.delete(f"/v1/posts/{pid}").body
    assert cancelled["status"] == "cancelled" and schedule_of(cloud, pid) is None


def test_resuming_a_passed_date_publishes_now(api: ApiClient, cloud: Any, x_account: Any, trigger: Any) -> None:
    from herald import wiring

    post = api.post("/v1/posts", {"text": "x", "platforms": ["x"],
                                  "scheduled_at": iso(datetime.now(UTC) + timedelta(hours=1))}).body
    api.post(f"/v1/posts/{post['id']}/pause")
    store = wiring.post_store()
    stored = store.get(post["workspace_id"] if "workspace_id" in post else trigger_ws(api), post["id"])
    past = stored.model_copy(update={"scheduled_at": datetime.now(UTC) - timedelta(minutes=5),
                                     "version": stored.version + 1})
    store.save(past, expected_version=stored.version)
    resumed = api.post(f"/v1/posts/{post['id']}/resume").body
    assert resumed["status"] == "scheduled"
    assert trigger.for_post(post["id"])  # handed over now
    assert schedule_of(cloud, post["id"]) is None  # the old schedule is gone


def trigger_ws(api: ApiClient) -> str:
    from herald import wiring

    return wiring.workspace_service().authenticate(api.api_key).workspace_id


def test_when_the_scheduler_fails_nothing_claims_to_be_scheduled(api: ApiClient, cloud: Any, x_account: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from herald import wiring

    monkeypatch.setattr(wiring.scheduler(), "_group", "no-such-group")
    when = iso(datetime.now(UTC) + timedelta(days=1))
    reply = api.post("/v1/posts", {"text": "x", "platforms": ["x"], "scheduled_at": when})
    assert reply.status == 503 and reply.body["error"]["code"] == "schedule_unavailable"
    assert api.get("/v1/posts").body["posts"] == []

    monkeypatch.undo()
    post = api.post("/v1/posts", {"text": "x", "platforms": ["x"], "scheduled_at": when}).body
    monkeypatch.setattr(wiring.scheduler(), "_group", "no-such-group")
    moved = api.post(f"/v1/posts/{post['id']}/schedule", {"scheduled_at": iso(datetime.now(UTC) + timedelta(days=3))})
    assert moved.status == 503
    restored = api.get(f"/v1/posts/{post['id']}").body
    assert restored["scheduled_at"] == post["scheduled_at"] and restored["status"] == "scheduled"
    assert restored["version"] == post["version"] + 2  # the change and its undo


def test_invoke_failure_for_an_immediate_post_keeps_nothing(api: ApiClient, x_account: Any, trigger: Any) -> None:
    trigger.fail = True
    reply = api.post("/v1/posts", {"text": "now", "platforms": ["x"]}, headers={"idempotency-key": "k-1"})
    assert reply.status == 503
    assert api.get("/v1/posts").body["posts"] == []
    trigger.fail = False
    again = api.post("/v1/posts", {"text": "now", "platforms": ["x"]}, headers={"idempotency-key": "k-1"})
    assert again.status == 201  # the key was released with the post


def test_idempotency_key_repeats_return_the_same_post(api: ApiClient, x_account: Any) -> None:
    body = {"text": "once", "platforms": ["x"], "draft": True}
    first = api.post("/v1/posts", body, headers={"idempotency-key": "abc"})
    second = api.post("/v1/posts", body, headers={"idempotency-key": "abc"})
    assert (first.status, second.status) == (201, 200)
    assert first.body == second.body
    different = api.post("/v1/posts", {**body, "text": "twice"}, headers={"idempotency-key": "abc"})
    assert different.status == 409 and different.body["error"]["code"] == "duplicate_idempotency_key"
    assert len(api.get("/v1/posts").body["posts"]) == 1


def test_twenty_simultaneous_creates_with_one_key_make_one_post(api: ApiClient, x_account: Any,
                                                                trigger: Any) -> None:
    body = {"text": "race", "platforms": ["x"]}
    start = threading.Barrier(20)
    replies: list[Any] = []

    def create() -> None:
        start.wait()
        replies.append(api.post("/v1/posts", body, headers={"idempotency-key": "race-1"}))

    threads = [threading.Thread(target=create) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in replies) == [200] * 19 + [201]
    assert len({r.body["id"] for r in replies}) == 1
    assert len(api.get("/v1/posts").body["posts"]) == 1
    assert len(trigger.requests) == 1  # published once


def test_approval_flow(api: ApiClient, x_account: Any, trigger: Any) -> None:
    approver = ApiClient(api.post("/v1/api-keys", {"name": "boss", "role": "approver"}).body["key"])
    post = api.post("/v1/posts", {"text": "needs ok", "platforms": ["x"], "requires_approval": True}).body
    assert post["status"] == "pending_approval" and trigger.requests == []
    rejected = approver.post(f"/v1/posts/{post['id']}/reject", {"reason": "tone"}).body
    assert rejected["status"] == "draft" and rejected["approval"]["reason"] == "tone"
    resubmitted = api.post(f"/v1/posts/{post['id']}/publish").body
    assert resubmitted["status"] == "pending_approval"
    approved = approver.post(f"/v1/posts/{post['id']}/approve").body
    assert approved["status"] == "scheduled" and approved["approval"]["decision"] == "approved"
    assert trigger.for_post(post["id"])


def test_list_filters_and_cursor(api: ApiClient, x_account: Any, workspace: dict[str, Any]) -> None:
    add_account(workspace, platform="bluesky")
    created = []
    for n in range(7):
        body = {"text": f"post {n}", "draft": n % 2 == 0, "platforms": ["x"] if n % 3 else ["bluesky"],
                "tags": ["even"] if n % 2 == 0 else ["odd"], "campaign_id": "spring" if n < 3 else "summer",
                "scheduled_at": iso(datetime(2031, 1, 1 + n, tzinfo=UTC))}
        created.append(api.post("/v1/posts", body).body)
    newest_first = [p["id"] for p in reversed(created)]
    seen, cursor = [], None
    while True:
        page = api.get("/v1/posts", query={"limit": "3", **({"cursor": cursor} if cursor else {})}).body
        seen += [p["id"] for p in page["posts"]]
        cursor = page["cursor"]
        if not cursor:
            break
    assert seen == newest_first

    def ids(**query: str) -> list[str]:
        return [p["id"] for p in api.get("/v1/posts", query=query).body["posts"]]

    assert ids(status="draft") == [p["id"] for p in reversed(created) if p["status"] == "draft"]
    assert ids(status="draft,scheduled") == newest_first
    assert ids(platform="bluesky") == [created[n]["id"] for n in (6, 3, 0)]
    assert ids(tag="odd") == [created[n]["id"] for n in (5, 3, 1)]
    assert ids(campaign_id="spring") == [created[n]["id"] for n in (2, 1, 0)]
    assert ids(start_date="2031-01-03T00:00:00Z", end_date="2031-01-05T00:00:00Z") == [created[n]["id"]
                                                                                         for n in (3, 2)]
    bad = api.get("/v1/posts", query={"status": "lost"})
    assert bad.status == 422 and bad.body["error"]["details"][0]["value"] == "lost"
    forged = api.get("/v1/posts", query={"cursor": "eyJQSyI6IHt9fQ"})
    assert forged.status == 422 and forged.body["error"]["details"][0]["field"] == "cursor"


def test_update_targets_and_retry(api: ApiClient, x_account: Any, workspace: dict[str, Any]) -> None:
    bsky = add_account(workspace, platform="bluesky")
    post = api.post("/v1/posts", {"text": "x", "platforms": ["x"], "draft": True}).body
    edited = api.put(f"/v1/posts/{post['id']}", {"platforms": ["x", "bluesky"]}).body
    assert sorted(edited["platforms"]) == ["bluesky", "x"]
    assert {t["account_id"] for t in edited["targets"]} == {x_account.id, bsky.id}
    assert api.post(f"/v1/posts/{post['id']}/retry").status == 409


def test_clearing_a_date_is_for_drafts_only(api: ApiClient, x_account: Any) -> None:
    when = iso(datetime.now(UTC) + timedelta(days=1))
    draft = api.post("/v1/posts", {"text": "d", "platforms": ["x"], "draft": True, "scheduled_at": when}).body
    cleared = api.put(f"/v1/posts/{draft['id']}", {"scheduled_at": None, "notes": None})
    assert cleared.status == 200 and cleared.body["scheduled_at"] is None
    scheduled = api.post("/v1/posts", {"text": "s", "platforms": ["x"], "scheduled_at": when}).body
    refused = api.put(f"/v1/posts/{scheduled['id']}", {"scheduled_at": None})
    assert refused.status == 422 and refused.body["error"]["code"] == "invalid_content"
    assert api.get(f"/v1/posts/{scheduled['id']}").body["status"] == "scheduled"


def test_the_queue_lists_waiting_posts_soonest_first_with_totals(api: ApiClient, x_account: Any,
                                                                 trigger: Any) -> None:
    base = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)

    def create(hours: int, **extra: Any) -> dict[str, Any]:
        body = {"text": f"in {hours}h", "platforms": ["x"], "scheduled_at": iso(base + timedelta(hours=hours)), **extra}
        return api.post("/v1/posts", body).body

    late, early, middle = create(5), create(1), create(3, tags=["promo"])
    paused = create(4)
    api.post(f"/v1/posts/{paused['id']}/pause")
    pending = create(2, requires_approval=True)
    create(6, draft=True)  # drafts do not wait in the queue
    cancelled = create(7)
    api.delete(f"/v1/posts/{cancelled['id']}")

    queue = api.get("/v1/queue").body
    assert [p["id"] for p in queue["posts"]] == [early["id"], pending["id"], middle["id"], paused["id"], late["id"]]
    assert queue["totals"] == {"total": 5, "by_status": {"scheduled": 3, "paused": 1, "pending_approval": 1}}

    only_scheduled = api.get("/v1/queue", query={"status": "scheduled"}).body
    assert [p["id"] for p in only_scheduled["posts"]] == [early["id"], middle["id"], late["id"]]
    assert api.get("/v1/queue", query={"tag": "promo"}).body["posts"][0]["id"] == middle["id"]
    window = api.get("/v1/queue", query={"start_date": iso(base + timedelta(hours=2)),
                                         "end_date": iso(base + timedelta(hours=4))}).body
    assert [p["id"] for p in window["posts"]] == [pending["id"], middle["id"]]
    assert window["totals"]["total"] == 2

    seen, cursor = [], None
    while True:
        page = api.get("/v1/queue", query={"limit": "2", **({"cursor": cursor} if cursor else {})}).body
        seen += [p["id"] for p in page["posts"]]
        cursor = page["cursor"]
        if not cursor:
            break
    assert seen == [p["id"] for p in queue["posts"]]
    forged = api.get("/v1/queue", query={"cursor": api.get("/v1/posts", query={"limit": "1"}).body["cursor"]})
    assert forged.status == 422  # a cursor of another list is refused
