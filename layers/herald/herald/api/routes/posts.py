"""/v1/posts: create, read, list, edit, delete, and the lifecycle actions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query

from herald.api.context import caller
from herald.api.errors import documented
from herald.api.iso_dates import IsoDateTime
from herald.api.models import (
    AutoHashtagsRequest,
    ContentProblem,
    CreatePostRequest,
    CreateThreadRequest,
    PostListResponse,
    PostResponse,
    QueueResponse,
    QueueTotals,
    RejectRequest,
    ScheduleRequest,
    StepPreview,
    TargetPreview,
    UpdatePostRequest,
    ValidationResponse,
    split_content,
    to_mention,
    to_utc,
)
from herald.errors import InvalidRequest
from herald.posts.model import AutoHashtags, ContentPart, LinkCard, PostStatus
from herald.posts.ports import PostFilter
from herald.posts.service import NewPost
from herald.wiring import post_service
from herald.workspaces.model import Role

router = Router()

# Fields a PUT may set to null; a null elsewhere (text, media, tags ...) means "leave as is".
CLEARABLE = frozenset(
    {"title", "campaign_id", "post_type", "content_ref", "notes", "timezone", "scheduled_at", "first_comment", "link",
     "auto_hashtags", "is_video", "unsplash", "tracking_id"}
)

PostId = Annotated[str, Path(min_length=1, max_length=64, description="The post's id")]


@router.post(
    "/posts",
    status_code=201,
    tags=["posts"],
    summary="Create a post (draft, scheduled or now)",
    responses=documented(404, 409, 503, ok=(200, 201)),
)
def create_post(
    body: Annotated[CreatePostRequest, Body()],
    idempotency_key: Annotated[
        str | None,
        Header(alias="idempotency-key", max_length=255, description="Repeat-safe creation: same key, same post"),
    ] = None,
) -> tuple[PostResponse, int]:
    who = caller(router, Role.EDITOR, body.profile_id)
    result = post_service().create(
        who, _new_post(body), idempotency_key, body.model_dump(mode="json", exclude={"profile_id"})
    )
    return PostResponse.of(result.post), 200 if result.replayed else 201


@router.post(
    "/threads",
    status_code=201,
    tags=["posts"],
    summary="Create a thread: parts published as a chain of replies",
    responses=documented(404, 409, 503, ok=(200, 201)),
)
def create_thread(
    body: Annotated[CreateThreadRequest, Body()],
    idempotency_key: Annotated[
        str | None,
        Header(alias="idempotency-key", max_length=255, description="Repeat-safe creation: same key, same post"),
    ] = None,
) -> tuple[PostResponse, int]:
    post = body.as_post()
    who = caller(router, Role.EDITOR, post.profile_id)
    result = post_service().create(who, _new_post(post), idempotency_key, body.model_dump(mode="json"))
    return PostResponse.of(result.post), 200 if result.replayed else 201


def _new_post(body: CreatePostRequest) -> NewPost:
    text, media, overrides = split_content(body)
    return NewPost(
        text=text or "",
        overrides=overrides or {},
        platforms=tuple(body.platforms),
        account_ids=tuple(body.account_ids),
        media=tuple(media or ()),
        title=body.title,
        tags=tuple(body.tags or ()),
        campaign_id=body.campaign_id,
        post_type=body.post_type,
        content_ref=body.content_ref,
        notes=body.notes,
        scheduled_at=to_utc(body.scheduled_at, body.timezone),
        timezone=body.timezone,
        draft=body.draft,
        requires_approval=body.requires_approval,
        shorten_links=body.shorten_links,
        hashtags=tuple(body.hashtags or ()),
        mentions=tuple(to_mention(m) for m in body.mentions or ()),
        auto_hashtags=_auto_hashtags(body.auto_hashtags),
        is_video=body.is_video,
        link=LinkCard.model_validate(body.link.model_dump()) if body.link else None,
        thread=tuple(ContentPart(text=p.text, media=p.media) for p in body.thread),
        first_comment=ContentPart(text=body.first_comment.text, media=body.first_comment.media)
        if body.first_comment
        else None,
        unsplash=body.unsplash,
        tracking_id=body.tracking_id,
    )


def _auto_hashtags(asked: bool | AutoHashtagsRequest | None) -> AutoHashtags | None:
    if asked is None or asked is False:
        return None
    chosen = AutoHashtagsRequest() if asked is True else asked
    return AutoHashtags(max=chosen.max, position=chosen.position)


# Query parameters shared by the post list and the queue.
StatusQuery = Annotated[str | None, Query(max_length=256, description="A status, or several separated by commas")]
PlatformQuery = Annotated[str | None, Query(max_length=32)]
CampaignQuery = Annotated[str | None, Query(max_length=256)]
TagQuery = Annotated[str | None, Query(max_length=64)]
TrackingQuery = Annotated[str | None, Query(max_length=128, description="Posts with this tracking_id (exact)")]
StartQuery = Annotated[IsoDateTime | None, Query(description="Scheduled (or, without a date, created) at or after")]
EndQuery = Annotated[IsoDateTime | None, Query(description="Scheduled (or, without a date, created) before")]
LimitQuery = Annotated[int, Query(ge=1, le=100)]
CursorQuery = Annotated[str | None, Query(max_length=2048)]
ProfileQuery = Annotated[str | None, Query(max_length=64)]


def _filters(
    status: str | None,
    platform: str | None,
    campaign_id: str | None,
    tag: str | None,
    start_date: datetime | None,
    end_date: datetime | None,
    tracking_id: str | None = None,
) -> PostFilter:
    return PostFilter(
        statuses=_statuses(status),
        platform=platform,
        campaign_id=campaign_id,
        tag=tag,
        start=to_utc(start_date, None),
        end=to_utc(end_date, None),
        tracking_id=tracking_id,
    )


@router.get("/posts", tags=["posts"], summary="List posts, newest first", responses=documented(404))
def list_posts(
    status: StatusQuery = None,
    platform: PlatformQuery = None,
    campaign_id: CampaignQuery = None,
    tag: TagQuery = None,
    start_date: StartQuery = None,
    end_date: EndQuery = None,
    limit: LimitQuery = 20,
    cursor: CursorQuery = None,
    profile_id: ProfileQuery = None,
    tracking_id: TrackingQuery = None,
) -> PostListResponse:
    who = caller(router, Role.VIEWER, profile_id)
    filters = _filters(status, platform, campaign_id, tag, start_date, end_date, tracking_id)
    page = post_service().list(who, filters, cursor, limit)
    return PostListResponse(posts=[PostResponse.of(p) for p in page.posts], cursor=page.cursor)


def _statuses(value: str | None) -> tuple[PostStatus, ...]:
    names = [part.strip() for part in (value or "").split(",") if part.strip()]
    unknown = [n for n in names if n not in PostStatus._value2member_map_]
    if unknown:
        raise InvalidRequest(
            "Unknown status filter.",
            details=[{"field": "status", "value": n, "allowed": [s.value for s in PostStatus]} for n in unknown],
        )
    return tuple(PostStatus(n) for n in names)


@router.post(
    "/posts/validate",
    tags=["posts"],
    summary="Check a post against its networks' rules without saving it",
    responses=documented(404),
)
def validate_post(body: Annotated[CreatePostRequest, Body()]) -> ValidationResponse:
    who = caller(router, Role.VIEWER, body.profile_id)
    result = post_service().validate(who, _new_post(body))
    return ValidationResponse(
        valid=not result.findings.errors,
        networks=result.networks,
        errors=[ContentProblem.model_validate(p.as_detail()) for p in result.findings.errors],
        warnings=[ContentProblem.model_validate(p.as_detail()) for p in result.findings.warnings],
        previews=[
            TargetPreview(network=network, account_id=account_id, steps=[StepPreview.of(step) for step in steps])
            for network, account_id, steps in result.previews
        ],
    )


@router.get(
    "/queue",
    tags=["posts"],
    summary="The queue: posts waiting to publish, soonest first, with totals",
    responses=documented(404),
)
def get_queue(
    status: StatusQuery = None,
    platform: PlatformQuery = None,
    campaign_id: CampaignQuery = None,
    tag: TagQuery = None,
    start_date: StartQuery = None,
    end_date: EndQuery = None,
    limit: LimitQuery = 20,
    cursor: CursorQuery = None,
    profile_id: ProfileQuery = None,
    tracking_id: TrackingQuery = None,
) -> QueueResponse:
    who = caller(router, Role.VIEWER, profile_id)
    filters = _filters(status, platform, campaign_id, tag, start_date, end_date, tracking_id)
    page, totals = post_service().queue(who, filters, cursor, limit)
    return QueueResponse(
        posts=[PostResponse.of(p) for p in page.posts],
        cursor=page.cursor,
        totals=QueueTotals(total=sum(totals.values()), by_status=totals),
    )


@router.get(
    "/posts/<post_id>", tags=["posts"], summary="Get a post with its per-network results", responses=documented(404)
)
def get_post(post_id: PostId) -> PostResponse:
    return PostResponse.of(post_service().get(caller(router, Role.VIEWER), post_id))


@router.put(
    "/posts/<post_id>",
    tags=["posts"],
    summary="Edit a post (draft, pending approval, scheduled, paused)",
    responses=documented(404, 409, 503),
)
def update_post(post_id: PostId, body: Annotated[UpdatePostRequest, Body()]) -> PostResponse:
    who = caller(router, Role.EDITOR)
    changes: dict[str, Any] = {
        name: getattr(body, name)
        for name in body.model_fields_set
        if getattr(body, name) is not None or name in CLEARABLE
    }
    text, media, overrides = split_content(body)
    for name in ("text", "media", "overrides", "platform_options"):
        changes.pop(name, None)
    if text is not None:
        changes["text"] = text
    if media is not None:
        changes["media"] = media
    if overrides is not None:
        changes["overrides"] = overrides
    if "link" in changes:
        changes["link"] = LinkCard.model_validate(body.link.model_dump()) if body.link else None
    if "mentions" in changes:
        changes["mentions"] = [to_mention(m) for m in body.mentions or ()]
    if "auto_hashtags" in changes:
        changes["auto_hashtags"] = _auto_hashtags(body.auto_hashtags)
    if "thread" in changes:
        changes["thread"] = [ContentPart(text=p.text, media=p.media) for p in body.thread or ()]
    if "first_comment" in changes:
        comment = body.first_comment
        changes["first_comment"] = ContentPart(text=comment.text, media=comment.media) if comment else None
    if changes.get("scheduled_at") is not None:
        changes["scheduled_at"] = to_utc(body.scheduled_at, body.timezone)
    return PostResponse.of(post_service().update(who, post_id, changes))


@router.delete(
    "/posts/<post_id>",
    tags=["posts"],
    summary="Cancel a post not published yet, or delete a published one from its networks",
    description=(
        "A draft, pending_approval, scheduled or paused post is cancelled (never sent). A published, "
        "partially_published or failed post has everything it put out deleted from each network (thread "
        "parts and first comments first); each target becomes `deleted`, or keeps its status with "
        "`delete_error` when its network refused, and the post becomes `deleted` once nothing is left."
    ),
    responses=documented(404, 409),
)
def delete_post(post_id: PostId) -> PostResponse:
    return PostResponse.of(post_service().delete(caller(router, Role.EDITOR), post_id))


@router.post("/posts/<post_id>/publish", tags=["posts"], summary="Publish now", responses=documented(404, 409, 503))
def publish_post(post_id: PostId) -> PostResponse:
    return PostResponse.of(post_service().publish_now(caller(router, Role.EDITOR), post_id))


@router.post(
    "/posts/<post_id>/schedule", tags=["posts"], summary="Schedule or reschedule", responses=documented(404, 409, 503)
)
def schedule_post(post_id: PostId, body: Annotated[ScheduleRequest, Body()]) -> PostResponse:
    when = to_utc(body.scheduled_at, body.timezone)
    assert when is not None
    return PostResponse.of(post_service().schedule(caller(router, Role.EDITOR), post_id, when, body.timezone))


@router.post("/posts/<post_id>/pause", tags=["posts"], summary="Pause a scheduled post", responses=documented(404, 409))
def pause_post(post_id: PostId) -> PostResponse:
    return PostResponse.of(post_service().pause(caller(router, Role.EDITOR), post_id))


@router.post(
    "/posts/<post_id>/resume",
    tags=["posts"],
    summary="Resume a paused post (a passed date publishes now)",
    responses=documented(404, 409, 503),
)
def resume_post(post_id: PostId) -> PostResponse:
    return PostResponse.of(post_service().resume(caller(router, Role.EDITOR), post_id))


@router.post(
    "/posts/<post_id>/approve",
    tags=["posts"],
    summary="Approve a post waiting for approval",
    responses=documented(404, 409, 503),
)
def approve_post(post_id: PostId) -> PostResponse:
    return PostResponse.of(post_service().approve(caller(router, Role.APPROVER), post_id))


@router.post(
    "/posts/<post_id>/reject", tags=["posts"], summary="Reject a post back to draft", responses=documented(404, 409)
)
def reject_post(post_id: PostId, body: Annotated[RejectRequest | None, Body()] = None) -> PostResponse:
    reason = body.reason if body else None
    return PostResponse.of(post_service().reject(caller(router, Role.APPROVER), post_id, reason))


@router.post(
    "/posts/<post_id>/retry",
    tags=["posts"],
    summary="Send the failed targets again",
    responses=documented(404, 409, 503),
)
def retry_post(post_id: PostId) -> PostResponse:
    return PostResponse.of(post_service().retry(caller(router, Role.EDITOR), post_id))
