"""The Google pieces YouTube and Google Business Profile share (herald.platforms.google): the OAuth
code flow with PKCE, refresh and revocation at oauth2.googleapis.com, the error envelope and the
classification rows both networks share."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from scripted_http import Exchange, Script

from herald.platforms import google
from herald.platforms.base import AppCredentials, Credentials, ErrorClass, PlatformError
from herald.platforms.google import GooglePlatform, google_error, next_pacific_midnight
from support.clock import FakeClock

APP = AppCredentials("1234567890-abc.apps.googleusercontent.com", "GOCSPX-secret")
REDIRECT = "https://herald.example.com/v1/oauth/{network}/callback"
TOKEN_URL = "https://oauth2.googleapis.com/token"
REVOKE_URL = "https://oauth2.googleapis.com/revoke"
NETWORKS = ("youtube", "google_business")
GRANT = {
    "access_token": "ya29.a0new",
    "expires_in": 3599,
    "refresh_token": "1//0refresh",
    "scope": "s1 s2",
    "token_type": "Bearer",
}


def adapter(network: str) -> type[GooglePlatform]:
    module = importlib.import_module(f"herald.platforms.{network}")
    cls = {"youtube": "YouTubePlatform", "google_business": "GoogleBusinessPlatform"}[network]
    platform_class: type[GooglePlatform] = getattr(module, cls)
    return platform_class


def platform_for(
    network: str,
    script: Script,
    clock: FakeClock,
    tokens: dict[str, str] | None = None,
    app: AppCredentials | None = APP,
) -> GooglePlatform:
    tokens = {"access_token": "ya29.a0old", "refresh_token": "1//0refresh"} if tokens is None else tokens
    return adapter(network)(script.client(), Credentials("acc_g", "someone", tokens), app=app, clock=clock)


# --- the consent URL -----------------------------------------------------------------------------


@pytest.mark.parametrize("network", NETWORKS)
def test_the_consent_url_asks_for_offline_access_with_pkce(network: str) -> None:
    url = adapter(network).authorization_url(APP, REDIRECT.format(network=network), "st4te", "ch4llenge")

    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://accounts.google.com/o/oauth2/v2/auth"
    assert query["access_type"] == "offline" and query["prompt"] == "consent"
    assert (query["code_challenge"], query["code_challenge_method"]) == ("ch4llenge", "S256")
    assert query["response_type"] == "code" and query["client_id"] == APP.client_id
    scopes = query["scope"].split(" ")
    assert scopes and all(scope.startswith("https://www.googleapis.com/auth/") for scope in scopes)


# --- the token endpoint ----------------------------------------------------------------------------


@pytest.mark.parametrize("network", NETWORKS)
def test_the_code_is_exchanged_with_the_verifier_and_the_app_secret(network: str, clock: FakeClock) -> None:
    form = {
        "grant_type": "authorization_code",
        "code": "4/abc",
        "redirect_uri": REDIRECT.format(network=network),
        "code_verifier": "v" * 43,
        "client_id": APP.client_id,
        "client_secret": APP.client_secret or "",
    }
    script = Script(Exchange("POST", TOKEN_URL, form=form, body=GRANT))

    tokens, expires_at = adapter(network).exchange_code(script.client(), APP, "4/abc", form["redirect_uri"], "v" * 43)

    assert tokens == {"access_token": "ya29.a0new", "refresh_token": "1//0refresh", "scope": "s1 s2"}
    assert expires_at is not None
    script.assert_done()


def test_a_code_without_pkce_sends_no_verifier() -> None:
    form = {
        "grant_type": "authorization_code",
        "code": "4/abc",
        "redirect_uri": "https://h/cb",
        "client_id": APP.client_id,
        "client_secret": APP.client_secret or "",
    }
    script = Script(Exchange("POST", TOKEN_URL, form=form, body=GRANT))

    adapter("youtube").exchange_code(script.client(), APP, "4/abc", "https://h/cb", None)

    script.assert_done()


@pytest.mark.parametrize(
    ("status", "body", "error_class", "code"),
    [
        (
            400,
            {"error": "invalid_grant", "error_description": "Bad Request"},
            ErrorClass.PERMANENT,
            "authorization_failed",
        ),
        (
            401,
            {"error": "invalid_client", "error_description": "Unauthorized"},
            ErrorClass.PERMANENT,
            "app_not_configured",
        ),
        (503, "<html>unavailable</html>", ErrorClass.RETRY, "platform_unavailable"),
        (200, {"token_type": "Bearer"}, ErrorClass.RETRY, "platform_unavailable"),
    ],
    ids=["refused-code", "wrong-client", "unavailable", "no-access-token"],
)
def test_a_failed_exchange_is_classified(status: int, body: object, error_class: ErrorClass, code: str) -> None:
    script = Script(Exchange("POST", TOKEN_URL, status=status, body=body))

    with pytest.raises(PlatformError) as failed:
        adapter("youtube").exchange_code(script.client(), APP, "4/abc", "https://h/cb", "v" * 43)

    assert (failed.value.error_class, failed.value.code) == (error_class, code)


def test_no_app_secret_means_no_exchange() -> None:
    script = Script()

    with pytest.raises(PlatformError) as failed:
        adapter("youtube").exchange_code(script.client(), AppCredentials("id-only"), "4/abc", "https://h/cb", None)

    assert failed.value.code == "app_not_configured"
    assert script.requests == []


@pytest.mark.parametrize("network", NETWORKS)
def test_refresh_keeps_every_other_token(network: str, clock: FakeClock) -> None:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": "1//0refresh",
        "client_id": APP.client_id,
        "client_secret": APP.client_secret or "",
    }
    script = Script(
        Exchange(
            "POST",
            TOKEN_URL,
            form=form,
            body={"access_token": "ya29.a0fresh", "expires_in": 3599, "token_type": "Bearer"},
        )
    )
    tokens = {"access_token": "ya29.a0old", "refresh_token": "1//0refresh", "location": "locations/1"}

    refreshed = platform_for(network, script, clock, tokens).refresh_credentials()

    assert refreshed.tokens == {**tokens, "access_token": "ya29.a0fresh"}
    assert refreshed.expires_at == clock.now() + timedelta(seconds=3599)
    assert (refreshed.account_id, refreshed.username) == ("acc_g", "someone")


@pytest.mark.parametrize("network", NETWORKS)
def test_a_refused_refresh_or_none_at_all_means_reconnecting(network: str, clock: FakeClock) -> None:
    refused = Script(
        Exchange(
            "POST",
            TOKEN_URL,
            status=400,
            body={"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
        )
    )
    with pytest.raises(PlatformError) as failed:
        platform_for(network, refused, clock).refresh_credentials()
    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert "expired or revoked" in failed.value.message

    none = Script()
    with pytest.raises(PlatformError) as missing:
        platform_for(network, none, clock, {"access_token": "ya29.a0old"}).refresh_credentials()
    assert missing.value.error_class is ErrorClass.RECONNECT
    assert none.requests == []


@pytest.mark.parametrize(
    ("status", "body", "revoked"),
    [(200, {}, True), (400, {"error": "invalid_token", "error_description": "Token expired or revoked"}, True)],
    ids=["revoked", "already-revoked"],
)
def test_revoke_posts_the_refresh_token(clock: FakeClock, status: int, body: dict, revoked: bool) -> None:
    script = Script(Exchange("POST", REVOKE_URL, form={"token": "1//0refresh"}, status=status, body=body))

    assert platform_for("youtube", script, clock).revoke() is revoked
    script.assert_done()


def test_a_revoke_google_cannot_answer_is_raised(clock: FakeClock) -> None:
    script = Script(Exchange("POST", REVOKE_URL, form={"token": "ya29.a0old"}, status=503, body="<html/>"))

    with pytest.raises(PlatformError) as failed:
        platform_for("youtube", script, clock, {"access_token": "ya29.a0old"}).revoke()

    assert failed.value.error_class is ErrorClass.RETRY


# --- the error envelope ------------------------------------------------------------------------------


def test_google_error_reads_every_shape() -> None:
    v3 = {
        "error": {"code": 403, "message": "Quota", "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota"}]}
    }
    rpc = {
        "error": {
            "code": 403,
            "status": "PERMISSION_DENIED",
            "message": "disabled",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED"}],
        }
    }
    flat = {"error": "invalid_grant", "error_description": "Bad Request"}

    assert google_error(v3) == google.GoogleError(403, "", "Quota", ("quotaExceeded",))
    assert google_error(rpc) == google.GoogleError(403, "PERMISSION_DENIED", "disabled", ("SERVICE_DISABLED",))
    assert google_error(flat) == google.GoogleError(None, "", "Bad Request", ("invalid_grant",))
    assert google_error(None) == google_error({"error": 3}) == google.GoogleError()


# --- midnight in California ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "midnight"),
    [
        (datetime(2030, 1, 7, 9, 0, tzinfo=UTC), datetime(2030, 1, 8, 8, 0, tzinfo=UTC)),  # 01:00 PST
        (datetime(2030, 1, 8, 7, 59, tzinfo=UTC), datetime(2030, 1, 8, 8, 0, tzinfo=UTC)),  # 23:59 PST
        (datetime(2030, 7, 1, 12, 0, tzinfo=UTC), datetime(2030, 7, 2, 7, 0, tzinfo=UTC)),  # PDT
        (datetime(2030, 3, 10, 9, 0, tzinfo=UTC), datetime(2030, 3, 11, 7, 0, tzinfo=UTC)),  # the day DST starts
        (datetime(2030, 11, 3, 7, 30, tzinfo=UTC), datetime(2030, 11, 4, 8, 0, tzinfo=UTC)),  # the day it ends
    ],
)
def test_the_next_midnight_pacific(now: datetime, midnight: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    assert next_pacific_midnight(now) == midnight

    def missing(name: str) -> None:
        raise google.ZoneInfoNotFoundError(name)

    monkeypatch.setattr(google, "ZoneInfo", missing)  # no time zone database: the rules by hand agree
    assert next_pacific_midnight(now) == midnight


def test_the_rules_by_hand_agree_with_the_database_all_year(monkeypatch: pytest.MonkeyPatch) -> None:
    moments = [datetime(2031, 1, 1, tzinfo=UTC) + timedelta(hours=7 * n) for n in range(1300)]
    expected = [next_pacific_midnight(moment) for moment in moments]

    monkeypatch.setattr(google, "ZoneInfo", lambda name: (_ for _ in ()).throw(google.ZoneInfoNotFoundError(name)))

    assert [next_pacific_midnight(moment) for moment in moments] == expected


# --- the rows both networks share --------------------------------------------------------------------


def envelope(status: int, reason: str | None = None, status_name: str | None = None) -> httpx.Response:
    error: dict = {"code": status, "message": f"HTTP {status}"}
    if reason:
        error["errors"] = [{"reason": reason, "domain": "global", "message": "m"}]
    if status_name:
        error["status"] = status_name
    return httpx.Response(status, json={"error": error})


NOW = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("response", "error_class", "code"),
    [
        (envelope(403, "quotaExceeded"), ErrorClass.RETRY, "quota_exceeded"),
        (envelope(403, "dailyLimitExceeded"), ErrorClass.RETRY, "quota_exceeded"),
        (envelope(429, status_name="RESOURCE_EXHAUSTED"), ErrorClass.RETRY, "rate_limited"),
        (envelope(403, "userRateLimitExceeded"), ErrorClass.RETRY, "rate_limited"),
        (envelope(401, "authError", "UNAUTHENTICATED"), ErrorClass.REFRESH, "token_expired"),
        (envelope(403, "accessNotConfigured"), ErrorClass.PERMANENT, "app_not_configured"),
        (
            envelope(403, "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "PERMISSION_DENIED"),
            ErrorClass.RECONNECT,
            "account_disconnected",
        ),
        (envelope(403, status_name="PERMISSION_DENIED"), ErrorClass.RECONNECT, "account_disconnected"),
        (envelope(404, status_name="NOT_FOUND"), ErrorClass.PERMANENT, "not_found"),
        (envelope(409, status_name="ALREADY_EXISTS"), ErrorClass.PERMANENT, "duplicate_content"),
        (envelope(413), ErrorClass.PERMANENT, "media_too_large"),
        (envelope(400, status_name="INVALID_ARGUMENT"), ErrorClass.PERMANENT, "invalid_content"),
        (envelope(400, status_name="FAILED_PRECONDITION"), ErrorClass.PERMANENT, "invalid_content"),
        (envelope(503, status_name="UNAVAILABLE"), ErrorClass.RETRY, "platform_unavailable"),
        (envelope(500, "backendError"), ErrorClass.RETRY, "platform_unavailable"),
        (httpx.Response(502, text="<html>Bad Gateway</html>"), ErrorClass.RETRY, "platform_unavailable"),
        (envelope(418), ErrorClass.PERMANENT, "platform_error"),
        (httpx.Response(200, text="<html/>"), ErrorClass.RETRY, "platform_unavailable"),
    ],
)
def test_the_shared_rows(response: httpx.Response, error_class: ErrorClass, code: str) -> None:
    error = google.classify("Google", response, None, now=NOW, can_refresh=True)

    assert (error.error_class, error.code) == (error_class, code)


def test_a_quota_waits_for_midnight_and_a_throttle_for_its_retry_after() -> None:
    quota = google.classify("Google", envelope(403, "quotaExceeded"), None, now=NOW, can_refresh=True)
    throttled = httpx.Response(
        429, json={"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}, headers={"Retry-After": "30"}
    )

    assert quota.retry_at == datetime(2030, 1, 8, 8, 0, tzinfo=UTC)
    assert google.classify("Google", throttled, None, now=NOW, can_refresh=True).retry_at == NOW + timedelta(seconds=30)


def test_a_401_without_a_refresh_token_and_a_forbidden_request_as_permanent() -> None:
    expired = google.classify("Google", envelope(401, status_name="UNAUTHENTICATED"), None, now=NOW, can_refresh=False)
    forbidden = google.classify(
        "Google", envelope(403, "forbidden"), None, now=NOW, can_refresh=True, forbidden=ErrorClass.PERMANENT
    )

    assert (expired.error_class, expired.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert (forbidden.error_class, forbidden.code, forbidden.platform_code) == (
        ErrorClass.PERMANENT,
        "forbidden",
        "403 forbidden",
    )


def test_transport_failures() -> None:
    assert google.classify("Google", None, httpx.ReadTimeout("x"), now=NOW, can_refresh=True).code == "timeout"
    assert google.classify("Google", None, httpx.ConnectError("x"), now=NOW, can_refresh=True).code == "network_error"
