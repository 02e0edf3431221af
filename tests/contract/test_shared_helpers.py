"""The pieces every adapter (`platforms.http`, `Platform.token`) and every simulator
(`simulators.common`, `SimulatedAccount.rotate_tokens`) share, on their own."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from herald.platforms import http, simulators
from herald.platforms.base import (
    Credentials,
    ErrorClass,
    Platform,
    PlatformError,
    PostContent,
    PublishedPost,
    Reconciliation,
)
from herald.platforms.simulators import LOCK, SimulatedAccount
from herald.platforms.simulators.common import MALFORMED_BODY, Refused, Simulator, request_json

URL = "https://api.example.com/thing"


class Classifying(Platform):
    """Only what the helpers call back into: `client`, `credentials` and `classify_error`."""

    name = "example"

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        if response is None:
            return http.transport_error("Example", exc)
        if response.is_success:
            return http.malformed("Example", response, "not an object")
        return PlatformError(ErrorClass.PERMANENT, "platform_error", "refused", platform_code=str(response.status_code))

    def publish(self, content: PostContent) -> PublishedPost:
        raise NotImplementedError

    def delete(self, platform_post_id: str) -> None:
        raise NotImplementedError

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        raise NotImplementedError

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        raise NotImplementedError

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        raise NotImplementedError

    def refresh_credentials(self) -> Credentials:
        raise NotImplementedError

    def count_text(self, text: str) -> int:
        raise NotImplementedError


def platform_answering(handler, tokens: dict[str, str] | None = None) -> Classifying:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return Classifying(client, Credentials(account_id="acc_1", username="someone", tokens=tokens or {}))


def answer(status: int, **kwargs) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("GET", URL), **kwargs)


# --- adapters: platforms.http and Platform.token --------------------------------------------


def test_token_returns_the_credential_or_asks_for_a_reconnect() -> None:
    platform = platform_answering(lambda request: httpx.Response(200), {"access_token": "tok", "empty": ""})

    assert platform.token("access_token") == "tok"
    for missing in ("refresh_token", "empty"):
        with pytest.raises(PlatformError) as raised:
            platform.token(missing)
        assert raised.value.error_class is ErrorClass.RECONNECT
        assert raised.value.code == "account_disconnected"
        assert raised.value.message == f"The account has no {missing}: reconnect it."


def test_send_returns_any_status_and_classifies_transport_failures() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/down":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(503)

    platform = platform_answering(handler)

    response = http.send(platform, "POST", URL, headers={"Authorization": "Bearer tok"}, json={"a": 1})
    assert response.status_code == 503
    assert seen[0].method == "POST" and seen[0].headers["authorization"] == "Bearer tok"
    with pytest.raises(PlatformError) as raised:
        http.send(platform, "GET", "https://api.example.com/down")
    assert (raised.value.code, raised.value.platform_code) == ("network_error", "ConnectError")
    assert isinstance(raised.value.__cause__, httpx.ConnectError)


def test_succeeded_passes_a_success_and_raises_the_classified_failure() -> None:
    platform = platform_answering(lambda request: httpx.Response(200))
    ok = answer(201, json={})

    assert http.succeeded(platform, ok) is ok
    with pytest.raises(PlatformError) as raised:
        http.succeeded(platform, answer(404))
    assert raised.value.platform_code == "404"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"json": {"a": 1}}, {"a": 1}),
        ({"json": [1, 2]}, None),
        ({"text": "<html>oops</html>"}, None),
        ({}, None),
    ],
    ids=["object", "list", "html", "empty"],
)
def test_body_of_is_a_json_object_or_none(kwargs: dict, expected: dict | None) -> None:
    assert http.body_of(answer(200, **kwargs)) == expected


def test_json_object_raises_the_classified_error_for_any_other_body() -> None:
    platform = platform_answering(lambda request: httpx.Response(200))

    assert http.json_object(platform, answer(200, json={"id": "1"})) == {"id": "1"}
    with pytest.raises(PlatformError) as raised:
        http.json_object(platform, answer(200, text="<html>oops</html>"))
    assert raised.value.error_class is ErrorClass.RETRY
    assert raised.value.code == "platform_unavailable"
    assert raised.value.message == "Example answered HTTP 200 with a malformed body: not an object."
    assert raised.value.platform_code == "200"


@pytest.mark.parametrize(
    ("exc", "code", "message"),
    [
        (httpx.ReadTimeout("slow"), "timeout", "Example did not answer in time (ReadTimeout)."),
        (httpx.ConnectTimeout("slow"), "timeout", "Example did not answer in time (ConnectTimeout)."),
        (httpx.ConnectError("refused"), "network_error", "Could not reach Example (ConnectError: refused)."),
        (None, "network_error", "Could not reach Example (None: None)."),
    ],
)
def test_transport_error(exc: Exception | None, code: str, message: str) -> None:
    error = http.transport_error("Example", exc)

    assert (error.error_class, error.code, error.message) == (ErrorClass.RETRY, code, message)
    assert error.platform_code == (type(exc).__name__ if exc is not None else None)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-reset": "1893574800"}, datetime(2030, 1, 2, 9, 0, tzinfo=UTC)),
        ({}, None),
        ({"x-reset": "soon"}, None),
        ({"x-reset": "9" * 30}, None),
    ],
    ids=["epoch-seconds", "absent", "not-a-number", "out-of-range"],
)
def test_reset_time(headers: dict[str, str], expected: datetime | None) -> None:
    assert http.reset_time(answer(429, headers=headers), "x-reset") == expected


def test_count_takes_integers_only() -> None:
    values = {"likes": 3, "zero": 0, "flag": True, "text": "4", "none": None}

    assert [http.count(values, field) for field in ("likes", "zero", "flag", "text", "none", "absent")] == [
        3,
        0,
        None,
        None,
        None,
        None,
    ]


def test_batches() -> None:
    assert list(http.batches(["a", "b", "c", "d", "e"], 2)) == [["a", "b"], ["c", "d"], ["e"]]
    assert list(http.batches([], 2)) == []


# --- simulators: simulators.common and SimulatedAccount.rotate_tokens -----------------------


class TokenOnly(Simulator):
    """Answers 204 to a request with the honoured access token, 401 to any other."""

    network = "x"

    def route(self, request: httpx.Request) -> httpx.Response:
        with LOCK:
            self.authorized(request)
        return httpx.Response(204)

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        if state.token_expired or request.headers.get("authorization") != f"Bearer {state.tokens['access_token']}":
            return httpx.Response(401, json={"error": "nope"})
        return None


def test_a_simulator_registers_its_account_and_answers_refusals(make_account) -> None:
    simulator = TokenOnly.for_account(make_account("x", "acc_1", "herald"))
    token = simulators.test_credentials("x", "acc_1", "herald")["access_token"]

    assert isinstance(simulator, TokenOnly) and simulator.account_id == "acc_1"
    ok = simulator.handle(httpx.Request("GET", URL, headers={"Authorization": f"Bearer {token}"}))
    refused = simulator.handle(httpx.Request("GET", URL, headers={"Authorization": "Bearer other"}))
    assert ok.status_code == 204
    assert (refused.status_code, refused.json()) == (401, {"error": "nope"})


@pytest.mark.parametrize(
    ("failure", "expired", "revoked"),
    [("expired_token", True, False), ("revoked_token", True, True), ("rate_limited", False, False)],
)
def test_take_create_failure(make_account, failure: str, expired: bool, revoked: bool) -> None:
    simulator = TokenOnly.for_account(make_account("x", "acc_1", "herald", simulate=[failure]))
    request = httpx.Request("POST", URL)

    with LOCK:
        assert simulator.take_create_failure(request) == failure
        assert (simulator.state().token_expired, simulator.state().revoked) == (expired, revoked)
        assert simulator.take_create_failure(request) is None  # one call each


def test_an_injected_connect_timeout_raises_before_anything(make_account) -> None:
    simulator = TokenOnly.for_account(make_account("x", "acc_1", "herald", simulate=["connect_timeout"]))

    with LOCK, pytest.raises(httpx.ConnectTimeout):
        simulator.take_create_failure(httpx.Request("POST", URL))


def test_after_write() -> None:
    request = httpx.Request("POST", URL)

    with pytest.raises(httpx.ReadTimeout, match="simulated timeout after the post was created"):
        Simulator.after_write("timeout", request, "the post was created")
    malformed = Simulator.after_write("malformed", request, "the post was created")
    assert malformed is not None and (malformed.status_code, malformed.text) == (200, MALFORMED_BODY)
    assert Simulator.after_write(None, request, "the post was created") is None
    assert Simulator.after_write("expired_token", request, "the post was created") is None


def test_refused_carries_the_answer() -> None:
    response = httpx.Response(429)

    assert Refused(response).response is response


def test_request_json() -> None:
    assert request_json(httpx.Request("POST", URL, json={"a": 1})) == {"a": 1}
    assert request_json(httpx.Request("POST", URL)) is None
    assert request_json(httpx.Request("POST", URL, content=b"{not json")) is None


def test_rotate_tokens_keeps_the_previous_generation() -> None:
    state = SimulatedAccount("acc_1", "x", "herald", {"access": "a0", "refresh": "r0", "user_id": "7"})
    state.token_expired = True

    state.rotate_tokens("access", "refresh", lambda kind, generation: f"{kind}-{generation}")

    assert state.tokens == {"access": "access-1", "refresh": "refresh-1", "user_id": "7"}
    assert state.previous_tokens == {"access": "a0", "refresh": "r0"}
    assert (state.token_generation, state.token_expired) == (1, False)
