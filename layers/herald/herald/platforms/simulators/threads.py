"""Simulated Threads API (graph.threads.net) for test-mode accounts.

Answers the calls `ThreadsPlatform` makes, in the shapes of the recorded exchanges
(`recordings/threads.json`, Meta's documented examples; `recordings()` loads them once): Graph
error bodies (`{"error": {message, type, code, error_subcode, fbtrace_id}}`), numeric ids,
`https://www.threads.net/@{username}/post/{shortcode}` permalinks, ISO 8601 timestamps with a
`+0000` offset, and insights rows. It validates what Threads documents: the token (an
`Authorization: Bearer` header or an `access_token` parameter), the container parameters
(media_type; text for TEXT posts, at most 500 characters counted Threads' way; an http(s)
image_url or video_url; 2 to 20 carousel items; an existing reply_to_id; reply_control's values),
the listings' `since` (not before 1688540400) and `limit` (at most 100), and the publishing limit
(250 posts and 1,000 replies in 24 hours).

Containers are processed as Threads processes them, on its side: TEXT, IMAGE and CAROUSEL
containers are FINISHED at once, a VIDEO container answers IN_PROGRESS to its first status check
and is FINISHED from the second, and threads_publish refuses a container that is not FINISHED (or
was published already). Carousel items must be FINISHED before the carousel is made, as the
adapter waits for them. (Real images take a moment too; here they are ready at once, so that
test-mode image posts publish without waiting.)

Failure injection (see `herald.platforms.simulators`) answers threads_publish, where the post is
made and where Threads enforces its publishing limit: `rate_limited` is the Graph throttle error
(code 4; Threads sends no reset time), `server_error` a 503 (code 2), `duplicate` the Graph API's
duplicate-post error (code 506), `expired_token` code 190/463, and the refresh of a
`revoked_token` is refused with 190/458. Unlike Threads, the simulator renews an expired token:
the injected expiry stands for a token Threads stopped honouring while its refresh still works.

Before an account exists, `connect_handler` answers the connect calls: the code exchange (codes
made by `simulated_code`, app credentials TEST_CLIENT_ID/TEST_CLIENT_SECRET), the long-lived
exchange, the profile and its followers. Its tokens carry who they belong to, so every process
agrees on them.

Mentions: `GET /{user-id}/mentions` answers the account's made-up mentions as they come with time
(`common.simulated_mentions`: people from `common.MENTIONERS`, a few a day, some replying to the
account's newest post), newest first, with `since`, `limit` and `after`; as documented, the
answer pages by `paging.cursors` only (no `paging.next`).

Counts: a post's insights (views, likes, replies, reposts, quotes, shares) grow with the time since
it was published (`common.grown_metrics`; replies add the real simulated ones), and the followers_count
user insight grows day by day (`common.grown_followers`)."""

from __future__ import annotations

import base64
import copy
import json
import re
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from herald.clock import from_iso
from herald.platforms.simulators import (
    LOCK,
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
    SimulatedAccount,
    accounts_on,
    redeem_code,
    simulated_now,
    stable_digest,
)
from herald.platforms.simulators.common import (
    SimulatedMention,
    Simulator,
    form_body,
    grown_followers,
    grown_metrics,
    reply_target,
    simulated_mentions,
)
from herald.platforms.threads import MAX_CAROUSEL_ITEMS, MAX_TEXT_LENGTH, MEDIA_METRICS
from herald.text.counting import threads as threads_length

HOST = "graph.threads.net"
VERSION_PREFIX = "/v1.0/"
RECORDINGS = Path(__file__).with_name("recordings") / "threads.json"
PUBLIC_HOST = "https://www.threads.net"
POST_QUOTA = 250
REPLY_QUOTA = 1000
QUOTA_WINDOW = timedelta(days=1)
CONTAINER_LIFETIME = timedelta(days=1)  # unpublished containers expire after 24 hours
MIN_SINCE = 1688540400  # the listings' earliest `since`
MAX_LISTING_LIMIT = 100
DEFAULT_LISTING_LIMIT = 25
STATUS_CHECKS_BEFORE_FINISHED = {"TEXT": 0, "CAROUSEL": 0, "IMAGE": 0, "VIDEO": 1}  # IN_PROGRESS answers
REPLY_CONTROLS = frozenset(
    {"everyone", "accounts_you_follow", "mentioned_only", "parent_post_author_only", "followers_only"}
)
LISTED_MEDIA_TYPES = {"TEXT": "TEXT_POST", "IMAGE": "IMAGE", "VIDEO": "VIDEO", "CAROUSEL": "CAROUSEL_ALBUM"}
PROFILE_FIELDS = ("id", "username", "name", "threads_profile_picture_url", "threads_biography")
POST_FIELDS = ("id", "text", "timestamp", "media_type", "permalink", "shortcode", "username")
MENTION_FIELDS = ("id", "text", "username", "permalink", "timestamp", "media_type", "shortcode", "is_reply",
                  "replied_to")
LIMIT_FIELDS = ("quota_usage", "config", "reply_quota_usage", "reply_config")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.IGNORECASE)
_containers: dict[str, dict[str, Any]] = {}  # container id -> container, process-wide (guarded by LOCK)
_sequence = 0  # the low digits of generated ids, process-wide (guarded by LOCK)


@cache
def recordings() -> dict[str, dict[str, Any]]:
    """The recorded exchanges by name (loaded once)."""
    entries = json.loads(RECORDINGS.read_text(encoding="utf-8"))
    return {entry["name"]: entry for entry in entries}


def recorded(name: str) -> Any:
    """A copy of the recorded response body `name`: the shape an answer is built from."""
    return copy.deepcopy(recordings()[name]["response"]["body"])


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    return {"access_token": _token(account_id, "access", 0), "user_id": user_id_for(account_id)}


def user_id_for(subject: str) -> str:
    """A 17-digit Threads user id, the same for `subject` (an account id, or "@" and a username
    for a connection) in every process."""
    return str(2 * 10**16 + int.from_bytes(stable_digest("threads-user", subject)[:8], "big") % 10**16)


def _token(subject: str, kind: str, generation: int) -> str:
    """A token that names its subject and kind ("short" or "access"), so connect calls can be
    answered in any process."""
    claims = base64.urlsafe_b64encode(f"{kind}:{generation}:{subject}".encode()).decode().rstrip("=")
    signature = base64.urlsafe_b64encode(stable_digest("threads-token", subject, kind, str(generation))[:24])
    return f"TH{claims}.{signature.decode()}"


def _token_claims(token: str) -> tuple[str, str] | None:
    """(kind, subject) of a token `_token` made; None for any other string."""
    claims, _, _ = token.removeprefix("TH").partition(".")
    try:
        kind, generation, subject = base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)).decode().split(":", 2)
        genuine = token.startswith("TH") and _token(subject, kind, int(generation)) == token
    except ValueError:
        return None
    return (kind, subject) if genuine else None


# --- connecting, before any account exists -----------------------------------------------------


def connect_handler(request: httpx.Request) -> httpx.Response:
    if request.url.host != HOST:
        raise httpx.ConnectError(f"the Threads simulator does not serve {request.url.host}", request=request)
    path = request.url.path
    if (request.method, path) == ("POST", "/oauth/access_token"):
        return _redeem(form_body(request))
    if (request.method, path) == ("GET", "/access_token"):
        return _exchange(request.url.params)
    claims = _token_claims(_bearer(request) or "")
    if claims is None or claims[0] != "access":
        return _error("error_invalid_token")
    subject = claims[1]
    if (request.method, path) == ("GET", "/v1.0/me"):
        return _profile(request, user_id_for(subject), subject.removeprefix("@"))
    if (request.method, path) == ("GET", f"/v1.0/{user_id_for(subject)}/threads_insights"):
        return _followers(request, user_id_for(subject))
    return _unsupported(request)


def _redeem(form: dict[str, str]) -> httpx.Response:
    missing = [name for name in ("client_id", "client_secret", "code", "grant_type", "redirect_uri") if not form.get(name)]
    if missing:
        return _flat_error(f"Missing required parameter: {missing[0]}")
    if form["grant_type"] != "authorization_code":
        return _flat_error("Unsupported grant_type")
    if (form["client_id"], form["client_secret"]) != (TEST_CLIENT_ID, TEST_CLIENT_SECRET):
        return _flat_error("Invalid platform app")
    username = redeem_code(form["code"], form.get("code_verifier"))
    if username is None:
        return _flat_error("Invalid authorization code")
    answer = recorded("oauth_access_token")
    answer.update(access_token=_token(f"@{username}", "short", 0), user_id=int(user_id_for(f"@{username}")))
    return httpx.Response(200, json=answer)


def _exchange(params: httpx.QueryParams) -> httpx.Response:
    if params.get("grant_type") != "th_exchange_token":
        return _invalid_parameter("Param grant_type must be th_exchange_token")
    if params.get("client_secret") != TEST_CLIENT_SECRET:
        return _invalid_parameter("Error validating client secret.")
    claims = _token_claims(params.get("access_token", ""))
    if claims is None or claims[0] != "short":
        return _error("error_invalid_token")
    answer = recorded("long_lived_token")
    answer["access_token"] = _token(claims[1], "access", 0)
    return httpx.Response(200, json=answer)


# --- one account -------------------------------------------------------------------------------


class ThreadsSimulator(Simulator):
    network = "threads"

    def route(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != HOST:
            raise httpx.ConnectError(f"the Threads simulator does not serve {request.url.host}", request=request)
        if (request.method, request.url.path) == ("GET", "/refresh_access_token"):
            return self._refresh(request.url.params)
        if not request.url.path.startswith(VERSION_PREFIX):
            return _unsupported(request)
        parts = request.url.path.removeprefix(VERSION_PREFIX).split("/")
        if len(parts) == 1:
            return self._node(request, parts[0])
        if len(parts) == 2:
            return self._edge(request, *parts)
        return _unsupported(request)

    def _node(self, request: httpx.Request, node: str) -> httpx.Response:
        with LOCK:
            state = self.authorized(request)
            if (request.method, node) == ("GET", "me"):
                return _profile(request, state.tokens["user_id"], state.username)
            if request.method == "GET":
                return _read_node(request, state, node)
            if request.method == "DELETE":
                return _delete(request, state, node)
        return _unsupported(request)

    def _edge(self, request: httpx.Request, node: str, edge: str) -> httpx.Response:
        if (request.method, edge) == ("POST", "threads_publish"):
            return self._publish(request, node)
        with LOCK:
            state = self.authorized(request)
            if edge == "insights" and request.method == "GET":
                return _insights(request, state, node)
            if node not in ("me", state.tokens["user_id"]):
                return _unsupported(request)
            if (request.method, edge) == ("POST", "threads"):
                return _create_container(request, state)
            if (request.method, edge) in (("GET", "threads"), ("GET", "replies")):
                return _listing(request, state, replies=edge == "replies")
            if (request.method, edge) == ("GET", "mentions"):
                return _mentions(request, state)
            if (request.method, edge) == ("GET", "threads_publishing_limit"):
                return _publishing_limit(request, state)
            if (request.method, edge) == ("GET", "threads_insights"):
                return _followers(request, state.tokens["user_id"])
        return _unsupported(request)

    # --- POST /{user-id}/threads_publish ------------------------------------------------------

    def _publish(self, request: httpx.Request, node: str) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            failure = self.take_create_failure(request)
            if failure == "rate_limited":
                return _error("error_rate_limited")
            if failure == "server_error":
                return _error("error_server")
            if failure == "duplicate":
                return _error("error_duplicate")
            state = self.authorized(request)
            if node not in ("me", state.tokens["user_id"]):
                return _unsupported(request)
            creation_id = form_body(request).get("creation_id", "")
            container = _containers.get(creation_id)
            if container is None or container["owner"] != state.account_id or container["is_carousel_item"]:
                return _missing(request, creation_id)
            refused = _unpublishable(state, container, now)
            if refused is not None:
                return refused
            post = _store_post(state, container, now)
        if (lost := self.after_write(failure, request, "the post was published")) is not None:
            return lost
        return httpx.Response(200, json={"id": post["id"]})

    # --- GET /refresh_access_token ------------------------------------------------------------

    def _refresh(self, params: httpx.QueryParams) -> httpx.Response:
        if params.get("grant_type") != "th_refresh_token":
            return _invalid_parameter("Param grant_type must be th_refresh_token")
        with LOCK:
            state = self.state()
            if params.get("access_token") != state.tokens["access_token"]:
                return _error("error_invalid_token")
            if state.revoked:
                return _error("refresh_token_refused")
            state.token_generation += 1
            state.previous_tokens = {"access_token": state.tokens["access_token"]}
            state.tokens["access_token"] = _token(state.account_id, "access", state.token_generation)
            state.token_expired = False
            answer = recorded("refresh_token")
            answer["access_token"] = state.tokens["access_token"]
        return httpx.Response(200, json=answer)

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        if _bearer(request) != state.tokens["access_token"]:
            return _error("error_invalid_token")
        if state.token_expired:
            return _error("error_expired_token")
        return None


# --- containers, called with LOCK held ---------------------------------------------------------


def _create_container(request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
    form = form_body(request)
    refused = _invalid_container(request, state, form)
    if refused is not None:
        return refused
    now = simulated_now()
    for expired in [key for key, container in _containers.items() if now - container["created_at"] > CONTAINER_LIFETIME]:
        del _containers[expired]
    media_type = form["media_type"]
    children = form.get("children", "").split(",") if media_type == "CAROUSEL" else []
    container_id = _new_id("17")
    _containers[container_id] = {
        "created_at": now,
        "id": container_id,
        "owner": state.account_id,
        "media_type": media_type,
        "text": form.get("text", ""),
        "reply_to_id": form.get("reply_to_id"),
        "children": children,
        "is_carousel_item": form.get("is_carousel_item") == "true",
        "checks_left": STATUS_CHECKS_BEFORE_FINISHED[media_type],
        "published": False,
    }
    return httpx.Response(200, json={"id": container_id})


def _invalid_container(request: httpx.Request, state: SimulatedAccount, form: dict[str, str]) -> httpx.Response | None:
    media_type = form.get("media_type")
    if media_type not in STATUS_CHECKS_BEFORE_FINISHED:
        return _invalid_parameter("Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}")
    text = form.get("text", "")
    if media_type == "TEXT" and not text.strip():
        return _invalid_parameter("Param text is required for text posts.")
    if threads_length(text) > MAX_TEXT_LENGTH:
        return _error("error_text_too_long")
    url_field = {"IMAGE": "image_url", "VIDEO": "video_url"}.get(media_type)
    if url_field and not _URL.match(form.get(url_field, "")):
        return _invalid_parameter(f"Param {url_field} must be a valid URL")
    if form.get("is_carousel_item") == "true" and media_type not in ("IMAGE", "VIDEO"):
        return _invalid_parameter("Only IMAGE and VIDEO containers can be carousel items.")
    if media_type == "CAROUSEL":
        refused = _invalid_children(request, state, form.get("children", ""))
        if refused is not None:
            return refused
    if form.get("reply_to_id") and _find_post(form["reply_to_id"]) is None:
        return _missing(request, form["reply_to_id"])
    if "reply_control" in form and form["reply_control"] not in REPLY_CONTROLS:
        return _invalid_parameter(f"Param reply_control must be one of {{{', '.join(sorted(REPLY_CONTROLS))}}}")
    return None


def _invalid_children(request: httpx.Request, state: SimulatedAccount, children: str) -> httpx.Response | None:
    ids = [child for child in children.split(",") if child]
    if not 2 <= len(ids) <= MAX_CAROUSEL_ITEMS:
        return _invalid_parameter(f"Param children must hold 2 to {MAX_CAROUSEL_ITEMS} container ids")
    for child in ids:
        container = _containers.get(child)
        if container is None or container["owner"] != state.account_id or not container["is_carousel_item"]:
            return _missing(request, child)
        if container["checks_left"] or container["published"]:
            return _invalid_parameter(f"The carousel item {child} is not ready: its status is not FINISHED.")
    return None


def _status(container: dict[str, Any]) -> str:
    if container["published"]:
        return "PUBLISHED"
    return "IN_PROGRESS" if container["checks_left"] else "FINISHED"


def _unpublishable(state: SimulatedAccount, container: dict[str, Any], now: datetime) -> httpx.Response | None:
    if _status(container) != "FINISHED":
        return _invalid_parameter(f"The media is not ready for publishing ({_status(container)}), please wait.")
    reply = container["reply_to_id"] is not None
    if _published_in_window(state, now, replies=reply) >= (REPLY_QUOTA if reply else POST_QUOTA):
        return _error("error_rate_limited")
    return None


def _store_post(state: SimulatedAccount, container: dict[str, Any], now: datetime) -> dict[str, Any]:
    container["published"] = True
    post_id = _new_id("18")
    shortcode = base64.urlsafe_b64encode(stable_digest("threads-shortcode", post_id)).decode()[:11]
    post = {
        "id": post_id,
        "text": container["text"],
        "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "media_type": LISTED_MEDIA_TYPES[container["media_type"]],
        "shortcode": shortcode,
        "permalink": f"{PUBLIC_HOST}/@{state.username}/post/{shortcode}",
        "username": state.username,
        "reply_to_id": container["reply_to_id"],
        "children": len(container["children"]),
    }
    state.posts[post_id] = post
    return post


def _new_id(prefix: str) -> str:
    """A 17-digit id (`prefix` and 15 digits), from the time and a process-wide sequence."""
    global _sequence
    _sequence = (_sequence + 1) % 1000
    return f"{prefix}{(int(simulated_now().timestamp() * 1000) * 1000 + _sequence) % 10**15:015d}"


# --- reads, called with LOCK held --------------------------------------------------------------


def _read_node(request: httpx.Request, state: SimulatedAccount, node: str) -> httpx.Response:
    fields = _fields(request)
    container = _containers.get(node)
    if container is not None and container["owner"] == state.account_id:
        if "status" in fields and container["checks_left"]:
            container["checks_left"] -= 1
            answer = {"status": "IN_PROGRESS", "id": node}
        else:
            answer = {"status": _status(container), "id": node}
        return httpx.Response(200, json=answer)
    found = _find_post(node)
    if found is None:
        return _missing(request, node)
    return httpx.Response(200, json=_post_view(found[1], fields))


def _delete(request: httpx.Request, state: SimulatedAccount, node: str) -> httpx.Response:
    if state.posts.pop(node, None) is None:
        return _missing(request, node)
    answer = recorded("delete")
    answer["deleted_id"] = node
    return httpx.Response(200, json=answer)


def _listing(request: httpx.Request, state: SimulatedAccount, *, replies: bool) -> httpx.Response:
    params = request.url.params
    since, limit = params.get("since", str(MIN_SINCE)), params.get("limit", str(DEFAULT_LISTING_LIMIT))
    if not since.isdigit() or int(since) < MIN_SINCE:
        return _invalid_parameter(f"Param since must be a Unix time not before {MIN_SINCE}")
    if not limit.isdigit() or not 0 < int(limit) <= MAX_LISTING_LIMIT:
        return _invalid_parameter(f"Param limit must be a number from 1 to {MAX_LISTING_LIMIT}")
    posts = [
        post
        for post in reversed(state.posts.values())
        if (post["reply_to_id"] is not None) == replies and from_iso(post["timestamp"]).timestamp() >= int(since)
    ]
    if "after" in params:
        ids = [post["id"] for post in posts]
        after = _cursor_id(params["after"])
        posts = posts[ids.index(after) + 1 :] if after in ids else []
    page, more = posts[: int(limit)], len(posts) > int(limit)
    fields = _fields(request)
    answer: dict[str, Any] = {"data": [_post_view(post, fields) for post in page]}
    if page:
        paging: dict[str, Any] = {"cursors": {"before": _cursor(page[0]["id"]), "after": _cursor(page[-1]["id"])}}
        if more:
            query = {**dict(params.multi_items()), "after": _cursor(page[-1]["id"])}
            paging["next"] = f"https://{HOST}{request.url.path}?{urlencode(query)}"
        answer["paging"] = paging
    return httpx.Response(200, json=answer)


def _mentions(request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
    """GET /{user-id}/mentions: the account's simulated mentions made since `since`, newest first."""
    params = request.url.params
    since, limit = params.get("since", str(MIN_SINCE)), params.get("limit", str(DEFAULT_LISTING_LIMIT))
    if not since.isdigit() or int(since) < MIN_SINCE:
        return _invalid_parameter(f"Param since must be a Unix time not before {MIN_SINCE}")
    if not limit.isdigit() or not 0 < int(limit) <= MAX_LISTING_LIMIT:
        return _invalid_parameter(f"Param limit must be a number from 1 to {MAX_LISTING_LIMIT}")
    after = _cursor_id(params["after"]) if "after" in params else None
    if after is not None and not after.isdigit():
        return _invalid_parameter("Param after is not a cursor this list gave")
    own_posts = [(post["id"], from_iso(post["timestamp"])) for post in state.posts.values()]
    user_id, username = state.tokens["user_id"], state.username
    page: list[dict[str, Any]] = []
    for mention in simulated_mentions(f"threads:{user_id}", f"@{username}", simulated_now()):
        if mention.at.timestamp() < int(since) or len(page) == int(limit):
            break
        if after is not None and mention.number >= int(after):
            continue
        target = reply_target(own_posts, mention.at) if mention.reply else None
        page.append(_mention_view(mention, target))
    fields = _fields(request)
    views = [{f: v for f, v in post.items() if f == "id" or (f in fields and f in MENTION_FIELDS)} for post in page]
    answer: dict[str, Any] = {"data": views}
    if page:
        first, last = page[0]["number"], page[-1]["number"]
        answer["paging"] = {"cursors": {"before": _cursor(str(first)), "after": _cursor(str(last))}}
    return httpx.Response(200, json=answer)


def _mention_view(mention: SimulatedMention, target: str | None) -> dict[str, Any]:
    milliseconds = int(mention.at.timestamp() * 1000)
    post_id = f"17{(milliseconds * 1000 + mention.number % 1000) % 10**15:015d}"
    shortcode = base64.urlsafe_b64encode(stable_digest("threads-shortcode", post_id)).decode()[:11]
    view: dict[str, Any] = {
        "id": post_id, "text": mention.text, "username": mention.author,
        "permalink": f"{PUBLIC_HOST}/@{mention.author}/post/{shortcode}",
        "timestamp": mention.at.strftime("%Y-%m-%dT%H:%M:%S+0000"), "media_type": "TEXT_POST",
        "shortcode": shortcode, "is_reply": target is not None,
    }
    if target is not None:
        view["replied_to"] = {"id": target}
    return {**view, "number": mention.number}


def _publishing_limit(request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
    fields = [field for field in _fields(request) if field in LIMIT_FIELDS]
    if not fields:
        return _invalid_parameter(f"Param fields must name some of {', '.join(LIMIT_FIELDS)}")
    now = simulated_now()
    values = {
        "quota_usage": _published_in_window(state, now, replies=False),
        "config": {"quota_total": POST_QUOTA, "quota_duration": int(QUOTA_WINDOW.total_seconds())},
        "reply_quota_usage": _published_in_window(state, now, replies=True),
        "reply_config": {"quota_total": REPLY_QUOTA, "quota_duration": int(QUOTA_WINDOW.total_seconds())},
    }
    return httpx.Response(200, json={"data": [{field: values[field] for field in fields}]})


def _insights(request: httpx.Request, state: SimulatedAccount, node: str) -> httpx.Response:
    """Insights of the account's own posts only, as on Threads."""
    if node not in state.posts:
        return _missing(request, node)
    metrics = [metric for metric in request.url.params.get("metric", "").split(",") if metric]
    if not metrics or any(metric not in MEDIA_METRICS for metric in metrics):
        return _invalid_parameter(f"(#100) metric must be one of the following values: {', '.join(MEDIA_METRICS)}")
    templates = {row["name"]: row for row in recorded("media_insights")["data"]}
    values = _media_metrics(state.posts[node], simulated_now())
    rows = []
    for metric in metrics:
        row = templates[metric]
        row.update(values=[{"value": values[metric]}], id=f"{node}/insights/{metric}/lifetime")
        rows.append(row)
    return httpx.Response(200, json={"data": rows})


def _media_metrics(post: dict[str, Any], now: datetime) -> dict[str, int]:
    """The post's lifetime insights at `now`, grown since it was published; replies add the real
    simulated ones, shares are sends (reposts are the reposts)."""
    post_id = post["id"]
    grown = grown_metrics(post_id, from_iso(post["timestamp"]), now)
    replies = sum(1 for state in accounts_on("threads") for p in state.posts.values() if p["reply_to_id"] == post_id)
    return {
        "views": grown["impressions"],
        "likes": grown["likes"],
        "replies": grown["comments"] + replies,
        "reposts": grown["shares"],
        "quotes": grown["quotes"],
        "shares": grown["sends"],
    }


def _published_in_window(state: SimulatedAccount, now: datetime, *, replies: bool) -> int:
    return sum(
        1
        for post in state.posts.values()
        if (post["reply_to_id"] is not None) == replies and now - from_iso(post["timestamp"]) < QUOTA_WINDOW
    )


def _find_post(post_id: str) -> tuple[SimulatedAccount, dict[str, Any]] | None:
    for state in accounts_on("threads"):
        if post_id in state.posts:
            return state, state.posts[post_id]
    return None


def _post_view(post: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {field: post[field] for field in POST_FIELDS if field == "id" or field in fields}


# --- answers shared by both handlers -----------------------------------------------------------


def _profile(request: httpx.Request, user_id: str, username: str) -> httpx.Response:
    shape = recorded("profile")
    values = {
        "id": user_id,
        "username": username,
        "name": username.replace("_", " ").title(),
        "threads_profile_picture_url": f"https://scontent.cdninstagram.com/v/t51/{user_id}_profile.jpg",
        "threads_biography": shape["threads_biography"],
    }
    fields = _fields(request)
    return httpx.Response(200, json={field: values[field] for field in PROFILE_FIELDS if field == "id" or field in fields})


def _followers(request: httpx.Request, user_id: str) -> httpx.Response:
    if request.url.params.get("metric") != "followers_count":
        return _invalid_parameter("(#100) The simulator answers the followers_count metric only")
    answer = recorded("followers_count")
    row = answer["data"][0]
    row["total_value"]["value"] = grown_followers(f"threads:{user_id}", simulated_now())
    row["id"] = f"{user_id}/insights/followers_count/day"
    return httpx.Response(200, json=answer)


def _error(name: str, message: str | None = None) -> httpx.Response:
    """The recorded error `name` (its status and body), with another message when given."""
    status = recordings()[name]["response"]["status"]
    body = recorded(name)
    if message is not None:
        body["error"]["message"] = message
    return httpx.Response(status, json=body)


def _invalid_parameter(message: str) -> httpx.Response:
    return _error("error_text_too_long", message)  # the recorded shape of a code 100 refusal


def _missing(request: httpx.Request, node: str) -> httpx.Response:
    verb = request.method.lower()
    return _error(
        "error_not_found",
        f"Unsupported {verb} request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation. Please read the Graph API documentation at "
        "https://developers.facebook.com/docs/graph-api",
    )


def _unsupported(request: httpx.Request) -> httpx.Response:
    return _missing(request, request.url.path.strip("/").split("/")[-1])


def _flat_error(message: str) -> httpx.Response:
    body = recorded("oauth_access_token_refused")
    body["error_message"] = message
    return httpx.Response(400, json=body)



def _fields(request: httpx.Request) -> list[str]:
    return [field for field in request.url.params.get("fields", "").split(",") if field]


def _bearer(request: httpx.Request) -> str | None:
    """The access token: the Authorization header's, or the `access_token` parameter."""
    header = request.headers.get("authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ")
    return request.url.params.get("access_token")


def _cursor(post_id: str) -> str:
    return base64.urlsafe_b64encode(f"cursor:{post_id}".encode()).decode()


def _cursor_id(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("cursor:")
    except ValueError:
        return ""

