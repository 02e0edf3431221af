"""One validated settings model, read from the environment through a cached getter.

Nothing reads os.environ at import time; the template (and the local cloud, which reads the
template) sets these variables on each function."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import Field

from herald.pydantic_base import Model

_PREFIX = "HERALD_"


class Settings(Model):
    table_name: str = "herald-table"
    # How long an AWS call may wait for its answer before botocore retries it. A retried
    # TransactWriteItems is idempotent in DynamoDB (same ClientRequestToken) but not in moto, so
    # the test suite, whose moto server can be slow under load, sets a longer wait.
    aws_read_timeout_seconds: float = Field(default=10, gt=0, le=300)
    schedule_group: str = "herald-posts"
    scheduler_role_arn: str = "arn:aws:iam::123456789012:role/herald-scheduler"
    publish_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:herald-publish"
    schedule_dlq_arn: str = "arn:aws:sqs:us-east-1:123456789012:herald-schedule-dlq"
    # A publish run may take up to the function's timeout; the lease must outlast it.
    lease_seconds: int = Field(default=420, ge=30)
    max_attempts: int = Field(default=5, ge=1, le=20)
    retry_base_seconds: int = Field(default=60, ge=1)
    retry_max_seconds: int = Field(default=3600, ge=1)
    # The sweeper publishes scheduled posts this long after they fell due without being claimed.
    sweep_grace_seconds: int = Field(default=120, ge=0)
    # Scheduler fires within the minute of its at() time; a delivery earlier than scheduled_at
    # waits at most this long inside the function, else it leaves the post for a later delivery.
    max_early_wait_seconds: int = Field(default=90, ge=0)
    # Posts due sooner than this are handed to the publish function at once instead of a schedule.
    min_schedule_lead_seconds: int = Field(default=60, ge=0)
    idempotency_ttl_seconds: int = Field(default=86400, ge=60)
    # Where short links point (a custom domain); empty: the API's own address, from the request.
    short_link_base: str = ""
    # Uploaded media (POST /v1/media): the private bucket and the largest file accepted. A single
    # presigned POST takes up to 5 GiB; S3 enforces the limit through its content-length-range.
    media_bucket: str = "herald-media"
    media_max_bytes: int = Field(default=1024**3, ge=1, le=5 * 1024**3)
    # The KMS key account credentials are sealed with.
    kms_key_id: str = "alias/herald-tokens"
    # Where the deployment's network apps (client id and secret) live in SSM Parameter Store:
    # {app_parameters_path}/{network}/client_id and .../client_secret (SecureString).
    app_parameters_path: str = "/herald/apps"
    # Analytics: the queue collection work goes through, how long a post's metrics are collected
    # (and snapshots kept), and how often a profile may ask for a collection now.
    analytics_queue_url: str = ""
    analytics_retention_days: int = Field(default=30, ge=1, le=365)
    analytics_refresh_seconds: int = Field(default=300, ge=0)
    # Unsplash (`unsplash` on posts). The app's Access Key: this, else the SSM SecureString
    # {app_parameters_path}/unsplash/client_id beside the network apps (Unsplash's OAuth calls the
    # access key the client id). The app's name goes in the credits' links (utm_source). Which
    # Unsplash answers: auto (its simulator for posts whose accounts are all test-mode ones, else
    # Unsplash), live (always Unsplash) or test (always the simulator, offline).
    unsplash_access_key: str = ""
    unsplash_app_name: str = Field(default="herald", min_length=1, max_length=100)
    unsplash_mode: Literal["auto", "live", "test"] = "auto"
    # Webhooks: the delivery queue and its dead-letter queue, the backoff (base * 2^n, capped),
    # how long a delivery is retried, when a failing endpoint is disabled (both a streak of failed
    # attempts and a duration), the receiver's time to answer, how long deliveries are logged.
    # `webhook_allow_loopback` (the local cloud only) accepts http://127.0.0.1 receivers.
    webhook_queue_url: str = ""
    webhook_dlq_url: str = ""
    webhook_retry_base_seconds: int = Field(default=60, ge=0)
    webhook_retry_max_seconds: int = Field(default=6 * 3600, ge=1, le=43200)
    webhook_retry_hours: float = Field(default=72, gt=0)
    webhook_disable_after_failures: int = Field(default=10, ge=1)
    webhook_disable_after_hours: float = Field(default=24, ge=0)
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=30)
    webhook_allow_loopback: bool = False
    webhook_log_retention_days: int = Field(default=30, ge=1)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    values = {
        name: os.environ[_PREFIX + name.upper()]
        for name in Settings.model_fields
        if _PREFIX + name.upper() in os.environ
    }
    return Settings.model_validate(values)
