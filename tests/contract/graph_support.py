"""What the Facebook and Instagram contract tests share: a network's recorded Graph exchanges as
scripted ones, connecting through Facebook Login, the answers both classify alike, and the checks
both make of their simulators through the adapter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from scripted_http import Exchange

from herald.accounts.model import Account
from herald.platforms import simulators
from herald.platforms.base import (
    AppCredentials,
    Connection,
    ErrorClass,
    Platform,
    PlatformError,
    PostContent,
    ReconcileOutcome,
)
from herald.platforms.meta import GraphPlatform
from herald.platforms.registry import open_platform
from herald.platforms.simulators import TEST_CLIENT_ID, TEST_CLIENT_SECRET, simulated_code
from herald.platforms.simulators.meta import recordings
from support.clock import FakeClock

APP = AppCredentials("1234567890123456", "app-secret")
TEST_APP = AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET)  # the app the simulators accept
CODE = "AQD8-authorization-code"

# Recorded errors both networks answer, and their classification: (name, class, code, platform code).
GRAPH_ERRORS = [
    ("error_expired_token", ErrorClass.REFRESH, "token_expired", "400 190/463"),
    ("error_invalid_token", ErrorClass.REFRESH, "token_expired", "400 190"),
    ("error_password_changed", ErrorClass.RECONNECT, "account_disconnected", "400 190/460"),
    ("error_duplicate", ErrorClass.PERMANENT, "duplicate_content", "400 506"),
    ("error_not_found", ErrorClass.PERMANENT, "not_found", "400 100/33"),
    ("error_unknown", ErrorClass.RETRY, "platform_unavailable", "500 1"),
    ("error_service", ErrorClass.RETRY, "platform_unavailable", "503 2"),
]

# Posts reconcile cannot decide on: one without text, and a first comment whose parent is not given.
UNDECIDABLE = pytest.mark.parametrize(
    "content",
    [PostContent(text=" ", target_key="post_1:acc"), PostContent(text="A first comment", target_key="post_1:acc:1")],
    ids=["no-text", "comment-without-parent"],
)

INJECTED_FAILURES = pytest.mark.parametrize(
    ("failure", "error_class", "code", "created"),
    [
        ("rate_limited", ErrorClass.RETRY, "rate_limited", 0),
        ("server_error", ErrorClass.RETRY, "platform_unavailable", 0),
        ("timeout", ErrorClass.RETRY, "timeout", 1),
        ("connect_timeout", ErrorClass.RETRY, "timeout", 0),
        ("malformed", ErrorClass.RETRY, "platform_unavailable", 1),
        ("expired_token", ErrorClass.REFRESH, "token_expired", 0),
        ("revoked_token", ErrorClass.REFRESH, "token_expired", 0),
        ("duplicate", ErrorClass.PERMANENT, "duplicate_content", 0),
    ],
)


class Recorded:
    """The recorded exchanges of one network (recordings/<network>.json), by name."""

    def __init__(self, network: str) -> None:
        self.entries = recordings(network)

    def __call__(self, name: str, **changes: Any) -> Exchange:
        """The recorded exchange `name` as a scripted one: the adapter must send the recorded request
        (method, URL, query in order, JSON body, headers) and gets the recorded answer."""
        request, response = self.entries[name]["request"], self.response(name)
        fields: dict[str, Any] = {
            "method": request["method"],
            "url": request["url"],
            "status": response["status"],
            "body": response["body"],
            "headers": response.get("headers", {}),
            "params": list((request.get("params") or {}).items()),
            "json": request.get("json"),
            "request_headers": {key.lower(): value for key, value in (request.get("headers") or {}).items()},
        }
        return Exchange(**(fields | changes))

    def failing(self, name: str, error: str, **changes: Any) -> Exchange:
        """The exchange `name` answered with the recorded error `error`."""
        answer = self.response(error)
        return self(name, status=answer["status"], body=answer["body"], **changes)

    def response(self, name: str) -> dict[str, Any]:
        response: dict[str, Any] = self.entries[name]["response"]
        return response

    def answer(self, name: str) -> httpx.Response:
        response = self.response(name)
        return httpx.Response(response["status"], json=response["body"], headers=response.get("headers"))

    def login(self, **me_accounts: Any) -> tuple[Exchange, ...]:
        """Facebook Login's exchanges when connecting; `me_accounts` changes the granted Pages' answer."""
        names = ("oauth_code_exchange", "oauth_long_lived_exchange", "me_permissions", "me")
        return (*(self(name) for name in names), self("me_accounts", **me_accounts))

    def failed_lookups(self, outage: str) -> list[dict[str, Any]]:
        """The ways a lookup fails, as changes to its exchange: the recorded error `outage`, a
        timeout, a malformed answer (ids: LOOKUP_FAILURE_IDS)."""
        answer = self.response(outage)
        return [{"status": answer["status"], "body": answer["body"]}, {"raises": httpx.ReadTimeout},
                {"body": "<html>oops</html>"}]


LOOKUP_FAILURE_IDS = ["server-error", "timeout", "malformed"]


def redirect_uri(network: str) -> str:
    return f"https://api.example.com/v1/oauth/{network}/callback"


Handler = Callable[[httpx.Request], httpx.Response]


def connect(cls: type[GraphPlatform], handler: Handler, *, app: AppCredentials = APP, code: str = CODE) -> Connection:
    """`cls` connected through Facebook Login against `handler` (a Script, or a simulator's connect handler)."""
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return cls.connect_with_code(client, app, code, redirect_uri(cls.name), None)


def connect_to_simulator(cls: type[GraphPlatform], handler: Handler) -> Connection:
    """`cls` connected through its simulator's connect handler, as "herald"."""
    return connect(cls, handler, app=TEST_APP, code=simulated_code("herald", None))


def raised(call: Callable[[], Any]) -> PlatformError:
    """The PlatformError `call` raises."""
    with pytest.raises(PlatformError) as failed:
        call()
    return failed.value


def assert_classified(
    platform: Platform, recorded: Recorded, name: str, error_class: ErrorClass, code: str, platform_code: str
) -> None:
    """The recorded error `name` classified; a throttled answer says when to retry (a minute ahead)."""
    error = platform.classify_error(recorded.answer(name))

    assert (error.error_class, error.code, error.platform_code) == (error_class, code, platform_code)
    assert error.retry_at == (platform.clock.now() + timedelta(minutes=1) if name == "error_rate_limited" else None)


# --- the simulators, through the adapter (the account "acc_sim") ---------------------------------


def assert_injected_failure(
    platform: Platform, content: PostContent, failure: str, error_class: ErrorClass, code: str, created: int
) -> None:
    """Publishing `content` meets the injected `failure`, classified; `created` posts are left."""
    failed = raised(lambda: platform.publish(content))

    assert (failed.error_class, failed.code) == (error_class, code)
    assert len(simulators.published("acc_sim")) == created
    if failure == "rate_limited":
        assert failed.retry_at is not None
        assert timedelta(seconds=50) < failed.retry_at - platform.clock.now() <= timedelta(seconds=60)


def assert_reconciled_to_one_post(platform: Platform, content: PostContent) -> None:
    """A publish whose outcome was lost (the injected failure) is found by reconcile, as the only
    post. Reconcile looks back from the real time, with which the simulator stamps posts."""
    raised(lambda: platform.publish(content))
    platform.clock = FakeClock(datetime.now(UTC))

    found = platform.reconcile(content)

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert [p["id"] for p in simulators.published("acc_sim")] == [found.post.platform_post_id]


def assert_refreshed_token_works(account: Account, content: PostContent) -> None:
    """After an injected expired_token, a refresh gives a new Page token (the User token stays)
    with which `content` is published."""
    platform = open_platform(account)
    raised(lambda: platform.publish(content))

    renewed = platform.refresh_credentials()
    open_platform(account.model_copy(update={"credentials": renewed.tokens})).publish(content)

    assert renewed.tokens["access_token"] != account.credentials["access_token"]
    assert renewed.tokens["user_access_token"] == account.credentials["user_access_token"]
    assert len(simulators.published("acc_sim")) == 1


def assert_revoked_token_is_not_refreshed(platform: Platform, content: PostContent) -> None:
    """After an injected revoked_token, the refresh is refused: the person must reconnect."""
    raised(lambda: platform.publish(content))

    refused = raised(platform.refresh_credentials)

    assert (refused.error_class, refused.code) == (ErrorClass.RECONNECT, "account_disconnected")
