"""Wave-2 behaviour through the API, the table and the publish run against the simulators: a
Pinterest account's boards, a pin to a board picked from them (with the post's link), the board
a pin needs, and notices from an app that is not reviewed yet."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from test_connect import consent, follow, start
from test_test_mode import run_all

from herald.platforms import simulators
from support.apigw import ApiClient


@pytest.fixture
def real_time_publisher(publisher: Any, clock: Any) -> Any:
    clock.set(datetime.now(UTC))
    return publisher


def test_a_pinterest_accounts_boards_and_sections_are_listed(api: ApiClient) -> None:
    account = api.post("/v1/accounts", {"platform": "pinterest", "name": "Acme"}).body
    listed = api.get(f"/v1/accounts/{account['id']}/boards")
    assert listed.status == 200, listed.body
    boards = listed.body["boards"]
    assert len(boards) >= 2 and all(b["id"].isdigit() and b["name"] for b in boards)
    assert any(b["sections"] for b in boards)
    assert api.get(f"/v1/accounts/{account['id']}/boards").body == listed.body  # the same ids every time


def test_boards_are_refused_for_networks_without_them_and_for_unknown_accounts(api: ApiClient) -> None:
    x = api.post("/v1/accounts", {"platform": "x", "name": "Acme"}).body
    refused = api.get(f"/v1/accounts/{x['id']}/boards")
    assert refused.status == 422 and refused.body["error"]["code"] == "not_supported"
    assert api.get("/v1/accounts/acc_nope/boards").status == 404


def test_a_pin_goes_to_the_board_picked_with_the_posts_link(api: ApiClient, trigger: Any,
                                                           real_time_publisher: Any) -> None:
    account = api.post("/v1/accounts", {"platform": "pinterest", "name": "Acme"}).body
    board = api.get(f"/v1/accounts/{account['id']}/boards").body["boards"][1]
    post = api.post("/v1/posts", {
        "text": "Autumn recipes", "title": "Recipes", "media": ["https://cdn.example.com/pie.jpg"],
        "link": {"url": "https://example.com/recipes"}, "platforms": ["pinterest"],
        "platform_options": {"pinterest": {"board_id": board["id"], "alt_text": "An apple pie"}},
    })
    assert post.status == 201, post.body
    run_all(real_time_publisher, trigger, post.body["id"])
    done = api.get(f"/v1/posts/{post.body['id']}").body
    assert done["status"] == "published", done
    target = done["targets"][0]
    assert target["url"] == f"https://www.pinterest.com/pin/{target['platform_post_id']}/"
    assert target["notices"] == []
    [pin] = simulators.published(account["id"])
    assert (pin["board_id"], pin["link"], pin["alt_text"], pin["title"]) == (
        board["id"], "https://example.com/recipes", "An apple pie", "Recipes")
    assert "https://example.com/recipes" not in pin.get("description", "")


def test_a_pin_without_a_board_is_refused_before_scheduling(api: ApiClient) -> None:
    api.post("/v1/accounts", {"platform": "pinterest", "name": "Acme"})
    refused = api.post("/v1/posts", {"text": "No board", "media": ["https://cdn.example.com/pie.jpg"],
                                     "platforms": ["pinterest"]})
    assert refused.status == 422, refused.body
    assert [(d["network"], d["field"]) for d in refused.body["error"]["details"]] == [("pinterest", "board_id")]


def test_an_unreviewed_app_says_so_on_the_account_and_the_post(api: ApiClient, trigger: Any,
                                                               real_time_publisher: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_PINTEREST_AUDITED", "false")
    started = start(api, "pinterest")
    connected = api.get(f"/v1/accounts/{_complete_test_consent(started['authorization_url'])['account_id']}").body
    assert any("Trial" in n for n in connected["notices"]), connected
    board = api.get(f"/v1/accounts/{connected['id']}/boards").body["boards"][0]
    post = api.post("/v1/posts", {"text": "Only I see this", "media": ["https://cdn.example.com/pie.jpg"],
                                  "account_ids": [connected["id"]],
                                  "platform_options": {"pinterest": {"board_id": board["id"]}}}).body
    run_all(real_time_publisher, trigger, post["id"])
    target = api.get(f"/v1/posts/{post['id']}").body["targets"][0]
    assert target["status"] == "published" and any("Trial" in n for n in target["notices"]), target


def _complete_test_consent(authorization_url: str) -> dict[str, Any]:
    """Follow the test-mode consent page and the callback in-process; the connected account."""
    anonymous = ApiClient()
    path, query = follow(consent(anonymous, authorization_url))
    done = anonymous.get(path, query=query)
    assert done.status == 302, done.body
    _, outcome = follow(done.headers["location"])
    assert outcome["status"] == "connected", outcome
    return outcome


def test_a_locations_own_metrics_are_collected_each_cadence_and_answered(api: ApiClient, workspace: dict[str, Any],
                                                                        clock: Any) -> None:
    from datetime import timedelta

    from herald import wiring
    from herald.analytics.collector import Collector
    from herald.analytics.worker import INSIGHTS_DAYS, CollectionWorker
    from herald.platforms.registry import open_platform

    class Queue:
        messages: list[dict[str, Any]] = []

        def send(self, messages: list[dict[str, Any]]) -> None:
            self.messages.extend(messages)

    at = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
    clock.set(at)
    simulators.use_clock(clock.now)
    location = api.post("/v1/accounts", {"platform": "google_business", "name": "Sunrise Bakery"}).body
    store = wiring.analytics_store()
    queue = Queue()
    collector = Collector(tracked=store, queue=queue, clock=clock, retention=timedelta(days=30), watches=store)
    worker = CollectionWorker(accounts=wiring.account_store(), analytics=store, clock=clock,
                              open_platform=open_platform, retention=timedelta(days=30))

    def collect() -> int:
        queue.messages.clear()
        collector.run()
        mine = [m for m in queue.messages if m["account_id"] == location["id"]]
        assert len(mine) == 1 and not mine[0]["targets"]  # watched with no post published
        return worker.handle(mine[0])["insights"]

    assert collect() == 1
    assert collect() == 0  # the same day: unchanged, nothing written
    clock.advance(days=3)
    assert collect() == 1

    answer = api.get(f"/v1/analytics/accounts/{location['id']}")
    assert answer.status == 200, answer.body
    insights = answer.body["insights"]
    assert [i["window_days"] for i in insights] == [INSIGHTS_DAYS, INSIGHTS_DAYS]
    first, later = insights[0]["metrics"], insights[1]["metrics"]
    assert set(first) >= {"impressions", "website_clicks", "call_clicks", "direction_requests"}
    assert first != later and all(isinstance(v, int) and v >= 0 for v in later.values())
    assert answer.body["platform"] == "google_business"
    x = api.post("/v1/accounts", {"platform": "x", "name": "Acme"}).body
    assert api.get(f"/v1/analytics/accounts/{x['id']}").body["insights"] == []
    assert api.get("/v1/analytics/accounts/acc_nope").status == 404
