"""Faults on Herald's own DynamoDB client, injected through botocore's `before-send` event: the
request is built, signed and would go to the table, but a handler answers instead. What Herald's
code sees is what DynamoDB would give it: a throttling error answer that botocore's standard retry
mode retries (5 retries for Herald's clients) before raising it, a write that never answers because the
process died (Killed, a BaseException nothing catches), or a concurrent writer that gets in
just before the request goes out (so the request's condition meets the changed item).

Each rule matches an operation and, optionally, a predicate on the request's JSON body."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

Body = dict[str, Any]


class Killed(BaseException):
    """Stands for the process dying at that instant: nothing after it runs, no handler catches it."""


class _Raw:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


def error_response(code: str, message: str, status: int = 400) -> Any:
    """An HTTP answer in DynamoDB's JSON 1.0 error shape."""
    from botocore.awsrequest import AWSResponse

    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected"}
    return AWSResponse("https://dynamodb.injected", status, headers, _Raw(body))


@dataclass
class _Rule:
    operation: str
    matches: Callable[[Body], bool]
    action: Callable[[Body, Any], Any]  # (body, request) -> a response to answer with, or None to send on
    times: int  # how many matching requests the rule applies to
    applied: int = 0


@dataclass
class DynamoFaults:
    rules: list[_Rule] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # every operation sent, injected or not
    sleeps: list[float] = field(default_factory=list)  # botocore's retry waits (not slept)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _events: Any = None

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """On the DynamoDB client Herald uses (herald.aws.client), with botocore's retry waits
        recorded instead of slept so that five throttled attempts take no time."""
        import time as real_time

        import botocore.endpoint

        from herald.aws import client

        faults = self

        class _Time:
            def __getattr__(self, name: str) -> Any:
                return getattr(real_time, name)

            @staticmethod
            def sleep(seconds: float) -> None:
                with faults.lock:
                    faults.sleeps.append(seconds)

        monkeypatch.setattr(botocore.endpoint, "time", _Time())
        self._events = client("dynamodb").meta.events
        self._events.register("before-send.dynamodb", self._before_send)

    def uninstall(self) -> None:
        self._events.unregister("before-send.dynamodb", self._before_send)

    def _before_send(self, request: Any, **_: Any) -> Any:
        target = request.headers.get("X-Amz-Target") or ""
        operation = (target.decode() if isinstance(target, bytes) else target).rsplit(".", 1)[-1]
        body = json.loads(request.body or b"{}")
        with self.lock:
            self.seen.append(operation)
            rule = next((r for r in self.rules if r.operation == operation and r.applied < r.times
                         and r.matches(body)), None)
            if rule is not None:
                rule.applied += 1
        if rule is None:
            return None
        return rule.action(body, request)

    # --- rules -------------------------------------------------------------------------------

    def throttle(self, operation: str, times: int, *, code: str = "ProvisionedThroughputExceededException",
                 when: Callable[[Body], bool] = lambda body: True) -> _Rule:
        """Answer the next `times` matching requests with a throttling error (Herald's client
        retries 5 times: 6 or more reach Herald's code)."""
        return self._add(operation, when, lambda body, request: error_response(code, "Throughput exceeded (injected)"), times)

    def kill(self, operation: str, *, when: Callable[[Body], bool]) -> _Rule:
        """The process dies as the first matching request is about to go out."""

        def die(body: Body, request: Any) -> Any:
            raise Killed(operation)

        return self._add(operation, when, die, 1)

    def lose_answer(self, operation: str, *, when: Callable[[Body], bool]) -> _Rule:
        """The first matching request reaches DynamoDB and is applied, but its answer never comes
        back (a read timeout): botocore sends it again."""

        def send_then_time_out(body: Body, request: Any) -> Any:
            import urllib.request

            from botocore.exceptions import ReadTimeoutError

            sent = urllib.request.Request(request.url, data=request.body, method=request.method,
                                          headers={k: v.decode() if isinstance(v, bytes) else v
                                                   for k, v in request.headers.items()})
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(sent, timeout=30).read()
            raise ReadTimeoutError(endpoint_url=request.url)

        return self._add(operation, when, send_then_time_out, 1)

    def before(self, operation: str, action: Callable[[], None], *,
               when: Callable[[Body], bool] = lambda body: True) -> _Rule:
        """Run `action` (another writer) just before the first matching request goes out."""

        def run_then_send(body: Body, request: Any) -> Any:
            action()
            return None

        return self._add(operation, when, run_then_send, 1)

    def _add(self, operation: str, when: Callable[[Body], bool], action: Callable[[Body, Any], Any],
             times: int) -> _Rule:
        rule = _Rule(operation, when, action, times)
        with self.lock:
            self.rules.append(rule)
        return rule


# --- predicates on request bodies -------------------------------------------------------------


def claims(body: Body) -> bool:
    """The publish run's claim (scheduled -> publishing)."""
    return "lease_expires_at = :expires" in body.get("UpdateExpression", "")


def writes_target_status(status: str) -> Callable[[Body], bool]:
    """A publish run's write of one target with `status` (pending, sending, published, ...)."""

    def matches(body: Body) -> bool:
        target = body.get("ExpressionAttributeValues", {}).get(":target", {}).get("M", {})
        return target.get("status", {}).get("S") == status

    return matches


def settles(body: Body) -> bool:
    """The publish run's settle: the post item put back, conditional on its version, with the
    status the run reached (a final one, or scheduled again for a retry)."""
    status = body.get("Item", {}).get("status", {}).get("S")
    return (body.get("ConditionExpression") == "version = :expected"
            and status in ("published", "partially_published", "failed", "scheduled"))
