"""The composition root: builds each service once per process from settings and AWS clients.

Only entry points (handlers, the CLI, the local cloud) call these; the services themselves take
their collaborators as arguments."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from herald.aws import client
from herald.clock import SystemClock
from herald.settings import get_settings


@lru_cache(maxsize=1)
def post_store():  # type: ignore[no-untyped-def]
    from herald.store.posts import PostStore

    s = get_settings()
    return PostStore(
        client("dynamodb"),
        s.table_name,
        sweep_grace=timedelta(seconds=s.sweep_grace_seconds),
        idempotency_ttl=timedelta(seconds=s.idempotency_ttl_seconds),
    )


@lru_cache(maxsize=1)
def sealer():  # type: ignore[no-untyped-def]
    from herald.sealing import KmsSealer

    return KmsSealer(client("kms"), get_settings().kms_key_id)


@lru_cache(maxsize=1)
def account_store():  # type: ignore[no-untyped-def]
    from herald.platforms.registry import watched_each_collection
    from herald.store.accounts import AccountStore

    return AccountStore(client("dynamodb"), get_settings().table_name, sealer(), watched=watched_each_collection)


@lru_cache(maxsize=1)
def scheduler():  # type: ignore[no-untyped-def]
    from herald.schedules.eventbridge import EventBridgeScheduler

    s = get_settings()
    return EventBridgeScheduler(
        client("scheduler"),
        group=s.schedule_group,
        target_arn=s.publish_function_arn,
        role_arn=s.scheduler_role_arn,
        dlq_arn=s.schedule_dlq_arn,
    )


@lru_cache(maxsize=1)
def publish_trigger():  # type: ignore[no-untyped-def]
    from herald.schedules.invoke import LambdaPublishTrigger

    return LambdaPublishTrigger(client("lambda"), get_settings().publish_function_arn)


@lru_cache(maxsize=1)
def workspace_service():  # type: ignore[no-untyped-def]
    from herald.store.workspaces import WorkspaceStore
    from herald.workspaces.service import WorkspaceService

    return WorkspaceService(WorkspaceStore(client("dynamodb"), get_settings().table_name), SystemClock())


@lru_cache(maxsize=1)
def account_service():  # type: ignore[no-untyped-def]
    from herald.accounts.service import AccountService

    return AccountService(account_store(), SystemClock())


@lru_cache(maxsize=1)
def board_reader():  # type: ignore[no-untyped-def]
    from herald.accounts.boards import BoardReader
    from herald.platforms.registry import open_platform

    return BoardReader(account_store(), SystemClock(), open_platform)


@lru_cache(maxsize=1)
def connect_service():  # type: ignore[no-untyped-def]
    from herald.accounts.connect import ConnectService
    from herald.platforms.apps import require_app
    from herald.platforms.registry import adapter_class, connect_client
    from herald.store.oauth import OAuthStateStore

    return ConnectService(
        accounts=account_store(), states=OAuthStateStore(client("dynamodb"), get_settings().table_name),
        sealer=sealer(), clock=SystemClock(), adapter=adapter_class, client_for=connect_client, app_for=require_app,
    )


@lru_cache(maxsize=1)
def link_service():  # type: ignore[no-untyped-def]
    from herald.links.service import LinkService
    from herald.store.links import LinkStore

    return LinkService(LinkStore(client("dynamodb"), get_settings().table_name), SystemClock())


@lru_cache(maxsize=1)
def media_store():  # type: ignore[no-untyped-def]
    from herald.store.media import MediaStore

    return MediaStore(client("dynamodb"), get_settings().table_name)


def media_service():  # type: ignore[no-untyped-def]
    """Not cached: it is cheap to build and its clients and settings are cached where they live
    (the S3 client per endpoint, so tests switching endpoints get a fresh one)."""
    from herald.media.service import MediaService
    from herald.media.storage import S3Storage, s3_client

    s = get_settings()
    return MediaService(
        store=media_store(),
        storage=S3Storage(s3_client(), s.media_bucket),
        clock=SystemClock(),
        max_bytes=s.media_max_bytes,
    )


@lru_cache(maxsize=1)
def post_service():  # type: ignore[no-untyped-def]
    from herald.posts.service import PostService

    s = get_settings()
    return PostService(
        posts=post_store(),
        accounts=account_store(),
        scheduler=scheduler(),
        trigger=publish_trigger(),
        clock=SystemClock(),
        links=link_service(),
        media=media_store(),
        min_schedule_lead=timedelta(seconds=s.min_schedule_lead_seconds),
        unsplash=unsplash_photos(),
        unsplash_mode=s.unsplash_mode,
        deleter=network_deleter(),
    )


@lru_cache(maxsize=1)
def network_deleter():  # type: ignore[no-untyped-def]
    """Deletes published posts from the networks (in the API request), opening accounts as a
    publish run does."""
    from herald.publishing.deleter import AdapterDeleter

    return AdapterDeleter(accounts=account_store(), clock=SystemClock())


@lru_cache(maxsize=1)
def unsplash_photos():  # type: ignore[no-untyped-def]
    """Unsplash for `unsplash` on posts; its access key is looked up when a post first asks."""
    from herald.media.unsplash import UnsplashLibrary

    return UnsplashLibrary(unsplash_access_key, get_settings().unsplash_app_name)


def unsplash_access_key() -> str | None:
    """HERALD_UNSPLASH_ACCESS_KEY, else the deployment's "unsplash" app where the network apps
    live (HERALD_UNSPLASH_CLIENT_ID, or the SSM parameter {app_parameters_path}/unsplash/client_id)."""
    key = get_settings().unsplash_access_key
    if key:
        return key
    from herald.platforms.apps import app_for

    app = app_for("unsplash", "live")
    return app.client_id if app is not None else None


@lru_cache(maxsize=1)
def publisher():  # type: ignore[no-untyped-def]
    from herald.publishing.runner import Publisher

    s = get_settings()
    return Publisher(
        posts=post_store(),
        accounts=account_store(),
        scheduler=scheduler(),
        trigger=publish_trigger(),
        clock=SystemClock(),
        settings=s,
        media=media_store(),
        media_link=media_link,
    )


def media_link(media):  # type: ignore[no-untyped-def]
    """A presigned GET of an uploaded item, valid for an hour: networks that pull media from a
    URL (Instagram, Threads, TikTok, Pinterest) fetch it within minutes of the publish call."""
    from herald.media.storage import S3Storage, s3_client

    return S3Storage(s3_client(), get_settings().media_bucket).presign_get(media.key, timedelta(hours=1))


@lru_cache(maxsize=1)
def token_refresher():  # type: ignore[no-untyped-def]
    from herald.accounts.refresher import TokenRefresher
    from herald.platforms.registry import open_platform

    return TokenRefresher(accounts=account_store(), clock=SystemClock(), open_platform=open_platform)


@lru_cache(maxsize=1)
def analytics_store():  # type: ignore[no-untyped-def]
    from herald.store.analytics import AnalyticsStore

    return AnalyticsStore(client("dynamodb"), get_settings().table_name)


def _retention() -> timedelta:
    return timedelta(days=get_settings().analytics_retention_days)


@lru_cache(maxsize=1)
def collector():  # type: ignore[no-untyped-def]
    from herald.analytics.collector import Collector

    return Collector(tracked=analytics_store(), queue=analytics_queue(), clock=SystemClock(), retention=_retention(),
                     watches=analytics_store())


@lru_cache(maxsize=1)
def analytics_queue():  # type: ignore[no-untyped-def]
    from herald.messaging.sqs import SqsQueue

    return SqsQueue(client("sqs"), get_settings().analytics_queue_url)


@lru_cache(maxsize=1)
def collection_worker():  # type: ignore[no-untyped-def]
    from herald.analytics.worker import CollectionWorker
    from herald.platforms.registry import open_platform

    return CollectionWorker(accounts=account_store(), analytics=analytics_store(), clock=SystemClock(),
                            open_platform=open_platform, retention=_retention())


@lru_cache(maxsize=1)
def stream_processor():  # type: ignore[no-untyped-def]
    from herald.analytics.stream import StreamProcessor

    return StreamProcessor(analytics=analytics_store(), retention=_retention())


@lru_cache(maxsize=1)
def analytics_reports():  # type: ignore[no-untyped-def]
    from herald.analytics.reports import AnalyticsReports

    def clicks_of_post(workspace_id: str, profile_id: str, post_id: str) -> dict[str, int]:
        post = post_store().get(workspace_id, post_id)
        return link_service().clicks_by_channel(workspace_id, profile_id, post_id, list(post.short_links))

    return AnalyticsReports(store=analytics_store(), clicks_of_post=clicks_of_post)


@lru_cache(maxsize=1)
def sweeper():  # type: ignore[no-untyped-def]
    from herald.publishing.sweeper import Sweeper

    return Sweeper(posts=post_store(), trigger=publish_trigger(), clock=SystemClock())


@lru_cache(maxsize=1)
def webhook_store():  # type: ignore[no-untyped-def]
    from herald.store.webhooks import WebhookStore

    return WebhookStore(client("dynamodb"), get_settings().table_name, sealer())


@lru_cache(maxsize=1)
def webhook_queue():  # type: ignore[no-untyped-def]
    from herald.messaging.sqs import SqsQueue

    return SqsQueue(client("sqs"), get_settings().webhook_queue_url)


def webhook_queue_client():  # type: ignore[no-untyped-def]
    return client("sqs"), get_settings().webhook_queue_url


@lru_cache(maxsize=1)
def webhook_service():  # type: ignore[no-untyped-def]
    from herald.webhooks.service import WebhookService

    return WebhookService(store=webhook_store(), queue=webhook_queue(), clock=SystemClock(),
                          allow_loopback=get_settings().webhook_allow_loopback)


@lru_cache(maxsize=1)
def outbox():  # type: ignore[no-untyped-def]
    from herald.webhooks.outbox import Outbox

    return Outbox(store=webhook_store(), queue=webhook_queue())


@lru_cache(maxsize=1)
def deliverer():  # type: ignore[no-untyped-def]
    from herald.messaging.sqs import SqsQueue
    from herald.webhooks.delivery import Deliverer, RetryPolicy
    from herald.webhooks.sender import WebhookSender

    s = get_settings()
    policy = RetryPolicy(
        base_seconds=s.webhook_retry_base_seconds, max_seconds=s.webhook_retry_max_seconds,
        window=timedelta(hours=s.webhook_retry_hours), disable_after_failures=s.webhook_disable_after_failures,
        disable_after=timedelta(hours=s.webhook_disable_after_hours),
        log_retention=timedelta(days=s.webhook_log_retention_days),
    )
    return Deliverer(
        store=webhook_store(), clock=SystemClock(), policy=policy, allow_loopback=s.webhook_allow_loopback,
        sender=WebhookSender(timeout=s.webhook_timeout_seconds, allow_loopback=s.webhook_allow_loopback),
        dead_letters=SqsQueue(client("sqs"), s.webhook_dlq_url) if s.webhook_dlq_url else None,
    )


def reset() -> None:
    """Forget every built service (tests switching settings or endpoints)."""
    from herald.aws import reset_clients
    from herald.settings import get_settings as settings_getter

    for built in (post_store, sealer, account_store, scheduler, publish_trigger, workspace_service, account_service,
                  connect_service, link_service, media_store, post_service, unsplash_photos, network_deleter,
                  publisher, sweeper,
                  token_refresher,
                  analytics_store, collector, analytics_queue, collection_worker, stream_processor, analytics_reports,
                  webhook_store, webhook_queue, webhook_service, outbox, deliverer):
        getattr(built, "cache_clear", lambda: None)()  # a test may have replaced one
    settings_getter.cache_clear()
    reset_clients()
