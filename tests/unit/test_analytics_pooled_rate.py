"""A total over networks pools the engagement rate of the networks that report one: Bluesky gives
likes but no impressions, so its engagements must not be divided by X's impressions."""

from datetime import UTC, datetime
from types import SimpleNamespace

from herald.analytics.reports import AnalyticsReports

AT = datetime(2026, 11, 23, 6, 8, tzinfo=UTC)


class Store:
    def totals_for_post(self, workspace_id: str, post_id: str) -> list[SimpleNamespace]:
        return [
            SimpleNamespace(platform="x", metrics={"impressions": 1671, "likes": 53, "engagements": 78},
                            collected_at=AT),
            SimpleNamespace(platform="bluesky", metrics={"likes": 141, "engagements": 185}, collected_at=AT),
            SimpleNamespace(platform="youtube", metrics={"views": 329, "engagements": 22}, collected_at=AT),
        ]

    def snapshots_for_post(self, workspace_id: str, post_id: str) -> list[SimpleNamespace]:
        return []


def test_the_total_rate_leaves_out_networks_without_impressions() -> None:
    report = AnalyticsReports(Store(), lambda *_: {}).post("ws", "pr", "p1")
    assert report["total"]["engagements"] == 285  # every network's engagements still add up
    assert report["total"]["engagement_rate"] == round((78 + 22) / (1671 + 329), 6)
    assert "engagement_rate" not in report["by_network"]["bluesky"]
    assert report["by_network"]["x"]["engagement_rate"] == round(78 / 1671, 6)
