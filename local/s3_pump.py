"""The S3 notification pump: what S3 does for a function's `S3` event, which moto does not (moto
stores objects but sends no bucket notifications to Lambda). Called every
HERALD_LOCAL_PUMP_SECONDS, like the schedule pump.

It reads the template's functions' events of Type S3 (`Bucket: !Ref SomeBucket`, `Events`, an
optional `Filter.S3Key.Rules` prefix/suffix). Each pass lists every watched bucket
(`list_objects_v2`, under the filter's prefix) and compares with what it saw before: an object
that is new, or whose ETag or last-modified time changed, is an `ObjectCreated` event, handed to
the function as an asynchronous invocation (Lambda's async queue and retries, local.functions)
with a record shaped like S3's own (key URL-encoded, size, eTag, sequencer). Only
`s3:ObjectCreated:*` (or one of its kinds) is emulated; removal events are logged as not emulated.

Objects that exist when the pump starts are treated as new (the local cloud starts empty)."""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from botocore.exceptions import ClientError

from local.functions import FunctionRegistry, LocalFunction
from local.template import Stack

log = logging.getLogger(__name__)

OWNER_ID = "LOCALOWNER"


@dataclass(frozen=True)
class S3Subscription:
    """One S3 event of one function."""

    function: LocalFunction
    event_name: str  # the event's name in the template, e.g. "Upload"
    bucket: str
    events: tuple[str, ...]  # e.g. ("s3:ObjectCreated:*",)
    prefix: str = ""
    suffix: str = ""

    def matches(self, key: str) -> bool:
        return key.startswith(self.prefix) and key.endswith(self.suffix)

    @property
    def created_event_name(self) -> str | None:
        """The eventName of records for new objects, None when no ObjectCreated event is asked for."""
        for name in self.events:
            if name.startswith("s3:ObjectCreated:"):
                kind = name.removeprefix("s3:ObjectCreated:")
                return "ObjectCreated:" + ("Put" if kind == "*" else kind)
        return None


def subscriptions(stack: Stack, registry: FunctionRegistry) -> list[S3Subscription]:
    """The S3 events of every function in the registry, resolved (bucket names as created)."""
    found = []
    for function in registry:
        for event_name, event in function.spec.events.items():
            if event.get("Type") != "S3":
                continue
            props = event.get("Properties") or {}
            bucket = props.get("Bucket")
            if not isinstance(bucket, str):  # resolved: a Ref to a template bucket is its name
                log.warning("%s.%s: the bucket %r is not emulated", function.spec.logical_id, event_name, bucket)
                continue
            events = props.get("Events")
            names = tuple(events if isinstance(events, list) else [events])
            rules = ((props.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
            filters = {str(rule.get("Name", "")).lower(): str(rule.get("Value", "")) for rule in rules}
            subscription = S3Subscription(function, event_name, bucket, tuple(str(n) for n in names),
                                          filters.get("prefix", ""), filters.get("suffix", ""))
            if subscription.created_event_name is None:
                log.warning("%s.%s: %s not emulated (only s3:ObjectCreated:*)", function.spec.logical_id,
                            event_name, ", ".join(subscription.events))
                continue
            ignored = [n for n in subscription.events if not n.startswith("s3:ObjectCreated:")]
            if ignored:
                log.warning("%s.%s: %s not emulated", function.spec.logical_id, event_name, ", ".join(ignored))
            log.info("%s runs on new objects in s3://%s/%s*%s", function.name, bucket, subscription.prefix,
                     subscription.suffix)
            found.append(subscription)
    return found


def s3_record(subscription: S3Subscription, obj: dict[str, Any], region: str, sequence: int) -> dict[str, Any]:
    """One S3 event notification record (event structure version 2.1) for a new object."""
    now = datetime.now(UTC)
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "eventName": subscription.created_event_name,
        "userIdentity": {"principalId": f"AWS:{OWNER_ID}"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": uuid.uuid4().hex[:16].upper(), "x-amz-id-2": uuid.uuid4().hex},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": f"{subscription.function.spec.logical_id}{subscription.event_name}",
            "bucket": {
                "name": subscription.bucket,
                "ownerIdentity": {"principalId": OWNER_ID},
                "arn": f"arn:aws:s3:::{subscription.bucket}",
            },
            "object": {
                "key": quote_plus(obj["Key"], safe="/"),  # S3 URL-encodes keys in event records
                "size": int(obj.get("Size", 0)),
                "eTag": str(obj.get("ETag", "")).strip('"'),
                "sequencer": f"{sequence:016X}",
            },
        },
    }


class S3NotificationPump:
    def __init__(self, s3: Any, registry: FunctionRegistry, stack: Stack):
        self.s3 = s3
        self.registry = registry
        self.region = stack.region
        self.subscriptions = subscriptions(stack, registry)
        # bucket -> key -> (etag, last modified) as last seen
        self._seen: dict[str, dict[str, tuple[str, str]]] = {}
        self._sequence = 0
        self._warned: set[str] = set()
        self._lock = threading.Lock()  # one pass at a time

    def run_once(self) -> list[dict[str, Any]]:
        """One pass; returns the records handed to functions."""
        with self._lock:
            delivered = []
            for bucket in dict.fromkeys(s.bucket for s in self.subscriptions):
                watching = [s for s in self.subscriptions if s.bucket == bucket]
                prefixes = {s.prefix for s in watching}
                prefix = prefixes.pop() if len(prefixes) == 1 else ""
                objects = self._list(bucket, prefix)
                if objects is None:
                    continue
                seen = self._seen.setdefault(bucket, {})
                current: dict[str, tuple[str, str]] = {}
                for obj in objects:
                    key = obj["Key"]
                    version = (str(obj.get("ETag", "")), str(obj.get("LastModified", "")))
                    current[key] = version
                    if seen.get(key) == version:
                        continue
                    for subscription in watching:
                        if subscription.matches(key):
                            self._sequence += 1
                            record = s3_record(subscription, obj, self.region, self._sequence)
                            self.registry.invoke_async(subscription.function, {"Records": [record]},
                                                       source=f"S3 s3://{bucket}/{key}")
                            delivered.append(record)
                # Keys gone from the bucket are forgotten: created again, they notify again.
                self._seen[bucket] = current
            return delivered

    def _list(self, bucket: str, prefix: str) -> list[dict[str, Any]] | None:
        objects: list[dict[str, Any]] = []
        try:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                objects.extend(page.get("Contents", []))
        except ClientError as exc:
            if bucket not in self._warned:
                self._warned.add(bucket)
                log.warning("cannot list s3://%s: %s", bucket, exc)
            return None
        return objects
