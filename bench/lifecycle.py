"""A post's lifecycle on a moto server, in-process: what each step costs in time and in AWS calls.

- Handler time: POST /v1/posts, GET /v1/posts/{id}, GET /v1/posts and one publish run (the
  publish function's handler on a due post), each warm, against the raw AWS calls it makes, replayed
  with plain boto3 clients on the same server (fresh keys and schedule names where a write needs
  them; replayed claims whose conditions no longer hold answer ConditionalCheckFailed, a round trip
  of the same kind). Runs alternate, so that drift (moto's table grows) weighs on both alike.
- AWS calls per step, counted through botocore events (bench.aws_calls), with the DynamoDB
  capacity each would consume: create, and publish for one and for three targets (the difference
  is the cost of each further target)."""

from __future__ import annotations

import copy
import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore import xform_name
from botocore.exceptions import ClientError

from bench.aws_calls import CallCounter, Phase
from bench.events import LambdaContext, api_event
from bench.setup import schedule_lead, use_test_credentials, workspace_with_accounts
from local.moto_cloud import MotoCloud, start_moto_cloud

NETWORKS = ("x", "bluesky", "mastodon")


def _fresh(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    token = uuid.uuid4().hex
    if operation == "PutItem":
        params["Item"]["SK"] = {"S": f"POST#bench_{token}"}
    if operation == "CreateSchedule":
        params["Name"] = f"bench-{token}"
    return params


class _World:
    def __init__(self, cloud: MotoCloud) -> None:
        from herald.api.handler import lambda_handler as api
        from herald.publishing.handler import lambda_handler as publish

        self.cloud, self.api, self.publish_handler = cloud, api, publish
        self.made = 0
        self.workspace_id, _, self.key, _ = workspace_with_accounts("bench", NETWORKS)
        self.raw = {service: cloud.client(service) for service in ("dynamodb", "scheduler", "lambda", "kms")}
        self.counter = CallCounter(self.raw["dynamodb"], cloud.environment["HERALD_TABLE_NAME"])
        self.counter.attach()

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, query: str = "") -> dict[str, Any]:
        answer = self.api(api_event(method, path, self.key, json.dumps(body) if body else None, query), LambdaContext())
        assert 200 <= answer["statusCode"] < 300, answer
        return json.loads(answer["body"])

    def create(self, networks: tuple[str, ...] = ("x",), seconds_ahead: int = 86_400) -> str:
        when = (datetime.now(UTC) + timedelta(seconds=seconds_ahead)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.made += 1  # networks refuse a duplicate of a recent post: each text is new
        return str(self.call("POST", "/v1/posts", {"text": f"benchmark post {self.made}", "platforms": list(networks),
                                                   "scheduled_at": when})["id"])

    def publish(self, post_id: str) -> None:
        self.publish_handler({"workspace_id": self.workspace_id, "post_id": post_id, "schedule_version": 1},
                             LambdaContext("herald-publish"))

    def replay(self, phase: Phase) -> float:
        prepared = [(service, operation, _fresh(operation, copy.deepcopy(params)))
                    for service, operation, params in phase.requests]
        started = time.perf_counter()
        for service, operation, params in prepared:
            try:
                getattr(self.raw[service], xform_name(operation))(**params)
            except ClientError:
                pass
        return time.perf_counter() - started


def _due_posts(world: _World, count: int, networks: tuple[str, ...]) -> list[str]:
    ids = [world.create(networks, seconds_ahead=2) for _ in range(count)]
    time.sleep(3)  # until they are due: Herald never publishes early
    return ids


def measure(requests: int = 40) -> dict[str, Any]:
    use_test_credentials()
    os.environ.update({"POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"})
    cloud = start_moto_cloud()
    try:
        os.environ.update(cloud.environment)
        from herald import wiring

        wiring.reset()
        # Posts due within the lead are handed to the publish function, which moto cannot run:
        # these get a schedule, and the benchmark plays its delivery.
        with schedule_lead(0):
            return _run(_World(cloud), requests)
    finally:
        cloud.stop()


def _run(world: _World, requests: int) -> dict[str, Any]:
    for _ in range(30):  # a listing of 20 has posts to show
        world.create()
    due = _due_posts(world, requests + 2, ("x",))
    due_three = _due_posts(world, 1, NETWORKS)
    counter = world.counter
    steps: dict[str, Any] = {
        "create": lambda: world.create(),
        "get": lambda: world.call("GET", f"/v1/posts/{due[0]}"),
        "list": lambda: world.call("GET", "/v1/posts", query="limit=20"),
        "publish": lambda: world.publish(due.pop()),
    }
    phases: dict[str, Phase] = {}
    for name, step in steps.items():  # the recording run, warm-up too
        counter.start()
        step()
        phases[name] = counter.finish()
    counter.start()
    world.publish(due_three[0])
    phases["publish_three"] = counter.finish()
    times: dict[str, dict[str, list[float]]] = {name: {"handler": [], "raw": []} for name in steps}
    for _ in range(requests):
        for name, step in steps.items():
            started = time.perf_counter()
            step()
            times[name]["handler"].append(time.perf_counter() - started)
            times[name]["raw"].append(world.replay(phases[name]))
    return {"times": times, "phases": phases}
