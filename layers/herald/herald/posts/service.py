"""Post use cases: create, read, edit and the lifecycle actions, orchestrating the store and the
scheduler through ports. State rules live in `lifecycle`; this module only sequences I/O."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from herald.accounts.model import Account, AccountMode, AccountStatus
from herald.clock import Clock
from herald.errors import (
    AccountDisconnected,
    AccountNotFound,
    ConcurrentModification,
    DuplicateIdempotencyKey,
    HeraldError,
    InvalidRequest,
    InvalidState,
    PostNotFound,
    ScheduleUnavailable,
    UnknownMedia,
)
from herald.ids import new_id
from herald.links.service import CODE_LENGTH
from herald.media.model import Media
from herald.media.urls import MediaUrlError, check_url_shape
from herald.posts import content, lifecycle
from herald.posts.model import (
    AutoHashtags,
    ContentPart,
    LinkCard,
    MediaCredit,
    Mention,
    Override,
    Post,
    PostStatus,
    PostTarget,
    PostType,
    UploadedMedia,
)
from herald.posts.ports import (
    AccountDirectory,
    FoundPhoto,
    IdempotencyRecord,
    LinkShortener,
    MediaDirectory,
    NetworkDeleter,
    PostFilter,
    PostPage,
    PostRepository,
    PublishRequest,
    PublishTrigger,
    Scheduler,
    UnsplashNotConfigured,
    UnsplashPhotos,
)

log = logging.getLogger(__name__)


def _with_auto_hashtags(post: Post) -> Post:
    """The post with the hashtags picked from its text, when it asks for them."""
    auto = post.auto_hashtags
    if auto is None:
        return post
    from herald.text.autohashtags import suggest_hashtags

    picked = suggest_hashtags(post.text, max_tags=auto.max, exclude=post.hashtags) if post.text.strip() else []
    return post.model_copy(update={"auto_hashtags": auto.model_copy(update={"picked": picked})})


def uploaded(media: Media) -> UploadedMedia:
    return UploadedMedia(status=media.status.value, facts=media.facts, problem=media.problem)


@dataclass(frozen=True)
class NewPost:
    text: str = ""
    platforms: tuple[str, ...] = ()
    account_ids: tuple[str, ...] = ()
    media: tuple[str, ...] = ()
    title: str | None = None
    tags: tuple[str, ...] = ()
    campaign_id: str | None = None
    post_type: PostType | None = None
    content_ref: str | None = None
    notes: str | None = None
    scheduled_at: datetime | None = None
    timezone: str | None = None
    draft: bool = False
    requires_approval: bool = False
    shorten_links: bool = False
    thread: tuple[ContentPart, ...] = ()  # parts after the first, sent as replies
    first_comment: ContentPart | None = None
    overrides: dict[str, Override] = field(default_factory=dict)
    hashtags: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    auto_hashtags: AutoHashtags | None = None
    link: LinkCard | None = None
    is_video: bool | None = None
    # Unsplash photos to add to `media`: "random", "random:<term>", a photo id or a search term, or
    # a list of photo ids; looked up when the post is created (or edited, or validated).
    unsplash: str | Sequence[str] | None = None
    tracking_id: str | None = None  # the caller's own id for the post

    @property
    def all_media(self) -> list[str]:
        comment = list(self.first_comment.media) if self.first_comment else []
        overridden = [url for o in self.overrides.values() for url in o.media or ()]
        return [*self.media, *(url for part in self.thread for url in part.media), *comment, *overridden]


@dataclass(frozen=True)
class Caller:
    workspace_id: str
    profile_id: str
    key_id: str
    link_base: str = ""  # where short links point (the API's public address)


@dataclass(frozen=True)
class Validation:
    networks: list[str]
    findings: content.Findings
    previews: list[tuple[str, str, list[content.Step]]]  # (network, account id, what it would send)


@dataclass(frozen=True)
class CreateResult:
    post: Post
    replayed: bool = False  # an Idempotency-Key repeat answered with the original post


@dataclass
class PostService:
    posts: PostRepository
    accounts: AccountDirectory
    scheduler: Scheduler
    trigger: PublishTrigger
    clock: Clock
    links: LinkShortener | None = None
    media: MediaDirectory | None = None
    min_schedule_lead: timedelta = field(default_factory=lambda: timedelta(seconds=60))
    unsplash: UnsplashPhotos | None = None
    # Which Unsplash answers: "auto" (its simulator for posts whose accounts are all test-mode
    # accounts, else Unsplash), "live" or "test" (always one or the other).
    unsplash_mode: str = "auto"
    # Deletes published posts from the networks (DELETE of a post that went out).
    deleter: NetworkDeleter | None = None
    # How long one request may hold a post to delete it from its networks: past it (the request
    # died), another may take over. Longer than the API function's timeout.
    removal_lease: timedelta = field(default_factory=lambda: timedelta(seconds=60))

    # --- reads ---------------------------------------------------------------------------

    def get(self, caller: Caller, post_id: str) -> Post:
        post = self.posts.get(caller.workspace_id, post_id)
        if post.profile_id != caller.profile_id:
            raise PostNotFound(f"No post {post_id}.")
        return post

    def list(self, caller: Caller, filters: PostFilter, cursor: str | None, limit: int) -> PostPage:
        return self.posts.list(caller.workspace_id, caller.profile_id, filters, cursor, limit)

    def queue(
        self, caller: Caller, filters: PostFilter, cursor: str | None, limit: int
    ) -> tuple[PostPage, dict[str, int]]:
        return self.posts.queue(caller.workspace_id, caller.profile_id, filters, cursor, limit)

    def validate(self, caller: Caller, new: NewPost) -> Validation:
        """The networks the post would go to, what their rules say, and what each target would
        send, without saving anything."""
        content.refuse_unsafe_media_urls(new.all_media)
        _check_tracking_id(new.tracking_id)
        targets = self._resolve_targets(caller, new)
        _check_override_keys(new.overrides, targets)
        photos = self._find_photos(caller, new.unsplash, targets, new.is_video)  # looked at, not used
        media, credits = _with_photos(list(new.media), [], photos.found)
        now = self.clock.now()
        probe = Post(
            id="post_validate", workspace_id=caller.workspace_id, profile_id=caller.profile_id,
            status=PostStatus.DRAFT if new.draft else PostStatus.SCHEDULED, text=new.text, media=media,
            media_credits=credits, thread=list(new.thread), first_comment=new.first_comment, overrides=new.overrides,
            hashtags=list(new.hashtags), mentions=list(new.mentions), auto_hashtags=new.auto_hashtags,
            link=new.link, title=new.title,
            is_video=new.is_video, scheduled_at=new.scheduled_at, targets=targets, created_at=now, updated_at=now,
        )
        probe = _with_auto_hashtags(self._with_uploads(caller, probe))
        networks = sorted({t.platform for t in targets})
        if new.shorten_links:  # count short links at their length without making any
            placeholder = f"{caller.link_base.rstrip('/')}/l/{'x' * CODE_LENGTH}"
            probe = probe.model_copy(
                update={"short_links": {url: dict.fromkeys(networks, placeholder) for url in content.links_in_post(probe)}}
            )
        previews = [(t.platform, t.account_id, content.steps_for(probe, t.platform, t.account_id))
                    for t in sorted(targets, key=lambda t: (t.platform, t.account_id))]
        return Validation(networks, content.check(probe, now), previews)

    # --- create --------------------------------------------------------------------------

    def create(self, caller: Caller, new: NewPost, idempotency_key: str | None = None, body: Any = None) -> CreateResult:
        post_id = new_id("post")
        record = None
        if idempotency_key:
            record = IdempotencyRecord(
                key_hash=_sha256(idempotency_key), body_hash=_sha256(_canonical(body)), post_id=post_id
            )
            replay = self._replay(caller, record)
            if replay is not None:
                return replay
        content.refuse_unsafe_media_urls(new.all_media)
        _check_tracking_id(new.tracking_id)
        targets = self._resolve_targets(caller, new)
        _check_override_keys(new.overrides, targets)
        photos = self._find_photos(caller, new.unsplash, targets, new.is_video)
        media, credits = _with_photos(list(new.media), [], photos.found)
        now = self.clock.now()
        draft = Post(
            id=post_id,
            workspace_id=caller.workspace_id,
            profile_id=caller.profile_id,
            status=PostStatus.DRAFT,
            text=new.text,
            media=media,
            media_credits=credits,
            tracking_id=new.tracking_id,
            thread=list(new.thread),
            first_comment=new.first_comment,
            overrides=new.overrides,
            hashtags=list(new.hashtags),
            mentions=list(new.mentions),
            auto_hashtags=new.auto_hashtags,
            link=new.link,
            is_video=new.is_video,
            title=new.title,
            tags=list(new.tags),
            campaign_id=new.campaign_id,
            post_type=new.post_type,
            content_ref=new.content_ref,
            notes=new.notes,
            scheduled_at=new.scheduled_at,
            timezone=new.timezone,
            requires_approval=new.requires_approval,
            shorten_links=new.shorten_links,
            targets=targets,
            version=0,
            created_at=now,
            updated_at=now,
            created_by=caller.key_id,
        )
        draft = _with_auto_hashtags(self._with_uploads(caller, self._with_short_links(caller, draft)))
        change = lifecycle.create(draft, now, draft=new.draft)
        try:
            self.posts.insert(change.post, record)
        except DuplicateIdempotencyKey:
            assert record is not None
            replay = self._replay(caller, record)
            if replay is None:  # the winner's record vanished (expired): a genuine conflict
                raise
            return replay
        try:
            self._apply_schedule(None, change)
        except ScheduleUnavailable:
            self.posts.remove_new(change.post, record)
            raise
        self._mark_used(photos)
        return CreateResult(change.post)

    def _replay(self, caller: Caller, record: IdempotencyRecord) -> CreateResult | None:
        existing = self.posts.find_idempotency(caller.workspace_id, caller.profile_id, record.key_hash)
        if existing is None:
            return None
        if existing.body_hash != record.body_hash:
            raise DuplicateIdempotencyKey(
                "This Idempotency-Key was already used with a different request body.",
                details=[{"post_id": existing.post_id}],
            )
        return CreateResult(self.posts.get(caller.workspace_id, existing.post_id), replayed=True)

    def _resolve_targets(self, caller: Caller, new: NewPost) -> list[PostTarget]:
        from herald.platforms.registry import NETWORKS

        if not new.platforms and not new.account_ids:
            if new.draft:
                return []  # a draft may name its networks later
            raise InvalidRequest(
                "Name at least one network in `platforms` or one account in `account_ids`.",
                details=[{"field": "platforms", "issue": "required"}],
            )
        chosen: dict[str, Account] = {}
        for account_id in new.account_ids:
            account = self.accounts.get(caller.workspace_id, account_id)
            if account.profile_id != caller.profile_id:  # as if it did not exist: no hint it does
                raise AccountNotFound(f"No account {account_id}.")
            chosen[account.id] = account
        if new.platforms:
            unknown = [p for p in new.platforms if p not in NETWORKS]
            if unknown:
                raise InvalidRequest(
                    f"Unknown network(s): {', '.join(unknown)}.",
                    details=[{"field": "platforms", "value": p, "allowed": list(NETWORKS)} for p in unknown],
                )
            by_platform: dict[str, list[Account]] = {}
            for account in self.accounts.for_profile(caller.workspace_id, caller.profile_id):
                by_platform.setdefault(account.platform, []).append(account)
            for platform in dict.fromkeys(new.platforms):
                if any(a.platform == platform for a in chosen.values()):
                    continue
                candidates = by_platform.get(platform, [])
                if len(candidates) != 1:
                    issue = "no_account" if not candidates else "several_accounts"
                    raise InvalidRequest(
                        f"The profile has {'no' if not candidates else 'several'} {platform} account(s); "
                        + ("connect one first." if not candidates else "name the one to use in `account_ids`."),
                        details=[{"field": "platforms", "value": platform, "issue": issue}],
                    )
                chosen[candidates[0].id] = candidates[0]
        disconnected = [a.id for a in chosen.values() if a.status is AccountStatus.RECONNECT_REQUIRED]
        if disconnected:
            raise AccountDisconnected(
                "Some accounts must be reconnected before posting.",
                details=[{"account_id": a} for a in disconnected],
            )
        return [PostTarget(platform=a.platform, account_id=a.id, limits=a.limits) for a in chosen.values()]

    # --- edits and actions -----------------------------------------------------------------

    def update(self, caller: Caller, post_id: str, changes: dict[str, Any]) -> Post:
        comment = changes.get("first_comment")
        content.refuse_unsafe_media_urls(
            [
                *(changes.get("media") or ()),
                *(url for o in (changes.get("overrides") or {}).values() for url in o.media or ()),
                *(url for part in changes.get("thread") or () for url in part.media),
                *(comment.media if comment else ()),
            ]
        )
        if "platforms" in changes or "account_ids" in changes:
            resolved = self._resolve_targets(
                caller,
                NewPost(
                    platforms=tuple(changes.pop("platforms", None) or ()),
                    account_ids=tuple(changes.pop("account_ids", None) or ()),
                ),
            )
            changes["targets"] = resolved
        if "tracking_id" in changes:
            _check_tracking_id(changes["tracking_id"])
        photos = self._photo_changes(caller, post_id, changes)
        if {"text", "thread", "first_comment", "targets", "shorten_links", "overrides", "link", "media"} & set(changes):
            before = self.get(caller, post_id)
            given = changes.get("overrides") or {}
            if "overrides" in changes:
                changes["overrides"] = _merge_overrides(before.overrides, given)
            if "targets" in changes:
                # A network or account the edit takes off the post takes its stored override along;
                # one the edit itself names must still be a target (a typo stays an error).
                kept = {t.platform for t in changes["targets"]} | {t.account_id for t in changes["targets"]}
                current = changes.get("overrides", before.overrides)
                changes["overrides"] = {k: o for k, o in current.items() if k in kept or k in given}
            after = before.model_copy(update=changes)
            _check_override_keys(after.overrides, after.targets)
            changes["short_links"] = self._with_short_links(caller, after).short_links
            changes["uploads"] = self._with_uploads(caller, after).uploads
        if {"text", "hashtags", "auto_hashtags"} & set(changes):
            before = self.get(caller, post_id)
            changes["auto_hashtags"] = _with_auto_hashtags(before.model_copy(update=changes)).auto_hashtags
        updated = self._act(caller, post_id, lambda post, now: lifecycle.update(post, now, changes, caller.key_id))
        self._mark_used(photos)
        return updated

    # --- Unsplash ----------------------------------------------------------------------------

    def _photo_changes(self, caller: Caller, post_id: str, changes: dict[str, Any]) -> _Photos:
        """For an edit naming `unsplash`, `media` or `is_video`: the post's media and credits after
        it (in `changes`). `unsplash` replaces the post's Unsplash photos (null or [] removes them);
        a credit stays while its photo is in `media`."""
        if not {"unsplash", "media", "is_video"} & set(changes):
            return _Photos()
        before = self.get(caller, post_id)
        lifecycle.require(before, "update")  # ask Unsplash only for a post that may change
        replacing = "unsplash" in changes
        asked = changes.pop("unsplash", None)
        is_video = changes.get("is_video", before.is_video)
        targets = changes.get("targets", before.targets)
        photos = self._find_photos(caller, asked, targets, is_video)
        if not replacing and "media" not in changes:
            if is_video and before.media_credits:
                raise _photos_are_not_videos()
            return photos
        previous = {credit.media_url for credit in before.media_credits}
        if "media" in changes:
            kept = list(changes["media"])
        else:
            kept = [ref for ref in before.media if ref not in previous]
        media, credits = _with_photos(kept, before.media_credits, photos.found)
        if is_video and credits:
            raise _photos_are_not_videos()
        changes.update(media=media, media_credits=credits)
        return photos

    def _find_photos(
        self, caller: Caller, asked: str | Sequence[str] | None, targets: list[PostTarget], is_video: bool | None
    ) -> _Photos:
        """The photos `asked` names (none for None or []), their URLs checked by the media URL
        rules. Raises before anything is saved when Unsplash cannot answer."""
        if asked is None or (not isinstance(asked, str) and not list(asked)):
            return _Photos()
        if is_video:
            raise _photos_are_not_videos()
        if self.unsplash is None:
            raise UnsplashNotConfigured(
                "Unsplash is not configured on this deployment.",
                details=[{"field": "unsplash", "issue": "unsplash_not_configured"}],
            )
        test = self._unsplash_test(caller, targets)
        found = self.unsplash.find(asked, test=test)
        problems = [p for n, photo in enumerate(found)
                    for p in check_url_shape(photo.credit.media_url, field=f"unsplash[{n}]")]
        if problems:
            raise MediaUrlError(*problems)
        return _Photos(tuple(found), test)

    def _unsplash_test(self, caller: Caller, targets: list[PostTarget]) -> bool:
        """Whether Unsplash's simulator answers: per the deployment's mode, or ("auto") when every
        account the post targets is a test-mode one (a post without targets asks Unsplash)."""
        if self.unsplash_mode in ("live", "test"):
            return self.unsplash_mode == "test"
        if not targets:
            return False
        modes = {a.id: a.mode for a in self.accounts.for_profile(caller.workspace_id, caller.profile_id)}
        return all(modes.get(t.account_id) is AccountMode.TEST for t in targets)

    def _mark_used(self, photos: _Photos) -> None:
        """Trigger each photo's download once the post holding it is saved. A failure is logged,
        not surfaced: the post is saved and the photo credited either way."""
        if self.unsplash is None:
            return
        for photo in photos.found:
            try:
                self.unsplash.mark_used(photo, test=photos.test)
            except Exception:  # the post is saved: whatever went wrong here must not answer an error
                log.warning("unsplash download trigger failed", extra={"photo_id": photo.credit.photo_id},
                            exc_info=True)

    def _with_short_links(self, caller: Caller, post: Post) -> Post:
        """The post with a short link per URL and network when it asks for them (links are made
        once per URL and post, so edits reuse them)."""
        urls = content.links_in_post(post) if post.shorten_links else []
        if not urls or not post.targets or self.links is None:
            return post.model_copy(update={"short_links": {}})
        mapping = self.links.short_urls(
            caller.workspace_id, caller.profile_id, post.id, urls, post.platforms, caller.link_base
        )
        return post.model_copy(update={"short_links": mapping})

    def _with_uploads(self, caller: Caller, post: Post) -> Post:
        """The post with what is known of each uploaded media item it references; an id that is
        not one of this profile's media items is refused."""
        ids = [ref for ref in content.media_refs(post) if content.is_media_id(ref)]
        uploads = {}
        for media_id in ids:
            found = self.media.get(caller.workspace_id, media_id) if self.media is not None else None
            if found is None or found.profile_id != caller.profile_id:
                raise UnknownMedia(
                    f"No media {media_id}: upload it with POST /v1/media first.",
                    details=[{"field": "media", "value": media_id, "issue": "not_found"}],
                )
            uploads[media_id] = uploaded(found)
        return post.model_copy(update={"uploads": uploads})

    def delete(self, caller: Caller, post_id: str) -> Post:
        """Cancel a post not published yet (it is never sent); delete a post that went out
        (published, partially_published, failed) from its networks: `_remove`."""
        before = self.get(caller, post_id)
        if lifecycle.delete_kind(before) == "cancel":
            return self._act(caller, post_id, partial(lifecycle.delete, by=caller.key_id))
        return self._remove(before, caller.key_id)

    def mark_deleted(self, caller: Caller, post_id: str) -> Post:
        """As `delete`, but a post that went out is only recorded as deleted: the networks are not
        asked (the caller deleted it there by hand)."""
        before = self.get(caller, post_id)
        if lifecycle.delete_kind(before) == "cancel":
            return self._act(caller, post_id, partial(lifecycle.delete, by=caller.key_id))
        return self._act(caller, post_id, partial(lifecycle.mark_deleted, by=caller.key_id))

    def _remove(self, post: Post, by: str) -> Post:
        """Delete from its network everything each target posted (the last thread part or the
        first comment first, the post itself last), recording each target's outcome as soon as its
        network answered; the post ends `deleted` when nothing is left. One request at a time: the
        post's lease is taken with a write conditional on its version, so of two racing deletes
        one proceeds and the other answers 409 concurrent_modification."""
        if self.deleter is None:
            raise InvalidState("This deployment cannot delete posts from the networks.")
        now = self.clock.now()
        lease_id = new_id("lease")
        claim = lifecycle.claim_removal(post, now, lease_id, now + self.removal_lease)
        self.posts.save(claim.post, expected_version=post.version)
        post = claim.post
        try:
            for index in lifecycle.to_remove(post):
                target = post.targets[index]
                error = self.deleter.delete_posts(post.workspace_id, target.account_id, target.posted_ids[::-1])
                post = self._write_removal(
                    post, lambda p, at, n=index, e=error: lifecycle.target_removed(p, at, n, e)  # type: ignore[misc]
                )
        except Exception:
            self._release(post, lease_id)
            raise
        if not lifecycle.holds_removal(post, lease_id):
            return post  # this request outlived its lease and another took over: that one settles
        return self._write_removal(post, lambda p, at: lifecycle.settle_removal(p, at, lease_id, by))

    def _write_removal(self, post: Post, step: Callable[[Post, datetime], lifecycle.Change]) -> Post:
        """Write one step of a removal, conditional on the version read. Nothing else changes a
        post whose removal is under way, but should something have, the step is applied again to
        the post as it is now, so a network's answer is never lost."""
        for _ in range(5):
            change = step(post, self.clock.now())
            if change.post is post:
                return post
            try:
                self.posts.save(change.post, expected_version=post.version)
                return change.post
            except ConcurrentModification:
                post = self.posts.get(post.workspace_id, post.id)
        raise ConcurrentModification(f"Post {post.id} kept changing while it was being deleted; read it again.")

    def _release(self, post: Post, lease_id: str) -> None:
        """After an unexpected failure: give the lease back so the delete can be retried at once."""
        try:
            current = self.posts.get(post.workspace_id, post.id)
            if lifecycle.holds_removal(current, lease_id):
                self.posts.save(lifecycle.settle_removal(current, self.clock.now(), lease_id).post,
                                expected_version=current.version)
        except Exception:  # the original failure is what the caller must see
            log.warning("could not release the removal lease; it expires by itself", extra={"post_id": post.id},
                        exc_info=True)

    def publish_now(self, caller: Caller, post_id: str) -> Post:
        return self._act(caller, post_id, partial(lifecycle.publish_now, by=caller.key_id))

    def schedule(self, caller: Caller, post_id: str, when: datetime, timezone: str | None) -> Post:
        return self._act(caller, post_id, lambda post, now: lifecycle.schedule(post, now, when, timezone, caller.key_id))

    def pause(self, caller: Caller, post_id: str) -> Post:
        return self._act(caller, post_id, partial(lifecycle.pause, by=caller.key_id))

    def resume(self, caller: Caller, post_id: str) -> Post:
        return self._act(caller, post_id, partial(lifecycle.resume, by=caller.key_id))

    def approve(self, caller: Caller, post_id: str) -> Post:
        return self._act(caller, post_id, lambda post, now: lifecycle.approve(post, now, caller.key_id))

    def reject(self, caller: Caller, post_id: str, reason: str | None) -> Post:
        return self._act(caller, post_id, lambda post, now: lifecycle.reject(post, now, caller.key_id, reason))

    def retry(self, caller: Caller, post_id: str) -> Post:
        return self._act(caller, post_id, partial(lifecycle.retry, by=caller.key_id))

    def _act(self, caller: Caller, post_id: str, transition: Callable[[Post, datetime], lifecycle.Change]) -> Post:
        before = self.get(caller, post_id)
        change = transition(before, self.clock.now())
        self.posts.save(change.post, expected_version=before.version)
        try:
            self._apply_schedule(before, change)
        except ScheduleUnavailable:
            # Put the post back as it was, so nothing claims a schedule that does not exist.
            restored = before.model_copy(update={"version": change.post.version + 1, "updated_at": self.clock.now()})
            self.posts.save(restored, expected_version=change.post.version)
            raise
        return change.post

    # --- schedules -------------------------------------------------------------------------

    def _apply_schedule(self, before: Post | None, change: lifecycle.Change) -> None:
        post = change.post
        action = change.schedule
        if action is lifecycle.ScheduleAction.ARM:
            handed_over = arm(post, self.scheduler, self.trigger, self.clock.now(), self.min_schedule_lead)
            if handed_over and before is not None and before.status in (PostStatus.SCHEDULED, PostStatus.PAUSED):
                self._best_effort(self.scheduler.delete, post.id)  # the earlier schedule is obsolete
        elif action is lifecycle.ScheduleAction.DISABLE:
            self._best_effort(self.scheduler.disable, post.id)
        elif action is lifecycle.ScheduleAction.DELETE:
            self._best_effort(self.scheduler.delete, post.id)

    @staticmethod
    def _best_effort(call: Callable[[str], None], post_id: str) -> None:
        """A schedule left enabled after pause or cancel is harmless: its delivery finds a post
        it may not claim. So these failures are logged, not surfaced."""
        try:
            call(post_id)
        except HeraldError:
            log.warning("schedule cleanup failed; the claim guard makes the stale schedule harmless",
                        extra={"post_id": post_id})


def arm(post: Post, scheduler: Scheduler, trigger: PublishTrigger, now: datetime, min_lead: timedelta) -> bool:
    """Arrange one publish run at `post.due_at`: a one-time schedule at the due minute, or an
    immediate hand-over when it is due within `min_lead` (the run then waits for the second).
    True when it was handed over at once."""
    assert post.due_at is not None
    request = PublishRequest(post.workspace_id, post.id, post.schedule_version)
    if post.due_at - now < min_lead:
        trigger.publish_soon(request)
        return True
    scheduler.upsert(post.id, post.due_at.replace(second=0, microsecond=0), request)
    return False


@dataclass(frozen=True)
class _Photos:
    found: tuple[FoundPhoto, ...] = ()
    test: bool = False


def _with_photos(
    media: list[str], credits: list[MediaCredit], found: Sequence[FoundPhoto]
) -> tuple[list[str], list[MediaCredit]]:
    """`media` with the photos' URLs appended (once each), and the credits of every Unsplash photo
    it then holds: those of `credits` still in it, then the new ones."""
    media = list(media)
    media += [url for url in dict.fromkeys(photo.credit.media_url for photo in found) if url not in media]
    by_url = {credit.media_url: credit for credit in [*credits, *(photo.credit for photo in found)]}
    return media, [by_url[url] for url in dict.fromkeys(media) if url in by_url]


def _photos_are_not_videos() -> InvalidRequest:
    return InvalidRequest(
        "Unsplash photos are images, but `is_video: true` says the post's media URLs without an extension "
        "are videos: drop `is_video` (or give videos with their extension).",
        details=[{"field": "unsplash", "issue": "conflicts_with_is_video"}],
    )


_TRACKING_ID = re.compile(r"[!-~]{1,128}")


def _check_tracking_id(value: str | None) -> None:
    if value is not None and not _TRACKING_ID.fullmatch(value):
        raise InvalidRequest(
            "`tracking_id` is 1 to 128 visible ASCII characters, without spaces.",
            details=[{"field": "tracking_id", "issue": "invalid"}],
        )


def _merge_overrides(current: dict[str, Override], given: dict[str, Override]) -> dict[str, Override]:
    """An edit sets the override fields it names and keeps the rest (options merge key by key)."""
    merged = dict(current)
    for key, override in given.items():
        base = merged.get(key, Override())
        fields = {name: value for name, value in override.model_dump(exclude={"options"}).items() if value is not None}
        merged[key] = base.model_copy(update={**fields, "options": {**base.options, **override.options}})
    return merged


def _check_override_keys(overrides: dict[str, Override], targets: list[PostTarget]) -> None:
    """An override names one of the post's networks or accounts; anything else is a mistake."""
    known = {t.platform for t in targets} | {t.account_id for t in targets}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise InvalidRequest(
            "Overrides must name one of the post's networks or accounts.",
            details=[{"field": "overrides", "value": key, "allowed": sorted(known)} for key in unknown],
        )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(body: Any) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
