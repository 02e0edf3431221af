"""Simulated X API v2 (api.x.com) for test-mode accounts.

Answers the calls `XPlatform` makes, in X's shapes: 19-digit snowflake post ids, RFC 7807-style
problem bodies, `x-rate-limit-*` headers, post text rendered as X shows it (HTML-escaped, URLs
replaced by t.co links with `entities.urls`), and X's refusal of a repeated text (403 duplicate
within 24 hours). Failure injection: see `herald.platforms.simulators`."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx

from herald.clock import from_iso, to_iso
from herald.platforms.simulators import LOCK, SimulatedAccount, accounts_on, stable_digest
from herald.platforms.simulators.common import Simulator, request_json
from herald.text.twitter import MAX_WEIGHTED_LENGTH, url_spans, weighted_length

HOST = "api.x.com"
CLIENT_ID = "herald-simulator"
TWITTER_EPOCH_MS = 1288834974657
DUPLICATE_WINDOW = timedelta(hours=24)
CREATE_LIMIT = 100  # POST /2/tweets per user per 15 minutes, as shown in the headers
_PROBLEMS = "https://api.twitter.com/2/problems"
_sequence = 0  # snowflake sequence bits, process-wide (guarded by LOCK)


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    return {
        "access_token": _token(account_id, "access", 0),
        "refresh_token": _token(account_id, "refresh", 0),
        "user_id": user_id_for(account_id),
        "client_id": CLIENT_ID,
    }


def user_id_for(account_id: str) -> str:
    """A 19-digit numeric user id, the same for the account in every process."""
    return str(10**18 + int.from_bytes(stable_digest("x-user", account_id)[:8], "big") % (9 * 10**18))


def _token(account_id: str, kind: str, generation: int) -> str:
    digest = stable_digest("x-token", account_id, kind, str(generation))
    return base64.urlsafe_b64encode(digest + digest[:12]).decode("ascii").rstrip("=")


class XSimulator(Simulator):
    network = "x"

    def route(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != HOST:
            raise httpx.ConnectError(f"the X simulator does not serve {request.url.host}", request=request)
        method, path = request.method, request.url.path
        parts = path.strip("/").split("/")
        if (method, path) == ("POST", "/2/oauth2/token"):
            return self._refresh(request)
        if (method, path) == ("POST", "/2/tweets"):
            return self._create(request)
        if (method, path) == ("GET", "/2/tweets"):
            return self._lookup(request)
        if (method, path) == ("GET", "/2/users/me"):
            return self._me(request)
        if method == "DELETE" and len(parts) == 3 and parts[:2] == ["2", "tweets"]:
            return self._delete(request, parts[2])
        if method == "GET" and len(parts) == 4 and parts[:2] == ["2", "users"] and parts[3] == "tweets":
            return self._timeline(request, parts[2])
        return httpx.Response(404, json={"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})

    # --- POST /2/tweets ----------------------------------------------------------------------

    def _create(self, request: httpx.Request) -> httpx.Response:
        now = datetime.now(UTC)
        with LOCK:
            failure = self.take_create_failure(request)
            if failure == "rate_limited":
                return _problem(429, "Too Many Requests", "Too Many Requests", headers=_limits(now, 0, 60))
            if failure == "server_error":
                return _problem(503, "Service Unavailable", "Service Unavailable")
            if failure == "duplicate":
                return _duplicate()
            state = self.authorized(request)
            body = request_json(request)
            invalid = _invalid_post(body)
            if invalid is not None:
                return invalid
            reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
            if reply_to is not None and _find_post(str(reply_to)) is None:
                return _problem(
                    403, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you."
                )
            if _repeats_recent_text(state, body["text"], now):
                return _duplicate()
            post = _store_post(state, body["text"], reply_to, now)
        if (lost := self.after_write(failure, request, "the post was created")) is not None:
            return lost
        data = {"id": post["id"], "text": post["text"], "edit_history_tweet_ids": [post["id"]]}
        return httpx.Response(201, json={"data": data}, headers=_limits(now, CREATE_LIMIT - 1, 900))

    # --- DELETE /2/tweets/{id} ---------------------------------------------------------------

    def _delete(self, request: httpx.Request, post_id: str) -> httpx.Response:
        with LOCK:
            state = self.authorized(request)
            if post_id in state.posts:
                del state.posts[post_id]
                return httpx.Response(200, json={"data": {"deleted": True}})
            if _find_post(post_id) is not None:
                return _problem(403, "Forbidden", "You are not allowed to delete a Tweet you did not create.")
        return httpx.Response(404, json=_not_found_error("tweet", "id", post_id))

    # --- GET /2/tweets?ids= ------------------------------------------------------------------

    def _lookup(self, request: httpx.Request) -> httpx.Response:
        ids = [value for value in request.url.params.get("ids", "").split(",") if value]
        fields = set(request.url.params.get("tweet.fields", "").split(","))
        with LOCK:
            self.authorized(request)
            if not 1 <= len(ids) <= 100 or not all(value.isdigit() for value in ids):
                return _invalid_request("ids", "The `ids` query parameter value must be 1 to 100 numeric post ids.")
            data, errors = [], []
            for post_id in ids:
                post = _find_post(post_id)
                if post is None:
                    errors.append(_not_found_error("tweet", "ids", post_id))
                    continue
                view: dict[str, Any] = {"id": post_id, "text": _rendered(post)[0], "edit_history_tweet_ids": [post_id]}
                if "public_metrics" in fields:
                    view["public_metrics"] = _public_metrics(post)
                data.append(view)
        body: dict[str, Any] = {}
        if data:
            body["data"] = data
        if errors:
            body["errors"] = errors
        return httpx.Response(200, json=body)

    # --- GET /2/users/me and /2/users/{id}/tweets --------------------------------------------

    def _me(self, request: httpx.Request) -> httpx.Response:
        with LOCK:
            state = self.authorized(request)
            user = {"id": state.tokens["user_id"], "name": state.username, "username": state.username}
        return httpx.Response(200, json={"data": user})

    def _timeline(self, request: httpx.Request, user_id: str) -> httpx.Response:
        params = request.url.params
        fields = set(params.get("tweet.fields", "").split(","))
        try:
            page_size = int(params.get("max_results", "10"))
            start_time = from_iso(params["start_time"]) if "start_time" in params else None
        except ValueError:
            return _invalid_request("max_results", "max_results and start_time must be a number and a time.")
        if not 5 <= page_size <= 100:
            return _invalid_request(
                "max_results", f"The `max_results` query parameter value [{page_size}] is not between 5 and 100"
            )
        with LOCK:
            self.authorized(request)
            owner = next((s for s in accounts_on("x") if s.tokens.get("user_id") == user_id), None)
            if owner is None:
                return httpx.Response(200, json={"errors": [_not_found_error("user", "id", user_id)]})
            posts = [
                post
                for post in reversed(owner.posts.values())
                if start_time is None or from_iso(post["created_at"]) >= start_time
            ]
            after = params.get("pagination_token")
            if after:
                posts = [post for post in posts if int(post["id"]) < int(after)]
            page, more = posts[:page_size], len(posts) > page_size
            views = [_timeline_view(post, fields) for post in page]
        meta: dict[str, Any] = {"result_count": len(views)}
        if views:
            meta.update(newest_id=views[0]["id"], oldest_id=views[-1]["id"])
        if more:
            meta["next_token"] = views[-1]["id"]
        return httpx.Response(200, json={"data": views, "meta": meta} if views else {"meta": meta})

    # --- POST /2/oauth2/token ----------------------------------------------------------------

    def _refresh(self, request: httpx.Request) -> httpx.Response:
        form = {key: values[0] for key, values in parse_qs(request.content.decode("utf-8")).items()}
        if form.get("grant_type") != "refresh_token":
            return httpx.Response(
                400, json={"error": "unsupported_grant_type", "error_description": "Unsupported grant type."}
            )
        if not form.get("client_id"):
            return httpx.Response(
                400, json={"error": "invalid_request", "error_description": "Missing required parameter [client_id]."}
            )
        with LOCK:
            state = self.state()
            if form["client_id"] != state.tokens.get("client_id"):
                return httpx.Response(
                    401, json={"error": "unauthorized_client", "error_description": "Unknown client."}
                )
            if state.revoked or form.get("refresh_token") != state.tokens["refresh_token"]:
                return httpx.Response(
                    400,
                    json={"error": "invalid_request", "error_description": "Value passed for the token was invalid."},
                )
            state.rotate_tokens(
                "access_token", "refresh_token", lambda kind, generation: _token(state.account_id, kind, generation)
            )
            answer = {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": state.tokens["access_token"],
                "scope": "tweet.write users.read tweet.read offline.access",
                "refresh_token": state.tokens["refresh_token"],
            }
        return httpx.Response(200, json=answer)

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        if request.headers.get("authorization") != f"Bearer {state.tokens['access_token']}" or state.token_expired:
            return _problem(401, "Unauthorized", "Unauthorized")
        return None


# --- state, called with LOCK held ------------------------------------------------------------


def _find_post(post_id: str) -> dict[str, Any] | None:
    for state in accounts_on("x"):
        if post_id in state.posts:
            return state.posts[post_id]
    return None


def _repeats_recent_text(state: SimulatedAccount, text: str, now: datetime) -> bool:
    return any(
        post["text"] == text and now - from_iso(post["created_at"]) < DUPLICATE_WINDOW for post in state.posts.values()
    )


def _store_post(state: SimulatedAccount, text: str, reply_to: Any, now: datetime) -> dict[str, Any]:
    global _sequence
    _sequence = (_sequence + 1) % 4096
    worker = stable_digest("x-worker", state.account_id)[0] << 2 & 0x3FF
    milliseconds = int(now.timestamp() * 1000) - TWITTER_EPOCH_MS
    post_id = str(milliseconds << 22 | worker << 12 | _sequence)
    post = {
        "id": post_id,
        "text": text,
        "author_id": state.tokens["user_id"],
        "created_at": to_iso(now),
        "in_reply_to_tweet_id": str(reply_to) if reply_to is not None else None,
    }
    state.posts[post_id] = post
    return post


def _public_metrics(post: dict[str, Any]) -> dict[str, int]:
    """Stable made-up counts per post; replies are the real simulated replies."""
    seed = stable_digest("x-metrics", post["id"])
    replies = sum(
        1 for state in accounts_on("x") for p in state.posts.values() if p["in_reply_to_tweet_id"] == post["id"]
    )
    return {
        "retweet_count": seed[0] % 20,
        "reply_count": replies,
        "like_count": seed[1] % 100,
        "quote_count": seed[2] % 5,
        "bookmark_count": seed[3] % 10,
        "impression_count": 100 + int.from_bytes(seed[4:6], "big") % 5000,
    }


def _rendered(post: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The text as X shows it, and its URL entities: each URL becomes a t.co link (offsets in
    code points of the shown text), and &, <, > are HTML-escaped."""
    text, shown, entities, position = post["text"], "", [], 0
    for index, (start, end) in enumerate(url_spans(text)):
        shown += _escape(text[position:start])
        original = text[start:end]
        short = "https://t.co/" + base64.b32encode(stable_digest("t.co", post["id"], str(index))).decode()[:10].lower()
        expanded = original if original.lower().startswith(("http://", "https://")) else f"http://{original}"
        entities.append(
            {
                "start": len(shown),
                "end": len(shown) + len(short),
                "url": short,
                "expanded_url": expanded,
                "display_url": expanded.split("://", 1)[1][:27],
            }
        )
        shown += short
        position = end
    return shown + _escape(text[position:]), entities


def _timeline_view(post: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    shown, urls = _rendered(post)
    view: dict[str, Any] = {"id": post["id"], "text": shown, "edit_history_tweet_ids": [post["id"]]}
    if "created_at" in fields:
        view["created_at"] = post["created_at"]
    if "entities" in fields and urls:
        view["entities"] = {"urls": urls}
    return view


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- answers ---------------------------------------------------------------------------------


def _invalid_post(body: Any) -> httpx.Response | None:
    if not isinstance(body, dict):
        return _invalid_request("body", "The request body is not a JSON object.")
    if (body.get("media") or {}).get("media_ids"):
        return _invalid_request("media.media_ids", "Your media IDs are invalid.")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return _invalid_request("text", "Post text is required when no media is attached.")
    if weighted_length(text) > MAX_WEIGHTED_LENGTH:
        return _invalid_request("text", f"Post text is longer than {MAX_WEIGHTED_LENGTH} weighted characters.")
    return None


def _problem(
    status: int, title: str, detail: str, *, problem_type: str = "about:blank", headers: dict[str, str] | None = None
) -> httpx.Response:
    body = {"title": title, "detail": detail, "type": problem_type, "status": status}
    return httpx.Response(status, json=body, headers=headers)


def _duplicate() -> httpx.Response:
    return _problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")


def _invalid_request(parameter: str, message: str) -> httpx.Response:
    body = {
        "errors": [{"parameters": {parameter: []}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": f"{_PROBLEMS}/invalid-request",
    }
    return httpx.Response(400, json=body)


def _not_found_error(resource: str, parameter: str, value: str) -> dict[str, Any]:
    return {
        "value": value,
        "detail": f"Could not find {resource} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource,
        "parameter": parameter,
        "resource_id": value,
        "type": f"{_PROBLEMS}/resource-not-found",
    }


def _limits(now: datetime, remaining: int, reset_in_seconds: int) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(CREATE_LIMIT),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(int(now.timestamp()) + reset_in_seconds),
    }
