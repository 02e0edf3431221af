"""One publish run for one post.

1. Read the post; a stale schedule version, a post that is not due, or one in another state
   ends the run before any write. A delivery up to `max_early_wait_seconds` early waits.
2. Claim it with one conditional update (scheduled -> publishing, with a lease): of concurrent
   deliveries exactly one proceeds.
3. For each target still to do: a target left `sending` by a crashed run is reconciled with the
   network first; otherwise mark it `sending`, call the network, and write the answer at once.
   Every target write is conditional on still holding the lease.
4. Settle: re-arm a run for retryable failures, or reach published / partially_published / failed.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from herald.accounts.model import Account, AccountStatus
from herald.clock import Clock
from herald.errors import AccountNotFound, ConcurrentModification, PostNotFound, ScheduleUnavailable
from herald.ids import new_id
from herald.media.model import Media, MediaStatus
from herald.observability import metrics
from herald.observability import runs as run_metrics
from herald.observability.logs import log_keys
from herald.platforms.base import (
    ErrorClass,
    LinkPreview,
    MediaItem,
    MentionRef,
    Platform,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.posts import content as post_content
from herald.posts import lifecycle
from herald.posts.model import LinkCard, Post, PostStatus, PostTarget, TargetStatus, UploadedMedia
from herald.posts.ports import MediaDirectory, PublishRequest, PublishTrigger, Scheduler
from herald.posts.service import arm, uploaded
from herald.publishing import outcomes
from herald.publishing.session import AccountSession
from herald.settings import Settings
from herald.store.accounts import AccountStore
from herald.store.posts import PostStore

log = logging.getLogger(__name__)

OpenPlatform = Callable[[Account], Platform]
# Checks an external media URL before a network is asked to fetch it (herald.media.fetch.probe):
# answers what it serves, or raises MediaUrlError when it may not be used.
CheckMediaUrl = Callable[[str, "bool | None"], MediaItem]
# A link the network can fetch an uploaded item from (a presigned S3 GET for its key).
MediaLink = Callable[[Media], str]


@dataclass(frozen=True)
class RunOutcome:
    result: str  # a final status, "scheduled" (re-armed for a retry), or "skipped"
    reason: str = ""
    post: Post | None = None


class LeaseLost(Exception):
    """Another run took the post over (this one outlived its lease)."""


def _open_platform(account: Account) -> Platform:
    from herald.platforms.registry import open_platform

    return open_platform(account)


def _probe(url: str, is_video: bool | None) -> MediaItem:
    from herald.media.fetch import probe

    served = probe(url, is_video=is_video)
    return MediaItem(url=url, kind=served.kind, mime=served.content_type, size=served.content_length)


class MediaRefused(Exception):
    def __init__(self, error: PlatformError) -> None:
        super().__init__(error.message)
        self.error = error


class Publisher:
    def __init__(
        self,
        *,
        posts: PostStore,
        accounts: AccountStore,
        scheduler: Scheduler,
        trigger: PublishTrigger,
        clock: Clock,
        settings: Settings,
        open_platform: OpenPlatform = _open_platform,
        media: MediaDirectory | None = None,
        media_link: MediaLink | None = None,
        check_media_url: CheckMediaUrl = _probe,
    ) -> None:
        self.posts = posts
        self.accounts = accounts
        self.scheduler = scheduler
        self.trigger = trigger
        self.clock = clock
        self.settings = settings
        self.open_platform = open_platform
        self.media = media
        self.media_link = media_link
        self.check_media_url = check_media_url
        # What one run keeps (probed URLs, adapters to close): per thread, as the local cloud runs
        # several publish runs at once in one process with one Publisher.
        self._run = threading.local()

    def run(self, request: PublishRequest) -> RunOutcome:
        try:
            post = self.posts.get(request.workspace_id, request.post_id)
        except PostNotFound:
            return RunOutcome("skipped", "post_not_found")
        skip = self._why_not_now(post, request)
        if skip:
            return RunOutcome("skipped", skip, post)
        now = self.clock.now()
        if post.status is PostStatus.SCHEDULED and post.due_at is not None and post.due_at > now:
            self.clock.sleep((post.due_at - now).total_seconds())  # never publish before the time
            now = self.clock.now()
        lease_id = new_id("lease")
        claimed = self.posts.claim(
            request.workspace_id,
            request.post_id,
            schedule_version=request.schedule_version,
            now=now,
            lease_id=lease_id,
            lease_expires_at=now + timedelta(seconds=self.settings.lease_seconds),
        )
        if claimed is None:
            return RunOutcome("skipped", "not_claimable", post)
        self._run.checked_urls, self._run.opened = {}, []
        try:
            claimed = self._with_fresh_uploads(claimed)
            for index, target in enumerate(claimed.targets):
                if target.status in (TargetStatus.PENDING, TargetStatus.SENDING):
                    if target.retry_after is None or target.retry_after <= self.clock.now():
                        with log_keys(network=target.platform, account_id=target.account_id):
                            self._publish_target(claimed, index, target, lease_id)
            settled = self._settle(request, lease_id)
            if settled.post is not None:
                run_metrics.publish_run(claimed, settled.post)
            return settled
        except LeaseLost:
            log.warning("lease lost; another run carries on", extra={"post_id": request.post_id})
            return RunOutcome("skipped", "lease_lost")
        finally:
            for platform in self._run.opened:
                platform.close()
            self._run.opened = []

    def _open(self, account: Account) -> Platform:
        """An adapter for the account, closed when the run ends."""
        platform = self.open_platform(account)
        self._run.opened.append(platform)
        return platform

    def _with_fresh_uploads(self, post: Post) -> Post:
        """The post with its uploaded media as they are now (inspected, rejected or deleted since
        the post was saved), for the checks and links of this run."""
        if not post.uploads:
            return post
        fresh = {}
        for media_id in post.uploads:
            found = self.media.get(post.workspace_id, media_id) if self.media is not None else None
            fresh[media_id] = uploaded(found) if found is not None else UploadedMedia(status="missing")
        return post.model_copy(update={"uploads": fresh})

    def _media_items(self, post: Post, refs: tuple[str, ...]) -> tuple[MediaItem, ...]:
        """What the network gets: a link to each uploaded item with its inspected facts, and each
        external URL once it passed the probe (once per run). Raises MediaRefused."""
        items = []
        for ref in refs:
            if post_content.is_media_id(ref):
                items.append(self._upload_item(post, ref))
                continue
            checked_urls = self._run.checked_urls
            if ref not in checked_urls:
                checked_urls[ref] = self._probed(ref, post.is_video)
            checked = checked_urls[ref]
            if isinstance(checked, PlatformError):
                raise MediaRefused(checked)
            items.append(checked)
        return tuple(items)

    def _upload_item(self, post: Post, media_id: str) -> MediaItem:
        found = self.media.get(post.workspace_id, media_id) if self.media is not None else None
        if found is not None and found.status is MediaStatus.PENDING_UPLOAD:  # may be inspected soon
            raise MediaRefused(PlatformError(ErrorClass.RETRY, "media_pending",
                                             f"Media {media_id} is still being uploaded or inspected."))
        if found is None or found.status is not MediaStatus.READY or found.facts is None or self.media_link is None:
            raise MediaRefused(PlatformError(ErrorClass.PERMANENT, "media_not_found",
                                             f"Media {media_id} is not ready to publish."))
        facts = found.facts
        return MediaItem(url=self.media_link(found), kind=facts.kind or "image", mime=facts.mime, size=facts.bytes,
                         width=facts.width, height=facts.height, duration_seconds=facts.duration_seconds,
                         uploaded=True)

    def _probed(self, url: str, is_video: bool | None) -> MediaItem | PlatformError:
        from herald.media import simulated  # only runs that carry media URLs need these
        from herald.media.urls import UNREACHABLE, MediaUrlError

        try:
            # A test-mode Unsplash photo is served nowhere: known as the image it stands for, unprobed.
            return simulated.probed(url, is_video) or self.check_media_url(url, is_video)
        except MediaUrlError as refused:
            # An unreachable host may come back; a forbidden address or a wrong type will not.
            error_class = ErrorClass.RETRY if refused.code == UNREACHABLE else ErrorClass.PERMANENT
            return PlatformError(error_class, refused.code, refused.message)

    def _why_not_now(self, post: Post, request: PublishRequest) -> str:
        """'' when the post may be claimed now or after a short wait (the lifecycle's claim rule,
        looking `max_early_wait_seconds` ahead for a scheduled post), else why not."""
        now = self.clock.now()
        horizon = now + timedelta(seconds=self.settings.max_early_wait_seconds)
        at = horizon if post.status is PostStatus.SCHEDULED else now
        if lifecycle.can_claim(post, at, request.schedule_version):
            return ""
        if post.status is PostStatus.SCHEDULED:
            stale = request.schedule_version not in (None, post.schedule_version)
            return "stale_schedule" if stale else "not_due"
        if post.status is PostStatus.PUBLISHING:
            return "being_published"
        return f"status_{post.status.value}"

    # --- one target --------------------------------------------------------------------------

    def _write(self, post: Post, index: int, target: PostTarget, lease_id: str) -> None:
        if not self.posts.write_target(
            post.workspace_id, post.id, index, target, lease_id=lease_id, now=self.clock.now()
        ):
            raise LeaseLost()

    def _publish_target(self, post: Post, index: int, target: PostTarget, lease_id: str) -> None:
        try:
            account = self.accounts.get(post.workspace_id, target.account_id)
        except AccountNotFound:
            error = PlatformError(ErrorClass.PERMANENT, "account_not_found", "The account was removed.")
            self._write(post, index, self._failed(target, error), lease_id)
            return
        if account.status is AccountStatus.RECONNECT_REQUIRED:
            error = PlatformError(ErrorClass.RECONNECT, "account_disconnected", "The account is disconnected.")
            self._write(post, index, self._failed(target, error), lease_id)
            return
        problems = post_content.problems_for(post, target.platform, target.account_id)
        if problems:  # the rules changed since the post was scheduled: sending would be refused
            message = "; ".join(p.message for p in problems)
            code = problems[0].code if problems[0].code.startswith("media_") else "invalid_content"
            error = PlatformError(ErrorClass.PERMANENT, code, message)
            self._write(post, index, self._failed(target, error), lease_id)
            return
        # The run closes every adapter the session opens (self._open keeps them).
        session = AccountSession(self.accounts, self.clock, self._open, self.accounts.open(account))
        try:
            session.refresh_if_due()
        except PlatformError as error:  # the refresh was refused: the account is marked for reconnecting
            self._write(post, index, self._failed(target, error), lease_id)
            return
        steps = post_content.steps_for(post, target.platform, target.account_id)
        options = post.options_for(target.platform, target.account_id)
        counted = False
        while len(target.parts) < len(steps):
            step = steps[len(target.parts)]
            content = PostContent(
                text=step.text,
                title=post.for_target(target.platform, target.account_id).title if step.kind == "post" else None,
                target_key=f"{post.id}:{target.account_id}{step.key_suffix}",
                options=options,
                link=_preview(step.link),
                mentions=tuple(MentionRef(m.text, m.ref, m.name) for m in step.mentions),
            )
            parent = outcomes.as_published(target.parts[step.reply_to]) if step.reply_to is not None else None
            if target.status is TargetStatus.SENDING:  # an earlier attempt at this step has no answer
                found = self._reconcile(session.platform, content, parent)
                if isinstance(found, str):
                    self._write(post, index, outcomes.needs_review(target, found), lease_id)
                    return
                if found is not None:
                    target = outcomes.step_done(target, found, self.clock.now(), final=step.index == len(steps) - 1)
                    self._write(post, index, target, lease_id)
                    continue
            try:
                content = dataclasses.replace(content, media=self._media_items(post, step.media))
            except MediaRefused as refused:
                self._write(post, index, self._failed(target, refused.error), lease_id)
                return
            target = target.model_copy(
                update={
                    "status": TargetStatus.SENDING,
                    "attempts": target.attempts + (0 if counted else 1),
                    "retry_after": None,
                }
            )
            counted = True
            self._write(post, index, target, lease_id)
            try:
                result = session.call(_sender(content, parent))
            except PlatformError as error:  # credentials refused: the session marked the account
                failed = (
                    outcomes.comment_failed(
                        target,
                        error,
                        self.clock.now(),
                        attempts_left=target.attempts < self.settings.max_attempts,
                        retry_base=timedelta(seconds=self.settings.retry_base_seconds),
                        retry_max=timedelta(seconds=self.settings.retry_max_seconds),
                    )
                    if step.kind == "comment"
                    else self._failed(target, error)
                )
                self._write(post, index, failed, lease_id)
                return
            except Exception as exc:  # an adapter bug after the request may have gone out
                log.exception("adapter failed", extra={"post_id": post.id, "platform": target.platform})
                error = PlatformError(ErrorClass.RETRY, "network_error", f"Unexpected adapter failure: {exc}")
                self._write(post, index, self._failed(target, error), lease_id)
                return
            target = outcomes.step_done(target, result, self.clock.now(), final=step.index == len(steps) - 1)
            self._write(post, index, target, lease_id)

    def _failed(self, target: PostTarget, error: PlatformError) -> PostTarget:
        if error.code == "rate_limited":
            metrics.network_throttled(target.platform)
        return outcomes.failed(
            target,
            error,
            self.clock.now(),
            retry_base=timedelta(seconds=self.settings.retry_base_seconds),
            retry_max=timedelta(seconds=self.settings.retry_max_seconds),
        )

    def _reconcile(self, platform: Platform, content: PostContent,
                   parent: PublishedPost | None) -> PublishedPost | str | None:
        """For a step whose earlier attempt has an unknown outcome: the post the network shows,
        None when it shows there is none (safe to send), or why it cannot be decided."""
        try:
            found = platform.reconcile(content, parent)
        except Exception as exc:  # reconcile must never lead to a blind resend
            log.warning("reconcile failed", extra={"target": content.target_key, "error": str(exc)})
            return f"Could not check whether the post exists: {exc}"
        if found.outcome is ReconcileOutcome.FOUND and found.post is not None:
            return found.post
        if found.outcome is ReconcileOutcome.ABSENT:
            return None
        return "The network cannot tell whether the earlier attempt published."

    # --- settle ------------------------------------------------------------------------------

    def _settle(self, request: PublishRequest, lease_id: str) -> RunOutcome:
        post = self.posts.get(request.workspace_id, request.post_id)
        if post.lease_id != lease_id:
            raise LeaseLost()
        now = self.clock.now()
        waiting = [
            t.retry_after or now for t in post.targets if t.status in (TargetStatus.PENDING, TargetStatus.SENDING)
        ]
        change = lifecycle.settle(
            post, now, max_attempts=self.settings.max_attempts, retry_at=min(waiting) if waiting else None
        )
        try:
            self.posts.save(change.post, expected_version=post.version)
        except ConcurrentModification as exc:
            raise LeaseLost() from exc
        if change.schedule is lifecycle.ScheduleAction.ARM:
            try:
                arm(change.post, self.scheduler, self.trigger, now,
                    timedelta(seconds=self.settings.min_schedule_lead_seconds))
            except ScheduleUnavailable:
                log.warning("could not re-arm; the sweeper will pick the post up", extra={"post_id": post.id})
        return RunOutcome(change.post.status.value, post=change.post)




def _sender(content: PostContent, parent: PublishedPost | None) -> Callable[[Platform], PublishedPost]:
    """Publish `content` (or reply with it to `parent`)."""

    def send(platform: Platform) -> PublishedPost:
        return platform.publish(content) if parent is None else platform.reply(parent, content)

    return send


def _preview(card: LinkCard | None) -> LinkPreview | None:
    if card is None:
        return None
    return LinkPreview(url=card.url, title=card.title or "", description=card.description or "",
                       thumbnail=card.thumbnail)
