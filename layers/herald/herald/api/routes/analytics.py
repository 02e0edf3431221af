"""/v1/analytics and /v1/posts/{id}/analytics: what the collected metrics show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from herald.api.context import caller
from herald.api.errors import documented
from herald.api.iso_dates import IsoDate
from herald.api.models import (
    AccountAnalyticsResponse,
    AccountInsightsEntry,
    FollowerCount,
    OptimalTimesResponse,
    PostAnalyticsResponse,
    RefreshRequest,
    RefreshResponse,
    SummaryResponse,
)
from herald.errors import InvalidRequest, TooManyRequests
from herald.workspaces.model import Role

router = Router()

AccountId = Annotated[str, Path(min_length=1, max_length=64, description="The account's id")]
PostId = Annotated[str, Path(min_length=1, max_length=64, description="The post's id")]
Platform = Annotated[str | None, Query(max_length=32, description="One network only")]


@router.get("/posts/<post_id>/analytics", tags=["analytics"], responses=documented(404),
            summary="A post's metrics: total, by network, and a timeseries of its snapshots")
def post_analytics(post_id: PostId) -> PostAnalyticsResponse:
    from herald.wiring import analytics_reports, post_service

    who = caller(router, Role.VIEWER)
    post_service().get(who, post_id)  # 404 for another profile's post
    return PostAnalyticsResponse.model_validate(analytics_reports().post(who.workspace_id, who.profile_id, post_id))


@router.get("/analytics/accounts/<account_id>", tags=["analytics"], responses=documented(404),
            summary="An account's follower counts, and its own metrics where its network reports per account "
                    "(Google Business Profile locations)")
def account_analytics(account_id: AccountId) -> AccountAnalyticsResponse:
    from herald.wiring import account_service, analytics_store

    who = caller(router, Role.VIEWER)
    account = account_service().get(who.workspace_id, who.profile_id, account_id)
    store = analytics_store()
    return AccountAnalyticsResponse(
        account_id=account.id,
        platform=account.platform,
        followers=[FollowerCount(at=at, followers=n) for at, n in store.followers(who.workspace_id, account.id)],
        insights=[AccountInsightsEntry(at=i.at, window_days=i.window_days, metrics=i.metrics)
                  for i in store.account_insights(who.workspace_id, account.id)],
    )


@router.get("/analytics/summary", tags=["analytics"], responses=documented(),
            summary="What the profile's posts gained over a date range, by network, type and campaign")
def summary(
    start_date: Annotated[IsoDate | None, Query(description="First day (UTC), default 30 days ago")] = None,
    end_date: Annotated[IsoDate | None, Query(description="Last day (UTC), default today")] = None,
    platform: Platform = None,
) -> SummaryResponse:
    from herald.wiring import account_service, analytics_reports, analytics_store

    who = caller(router, Role.VIEWER)
    end = end_date or datetime.now(UTC).date()
    start = start_date or end - timedelta(days=30)
    if start > end or (end - start).days > 366:
        raise InvalidRequest("start_date must be on or before end_date, at most a year apart.",
                             details=[{"field": "start_date"}, {"field": "end_date"}])

    def followers() -> list[tuple[str, str, list[tuple[datetime, int]]]]:
        accounts = account_service().list(who.workspace_id, who.profile_id)
        return [(a.id, a.platform, analytics_store().followers(who.workspace_id, a.id)) for a in accounts]

    report = analytics_reports().summary(who.workspace_id, who.profile_id, start, end, platform, followers)
    return SummaryResponse.model_validate(report)


@router.get("/analytics/optimal-times", tags=["analytics"], responses=documented(),
            summary="The best weekdays and hours to post, from the profile's own history and a published prior")
def optimal_times_route(
    timezone: Annotated[str, Query(max_length=64, description="IANA zone the slots are in")] = "UTC",
    platform: Platform = None,
) -> OptimalTimesResponse:
    from herald.analytics.optimal_times import PostPerformance, optimal_times
    from herald.wiring import analytics_store

    who = caller(router, Role.VIEWER)
    history = [
        PostPerformance(published_at=t.published_at, platform=t.platform,
                        engagements=t.metrics.get("engagements", 0),
                        # what engagement rates are measured against everywhere (model.engagement_rate)
                        impressions=t.metrics.get("impressions") or t.metrics.get("views") or t.metrics.get("reach"))
        for t in analytics_store().totals_for_profile(who.workspace_id, who.profile_id)
    ]
    try:
        answer = optimal_times(history, timezone=timezone, platform=platform)
    except ValueError as exc:
        raise InvalidRequest(str(exc), details=[{"field": "timezone", "value": timezone}]) from exc
    return OptimalTimesResponse.model_validate(answer.model_dump())


@router.post("/analytics/refresh", status_code=202, tags=["analytics"], responses=documented(404, 429, ok=202),
             summary="Collect the profile's metrics now (or one post's)")
def refresh(body: Annotated[RefreshRequest, Body()]) -> tuple[RefreshResponse, int]:
    from herald.analytics.collector import messages_for
    from herald.settings import get_settings
    from herald.wiring import analytics_queue, analytics_store, post_service

    who = caller(router, Role.EDITOR)
    if body.post_id:
        post_service().get(who, body.post_id)
    now = datetime.now(UTC)
    wait = timedelta(seconds=get_settings().analytics_refresh_seconds)
    if not analytics_store().claim_refresh(who.workspace_id, who.profile_id, now, now + wait):
        raise TooManyRequests(f"A collection was asked for less than {int(wait.total_seconds())} seconds ago.",
                              details=[{"retry_after_seconds": int(wait.total_seconds())}])
    targets = sorted(analytics_store().tracked_for_profile(who.workspace_id, who.profile_id, body.post_id),
                     key=lambda t: (t.account_id, t.published_at))
    messages: list[dict[str, Any]] = list(messages_for(targets))
    if messages:
        analytics_queue().send(messages)
    return RefreshResponse(queued_messages=len(messages), targets=len(targets)), 202
