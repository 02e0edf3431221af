"""Herald's CloudWatch metrics: their names, units and dimensions, and the per-invocation buffer
that the handler decorator flushes once as Embedded Metric Format (EMF) lines in the logs.

- Namespace `Herald`, dimension `service` = `herald` on every metric.
- Per-network metrics (`PER_NETWORK`) carry `network` too, and are also published without it
  (a second EMF dimension set), so an alarm can watch the total without listing networks.
- Code records through the functions below from anywhere; a value recorded outside a decorated
  handler invocation (a unit test calling the domain directly, a CLI) is dropped. The buffer is a
  context variable, so the local cloud's concurrent in-process invocations do not mix.
- Nothing from powertools is imported until a flush has something to write (cold start).
- Output is switched off with POWERTOOLS_METRICS_DISABLED=true (the local cloud sets it); tests
  that check metrics turn it back on."""

from __future__ import annotations

import functools
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

NAMESPACE = "Herald"
SERVICE = "herald"


@dataclass(frozen=True)
class MetricSpec:
    name: str
    unit: str
    per_network: bool
    meaning: str


POSTS_PUBLISHED = "PostsPublished"
TARGETS_FAILED = "TargetsFailed"
TARGETS_NEEDING_REVIEW = "TargetsNeedingReview"
PUBLISH_LAG = "PublishLag"
NETWORK_THROTTLES = "NetworkThrottles"
WEBHOOK_ATTEMPTS_FAILED = "WebhookAttemptsFailed"
WEBHOOK_DELIVERIES_FAILED = "WebhookDeliveriesFailed"
SWEEPER_FINDS = "SweeperFinds"
DYNAMODB_THROTTLES = "DynamoDBThrottles"

METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec(POSTS_PUBLISHED, "Count", True, "targets that reached published in a publish run"),
        MetricSpec(TARGETS_FAILED, "Count", True, "targets that ended failed (no retry left, or refused for good)"),
        MetricSpec(TARGETS_NEEDING_REVIEW, "Count", True,
                   "targets whose outcome the network could not confirm (needs_review)"),
        MetricSpec(PUBLISH_LAG, "Seconds", True,
                   "from the post's scheduled time (or the run's due time) to the network's answer, never < 0"),
        MetricSpec(NETWORK_THROTTLES, "Count", True, "answers of a network that it is rate limiting Herald (429)"),
        MetricSpec(WEBHOOK_ATTEMPTS_FAILED, "Count", False, "webhook delivery attempts the receiver did not accept"),
        MetricSpec(WEBHOOK_DELIVERIES_FAILED, "Count", False,
                   "webhook deliveries that ended failed (refused for good or retried for the whole window)"),
        MetricSpec(SWEEPER_FINDS, "Count", False, "posts a sweep handed to the publish function"),
        MetricSpec(DYNAMODB_THROTTLES, "Count", False, "DynamoDB answers that throttled a request (retried by the SDK)"),
    )
}
PER_NETWORK = frozenset(name for name, spec in METRICS.items() if spec.per_network)

# Error codes with which AWS services throttle a request.
_THROTTLE_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "Throttling", "RequestLimitExceeded",
    "TooManyRequestsException", "ThrottledException",
})


class _Buffer:
    """The values of one invocation: (metric, network or None) -> values."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str | None], list[float]] = defaultdict(list)
        self._lock = threading.Lock()

    def add(self, name: str, network: str | None, value: float) -> None:
        with self._lock:
            self.values[(name, network)].append(float(value))

    def by_network(self) -> dict[str | None, dict[str, list[float]]]:
        groups: dict[str | None, dict[str, list[float]]] = defaultdict(dict)
        with self._lock:
            for (name, network), values in self.values.items():
                groups[network][name] = list(values)
        return groups


_current: ContextVar[_Buffer | None] = ContextVar("herald_metrics", default=None)


def _record(name: str, value: float, network: str | None = None) -> None:
    if (name in PER_NETWORK) != (network is not None):
        raise ValueError(f"{name} is {'' if name in PER_NETWORK else 'not '}recorded per network")
    buffer = _current.get()
    if buffer is not None:
        buffer.add(name, network, value)


# --- what the code records -----------------------------------------------------------------

def target_published(network: str, lag_seconds: float) -> None:
    _record(POSTS_PUBLISHED, 1, network)
    _record(PUBLISH_LAG, max(0.0, lag_seconds), network)


def target_failed(network: str) -> None:
    _record(TARGETS_FAILED, 1, network)


def target_needs_review(network: str) -> None:
    _record(TARGETS_NEEDING_REVIEW, 1, network)


def network_throttled(network: str) -> None:
    _record(NETWORK_THROTTLES, 1, network)


def webhook_attempt_failed() -> None:
    _record(WEBHOOK_ATTEMPTS_FAILED, 1)


def webhook_delivery_failed() -> None:
    _record(WEBHOOK_DELIVERIES_FAILED, 1)


def sweeper_found(posts: int) -> None:
    _record(SWEEPER_FINDS, posts)


def count_aws_throttle(response: Any = None, **_: Any) -> None:
    """A botocore `needs-retry` handler: counts each throttled answer (the SDK retries it).
    Returns None, so the SDK's own retry decision stands."""
    parsed = response[1] if isinstance(response, tuple) and len(response) > 1 else None
    code = ((parsed or {}).get("Error") or {}).get("Code") if isinstance(parsed, dict) else None
    if code in _THROTTLE_CODES:
        _record(DYNAMODB_THROTTLES, 1)


# --- one invocation ------------------------------------------------------------------------

@contextmanager
def invocation() -> Iterator[None]:
    """Collects what is recorded inside, and writes it (one EMF line per network) at the end."""
    token = _current.set(_Buffer())
    try:
        yield
    finally:
        try:
            flush()
        except Exception:  # a metric must never fail the work it measures
            log.exception("metrics could not be written")
        finally:
            _current.reset(token)


def flush() -> None:
    """Writes the current invocation's values as EMF lines (stdout, which Lambda sends to the
    function's log group) and forgets them. Nothing recorded, nothing written."""
    buffer = _current.get()
    if buffer is None:
        return
    groups = buffer.by_network()
    buffer.values.clear()
    if not groups:
        return
    from aws_lambda_powertools.metrics import EphemeralMetrics

    for network, values in groups.items():
        emf = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE)
        if network is not None:
            emf.add_dimension(name="network", value=network)
            emf.add_dimensions(service=SERVICE)  # the same values again, summed over networks
        for name, samples in values.items():
            for sample in samples:
                emf.add_metric(name=name, unit=METRICS[name].unit, value=sample)
        emf.flush_metrics()


def log_metrics[H: Callable[..., Any]](handler: H) -> H:
    """The handler decorator: one buffer per invocation, flushed when it returns or raises."""

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> Any:
        with invocation():
            return handler(*args, **kwargs)

    return run  # type: ignore[return-value]
