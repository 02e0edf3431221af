"""When a profile's posts do best, by weekday and hour in its time zone: the computation behind
`GET /v1/analytics/optimal-times`. Pure: no I/O, no clock, the same answer for the same history.

Every slot of the week (7 × 24, Monday 00:00 first) gets a score from the profile's own posts,
leaning on the published industry prior (herald.analytics.priors) where they are thin. Nothing is
made up: a slot with no posts in or near it shows the prior's score with a confidence of 0.

1. Measure. Each post is ranked against the profile's other posts on the same network: by its
   engagement rate (engagements / impressions) among the posts with a rate when its impressions
   are known and > 0, else by its engagement count among all those posts' counts. The measure is
   the post's mid-rank percentile (tied posts share one), so 0.5 is the profile's median post,
   posts with and without impressions and different networks land on one 0-1 scale, and one
   viral post moves a mean no more than any other best post.
2. Slot. A post belongs to the weekday and hour it was published at in `timezone` (DST-aware).
3. Smooth. A slot counts its own posts at weight 1 and the posts of the hour before and after at
   `NEIGHBOUR_WEIGHT` (the week wraps: Sunday 23:00 neighbours Monday 00:00). The weighted count
   is the slot's evidence.
4. Blend. score = (PRIOR_WEIGHT × prior + Σ weight × measure) / (PRIOR_WEIGHT + evidence): the
   prior counts as `PRIOR_WEIGHT` posts, so a slot with little history stays near the prior and
   one with much history near its own mean.
5. Confidence = evidence / (evidence + PRIOR_WEIGHT), the share of the score that comes from the
   profile's own posts. Source: "prior" without evidence, "history" once the posts carry at
   least `HISTORY_SHARE` of the score, "blend" in between.

Ties: scores and confidences are rounded to 4 decimals; the best slots are ordered by score, then
confidence, then time of the week (earlier first). The history is sorted before use, so its order
does not matter either."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, field_validator

from herald.analytics.priors import SOURCE, prior_for
from herald.pydantic_base import Model

SLOTS = 7 * 24
NEIGHBOUR_WEIGHT = 0.5  # a post one hour away counts half
PRIOR_WEIGHT = 3.0  # the prior weighs as much as three posts in the slot
HISTORY_SHARE = 0.75  # from 9 posts' evidence (with PRIOR_WEIGHT 3) a slot is "history"
DEFAULT_TOP = 5

SlotSource = Literal["history", "prior", "blend"]
BasisLevel = Literal["none", "thin", "established"]


class PostPerformance(Model):
    """One published post and how it did."""

    model_config = ConfigDict(frozen=True)

    published_at: datetime  # UTC; a time without an offset is taken as UTC
    platform: str
    engagements: int = Field(ge=0)
    impressions: int | None = Field(default=None, ge=0)  # None: the network did not say

    @field_validator("published_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @property
    def rate(self) -> float | None:
        """Engagements per impression; None when impressions are unknown or 0."""
        return self.engagements / self.impressions if self.impressions else None


class Slot(Model):
    model_config = ConfigDict(frozen=True)

    weekday: int  # 0 Monday .. 6 Sunday, in the requested time zone
    hour: int  # 0-23, in the requested time zone
    score: float  # 0-1; 0.5 is the profile's median post
    confidence: float  # 0-1: the share of the score that comes from the profile's own posts
    posts: int  # posts published in this hour
    nearby_posts: int  # posts published in the hour before or after (counted at half weight)
    source: SlotSource
    prior: float  # the prior's score for this slot
    history_mean: float | None  # the smoothed mean measure of those posts; None without any


class PriorReference(Model):
    model_config = ConfigDict(frozen=True)

    network: str  # the prior table used: a network's name, or "all"
    title: str
    publisher: str
    year: int
    url: str


class Basis(Model):
    """How much history the answer rests on."""

    model_config = ConfigDict(frozen=True)

    # none: no posts; thin: posts, but every slot still leans mostly on the prior;
    # established: at least one slot's score comes mainly from the profile's posts
    level: BasisLevel
    posts: int  # posts used (after the platform filter)
    posts_with_impressions: int  # ranked by engagement rate; the others by engagement count
    slots_with_posts: int
    slots_from_history: int
    first_published_at: datetime | None
    last_published_at: datetime | None


class OptimalTimes(Model):
    model_config = ConfigDict(frozen=True)

    timezone: str
    platform: str | None
    slots: list[Slot]  # all 168, Monday 00:00 first
    best: list[Slot]  # the best `top`, best first
    basis: Basis
    prior: PriorReference


def optimal_times(
    history: Sequence[PostPerformance], *, timezone: str, platform: str | None, top: int = DEFAULT_TOP
) -> OptimalTimes:
    """The week's slots scored from `history` (only `platform`'s posts when given) in `timezone`.

    Raises ValueError for an unknown IANA time zone or a `top` outside 1-168."""
    zone = _zone(timezone)
    if not 1 <= top <= SLOTS:
        raise ValueError(f"top must be between 1 and {SLOTS}, not {top}")
    posts = sorted(
        (p for p in history if platform is None or p.platform == platform),
        key=lambda p: (p.published_at, p.platform, p.engagements, -1 if p.impressions is None else p.impressions),
    )
    measures = _measures(posts)
    prior = prior_for(platform)

    counts = [0] * SLOTS
    totals = [0.0] * SLOTS
    for post, measure in zip(posts, measures, strict=True):
        local = post.published_at.astimezone(zone)
        index = local.weekday() * 24 + local.hour
        counts[index] += 1
        totals[index] += measure

    slots = []
    for index in range(SLOTS):
        before, after = (index - 1) % SLOTS, (index + 1) % SLOTS
        nearby = counts[before] + counts[after]
        evidence = counts[index] + NEIGHBOUR_WEIGHT * nearby
        weighted = totals[index] + NEIGHBOUR_WEIGHT * (totals[before] + totals[after])
        weekday, hour = divmod(index, 24)
        prior_score = prior.score(weekday, hour)
        confidence = evidence / (evidence + PRIOR_WEIGHT)
        slots.append(
            Slot(
                weekday=weekday,
                hour=hour,
                score=round((PRIOR_WEIGHT * prior_score + weighted) / (PRIOR_WEIGHT + evidence), 4),
                confidence=round(confidence, 4),
                posts=counts[index],
                nearby_posts=nearby,
                source="prior" if not evidence else "history" if confidence >= HISTORY_SHARE else "blend",
                prior=prior_score,
                history_mean=round(weighted / evidence, 4) if evidence else None,
            )
        )

    best = sorted(slots, key=lambda s: (-s.score, -s.confidence, s.weekday, s.hour))[:top]
    from_history = sum(1 for s in slots if s.source == "history")
    return OptimalTimes(
        timezone=timezone,
        platform=platform,
        slots=slots,
        best=best,
        basis=Basis(
            level="none" if not posts else "established" if from_history else "thin",
            posts=len(posts),
            posts_with_impressions=sum(1 for p in posts if p.rate is not None),
            slots_with_posts=sum(1 for c in counts if c),
            slots_from_history=from_history,
            first_published_at=posts[0].published_at if posts else None,
            last_published_at=posts[-1].published_at if posts else None,
        ),
        prior=PriorReference(
            network=prior.network, title=SOURCE.title, publisher=SOURCE.publisher, year=SOURCE.year, url=SOURCE.url
        ),
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {name!r}") from exc


def _measures(posts: Sequence[PostPerformance]) -> list[float]:
    """Each post's mid-rank percentile among the same network's posts (see the module's step 1)."""
    by_network: dict[str, list[PostPerformance]] = defaultdict(list)
    for post in posts:
        by_network[post.platform].append(post)
    rates: dict[str, list[float]] = {}
    counts: dict[str, list[int]] = {}
    for network, group in by_network.items():
        rates[network] = sorted(rate for p in group if (rate := p.rate) is not None)
        counts[network] = sorted(p.engagements for p in group)
    measures = []
    for post in posts:
        rate = post.rate
        if rate is not None:
            measures.append(_percentile(rates[post.platform], rate))
        else:
            measures.append(_percentile(counts[post.platform], post.engagements))
    return measures


def _percentile(ordered: Sequence[float], value: float) -> float:
    """The mid-rank percentile of `value` in `ordered` (sorted): tied values share one."""
    below = bisect_left(ordered, value)
    tied = bisect_right(ordered, value) - below
    return (below + tied / 2) / len(ordered)
