"""The industry prior behind `optimal_times`: when posts do best on each network, by weekday and
hour, from one published study. docs/research/optimal-times.md says what was read and where.

The study is Sprout Social's "best times to post on social media" report, 2023 edition (`SOURCE`).
Its heatmaps are images; its text gives, per network, the best posting windows by weekday and the
worst day. Only that text is encoded, as three levels and no gradient:

- a slot inside a stated best window scores `BEST`;
- any other slot on the stated worst day scores `WORST_DAY`;
- every other slot scores `BASELINE`, the rest of the study's week.

The study states no magnitudes, so the levels encode only the order it states (best windows
above the rest, the worst day below). They sit close to 0.5, the profile median on the scale
`optimal_times` measures history on, so a profile's own posts soon outweigh them.

A window is half-open, as the text states it: "9 a.m. to 1 p.m." is the hours starting at 9, 10,
11 and 12; "9 to 11 a.m." is 9 and 10. Hours are the audience's local time: Sprout recorded them
"globally", to be used as they are in any time zone, so nothing is converted.

LinkedIn and Pinterest are in the study, but no readable text of their 2023 windows was found, so
they use the all-networks table (`DEFAULT`) like every network the study does not cover."""

from __future__ import annotations

from dataclasses import dataclass

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

BEST = 0.6
BASELINE = 0.5
WORST_DAY = 0.4


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    year: int
    url: str


SOURCE = Source(
    title="Best times to post on social media in 2023",
    publisher="Sprout Social",
    year=2023,
    url="https://sproutsocial.com/insights/best-times-to-post-on-social-media/",
)


@dataclass(frozen=True)
class Window:
    weekday: int  # 0 Monday .. 6 Sunday
    start: int  # first hour of the window, local time
    end: int  # the hour the window ends at (not included)


@dataclass(frozen=True)
class NetworkPrior:
    network: str  # Herald's network name, or "all" for the all-networks table
    best: tuple[Window, ...]
    worst_days: tuple[int, ...] = ()

    def score(self, weekday: int, hour: int) -> float:
        if any(w.weekday == weekday and w.start <= hour < w.end for w in self.best):
            return BEST
        if weekday in self.worst_days:
            return WORST_DAY
        return BASELINE


DEFAULT = NetworkPrior(
    network="all",
    best=(Window(MON, 10, 12), Window(TUE, 9, 14), Window(WED, 9, 13), Window(THU, 9, 12), Window(FRI, 9, 11)),
    worst_days=(SUN,),
)

PRIORS: dict[str, NetworkPrior] = {
    prior.network: prior
    for prior in (
        NetworkPrior(
            network="facebook",
            best=(Window(MON, 8, 13), Window(TUE, 8, 14), Window(WED, 8, 13), Window(THU, 8, 12)),
            worst_days=(SUN,),
        ),
        NetworkPrior(
            network="instagram",
            best=(Window(MON, 10, 12), Window(TUE, 9, 13), Window(WED, 10, 13), Window(FRI, 9, 11)),
            worst_days=(SUN,),
        ),
        NetworkPrior(
            network="x",  # "Twitter" in the study
            best=(Window(TUE, 9, 14), Window(WED, 9, 13), Window(THU, 9, 14), Window(FRI, 9, 12)),
            worst_days=(SUN,),
        ),
        NetworkPrior(
            network="tiktok",
            best=(Window(TUE, 14, 18), Window(WED, 14, 17), Window(THU, 15, 17)),
            worst_days=(SUN,),
        ),
    )
}


def prior_for(platform: str | None) -> NetworkPrior:
    """The network's table, or the all-networks one for no platform or one the study lacks."""
    return PRIORS.get(platform, DEFAULT) if platform else DEFAULT
