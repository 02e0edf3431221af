"""1,000 posts due the same minute, through the local cloud as `make dev` runs it.

Test-mode accounts on X (two), Bluesky and Mastodon; a third of the posts go to several of them.
Every post is created through the HTTP API for the same whole minute, far enough ahead for each
to get its own Scheduler at() schedule (LEAD_SECONDS), then the local cloud does the rest:
the schedule pump fires the schedules into the publish function's asynchronous queue (a pool of
HERALD_LOCAL_ASYNC_WORKERS threads, Lambda's concurrency in one process), the publish runs call
the simulators, the stream pump carries the changes. Nothing here calls Herald's code directly.

Measured: each target's lag from its scheduled time to `published_at` (when the network
answered), the wall time from the due minute to the last answer, the network create calls (one
per target, none twice), and the queue left behind (nothing scheduled or publishing). Where the
lag goes is split into the pump's delay (due -> handed to the function's queue), the wait for a
free worker, and the run itself (start -> first network answer)."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.setup import schedule_lead, use_test_credentials
from local.cloud import LocalCloud

API_KEY = "hk_bench_throughput_key_0000000000"
# (network, username); a post targets at most one account per network, so (network, text) names a target.
ACCOUNTS = (("x", "bench_a"), ("x", "bench_b"), ("bluesky", "bench"), ("mastodon", "bench"))
# Which accounts each post targets, in turn: 1.5 targets per post on average.
TARGETS = ((0, 2, 3), (1, 2), (0,), (3,), (1,), (2,))
# Herald hands a post due sooner than `min_schedule_lead_seconds` (60) to the publish function at
# once instead of scheduling it; 5 here, so that creating the last posts can end 5 s before the
# minute instead of 60: every post still goes through its own at() schedule (checked).
LEAD_SECONDS = 5
# Creating 1,000 posts costs more per post than creating the few timed to pick the minute (the table
# grows, the stream function works behind): margins tried in turn, the next after a run that was late.
CREATE_MARGINS = (2.5, 4.0)
CLIENTS = 4  # concurrent API clients creating the posts
WORKERS = int(os.environ.get("HERALD_LOCAL_ASYNC_WORKERS") or 8)  # as `make dev`: concurrent async invocations
# The networks' create-post calls (the simulators' routes).
CREATES = {"x": ("POST", "/2/tweets"), "bluesky": ("POST", "/xrpc/com.atproto.repo.createRecord"),
           "mastodon": ("POST", "/api/v1/statuses")}
STALL_SECONDS = 60.0
WAITING = ("scheduled", "publishing", "pending_approval", "paused")
_DEVNULL = open(os.devnull, "w")  # noqa: SIM115 - the functions' loggers may keep it: never closed


class _Recorder:
    """The network create calls and the publish function's invocations, as they happen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.creates: Counter[tuple[str, str]] = Counter()  # (network, text) -> calls
        self.fired: dict[str, float] = {}  # post id -> when its run was queued (epoch seconds)
        self.by_scheduler: set[str] = set()  # post ids whose run a schedule handed over
        self.started: dict[str, float] = {}  # post id -> when its first run started
        self.invocations = 0
        self.aws_retries: Counter[str] = Counter()  # "Operation: why" -> retries botocore made
        self.warnings: Counter[str] = Counter()  # logged warnings and errors, by logger and message

    def retried(self, context: Any) -> None:
        operation = getattr(context.operation_model, "name", "?")
        why = type(context.caught_exception).__name__ if context.caught_exception else str(context.http_response and
                                                                                             context.http_response.status_code)
        with self.lock:
            self.aws_retries[f"{operation}: {why}"] += 1

    def create_call(self, request: httpx.Request) -> None:
        for network, (method, path) in CREATES.items():
            if request.method == method and request.url.path == path:
                with self.lock:
                    self.creates[network, _text_of(network, request)] += 1

    def queued(self, post_id: str, source: str) -> None:
        with self.lock:
            self.fired.setdefault(post_id, time.time())
            if source.startswith("Scheduler"):
                self.by_scheduler.add(post_id)

    def run_started(self, post_id: str) -> None:
        with self.lock:
            self.invocations += 1
            self.started.setdefault(post_id, time.time())


def _text_of(network: str, request: httpx.Request) -> str:
    import json

    body = json.loads(request.content or b"{}")
    if network == "bluesky":
        return str((body.get("record") or {}).get("text", ""))
    return str(body.get("status" if network == "mastodon" else "text", ""))


@contextlib.contextmanager
def _instrumented(cloud: LocalCloud, recorder: _Recorder) -> Iterator[None]:
    """Count create calls at the simulators' transport; note when each publish run is queued and
    starts (the registry and the function object of this cloud only)."""
    original = httpx.MockTransport.handle_request

    def handle(transport: httpx.MockTransport, request: httpx.Request) -> httpx.Response:
        recorder.create_call(request)
        return original(transport, request)

    registry = cloud.registry
    assert registry is not None
    publish = registry.by_logical_id("PublishFunction")
    assert publish is not None
    queue, run = registry.invoke_async, publish.run

    def invoke_async(function: Any, event: Any, **kwargs: Any) -> str:
        if function is publish and isinstance(event, dict):
            recorder.queued(str(event.get("post_id")), str(kwargs.get("source", "Event")))
        return queue(function, event, **kwargs)

    def timed_run(event: Any, **kwargs: Any) -> Any:
        if isinstance(event, dict):
            recorder.run_started(str(event.get("post_id")))
        return run(event, **kwargs)

    from botocore.retries.standard import RetryPolicy

    should_retry = RetryPolicy.should_retry

    def counted_retry(policy: RetryPolicy, context: Any) -> bool:
        retry: bool = should_retry(policy, context)
        if retry:
            recorder.retried(context)
        return retry

    class Warnings(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            with recorder.lock:
                recorder.warnings[f"{record.name}: {record.getMessage()[:160]}"] += 1

    warnings = Warnings(logging.WARNING)
    httpx.MockTransport.handle_request = handle  # type: ignore[method-assign]
    registry.invoke_async = invoke_async  # type: ignore[method-assign]
    publish.run = timed_run  # type: ignore[method-assign]
    RetryPolicy.should_retry = counted_retry  # type: ignore[method-assign]
    logging.getLogger().addHandler(warnings)
    try:
        yield
    finally:
        httpx.MockTransport.handle_request = original  # type: ignore[method-assign]
        RetryPolicy.should_retry = should_retry  # type: ignore[method-assign]
        logging.getLogger().removeHandler(warnings)
        del registry.invoke_async, publish.run


def measure(posts: int = 1000, *, clients: int = CLIENTS, workers: int = WORKERS,
            timeout_seconds: float = 600.0) -> dict[str, Any]:
    """Run it; raw samples in seconds. `timeout_seconds` after the due minute, whatever is not
    published yet is reported as left, not waited for."""
    use_test_credentials()
    for margin in CREATE_MARGINS:
        with schedule_lead(LEAD_SECONDS), contextlib.redirect_stdout(_DEVNULL), LocalCloud(
            api_port=0, aws_port=0, lambda_port=0, api_key=API_KEY, async_workers=workers
        ) as cloud:  # the functions log a JSON line per run at INFO, as under `make dev`: dropped
            recorder = _Recorder()
            with _instrumented(cloud, recorder), httpx.Client(
                base_url=cloud.api_url, headers={"Authorization": f"Bearer {cloud.api_key}"}, timeout=60,
                trust_env=False,
            ) as api:
                try:
                    return _run(cloud, api, recorder, posts, clients, margin, timeout_seconds)
                except _TooSlow as late:
                    _progress(f"{late}; again with a wider margin")
    raise RuntimeError(f"{posts} posts could not be created ahead of their minute: the machine is too busy")


class _TooSlow(Exception):
    """Creating the posts took longer than planned: some could not be scheduled for the minute."""


def _run(cloud: LocalCloud, api: httpx.Client, recorder: _Recorder, posts: int, clients: int, margin: float,
         timeout_seconds: float) -> dict[str, Any]:
    account_ids = []
    for network, username in ACCOUNTS:
        answer = api.post("/v1/accounts", json={"platform": network, "name": "Bench", "username": username})
        assert answer.status_code == 201, answer.text
        account_ids.append(answer.json()["id"])

    def create(i: int, extra: dict[str, Any]) -> dict[str, Any]:
        body = {"text": f"Throughput post {i}: the same minute as {posts - 1} others",
                "account_ids": [account_ids[a] for a in TARGETS[i % len(TARGETS)]], **extra}
        answer = api.post("/v1/posts", json=body)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    with ThreadPoolExecutor(clients) as pool:
        # The due minute: the first one that every post can be created LEAD_SECONDS ahead of, at
        # the pace a few posts (for tomorrow, then cancelled) are created now: the machine may be
        # busy with other work.
        tomorrow = {"scheduled_at": f"{datetime.now(UTC) + timedelta(days=1):%Y-%m-%dT%H:%M:00Z}"}
        timed = time.perf_counter()
        trial = list(pool.map(lambda i: create(-1 - i, tomorrow), range(2 * clients)))
        per_post = (time.perf_counter() - timed) / len(trial) * margin
        for post in trial:
            assert api.delete(f"/v1/posts/{post['id']}").status_code == 200
        started = datetime.now(UTC)
        due = _whole_minute_after(started + timedelta(seconds=LEAD_SECONDS + 5 + posts * per_post))
        last_moment = due.timestamp() - LEAD_SECONDS - 1
        _progress(f"creating {posts} posts due {due:%H:%M:%S} (now {started:%H:%M:%S})")

        def scheduled(i: int) -> dict[str, Any] | None:
            if time.time() > last_moment:
                return None  # too late for a schedule: the run is void, said below
            return create(i, {"scheduled_at": due.strftime("%Y-%m-%dT%H:%M:%SZ")})

        answers = list(pool.map(scheduled, range(posts)))
    create_seconds = (datetime.now(UTC) - started).total_seconds()
    created = [post for post in answers if post is not None]
    if len(created) < posts or time.time() > last_moment + 1:
        raise _TooSlow(f"only {len(created)} of {posts} posts were created {LEAD_SECONDS} s before {due:%H:%M} "
                       f"({create_seconds:.0f} s)")
    targets = sum(len(post["targets"]) for post in created)
    assert all(post["status"] == "scheduled" for post in created)
    _progress(f"created in {create_seconds:.1f} s ({targets} targets); waiting for {due:%H:%M:%S}")

    # Until every target was sent, or nothing was sent for STALL_SECONDS after the minute: what is
    # left then is reported, not waited for (a lost run waits for its lease and the sweeper).
    deadline = due.timestamp() + timeout_seconds
    sent, moved = 0, due.timestamp()
    while sent < targets and time.time() < min(deadline, moved + STALL_SECONDS):
        time.sleep(0.2)
        if sum(recorder.creates.values()) > sent:
            sent, moved = sum(recorder.creates.values()), time.time()
    # The last answers' writes and the settling follow the network call: wait for an empty queue.
    settled = time.time() + STALL_SECONDS
    while _waiting(api) and time.time() < min(deadline, settled):
        time.sleep(0.5)
    finished = _all_posts(api, {post["id"] for post in created})
    return _result(created, finished, recorder, due, create_seconds, cloud.async_workers)


def _whole_minute_after(moment: datetime) -> datetime:
    return (moment + timedelta(minutes=1)).replace(second=0, microsecond=0)


def _waiting(api: httpx.Client) -> bool:
    answer = api.get("/v1/queue", params={"limit": 1})
    assert answer.status_code == 200, answer.text
    return bool(answer.json().get("posts"))


def _all_posts(api: httpx.Client, ids: set[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        answer = api.get("/v1/posts", params={"limit": 100, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        found += [post for post in page["posts"] if post["id"] in ids]
        cursor = page.get("cursor")
        if not cursor:
            return found


def _seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _result(created: list[dict[str, Any]], finished: list[dict[str, Any]], recorder: _Recorder, due: datetime,
            create_seconds: float, workers: int) -> dict[str, Any]:
    lags = []
    first_answer: dict[str, float] = {}
    for post in finished:
        for target in post["targets"]:
            if target["status"] == "published" and target["published_at"]:
                answered = _seconds(target["published_at"])
                lags.append(answered - _seconds(post["scheduled_at"]))
                first_answer[post["id"]] = min(answered, first_answer.get(post["id"], math.inf))
    statuses = Counter(post["status"] for post in finished)
    fired = {pid: at - due.timestamp() for pid, at in recorder.fired.items()}
    queue_waits = [recorder.started[pid] - recorder.fired[pid] for pid in recorder.started if pid in recorder.fired]
    runs = [first_answer[pid] - recorder.started[pid] for pid in first_answer if pid in recorder.started]
    return {
        "posts": len(created),
        "targets": sum(len(post["targets"]) for post in created),
        "published_posts": statuses.get("published", 0),
        "published_targets": len(lags),
        "statuses": dict(statuses),
        "left_waiting": sum(statuses.get(status, 0) for status in WAITING) + len(created) - len(finished),
        "create_calls": sum(recorder.creates.values()),
        "published_twice": sum(1 for calls in recorder.creates.values() if calls > 1),
        "publish_invocations": recorder.invocations,
        "handed_over_by_scheduler": len(recorder.by_scheduler & {post["id"] for post in created}),
        "unfinished": [{"id": post["id"], "status": post["status"], "updated_at": post["updated_at"],
                        "targets": [(t["platform"], t["status"], t["attempts"], (t["error"] or {}).get("code"))
                                    for t in post["targets"]]}
                       for post in finished if post["status"] in WAITING],
        "aws_retries": dict(recorder.aws_retries),
        "warnings": dict(recorder.warnings.most_common(10)),
        "lags": lags,
        "wall_seconds": max(lags, default=math.nan),  # every post is due at the same minute
        "fired_lags": list(fired.values()),
        "queue_waits": queue_waits,
        "runs": runs,
        "create_seconds": create_seconds,
        "workers": workers,
        "due": due.isoformat(),
        "load_average": os.getloadavg()[0],  # other work on the machine slows every figure here
    }


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(samples)
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _row(name: str, samples: list[float]) -> str:
    figures = "  ".join(f"{percentile(samples, p):6.2f}" for p in (50, 90, 99)) if samples else ""
    low, high = (min(samples), max(samples)) if samples else (math.nan, math.nan)
    return f"{name:<34}{figures}  {high:6.2f}  {low:6.2f}"


def main() -> int:
    posts = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    result = measure(posts)
    lags = result["lags"]
    print(f"{result['posts']} posts ({result['targets']} targets) due {result['due']}, created in "
          f"{result['create_seconds']:.0f} s through the API; {result['workers']} concurrent publish invocations; "
          f"load average {result['load_average']:.1f} on {os.cpu_count()} CPUs")
    print(f"{'seconds':<34}{'p50':>6}  {'p90':>6}  {'p99':>6}  {'max':>6}  {'min':>6}")
    print(_row("lag: scheduled -> network answered", lags))
    print(_row("  due -> handed to the function", result["fired_lags"]))
    print(_row("  queued -> run started", result["queue_waits"]))
    print(_row("  run started -> first answer", result["runs"]))
    print(f"wall time, due minute -> last target published: {result['wall_seconds']:.1f} s")
    print(f"published: {result['published_posts']}/{result['posts']} posts, {result['published_targets']}/"
          f"{result['targets']} targets; statuses {result['statuses']}")
    print(f"network create calls: {result['create_calls']} for {result['targets']} targets; targets sent twice: "
          f"{result['published_twice']}; publish invocations: {result['publish_invocations']} "
          f"({result['handed_over_by_scheduler']} posts handed over by their schedule); "
          f"left scheduled or publishing: {result['left_waiting']}")
    for post in result["unfinished"]:
        print(f"  left: {post}")
    if result["aws_retries"] or result["warnings"]:
        print(f"AWS calls retried by botocore: {result['aws_retries']}; warnings logged: {result['warnings']}")
    earliest = min(lags, default=math.nan)
    print(f"earliest publication relative to its scheduled time: {earliest:+.3f} s (never negative)")
    assert earliest >= 0, "a target was published before its scheduled time"
    complete = (result["published_targets"] == result["targets"] == result["create_calls"]
                and result["handed_over_by_scheduler"] == result["posts"]
                and result["published_twice"] == 0 and result["left_waiting"] == 0)
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
