"""Estimated AWS cost of one million posts, from the counts `make bench` measures and the list prices
below (us-east-1, on-demand, before free tiers; ../docs/performance.md shows this table).

Each line is a quantity per post (measured, or derived from a template setting, as its note says)
times a unit price. Network waiting time is not in the Lambda lines: test mode answers at once."""

from __future__ import annotations

from dataclasses import dataclass

# (unit, USD per unit, source)
PRICES: dict[str, tuple[str, float, str]] = {
    "http_api_request": ("request", 1.00e-6, "API Gateway HTTP API, first 300 M requests"),
    "lambda_request": ("invocation", 0.20e-6, "Lambda requests"),
    "lambda_gb_second": ("GB-s", 0.0000133334, "Lambda duration, arm64"),
    "dynamodb_wru": ("WRU", 0.625e-6, "DynamoDB on-demand write request unit"),
    "dynamodb_rru": ("RRU", 0.125e-6, "DynamoDB on-demand read request unit"),
    "scheduler_invocation": ("invocation", 1.00e-6, "EventBridge Scheduler"),
    "sqs_request": ("request", 0.40e-6, "SQS standard, per 64 KB request"),
    "kms_request": ("request", 3.00e-6, "KMS, $0.03 per 10,000 requests"),
}

# Template settings the estimate depends on (template.yaml).
COLLECTIONS_PER_POST = 4 * 30  # AnalyticsSchedule rate(6 hours) x AnalyticsRetentionDays 30
WORKER_BATCH = 10  # the analytics worker's SQS BatchSize
SEND_BATCH = 10  # the collector sends messages in batches of 10
MEMORY_GB = 0.5  # MemorySize of the API and publish functions


@dataclass(frozen=True)
class Line:
    name: str
    price: str
    per_post: float
    note: str

    @property
    def per_million(self) -> float:
        return self.per_post * PRICES[self.price][1] * 1_000_000


def estimate(create: dict[str, float], publish: dict[str, float], analytics: dict[str, float]) -> list[Line]:
    """create/publish: {"seconds", "wru", "rru", "kms", "calls"} of one step for one target;
    analytics: {"messages_per_post", "wru_per_snapshot", "rru_per_message", "kms_per_message"} of
    one collection (messages_per_post is a fraction: a message carries up to 100 posts). Snapshots are written only when metrics change: priced as if they always do."""
    messages = analytics["messages_per_post"] * COLLECTIONS_PER_POST
    return [
        Line("API Gateway: create", "http_api_request", 1, "one POST /v1/posts"),
        Line("Lambda requests", "lambda_request", 2 + messages / WORKER_BATCH,
             "API + publish, + analytics worker batches"),
        Line("Lambda duration: API + publish", "lambda_gb_second",
             (create["seconds"] + publish["seconds"]) * MEMORY_GB, "measured in-process handler time x 512 MB"),
        Line("DynamoDB writes: create + publish", "dynamodb_wru", create["wru"] + publish["wru"],
             "measured calls, capacity from item sizes"),
        Line("DynamoDB writes: analytics", "dynamodb_wru", COLLECTIONS_PER_POST * analytics["wru_per_snapshot"],
             f"{COLLECTIONS_PER_POST} collections, every one a changed snapshot (worst case)"),
        Line("DynamoDB reads", "dynamodb_rru",
             create["rru"] + publish["rru"] + messages * analytics["rru_per_message"],
             "measured"),
        Line("EventBridge Scheduler", "scheduler_invocation", 1, "one at() schedule fires per post"),
        Line("SQS: analytics fan-out", "sqs_request", messages / SEND_BATCH + 2 * messages / WORKER_BATCH,
             "send in 10s; the poller's receive + delete per batch"),
        Line("KMS: token decrypts", "kms_request",
             publish["kms"] + messages * analytics["kms_per_message"],
             "measured: one per account opened"),
    ]
