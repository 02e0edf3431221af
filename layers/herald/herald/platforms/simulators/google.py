"""What the simulated Google networks (YouTube, Google Business Profile) share: Google's OAuth
endpoints at oauth2.googleapis.com and its error envelope.

Tokens look like Google's: access tokens `ya29.…`, refresh tokens `1//…`. Minted ones (a test
account's, or a refresh's) derive from the account id; the ones a connection gets name the person
who consented (and the network), so the calls that follow the exchange can be answered in any
process. The token endpoint checks what Google checks: the test app's client id and secret, the
grant type, the redirect URI, the code (made by `simulated_code`) and its PKCE verifier; a refresh
token that is not the account's, or a grant the person revoked, is refused `invalid_grant`. Google
keeps the refresh token on a refresh (the answer has none). Revoking either token ends the grant:
the access token stops working and the refresh is refused.

Errors are answered in Google's envelope: `{"error": {"code", "message", "errors": [{"message",
"domain", "reason"}], "status"}}` (the Data API v3 fills `errors`; the newer APIs leave it out)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs

import httpx

from herald.platforms.simulators import (
    LOCK,
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
    SimulatedAccount,
    redeem_code,
    stable_digest,
)
from herald.platforms.simulators.common import Simulator

OAUTH_HOST = "oauth2.googleapis.com"
ACCESS_SECONDS = 3599
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
UNAUTHENTICATED_MESSAGE = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
    "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


def mint(network: str, account_id: str, kind: str, generation: int) -> str:
    """A token for a test account: `ya29.…` (access) or `1//…` (refresh), the same in every process."""
    digest = stable_digest(f"{network}-token", account_id, kind, str(generation))
    encoded = base64.urlsafe_b64encode(digest + digest[:18]).decode().rstrip("=")
    return f"ya29.a0{encoded}" if kind == "access" else f"1//0{encoded[:40]}"


def connect_token(network: str, username: str, kind: str) -> str:
    """A token a connection got: it names who consented, so any process can answer for it."""
    payload = base64.urlsafe_b64encode(json.dumps({"n": network, "u": username, "k": kind}).encode()).decode()
    signature = base64.urlsafe_b64encode(stable_digest(f"{network}-connect", username, kind)).decode()
    prefix = "ya29.c." if kind == "access" else "1//c."
    return f"{prefix}{payload.rstrip('=')}.{signature[:22]}"


def connect_username(network: str, token: str, kind: str = "access") -> str | None:
    """Who a connect token names; None for any other string."""
    prefix = "ya29.c." if kind == "access" else "1//c."
    payload, _, _ = token.removeprefix(prefix).partition(".")
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    username = claims.get("u") if isinstance(claims, dict) else None
    if not isinstance(username, str) or connect_token(network, username, kind) != token:
        return None
    return username


# --- the token endpoint --------------------------------------------------------------------------


def exchange_code(network: str, form: dict[str, str], scope: str) -> httpx.Response:
    """POST /token with grant_type=authorization_code, before any account exists."""
    refused = refuse_client(form)
    if refused is not None:
        return refused
    if form.get("grant_type") != "authorization_code":
        return oauth_error(400, "unsupported_grant_type", "Invalid grant_type: " + form.get("grant_type", ""))
    if not form.get("redirect_uri"):
        return oauth_error(400, "invalid_request", "Missing required parameter: redirect_uri")
    username = redeem_code(form.get("code", ""), form.get("code_verifier"))
    if username is None:
        return oauth_error(400, "invalid_grant", "Bad Request")
    answer = {
        "access_token": connect_token(network, username, "access"),
        "expires_in": ACCESS_SECONDS,
        "refresh_token": connect_token(network, username, "refresh"),
        "scope": scope,
        "token_type": "Bearer",
    }
    return httpx.Response(200, json=answer)


def refuse_client(form: dict[str, str]) -> httpx.Response | None:
    if form.get("client_id") != TEST_CLIENT_ID:
        return oauth_error(401, "invalid_client", "The OAuth client was not found.")
    if form.get("client_secret") != TEST_CLIENT_SECRET:
        return oauth_error(401, "invalid_client", "Unauthorized")
    return None


def oauth_error(status: int, error: str, description: str) -> httpx.Response:
    return httpx.Response(status, json={"error": error, "error_description": description})


def api_error(
    status: int,
    message: str,
    *,
    reason: str | None = None,
    domain: str = "global",
    status_name: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """An error in Google's envelope; `reason` fills `errors` (as the Data API v3 does)."""
    error: dict[str, Any] = {"code": status, "message": message}
    if reason is not None:
        error["errors"] = [{"message": message, "domain": domain, "reason": reason}]
    error["status"] = status_name or STATUS_NAMES.get(status, "UNKNOWN")
    return httpx.Response(status, json={"error": error}, headers=headers)


def form_of(request: httpx.Request) -> dict[str, str]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return {}
    return {key: values[0] for key, values in parse_qs(request.content.decode("utf-8")).items()}


def bearer(request: httpx.Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header.removeprefix("Bearer ") if header.startswith("Bearer ") else None


class GoogleSimulator(Simulator):
    """A Google network's simulator: the account's token refresh and revocation, and the 401 its
    APIs answer for a token they do not honour. `scope` is what a refresh answers as granted."""

    scope: str = ""

    def oauth(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if (request.method, path) == ("POST", "/token"):
            form = form_of(request)
            if form.get("grant_type") == "refresh_token":
                return self._refresh(form)
            return exchange_code(self.network, form, self.scope)
        if (request.method, path) == ("POST", "/revoke"):
            return self._revoke(form_of(request))
        return oauth_error(404, "not_found", f"No such endpoint: {request.method} {path}")

    def _refresh(self, form: dict[str, str]) -> httpx.Response:
        refused = refuse_client(form)
        if refused is not None:
            return refused
        with LOCK:
            state = self.state()
            if form.get("refresh_token") != state.tokens.get("refresh_token"):
                return oauth_error(400, "invalid_grant", "Bad Request")
            if state.revoked:
                return oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
            state.token_generation += 1
            state.previous_tokens = {"access_token": state.tokens["access_token"]}
            state.tokens["access_token"] = mint(self.network, state.account_id, "access", state.token_generation)
            state.token_expired = False
            answer = {
                "access_token": state.tokens["access_token"],
                "expires_in": ACCESS_SECONDS,
                "scope": state.tokens.get("scope", self.scope),
                "token_type": "Bearer",
            }
        return httpx.Response(200, json=answer)

    def _revoke(self, form: dict[str, str]) -> httpx.Response:
        with LOCK:
            state = self.state()
            token = form.get("token")
            if state.revoked or token not in (state.tokens.get("access_token"), state.tokens.get("refresh_token")):
                return oauth_error(400, "invalid_token", "Token expired or revoked")
            state.revoked = True
            state.token_expired = True
        return httpx.Response(200, json={})

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        if bearer(request) != state.tokens.get("access_token") or state.token_expired:
            return self.unauthenticated()
        return None

    def unauthenticated(self) -> httpx.Response:
        return api_error(
            401,
            UNAUTHENTICATED_MESSAGE,
            reason="authError",
            status_name="UNAUTHENTICATED",
            headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'},
        )
