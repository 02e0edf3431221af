"""What YouTube and Google Business Profile share: Google's OAuth 2.0 and its error envelope.

OAuth. The authorization-code flow with PKCE (S256), `access_type=offline` (a refresh token) and
`prompt=consent` (Google hands a refresh token again on every consent, so a reconnect always gets
one). The code is exchanged at `https://oauth2.googleapis.com/token` with the app's client id and
secret and the PKCE verifier. Access tokens last about an hour; `refresh_credentials` trades the
refresh token for a new one (Google keeps the refresh token: an answer without one keeps the old).
A refusal of the refresh (`invalid_grant`: revoked, expired, the password changed, or a "Testing"
consent screen's 7-day limit) means reconnecting. `revoke` posts the refresh token to
`https://oauth2.googleapis.com/revoke`, which revokes the whole grant.

Errors. Google APIs answer `{"error": {"code", "status", "message", "errors": [{"reason",
"domain", "message"}], "details": [{"@type": ".../google.rpc.ErrorInfo", "reason"}]}}` (the Data
API v3 fills `errors[].reason`; the newer APIs `status` and `details`); the token endpoints answer
`{"error": "invalid_grant", "error_description"}`. `google_error` reads every one of them, and
`classify` turns the rows both networks share into PlatformErrors; each adapter handles its own
reasons (YouTube's quotaExceeded, uploadLimitExceeded, ...) before calling it."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from herald.clock import from_iso
from herald.platforms import http
from herald.platforms.base import (
    AppCredentials,
    Credentials,
    ErrorClass,
    OAuthSpec,
    Platform,
    PlatformError,
)

AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN_URL = "https://oauth2.googleapis.com/token"
REVOKE_URL = "https://oauth2.googleapis.com/revoke"
SCOPE_PREFIX = "https://www.googleapis.com/auth/"
PACIFIC = "America/Los_Angeles"  # Google's daily quotas reset at midnight Pacific time

# Reasons (errors[].reason, ErrorInfo.reason or the token endpoint's `error`) and what they mean.
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})
SCOPE_REASONS = frozenset({"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "forbiddenByScope"})
API_DISABLED_REASONS = frozenset({"accessNotConfigured", "SERVICE_DISABLED", "API_DISABLED"})
EXPIRED_REASONS = frozenset(
    {"authError", "ACCESS_TOKEN_EXPIRED", "ACCESS_TOKEN_TYPE_UNSUPPORTED", "invalid_token", "CREDENTIALS_MISSING"}
)
# The token endpoint's refusals (RFC 6749 §5.2): the grant or the app is refused.
APP_REFUSALS = frozenset({"invalid_client", "unauthorized_client"})
_TRANSIENT_STATUSES = frozenset({"UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "ABORTED"})
_TRANSIENT_REASONS = frozenset({"backendError", "internalError", "serviceUnavailable"})


def google_oauth(scopes: tuple[str, ...]) -> OAuthSpec:
    """Google's authorization-code flow: PKCE, a refresh token (`access_type=offline`) handed again
    on every consent (`prompt=consent`), earlier grants kept (`include_granted_scopes`)."""
    return OAuthSpec(
        authorize_url=AUTHORIZE_URL,
        token_url=TOKEN_URL,
        scopes=scopes,
        pkce=True,
        extra_params={"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"},
    )


@dataclass(frozen=True)
class GoogleError:
    """A Google error answer: HTTP-like `code`, canonical `status` (PERMISSION_DENIED, ...), the
    message and every reason named (errors[].reason, then details' ErrorInfo reasons)."""

    code: int | None = None
    status: str = ""
    message: str = ""
    reasons: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return self.reasons[0] if self.reasons else ""

    def has(self, names: frozenset[str] | set[str]) -> bool:
        return any(reason in names for reason in self.reasons)


def google_error(body: Mapping[str, Any] | None) -> GoogleError:
    """The error of a Google answer, in the API envelope or the token endpoints' flat shape."""
    body = body or {}
    error = body.get("error")
    if isinstance(error, str):  # the token and revoke endpoints
        description = body.get("error_description")
        return GoogleError(message=str(description or error), reasons=(error,))
    if not isinstance(error, dict):
        return GoogleError()
    reasons: list[str] = []
    for item in error.get("errors") or []:
        if isinstance(item, dict) and isinstance(item.get("reason"), str) and item["reason"]:
            reasons.append(item["reason"])
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and isinstance(detail.get("reason"), str) and detail["reason"]:
            reasons.append(detail["reason"])
    code = error.get("code")
    return GoogleError(
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        status=str(error.get("status") or ""),
        message=str(error.get("message") or ""),
        reasons=tuple(reasons),
    )


def platform_code(status: int, error: GoogleError) -> str:
    """HTTP status, then the first reason or the canonical status: "403 quotaExceeded"."""
    name = error.reason or error.status
    return f"{status} {name}" if name else str(status)


def next_pacific_midnight(now: datetime) -> datetime:
    """The next midnight in America/Los_Angeles after `now`, in UTC: when Google's daily quotas reset."""
    try:
        zone: Any = ZoneInfo(PACIFIC)
    except ZoneInfoNotFoundError:  # no time zone database: US Pacific rules by hand
        zone = None
    if zone is not None:
        local = now.astimezone(zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=zone)
        return midnight.astimezone(UTC)
    local_day = (now.astimezone(UTC) - _pacific_offset(now)).date() + timedelta(days=1)
    midnight_utc = datetime.combine(local_day, time.min, tzinfo=UTC)
    return midnight_utc + _pacific_offset(midnight_utc + timedelta(hours=8))


def _pacific_offset(moment: datetime) -> timedelta:
    """Hours Pacific time is behind UTC at `moment`: 7 in daylight saving time (second Sunday of
    March, 10:00 UTC, to first Sunday of November, 09:00 UTC), else 8."""
    year = moment.astimezone(UTC).year

    def sunday(month: int, nth: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))

    start = datetime.combine(sunday(3, 2), time(10), tzinfo=UTC)
    end = datetime.combine(sunday(11, 1), time(9), tzinfo=UTC)
    return timedelta(hours=7 if start <= moment.astimezone(UTC) < end else 8)


def retry_after(response: httpx.Response, now: datetime) -> datetime | None:
    """A Retry-After in seconds, when Google sends one (it rarely does)."""
    value = response.headers.get("retry-after", "").strip()
    return now + timedelta(seconds=int(value)) if value.isdigit() else None


def classify(
    network: str,
    response: httpx.Response | None,
    exc: Exception | None,
    *,
    now: datetime,
    can_refresh: bool,
    forbidden: ErrorClass = ErrorClass.RECONNECT,
) -> PlatformError:
    """The rows both Google networks share. `can_refresh`: the account holds a refresh token (a
    401 is then refreshed once); `forbidden`: how a 403 that names no known reason is classed
    (RECONNECT: the person lost access; PERMANENT: the request is not allowed)."""
    if response is None:
        return http.transport_error(network, exc)
    if response.is_success:
        return http.malformed(network, response, f"the body is not the JSON {network} documents")
    status = response.status_code
    error = google_error(http.body_of(response))
    code = platform_code(status, error)
    message = error.message or f"{network} answered HTTP {status}."
    if error.has(QUOTA_REASONS):
        return PlatformError(
            ErrorClass.RETRY,
            "quota_exceeded",
            f"{message} (the daily quota resets at midnight Pacific time)",
            platform_code=code,
            retry_at=next_pacific_midnight(now),
        )
    if status == 429 or error.status == "RESOURCE_EXHAUSTED" or error.has(RATE_REASONS):
        return PlatformError(
            ErrorClass.RETRY, "rate_limited", message, platform_code=code, retry_at=retry_after(response, now)
        )
    if status == 401 or error.status == "UNAUTHENTICATED":
        if can_refresh:
            return PlatformError(ErrorClass.REFRESH, "token_expired", message, platform_code=code)
        return PlatformError(
            ErrorClass.RECONNECT,
            "account_disconnected",
            f"{message} There is no refresh token: reconnect the account.",
            platform_code=code,
        )
    if error.has(API_DISABLED_REASONS):
        return PlatformError(
            ErrorClass.PERMANENT,
            "app_not_configured",
            f"{message} Enable the API in the Google Cloud project of the deployment's app.",
            platform_code=code,
        )
    if error.has(SCOPE_REASONS):
        return PlatformError(
            ErrorClass.RECONNECT,
            "account_disconnected",
            f"{message} Reconnect the account to grant every permission.",
            platform_code=code,
        )
    if status == 403 or error.status == "PERMISSION_DENIED":
        if forbidden is ErrorClass.RECONNECT:
            return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)
        return PlatformError(ErrorClass.PERMANENT, "forbidden", message, platform_code=code)
    if status == 404 or error.status == "NOT_FOUND":
        return PlatformError(ErrorClass.PERMANENT, "not_found", message, platform_code=code)
    if status == 409 or error.status == "ALREADY_EXISTS":
        return PlatformError(ErrorClass.PERMANENT, "duplicate_content", message, platform_code=code)
    if status == 413:
        return PlatformError(ErrorClass.PERMANENT, "media_too_large", message, platform_code=code)
    if status >= 500 or error.status in _TRANSIENT_STATUSES or error.has(_TRANSIENT_REASONS):
        return PlatformError(ErrorClass.RETRY, "platform_unavailable", message, platform_code=code)
    if status == 400 or error.status in ("INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE"):
        return PlatformError(ErrorClass.PERMANENT, "invalid_content", message, platform_code=code)
    return PlatformError(ErrorClass.PERMANENT, "platform_error", message, platform_code=code)


def granted_scopes(tokens: Mapping[str, str]) -> tuple[str, ...]:
    """The scopes the token answer listed (space-separated URLs), as stored in the tokens."""
    return tuple(scope for scope in tokens.get("scope", "").split() if scope)


class GooglePlatform(Platform):
    """Google OAuth for an adapter: the code exchange, refresh, revocation and authorized calls.
    Subclasses set `network` (the name in messages) and `oauth` (with their scopes)."""

    network: ClassVar[str]

    # --- connecting --------------------------------------------------------------------------

    @classmethod
    def exchange_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> tuple[dict[str, str], datetime | None]:
        """The tokens (access_token, refresh_token, scope) for an authorization code, and when the
        access token expires. A refused code is PERMANENT authorization_failed."""
        exchanging = cls(client, Credentials(account_id="", username=""), app=app)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if code_verifier:
            form["code_verifier"] = code_verifier
        return exchanging._token_grant(form, {}, "the authorization code", connecting=True)

    # --- credentials -------------------------------------------------------------------------

    def refresh_credentials(self) -> Credentials:
        """A new access token for the refresh token; refused (`invalid_grant`) means reconnecting."""
        refresh_token = self.credentials.tokens.get("refresh_token")
        if not refresh_token:
            raise PlatformError(
                ErrorClass.RECONNECT,
                "account_disconnected",
                f"{self.network} gave no refresh token for this account: reconnect it.",
            )
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        tokens, expires_at = self._token_grant(form, self.credentials.tokens, "the refresh token", connecting=False)
        return Credentials(
            account_id=self.credentials.account_id,
            username=self.credentials.username,
            tokens=tokens,
            expires_at=expires_at,
        )

    def revoke(self) -> bool:
        """POST the refresh token (else the access token) to Google's revoke endpoint, which ends the
        whole grant; a token Google no longer knows counts as revoked."""
        token = self.credentials.tokens.get("refresh_token") or self.token("access_token")
        response = http.send(self, "POST", REVOKE_URL, data={"token": token})
        if response.status_code == 400 and google_error(http.body_of(response)).reason == "invalid_token":
            return True
        http.succeeded(self, response)
        return True

    def _token_grant(
        self, form: dict[str, str], previous: Mapping[str, str], what: str, *, connecting: bool
    ) -> tuple[dict[str, str], datetime | None]:
        app = self._app()
        form = {**form, "client_id": app.client_id, "client_secret": app.client_secret or ""}
        response = http.send(self, "POST", TOKEN_URL, data=form)
        if response.status_code in (400, 401):
            raise self._refused_grant(response, what, connecting=connecting)
        grant = http.json_object(self, http.succeeded(self, response))
        if not isinstance(grant.get("access_token"), str) or not grant["access_token"]:
            raise http.malformed(self.network, response, "no access_token in the token answer")
        tokens = {**previous, "access_token": grant["access_token"]}
        for name in ("refresh_token", "scope"):
            if isinstance(grant.get(name), str) and grant[name]:
                tokens[name] = grant[name]
        expires_in = http.count(grant, "expires_in")
        return tokens, self.clock.now() + timedelta(seconds=expires_in) if expires_in is not None else None

    def _refused_grant(self, response: httpx.Response, what: str, *, connecting: bool) -> PlatformError:
        error = google_error(http.body_of(response))
        code = platform_code(response.status_code, error)
        message = f"Google refused {what}: {error.message or error.reason or 'refused'}"
        if error.has(APP_REFUSALS):
            return PlatformError(ErrorClass.PERMANENT, "app_not_configured", message, platform_code=code)
        if connecting:
            return PlatformError(ErrorClass.PERMANENT, "authorization_failed", message, platform_code=code)
        return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)

    def _app(self) -> AppCredentials:
        if self.app is None or not self.app.client_secret:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "app_not_configured",
                f"The {self.network} app's client id and secret are not configured for this deployment.",
            )
        return self.app

    # --- HTTP --------------------------------------------------------------------------------

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token('access_token')}", **(extra or {})}

    def _call(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """An authorized call; a failed answer is raised as classified."""
        return http.succeeded(self, http.send(self, method, url, headers=self._headers(headers), **kwargs))

    def _get_json(self, url: str, **kwargs: Any) -> dict[str, Any]:
        return http.json_object(self, self._call("GET", url, **kwargs))

    def _can_refresh(self) -> bool:
        return bool(self.credentials.tokens.get("refresh_token"))


def parsed_time(value: Any) -> datetime | None:
    """An RFC 3339 time from a Google answer; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return from_iso(value)
    except ValueError:
        return None


def normalized(text: str) -> str:
    """Text as compared with what Google shows back (NFC, trimmed)."""
    return unicodedata.normalize("NFC", text).strip()


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
