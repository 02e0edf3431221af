"""Cold start of each function against boto3 doing the same AWS work, both as fresh processes.

A Herald sample is a new interpreter that loads `functions/<name>/app.py` and handles one typical
event against a moto server. Its baseline is a new interpreter that imports boto3, creates the
clients of the services the handler used and makes the same raw AWS calls (recorded from a
separate run of the handler through botocore). Both are timed from the first line of the script
to the handler's answer, so interpreter start-up is left out of both, and anything a handler
defers to its first event is counted. Runs are interleaved so machine noise weighs on both alike.

The baseline replays recorded writes whose conditions may no longer hold (a claim already taken):
those answer ConditionalCheckFailed or TransactionCanceled, a round trip of the same kind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import lambda_like
from bench.events import LambdaContext, api_event
from bench.setup import TEST_CREDENTIALS, schedule_lead, use_test_credentials, workspace_with_accounts
from local.moto_cloud import MotoCloud, start_moto_cloud

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
# The functions, each with the shipped sample event it handles (api and publish get live ones).
SHIPPED_EVENTS = {
    "sweeper": "sweeper.json",
    "stream": "stream.json",
    "webhooks": "webhooks.json",
    "collect_analytics": "collect_analytics.json",
    "analytics_worker": "analytics_worker.json",
}

_HERALD = r"""
import time
started = time.perf_counter()
import json, sys
{record}
import importlib.util
spec = importlib.util.spec_from_file_location("app", {app!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)


class Context:
    function_name = {name!r}
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + {name!r}
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self):
        return 29000


with open({event!r}) as handle:
    event = json.load(handle)
answer = module.lambda_handler(event, Context())
elapsed = time.perf_counter() - started
status = answer.get("statusCode") if isinstance(answer, dict) else None
import resource
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"seconds": elapsed, "cpu": usage.ru_utime + usage.ru_stime, "status": status{recorded}}}))
"""

_RECORD = r"""
import base64, copy
import botocore.client
calls = []
_original = botocore.client.BaseClient._make_api_call


def _encode(value):
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return [_encode(v) for v in sorted(value)]
    return value


def _recording(self, operation, params):
    calls.append([self.meta.service_model.service_name, operation, _encode(params)])
    return _original(self, operation, params)


botocore.client.BaseClient._make_api_call = _recording
"""

_RAW = r"""
import time
started = time.perf_counter()
import json, base64
import boto3
from botocore import xform_name
from botocore.exceptions import ClientError

with open({calls!r}) as handle:
    calls = json.load(handle)


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {{"__bytes__"}}:
            return base64.b64decode(value["__bytes__"])
        return {{k: _decode(v) for k, v in value.items()}}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


clients = {{}}
for service, _, _ in calls:
    if service not in clients:
        clients[service] = boto3.client(service)
refused = 0
for service, operation, params in calls:
    try:
        getattr(clients[service], xform_name(operation))(**_decode(params))
    except ClientError:
        refused += 1
elapsed = time.perf_counter() - started
import resource
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"seconds": elapsed, "cpu": usage.ru_utime + usage.ru_stime, "refused": refused}}))
"""


def _environment(cloud: MotoCloud) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(cloud.environment)
    env.update({**TEST_CREDENTIALS, "POWERTOOLS_LOG_LEVEL": "ERROR",
                "POWERTOOLS_METRICS_NAMESPACE": "Herald", "POWERTOOLS_METRICS_DISABLED": "true"})
    return env


def _run(script: str, env: dict[str, str], with_layer: bool) -> dict[str, Any]:
    env = {**env, "PYTHONPATH": lambda_like.python_path(with_layer)}
    out = subprocess.run([sys.executable, "-S", "-c", script], capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _herald_script(name: str, event_path: str, record: bool) -> str:
    return _HERALD.format(record=_RECORD if record else "", app=str(ROOT / "functions" / name / "app.py"),
                          name=f"herald-{name}", event=event_path, recorded=', "calls": calls' if record else "")


class _Events:
    """A fresh typical event per sample: a new post to create, a new due post to publish."""

    def __init__(self, cloud: MotoCloud, folder: Path, samples: int) -> None:
        from herald import wiring

        os.environ.update(cloud.environment)
        wiring.reset()
        self.workspace_id, _, self.key, _ = workspace_with_accounts("bench", ("x",))
        self.folder = folder
        self.count = 0
        # Posts due a few seconds from now, one per publish sample (+1 to record its calls).
        self.due = self._schedule(samples + 1, seconds_ahead=3)

    def _schedule(self, count: int, seconds_ahead: int) -> list[str]:
        from herald import wiring
        from herald.api.handler import lambda_handler

        when = (datetime.now(UTC) + timedelta(seconds=seconds_ahead)).strftime("%Y-%m-%dT%H:%M:%SZ")
        ids = []
        for number in range(count):  # networks refuse a duplicate of a recent post: each text is new
            body = json.dumps({"text": f"benchmark post {number}", "platforms": ["x"], "scheduled_at": when})
            answer = lambda_handler(api_event("POST", "/v1/posts", self.key, body), LambdaContext())
            assert answer["statusCode"] == 201, answer
            ids.append(json.loads(answer["body"])["id"])
        wiring.reset()
        time.sleep(seconds_ahead + 1)  # until they are due: Herald never publishes early
        return ids

    def next_for(self, name: str) -> str:
        self.count += 1
        if name == "api":
            when = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            event = api_event("POST", "/v1/posts", self.key,
                              json.dumps({"text": f"benchmark post {self.count}", "platforms": ["x"],
                                         "scheduled_at": when}))
        elif name == "publish":
            event = {"workspace_id": self.workspace_id, "post_id": self.due.pop(), "schedule_version": 1}
        else:
            event = json.loads((EVENTS / SHIPPED_EVENTS[name]).read_text())
        path = self.folder / f"{name}-{self.count}.json"
        path.write_text(json.dumps(event))
        return str(path)


def measure(runs: int = 9) -> dict[str, dict[str, Any]]:
    """{function: {"herald": [s], "raw": [s], "calls": ["service:Operation", ...]}}"""
    names = ["api", "publish", *SHIPPED_EVENTS]
    lambda_like.prepare(arm64=False)
    use_test_credentials()
    cloud = start_moto_cloud()
    try:
        env = _environment(cloud)
        # Posts due within the lead would be handed to the publish function directly, which moto
        # cannot run: these get a schedule, and the samples play its delivery.
        with tempfile.TemporaryDirectory() as folder, schedule_lead(0):
            events = _Events(cloud, Path(folder), samples=runs + 1)
            results: dict[str, dict[str, Any]] = {}
            call_files: dict[str, str] = {}
            for name in names:  # records each function's calls; also fills the bytecode cache
                recorded = _run(_herald_script(name, events.next_for(name), record=True), env, with_layer=True)
                call_files[name] = str(Path(folder) / f"{name}-calls.json")
                Path(call_files[name]).write_text(json.dumps(recorded["calls"]))
                results[name] = {"herald": [], "raw": [], "herald_cpu": [], "raw_cpu": [], "refused": 0, "status": recorded["status"],
                                 "calls": [f"{service}:{operation}" for service, operation, _ in recorded["calls"]]}
                _run(_RAW.format(calls=call_files[name]), env, with_layer=False)
            for _ in range(runs):
                for name in names:
                    herald = _run(_herald_script(name, events.next_for(name), False), env, with_layer=True)
                    raw = _run(_RAW.format(calls=call_files[name]), env, with_layer=False)
                    for kind, sample in (("herald", herald), ("raw", raw)):
                        results[name][kind].append(sample["seconds"])
                        results[name][f"{kind}_cpu"].append(sample["cpu"])
                    results[name]["refused"] = raw["refused"]
            return results
    finally:
        cloud.stop()
