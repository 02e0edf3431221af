"""Best times to post from a profile's own history, with the published prior where it is thin
(herald.analytics.optimal_times and herald.analytics.priors)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from herald.analytics import priors
from herald.analytics.optimal_times import PRIOR_WEIGHT, OptimalTimes, PostPerformance, Slot, optimal_times
from herald.analytics.priors import BASELINE, BEST, DEFAULT, PRIORS, SOURCE, WORST_DAY, prior_for
from herald.platforms.registry import NETWORKS

NEW_YORK = ZoneInfo("America/New_York")
# Tuesdays in winter (EST, UTC-5): 2026-01-06, 13, 20, ...
WINTER_TUESDAY = datetime(2026, 1, 6, tzinfo=NEW_YORK)


def local_post(
    day: datetime, hour: int, *, platform: str = "instagram", engagements: int = 50, impressions: int | None = 1000
) -> PostPerformance:
    """A post published at `hour` on `day` New York time, given in UTC."""
    moment = day.replace(hour=hour).astimezone(UTC)
    return PostPerformance(published_at=moment, platform=platform, engagements=engagements, impressions=impressions)


def slot(result: OptimalTimes, weekday: int, hour: int) -> Slot:
    found = result.slots[weekday * 24 + hour]
    assert (found.weekday, found.hour) == (weekday, hour)
    return found


def test_no_history_is_the_prior_with_no_confidence() -> None:
    result = optimal_times([], timezone="America/New_York", platform=None)

    assert len(result.slots) == 168
    assert [(s.weekday, s.hour) for s in result.slots] == [(d, h) for d in range(7) for h in range(24)]
    for s in result.slots:
        assert s.source == "prior"
        assert s.confidence == 0
        assert s.posts == s.nearby_posts == 0
        assert s.history_mean is None
        assert s.score == s.prior == DEFAULT.score(s.weekday, s.hour)
    assert result.basis.level == "none"
    assert result.basis.posts == 0 and result.basis.first_published_at is None
    assert result.prior.network == "all"
    # The study's best windows first: Monday 10-12, then Tuesday from 9, in week order.
    assert [(s.weekday, s.hour) for s in result.best] == [(0, 10), (0, 11), (1, 9), (1, 10), (1, 11)]
    assert all(s.score == BEST for s in result.best)


def test_no_history_on_a_network_uses_its_own_prior() -> None:
    result = optimal_times([], timezone="Europe/Berlin", platform="tiktok", top=8)

    assert result.prior.network == "tiktok"
    # Tuesday 2-6 p.m., Wednesday 2-5 p.m., Thursday 3-5 p.m.: the first 8 in week order.
    expected = [(1, 14), (1, 15), (1, 16), (1, 17), (2, 14), (2, 15), (2, 16), (3, 15)]
    assert [(s.weekday, s.hour) for s in result.best] == expected
    assert slot(result, 6, 12).score == WORST_DAY  # Sunday
    assert slot(result, 5, 12).score == BASELINE


def test_history_concentrated_on_tuesday_9am_that_performs_well_ranks_first() -> None:
    strong = [local_post(WINTER_TUESDAY + timedelta(weeks=w), 9, engagements=100 + w) for w in range(6)]
    # Weaker posts spread over the rest of the week, one per slot.
    spread = [(2, 15), (3, 15), (4, 17), (5, 12), (6, 19), (-1, 20)]  # (days after Tuesday, hour)
    weak = [local_post(WINTER_TUESDAY + timedelta(days=d), h, engagements=10 + i) for i, (d, h) in enumerate(spread)]

    result = optimal_times(strong + weak, timezone="America/New_York", platform="instagram")

    first = result.best[0]
    assert (first.weekday, first.hour) == (1, 9)
    assert first.posts == 6
    assert first.source == "blend"
    assert first.history_mean == 0.75  # the profile's top half: ranks 7-12 of 12
    assert first.confidence == round(6 / (6 + PRIOR_WEIGHT), 4)
    assert all(s.confidence < first.confidence for s in result.slots if s is not first)
    # A weak Thursday 3 p.m. post takes its slot below the prior's baseline.
    thursday = slot(result, 3, 15)
    assert thursday.posts == 1 and thursday.score < BASELINE
    assert result.basis.level == "thin"


def test_much_history_outweighs_the_prior() -> None:
    # Saturday 8 p.m. is no best window in the study; ten strong posts there win anyway.
    saturday = datetime(2026, 1, 10, tzinfo=NEW_YORK)
    strong = [local_post(saturday + timedelta(weeks=w), 20, engagements=200 + w) for w in range(10)]
    weak = [local_post(WINTER_TUESDAY + timedelta(weeks=w), 10, engagements=5 + w) for w in range(10)]

    result = optimal_times(strong + weak, timezone="America/New_York", platform="instagram")

    first = result.best[0]
    assert (first.weekday, first.hour, first.source) == (5, 20, "history")
    assert first.prior == BASELINE
    assert first.score > BEST
    assert slot(result, 1, 10).score < BASELINE  # a best window of the study, but weak here
    assert result.basis.level == "established"
    assert result.basis.slots_from_history == 2


def test_neighbouring_hours_count_at_half_weight() -> None:
    result = optimal_times([local_post(WINTER_TUESDAY, 9)], timezone="America/New_York", platform=None)

    own, before, after = slot(result, 1, 9), slot(result, 1, 8), slot(result, 1, 10)
    assert (own.posts, own.nearby_posts) == (1, 0)
    assert (before.posts, before.nearby_posts, after.posts, after.nearby_posts) == (0, 1, 0, 1)
    assert own.confidence == round(1 / (1 + PRIOR_WEIGHT), 4)
    assert before.confidence == after.confidence == round(0.5 / (0.5 + PRIOR_WEIGHT), 4)
    assert before.source == after.source == own.source == "blend"
    assert slot(result, 1, 11).source == "prior"


def test_the_week_wraps_from_sunday_night_to_monday_midnight() -> None:
    sunday = datetime(2026, 1, 11, 23, tzinfo=UTC)
    result = optimal_times(
        [PostPerformance(published_at=sunday, platform="x", engagements=3)], timezone="UTC", platform=None
    )

    assert slot(result, 6, 23).posts == 1
    assert slot(result, 0, 0).nearby_posts == 1


def test_posts_land_in_the_local_hour_with_daylight_saving() -> None:
    # 14:00 UTC on two Tuesdays.
    winter = PostPerformance(published_at=datetime(2026, 1, 13, 14, tzinfo=UTC), platform="x", engagements=1)
    summer = PostPerformance(published_at=datetime(2026, 7, 14, 14, tzinfo=UTC), platform="x", engagements=1)

    assert slot(optimal_times([winter], timezone="America/New_York", platform=None), 1, 9).posts == 1  # EST
    assert slot(optimal_times([summer], timezone="America/New_York", platform=None), 1, 10).posts == 1  # EDT
    assert slot(optimal_times([winter], timezone="UTC", platform=None), 1, 14).posts == 1


def test_a_post_can_land_on_the_previous_local_day() -> None:
    wednesday_2am_utc = PostPerformance(published_at=datetime(2026, 1, 14, 2, tzinfo=UTC), platform="x", engagements=1)

    result = optimal_times([wednesday_2am_utc], timezone="America/Los_Angeles", platform=None)

    assert slot(result, 1, 18).posts == 1  # Tuesday 6 p.m. in Los Angeles


def test_a_time_without_offset_is_utc() -> None:
    naive = PostPerformance(published_at=datetime(2026, 1, 13, 14), platform="x", engagements=1)
    assert naive.published_at == datetime(2026, 1, 13, 14, tzinfo=UTC)
    offset = PostPerformance(published_at=datetime.fromisoformat("2026-01-13T16:00+02:00"), platform="x", engagements=1)
    assert offset.published_at == datetime(2026, 1, 13, 14, tzinfo=UTC)


def test_platform_filter_uses_only_that_networks_posts_and_prior() -> None:
    instagram = [local_post(WINTER_TUESDAY, 9, platform="instagram") for _ in range(3)]
    facebook = [local_post(WINTER_TUESDAY + timedelta(days=3), 18, platform="facebook") for _ in range(2)]

    only = optimal_times(instagram + facebook, timezone="America/New_York", platform="instagram")
    assert only.basis.posts == 3
    assert slot(only, 1, 9).posts == 3
    assert slot(only, 4, 18).posts == 0 and slot(only, 4, 18).source == "prior"
    assert (only.platform, only.prior.network) == ("instagram", "instagram")

    every = optimal_times(instagram + facebook, timezone="America/New_York", platform=None)
    assert every.basis.posts == 5
    assert slot(every, 4, 18).posts == 2
    assert every.prior.network == "all"

    # A network the study has no table for: its own posts, the all-networks prior.
    other = optimal_times(instagram, timezone="America/New_York", platform="mastodon")
    assert other.basis.posts == 0 and other.prior.network == "all"


def test_rate_when_impressions_are_known_else_engagement_count() -> None:
    posts = [
        local_post(WINTER_TUESDAY, 8, engagements=10, impressions=100),  # rate 0.10: best rate
        local_post(WINTER_TUESDAY, 12, engagements=900, impressions=90_000),  # rate 0.01: worst rate
        local_post(WINTER_TUESDAY, 16, engagements=400, impressions=None),  # count: 2nd of 4 counts
        local_post(WINTER_TUESDAY, 20, engagements=7, impressions=0),  # 0 impressions: by count, last
    ]

    result = optimal_times(posts, timezone="America/New_York", platform=None)

    def own_mean(hour: int) -> float | None:
        return slot(result, 1, hour).history_mean

    assert own_mean(8) == 0.75  # 2nd of 2 rates
    assert own_mean(12) == 0.25  # 1st of 2 rates
    assert own_mean(16) == 0.625  # 3rd of the 4 counts [7, 10, 400, 900]
    assert own_mean(20) == 0.125
    assert result.basis.posts_with_impressions == 2


def test_posts_are_ranked_within_their_own_network() -> None:
    # X counts are far below LinkedIn's; each network's best post still ranks top of its own.
    posts = [
        local_post(WINTER_TUESDAY, 8, platform="x", engagements=30, impressions=None),
        local_post(WINTER_TUESDAY, 12, platform="x", engagements=10, impressions=None),
        local_post(WINTER_TUESDAY, 16, platform="linkedin", engagements=3000, impressions=None),
        local_post(WINTER_TUESDAY, 20, platform="linkedin", engagements=1000, impressions=None),
    ]

    result = optimal_times(posts, timezone="America/New_York", platform=None)

    assert slot(result, 1, 8).history_mean == slot(result, 1, 16).history_mean == 0.75
    assert slot(result, 1, 12).history_mean == slot(result, 1, 20).history_mean == 0.25


def test_tied_posts_share_a_rank() -> None:
    posts = [local_post(WINTER_TUESDAY, 8, engagements=5), local_post(WINTER_TUESDAY, 14, engagements=5)]

    result = optimal_times(posts, timezone="America/New_York", platform=None)

    assert slot(result, 1, 8).history_mean == slot(result, 1, 14).history_mean == 0.5


def test_ties_are_broken_by_confidence_then_time_of_week() -> None:
    # Two median posts leave their slots at the prior's level; the slot with more evidence
    # comes first, then the earlier slot.
    posts = [
        local_post(WINTER_TUESDAY, 1, engagements=5),
        local_post(WINTER_TUESDAY, 1, engagements=5),
        local_post(WINTER_TUESDAY, 4, engagements=5),
        local_post(WINTER_TUESDAY, 4, engagements=5),
        local_post(WINTER_TUESDAY, 4, engagements=5),
    ]
    result = optimal_times(posts, timezone="America/New_York", platform=None, top=168)

    at_baseline = [(s.weekday, s.hour) for s in result.best if s.score == BASELINE]
    assert at_baseline[:6] == [(1, 4), (1, 1), (1, 3), (1, 5), (1, 0), (1, 2)]
    assert at_baseline[6:8] == [(0, 0), (0, 1)]  # then the prior-only slots, Monday first


def test_the_answer_does_not_depend_on_the_history_order() -> None:
    rng = random.Random(7)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    history = [
        PostPerformance(
            published_at=start + timedelta(minutes=rng.randrange(60 * 24 * 90)),
            platform=rng.choice(["x", "instagram", "facebook"]),
            engagements=rng.randrange(500),
            impressions=rng.choice([None, 0, rng.randrange(1, 50_000)]),
        )
        for _ in range(300)
    ]
    shuffled = history[:]
    rng.shuffle(shuffled)

    first = optimal_times(history, timezone="Asia/Kolkata", platform=None, top=20)
    again = optimal_times(shuffled, timezone="Asia/Kolkata", platform=None, top=20)

    assert first == again
    assert first.model_dump_json() == again.model_dump_json()
    for s in first.slots:
        assert 0 <= s.score <= 1 and 0 <= s.confidence < 1


UNKNOWN_ZONES = ["Mars/Olympus_Mons", "america/new_york", "", "../etc/passwd", "/etc/localtime", "zone.tab"]


@pytest.mark.parametrize("zone", UNKNOWN_ZONES)
def test_an_unknown_time_zone_is_refused(zone: str) -> None:
    with pytest.raises(ValueError, match="time zone"):
        optimal_times([], timezone=zone, platform=None)


@pytest.mark.parametrize("top", [0, -1, 169])
def test_top_must_be_within_the_week(top: int) -> None:
    with pytest.raises(ValueError, match="top"):
        optimal_times([], timezone="UTC", platform=None, top=top)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        PostPerformance(published_at=datetime(2026, 1, 1, tzinfo=UTC), platform="x", engagements=-1)
    with pytest.raises(ValueError):
        PostPerformance(published_at=datetime(2026, 1, 1, tzinfo=UTC), platform="x", engagements=1, impressions=-5)


# The prior tables: what Sprout Social's 2023 text states (docs/research/optimal-times.md).


def test_prior_tables_are_herald_networks_with_valid_windows() -> None:
    assert set(PRIORS) <= set(NETWORKS)
    for prior in (DEFAULT, *PRIORS.values()):
        assert prior.best
        for window in prior.best:
            assert 0 <= window.weekday <= 6
            assert 0 <= window.start < window.end <= 24
            assert window.weekday not in prior.worst_days
    assert BEST > BASELINE > WORST_DAY


def test_prior_for_falls_back_to_the_all_networks_table() -> None:
    assert prior_for("x") is PRIORS["x"]
    assert prior_for(None) is DEFAULT
    assert prior_for("linkedin") is DEFAULT  # in the study, but no readable text was found
    assert prior_for("bluesky") is DEFAULT


@pytest.mark.parametrize(
    ("network", "weekday", "best_hours"),
    [
        # Facebook: Mondays 8 a.m.-1 p.m., Tuesdays 8 a.m.-2 p.m., Wednesdays 8 a.m.-1 p.m., Thursdays 8 a.m.-noon
        ("facebook", priors.MON, range(8, 13)),
        ("facebook", priors.TUE, range(8, 14)),
        ("facebook", priors.WED, range(8, 13)),
        ("facebook", priors.THU, range(8, 12)),
        ("facebook", priors.FRI, range(0)),
        # Instagram: Mondays 10 a.m.-noon, Tuesdays 9 a.m.-1 p.m., Wednesdays 10 a.m.-1 p.m., Fridays 9-11 a.m.
        ("instagram", priors.MON, range(10, 12)),
        ("instagram", priors.TUE, range(9, 13)),
        ("instagram", priors.WED, range(10, 13)),
        ("instagram", priors.THU, range(0)),
        ("instagram", priors.FRI, range(9, 11)),
        # Twitter: Tuesdays 9 a.m.-2 p.m., Wednesdays 9 a.m.-1 p.m., Thursdays 9 a.m.-2 p.m., Fridays 9 a.m.-noon
        ("x", priors.MON, range(0)),
        ("x", priors.TUE, range(9, 14)),
        ("x", priors.WED, range(9, 13)),
        ("x", priors.THU, range(9, 14)),
        ("x", priors.FRI, range(9, 12)),
        # TikTok: Tuesdays 2-6 p.m., Wednesdays 2-5 p.m., Thursdays 3-5 p.m.
        ("tiktok", priors.TUE, range(14, 18)),
        ("tiktok", priors.WED, range(14, 17)),
        ("tiktok", priors.THU, range(15, 17)),
        # All networks: Mondays 10 a.m.-noon, Tuesdays 9 a.m.-2 p.m., Wednesdays 9 a.m.-1 p.m.,
        # Thursdays 9 a.m.-noon, Fridays 9-11 a.m.
        ("all", priors.MON, range(10, 12)),
        ("all", priors.TUE, range(9, 14)),
        ("all", priors.WED, range(9, 13)),
        ("all", priors.THU, range(9, 12)),
        ("all", priors.FRI, range(9, 11)),
        ("all", priors.SAT, range(0)),
    ],
)
def test_prior_best_windows_are_the_studys(network: str, weekday: int, best_hours: range) -> None:
    prior = DEFAULT if network == "all" else PRIORS[network]
    assert [h for h in range(24) if prior.score(weekday, h) == BEST] == list(best_hours)


def test_every_prior_has_sunday_as_worst_day_and_no_other_levels() -> None:
    for prior in (DEFAULT, *PRIORS.values()):
        assert prior.worst_days == (priors.SUN,)
        assert {prior.score(d, h) for d in range(7) for h in range(24)} == {BEST, BASELINE, WORST_DAY}


def test_the_source_is_cited_in_the_answer() -> None:
    result = optimal_times([], timezone="UTC", platform="facebook")
    assert (result.prior.publisher, result.prior.year, result.prior.url) == (SOURCE.publisher, 2023, SOURCE.url)
