"""Connecting accounts through the API in test mode: the OAuth flow (state, PKCE, the network's
token endpoint and identity answered by its simulator, tokens sealed at rest) and pasted
credentials."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from support.apigw import ApiClient
from support.cloud import MotoCloud

DONE = "https://app.example.com/connected"


def follow(location: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(location)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def start(api: ApiClient, platform: str = "x", **extra: Any) -> dict[str, Any]:
    reply = api.post("/v1/accounts/connect", {"platform": platform, "mode": "test", "redirect_uri": DONE,
                                              "username": "acme", **extra})
    assert reply.status == 200, reply.body
    return reply.body  # type: ignore[no-any-return]


def consent(anonymous: ApiClient, authorization_url: str) -> str:
    """The test-mode consent page: where it sends the browser (the callback, with a code)."""
    path, query = follow(authorization_url)
    answer = anonymous.get(path, query=query)
    assert answer.status == 302, answer.body
    return answer.headers["location"]


def test_oauth_connect_in_test_mode_stores_the_account_with_its_identity_and_sealed_tokens(
    api: ApiClient, cloud: MotoCloud
) -> None:
    anonymous = ApiClient()
    started = start(api)
    assert started["authorization_url"].startswith("https://test.execute-api.us-east-1.amazonaws.com/v1/oauth/x/")
    assert "code_challenge=" in started["authorization_url"]
    callback = consent(anonymous, started["authorization_url"])
    path, query = follow(callback)
    assert path == "/v1/oauth/x/callback" and query["state"] == started["state"] and query["code"]

    done = anonymous.get(path, query=query)
    assert done.status == 302, done.body
    landed, outcome = follow(done.headers["location"])
    assert done.headers["location"].startswith(DONE) and outcome["status"] == "connected", outcome
    account = api.get(f"/v1/accounts/{outcome['account_id']}").body
    assert (account["platform"], account["mode"], account["status"]) == ("x", "test", "active")
    assert account["username"] == "acme" and account["platform_user_id"]
    assert "tweet.write" in account["permissions"]
    assert "credentials" not in account and "sealed_credentials" not in account

    from herald.settings import get_settings

    raw = cloud.client("dynamodb").scan(TableName=get_settings().table_name)["Items"]
    stored = [i for i in raw if i.get("id", {}).get("S") == account["id"]]
    assert stored and "credentials" not in stored[0] and "sealed_credentials" in stored[0]

    replay = anonymous.get(path, query=query)  # a state is used once
    assert replay.status == 422 and replay.error_code == "oauth_state_invalid"


def test_connecting_the_same_user_again_reconnects_the_account(api: ApiClient) -> None:
    anonymous = ApiClient()
    ids = []
    for _ in range(2):
        path, query = follow(consent(anonymous, start(api)["authorization_url"]))
        ids.append(follow(anonymous.get(path, query=query).headers["location"])[1]["account_id"])
    assert ids[0] == ids[1]
    assert len(api.get("/v1/accounts").body["accounts"]) == 1


def test_a_wrong_pkce_verifier_or_a_refusal_comes_back_as_an_error(api: ApiClient) -> None:
    from herald.platforms.simulators import simulated_code

    anonymous = ApiClient()
    started = start(api)
    forged = simulated_code("acme", "a-challenge-for-another-verifier")
    refused = anonymous.get("/v1/oauth/x/callback", query={"state": started["state"], "code": forged})
    outcome = follow(refused.headers["location"])[1]
    assert outcome["status"] == "error" and outcome["error"], outcome

    denied = anonymous.get("/v1/oauth/x/callback", query={"state": start(api)["state"], "error": "access_denied"})
    assert follow(denied.headers["location"])[1] == {"status": "error", "platform": "x", "error": "access_denied"}
    assert api.get("/v1/accounts").body["accounts"] == []


def test_connect_requests_are_checked(api: ApiClient) -> None:
    both = api.post("/v1/accounts/connect", {"platform": "x", "redirect_uri": DONE, "credentials": {"a": "b"}})
    assert both.status == 422
    plain_http = api.post("/v1/accounts/connect", {"platform": "x", "redirect_uri": "http://app.example.com/x"})
    assert plain_http.status == 422
    unknown = api.post("/v1/accounts/connect", {"platform": "myspace", "redirect_uri": DONE})
    assert unknown.status == 422
    no_app = api.post("/v1/accounts/connect", {"platform": "x", "redirect_uri": DONE})  # live, no app configured
    assert no_app.status == 422 and no_app.error_code == "app_not_configured", no_app.body
    anonymous = ApiClient().post("/v1/accounts/connect", {"platform": "x", "redirect_uri": DONE})
    assert anonymous.status == 401


def test_pasted_credentials_connect_bluesky_in_test_mode(api: ApiClient) -> None:
    reply = api.post("/v1/accounts/connect", {"platform": "bluesky", "mode": "test",
                                              "credentials": {"handle": "acme.bsky.social",
                                                              "app_password": "abcd-efgh-ijkl-mnop"}})
    assert reply.status == 201, reply.body
    account = reply.body["account"]
    assert (account["platform"], account["username"], account["status"]) == ("bluesky", "acme.bsky.social", "active")
    missing = api.post("/v1/accounts/connect", {"platform": "bluesky", "mode": "test",
                                                "credentials": {"handle": "acme.bsky.social"}})
    assert missing.status == 422 and missing.body["error"]["details"][0]["field"] == "credentials.app_password"
