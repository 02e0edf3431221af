"""Simulated Reddit API (www.reddit.com, oauth.reddit.com and Reddit's S3 media store) for
test-mode accounts.

Answers the calls `RedditPlatform` makes, in the shapes of the recorded exchanges
(`recordings/reddit.json`; `recordings()` loads them once): `json.errors` refusals in HTTP 200
answers, `t3_`/`t1_` fullnames with base-36 ids, `https://www.reddit.com/r/{sr}/comments/{id}/{slug}/`
permalinks, Listings, `t5` about pages and post requirements. Every call to Reddit must carry a
User-Agent in the form Reddit's API rules ask (`platform:app:version (by /u/name)`); one without
is answered 429, as Reddit throttles generic agents.

Subreddits. Any name a test-mode account posts to is a public subreddit that takes any post
(permissive rules), except these, each with one rule (names are case-insensitive):

| name | rule |
|---|---|
| simflair | a post flair is required (`is_flair_required`; any `flair_id` is taken) |
| simlinks | links, images and videos only (`submission_type=link`) |
| simtext | text posts only, with a body, and titles of at least 10 characters |
| simnsfw | an NSFW community (`over18`) |
| simrules | titles with "[OC]" or "[Launch]", without "free", at most 100 characters; no "crypto" in bodies; no links to example.org |
| simnoimages | no images and no videos |
| simrestricted | restricted: only approved users may post |
| simbanned | the account is banned there |
| simprivate | private (about: 403) |
| simgone | banned by Reddit (about: 404 `banned`) |
| simmissing | does not exist (about: 404) |

`/api/submit` enforces the same rules (as `validate_on_submit` does), so a request that skipped
the checks is refused with Reddit's `json.errors` codes (SUBMIT_VALIDATION_FLAIR_REQUIRED,
NO_SELFS, NO_LINKS, TOO_LONG, BAD_SR_NAME, SUBREDDIT_NOEXIST, SUBREDDIT_NOTALLOWED, ALREADY_SUB
for a link already in the subreddit, ...).

Media. `POST /api/media/asset.json` leases an upload (S3 POST fields, a key under `rte_images/`);
the multipart POST to the media host must carry every leased field and the file last, and is
answered 201 with the file's <Location> (an EntityTooLarge XML error beyond 20 MB for images, 1 GB
for videos). An image or video submit names an uploaded file (a video also its uploaded poster) and
is answered with a websocket URL only: the post shows in `/user/{name}/submitted` and `/api/info`
once Reddit has "processed" it, IMAGE_PROCESSING or VIDEO_PROCESSING after the submit (simulated
time).

Failure injection (see `herald.platforms.simulators`) answers `/api/submit` and `/api/comment`:
`rate_limited` is the RATELIMIT `json.errors` refusal (take a break for a minute, `json.ratelimit`
60), `server_error` a 500, `duplicate` ALREADY_SUB, `expired_token` a 401 (the simulator renews it
on refresh), `revoked_token` a 401 whose refresh is refused with `invalid_grant`; `timeout` and
`malformed` make the post, then lose the answer.

Before an account exists, `connect_handler` answers the code exchange (codes made by
`simulated_code`, the test app's credentials as HTTP Basic) and `/api/v1/me`; its tokens name the
username they were issued for, so every process agrees on them.

Counts: a post's `ups`/`score`, `num_comments` (plus the real simulated comments) and
`num_crossposts` grow with the time since it was posted (`common.grown_metrics`); the profile's
subscribers grow day by day (`common.grown_followers`)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from herald.platforms.reddit import MAX_COMMENT, MAX_SELF_TEXT, MAX_TITLE, SCOPES
from herald.platforms.simulators import (
    LOCK,
    SimulatedAccount,
    accounts_on,
    redeem_code,
    simulated_now,
    stable_digest,
)
from herald.platforms.simulators.common import (
    Simulator,
    client_authenticated,
    form_body,
    grown_followers,
    grown_metrics,
)

WWW_HOST = "www.reddit.com"
API_HOST = "oauth.reddit.com"
MEDIA_HOST = "reddit-uploaded-media.s3-accelerate.amazonaws.com"
PUBLIC = "https://www.reddit.com"
WEBSOCKET = "wss://ws-0a1b2c3d4e5f67890.wss.redditmedia.com"
RECORDINGS = Path(__file__).with_name("recordings") / "reddit.json"
GRANTED_SCOPES = " ".join(sorted(SCOPES))
IMAGE_PROCESSING = timedelta(seconds=2)
VIDEO_PROCESSING = timedelta(seconds=8)
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_VIDEO_BYTES = 1024 * 1024 * 1024
MEDIA_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "video/mp4": "mp4",
               "video/quicktime": "mov"}
MAX_LISTING_LIMIT = 100
DEFAULT_LISTING_LIMIT = 25
MAX_INFO_IDS = 100
RATELIMIT_SECONDS = 60
_USER_AGENT = re.compile(r"^[A-Za-z0-9_.-]+:[^\s:]+:[^\s]+( \(by /?u/[A-Za-z0-9_-]+\))?$")
_SUBREDDIT = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9_]{1,20}|u_[A-Za-z0-9_-]{3,20})$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.IGNORECASE)
_KINDS = ("self", "link", "image", "video", "videogif")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_INTERNAL = ("visible_at", "deleted", "owner", "link_url_key")
_sequence = 0  # the low digits of generated ids, process-wide (guarded by LOCK)


@cache
def recordings() -> dict[str, dict[str, Any]]:
    """The recorded exchanges by name (loaded once)."""
    entries = json.loads(RECORDINGS.read_text(encoding="utf-8"))
    return {entry["name"]: entry for entry in entries}


def recorded(name: str) -> Any:
    """A copy of the recorded response body `name`: the shape an answer is built from."""
    return copy.deepcopy(recordings()[name]["response"]["body"])


def _recorded(name: str, *, headers: dict[str, str] | None = None) -> httpx.Response:
    response = recordings()[name]["response"]
    answer_headers = {**response.get("headers", {}), **(headers or {})}
    body = copy.deepcopy(response["body"])
    if isinstance(body, str):
        return httpx.Response(response["status"], text=body, headers=answer_headers)
    if body is None:
        return httpx.Response(response["status"], headers=answer_headers)
    return httpx.Response(response["status"], json=body, headers=answer_headers)


# --- subreddits --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimulatedSubreddit:
    """A subreddit with rules of its own: about fields and post requirements that differ from a
    permissive public subreddit's, or an about page that is refused (`status`, `reason`)."""

    name: str
    about: dict[str, Any] = field(default_factory=dict)
    requirements: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    reason: str | None = None


SUBREDDITS = {
    sub.name.lower(): sub
    for sub in (
        SimulatedSubreddit("SimFlair", requirements={"is_flair_required": True}),
        SimulatedSubreddit("SimLinks", about={"submission_type": "link"}),
        SimulatedSubreddit("SimText", about={"submission_type": "self"},
                           requirements={"body_restriction_policy": "required", "title_text_min_length": 10}),
        SimulatedSubreddit("SimNSFW", about={"over18": True}),
        SimulatedSubreddit("SimRules", requirements={
            "title_required_strings": ["[OC]", "[Launch]"], "title_blacklisted_strings": ["free"],
            "title_text_max_length": 100, "body_blacklisted_strings": ["crypto"],
            "domain_blacklist": ["example.org"], "link_restriction_policy": "blacklist"}),
        SimulatedSubreddit("SimNoImages", about={"allow_images": False, "allow_videos": False,
                                                 "allow_videogifs": False}),
        SimulatedSubreddit("SimRestricted", about={"subreddit_type": "restricted"}),
        SimulatedSubreddit("SimBanned", about={"user_is_banned": True}),
        SimulatedSubreddit("SimPrivate", status=403, reason="private"),
        SimulatedSubreddit("SimGone", status=404, reason="banned"),
        SimulatedSubreddit("SimMissing", status=404),
    )
}
_PERMISSIVE_ABOUT = {
    "submission_type": "any", "over18": False, "subreddit_type": "public", "allow_images": True,
    "allow_videos": True, "allow_videogifs": True, "user_is_banned": False, "user_is_contributor": False,
    "user_is_moderator": False, "link_flair_enabled": True,
}


def subreddit(name: str) -> SimulatedSubreddit:
    """The subreddit `name` names: one of SUBREDDITS, else a permissive public one spelled as asked."""
    return SUBREDDITS.get(name.lower()) or SimulatedSubreddit(name)


def _about_view(sub: SimulatedSubreddit, now: datetime) -> dict[str, Any]:
    answer = recorded("subreddit_about")
    data = answer["data"]
    data.update(_PERMISSIVE_ABOUT)
    data.update(
        display_name=sub.name, display_name_prefixed=f"r/{sub.name}", title=sub.name, url=f"/r/{sub.name}/",
        name="t5_" + _base36(int.from_bytes(stable_digest("reddit-sr", sub.name.lower())[:6], "big"))[:6],
        subscribers=grown_followers(f"reddit-sr:{sub.name.lower()}", now),
        public_description=f"A simulated subreddit ({sub.name}).",
    )
    data.update(sub.about)
    return answer


def _requirements_view(sub: SimulatedSubreddit) -> dict[str, Any]:
    answer = recorded("post_requirements")
    answer["is_flair_required"] = False
    answer.update(sub.requirements)
    return answer


# --- tokens and ids ----------------------------------------------------------------------------


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    return {
        "access_token": _token(account_id, "access", 0),
        "refresh_token": _token(account_id, "refresh", 0),
        "username": username,
        "user_id": user_id_for(account_id),
        "scope": GRANTED_SCOPES,
    }


def user_id_for(subject: str) -> str:
    """A `t2_` fullname, the same for `subject` (an account id, or "@" and a username for a
    connection) in every process."""
    return "t2_" + _base36(int.from_bytes(stable_digest("reddit-user", subject)[:8], "big"))[:8]


def _token(subject: str, kind: str, generation: int) -> str:
    """A token that names its subject and kind ("access" or "refresh"), so connect calls can be
    answered in any process; shaped like Reddit's JWT access tokens."""
    claims = base64.urlsafe_b64encode(
        json.dumps({"sub": subject, "kind": kind, "gen": generation}, separators=(",", ":")).encode()
    ).decode().rstrip("=")
    signature = base64.urlsafe_b64encode(stable_digest("reddit-token", subject, kind, str(generation))[:24])
    return f"{claims}.{signature.decode().rstrip('=')}"


def _token_claims(token: str) -> tuple[str, str] | None:
    """(kind, subject) of a token `_token` made; None for any other string."""
    claims, _, _ = token.partition(".")
    try:
        payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
        kind, subject, generation = payload["kind"], payload["sub"], int(payload["gen"])
    except (ValueError, KeyError, TypeError):
        return None
    return (kind, subject) if _token(subject, kind, generation) == token else None


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _BASE36[rest] + digits
        if not number:
            return digits


def _new_id(state: SimulatedAccount, now: datetime) -> str:
    """A 7-character base-36 id, from the account, the time and a process-wide sequence."""
    global _sequence
    _sequence += 1
    digest = stable_digest("reddit-thing", state.account_id, now.isoformat(), str(_sequence))
    return "1" + _base36(int.from_bytes(digest[:8], "big"))[-6:].rjust(6, "0")


# --- connecting, before any account exists -----------------------------------------------------


def connect_handler(request: httpx.Request) -> httpx.Response:
    refused = _refuse_agent(request)
    if refused is not None:
        return refused
    host, path = request.url.host, request.url.path
    if (host, request.method, path) == (WWW_HOST, "POST", "/api/v1/access_token"):
        return _redeem(request)
    if (host, request.method, path) == (API_HOST, "GET", "/api/v1/me"):
        claims = _token_claims(_bearer(request))
        if claims is None or claims[0] != "access" or not claims[1].startswith("@"):
            return _recorded("error_unauthorized")
        username = claims[1].removeprefix("@")
        return httpx.Response(200, json=_me_view(username, user_id_for(claims[1]), simulated_now()))
    if host not in (WWW_HOST, API_HOST):
        raise httpx.ConnectError(f"the Reddit simulator does not serve {host}", request=request)
    return _not_found()


def _redeem(request: httpx.Request) -> httpx.Response:
    if not client_authenticated(request):
        return _recorded("token_unauthorized_client")
    form = form_body(request, keep_blank=True)
    if form.get("grant_type") != "authorization_code":
        return httpx.Response(200, json={"error": "unsupported_grant_type"})
    if not form.get("code") or not form.get("redirect_uri"):
        return httpx.Response(200, json={"error": "invalid_request"})
    username = redeem_code(form["code"], None)  # Reddit web apps use no PKCE
    if username is None:
        return httpx.Response(200, json={"error": "invalid_grant"})
    subject = f"@{username}"
    return _token_answer(_token(subject, "access", 0), _token(subject, "refresh", 0))


def _token_answer(access: str, refresh: str) -> httpx.Response:
    answer = recorded("token_authorization_code")
    answer.update(access_token=access, refresh_token=refresh, scope=GRANTED_SCOPES)
    return httpx.Response(200, json=answer)


# --- one account -------------------------------------------------------------------------------


class RedditSimulator(Simulator):
    network = "reddit"

    def route(self, request: httpx.Request) -> httpx.Response:
        host, method, path = request.url.host, request.method, request.url.path
        if host == MEDIA_HOST:
            return self._store_upload(request) if method == "POST" else _not_found()
        if host not in (WWW_HOST, API_HOST):
            raise httpx.ConnectError(f"the Reddit simulator does not serve {host}", request=request)
        refused = _refuse_agent(request)
        if refused is not None:
            return refused
        if host == WWW_HOST:
            if (method, path) == ("POST", "/api/v1/access_token"):
                return self._refresh(request)
            if (method, path) == ("POST", "/api/v1/revoke_token"):
                return self._revoke(request)
            return _not_found()
        if (method, path) == ("POST", "/api/submit"):
            return self._submit(request)
        if (method, path) == ("POST", "/api/comment"):
            return self._comment(request)
        with LOCK:
            state = self.authorized(request)
            return _read(request, state)

    # --- POST /api/submit ---------------------------------------------------------------------

    def _submit(self, request: httpx.Request) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            failure = self.take_create_failure(request)
            refused = _injected(failure)
            if refused is not None:
                return refused
            state = self.authorized(request)
            form = form_body(request, keep_blank=True)
            refused = _invalid_submit(state, form)
            if refused is not None:
                return refused
            post = _store_post(state, form, now)
        if (lost := self.after_write(failure, request, "the post was submitted")) is not None:
            return lost
        if post["is_self"] or post["kind_asked"] == "link":
            answer = recorded("submit_self")
            answer["json"]["data"].update(url=PUBLIC + post["permalink"], id=post["id"], name=post["name"])
            return httpx.Response(200, json=answer)
        answer = recorded("submit_image")
        answer["json"]["data"].update(
            user_submitted_page=f"{PUBLIC}/user/{post['author']}/submitted/",
            websocket_url=f"{WEBSOCKET}/rte_images/{post['asset']}?m=AQAA{post['id']}",
        )
        return httpx.Response(200, json=answer)

    # --- POST /api/comment --------------------------------------------------------------------

    def _comment(self, request: httpx.Request) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            failure = self.take_create_failure(request)
            refused = _injected(failure)
            if refused is not None:
                return refused
            state = self.authorized(request)
            form = form_body(request, keep_blank=True)
            text, thing_id = form.get("text", ""), form.get("thing_id", "")
            parent = _find(thing_id, now)
            if parent is None:
                code = "DELETED_COMMENT" if thing_id.startswith("t1_") else "DELETED_LINK"
                return _json_error(code, "that comment has been deleted" if code == "DELETED_COMMENT"
                                   else "the link you are commenting on has been deleted", "parent")
            if not text.strip():
                return _json_error("NO_TEXT", "we need something here", "text")
            if len(text) > MAX_COMMENT:
                return _json_error("TOO_LONG", f"this is too long (max: {MAX_COMMENT})", "text")
            comment_id = _new_id(state, now)
            post_id = parent["link_id"] if parent["name"].startswith("t1_") else parent["name"]
            post_permalink = parent["permalink"] if parent["name"].startswith("t3_") else parent["post_permalink"]
            comment = {
                "kind": "t1", "id": comment_id, "name": f"t1_{comment_id}", "author": _username(state),
                "body": text, "parent_id": thing_id, "link_id": post_id, "subreddit": parent["subreddit"],
                "subreddit_name_prefixed": f"r/{parent['subreddit']}", "created_utc": now.timestamp(),
                "permalink": f"{post_permalink}{comment_id}/", "post_permalink": post_permalink,
                "stickied": False, "visible_at": now.timestamp(),
            }
            state.posts[comment["name"]] = comment
        if (lost := self.after_write(failure, request, "the comment was made")) is not None:
            return lost
        answer = recorded("comment")
        answer["json"]["data"]["things"][0]["data"] = {**_public_view(comment, now), "replies": "",
                                                       "body_html": "<div class=\"md\"></div>"}
        return httpx.Response(200, json=answer)

    # --- the media store ----------------------------------------------------------------------

    def _store_upload(self, request: httpx.Request) -> httpx.Response:
        """The S3 POST of a leased upload: every leased field, then the file."""
        parts = _multipart(request)
        if not parts:
            return _s3_error(400, "MalformedPOSTRequest",
                             "The body of your POST request is not well-formed multipart/form-data.")
        names = [name for name, _, _ in parts]
        values = {name: value for name, value, _ in parts}
        with LOCK:
            asset = _ASSETS.get(values.get("key", b"").decode(errors="replace").removeprefix("rte_images/"))
            if asset is None:
                return _s3_error(403, "AccessDenied", "Invalid according to Policy: Policy Condition failed: key")
            leased = {f["name"]: f["value"] for f in asset["fields"]}
            if any(values.get(name, b"").decode(errors="replace") != value for name, value in leased.items()):
                return _s3_error(403, "AccessDenied", "Invalid according to Policy: Policy Condition failed")
            if names[-1] != "file" or set(names[:-1]) != set(leased):
                return _s3_error(400, "InvalidArgument",
                                 "Bucket POST must contain a file field, after every other field")
            size = len(values["file"])
            most = MAX_VIDEO_BYTES if asset["mimetype"].startswith("video/") else MAX_IMAGE_BYTES
            if size == 0:
                return _s3_error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
            if size > most:
                answer = recordings()["media_upload_too_large"]["response"]
                body = answer["body"].replace("25000000", str(size)).replace("20971520", str(most))
                return httpx.Response(400, text=body, headers=answer["headers"])
            asset["uploaded"], asset["size"] = True, size
            key = leased["key"]
        etag = hashlib.md5(values["file"], usedforsecurity=False).hexdigest()
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>https://{MEDIA_HOST}/'
                f'{key.replace("/", "%2F")}</Location><Bucket>reddit-uploaded-media</Bucket><Key>{key}</Key>'
                f'<ETag>"{etag}"</ETag></PostResponse>')
        return httpx.Response(201, text=body, headers=recordings()["media_upload"]["response"]["headers"])

    # --- tokens -------------------------------------------------------------------------------

    def _refresh(self, request: httpx.Request) -> httpx.Response:
        if not client_authenticated(request):
            return _recorded("token_unauthorized_client")
        form = form_body(request, keep_blank=True)
        if form.get("grant_type") != "refresh_token":
            return httpx.Response(400, json={"error": "unsupported_grant_type"})
        with LOCK:
            state = self.state()
            if state.revoked or form.get("refresh_token") != state.tokens.get("refresh_token"):
                return _recorded("token_refresh_refused")
            state.token_generation += 1
            state.previous_tokens = {"access_token": state.tokens["access_token"]}
            state.tokens["access_token"] = _token(state.account_id, "access", state.token_generation)
            state.token_expired = False
            answer = recorded("token_refresh")
            answer.update(access_token=state.tokens["access_token"], refresh_token=state.tokens["refresh_token"],
                          scope=state.tokens.get("scope") or GRANTED_SCOPES)
        return httpx.Response(200, json=answer)

    def _revoke(self, request: httpx.Request) -> httpx.Response:
        """Revoking the refresh token ends the grant (and its access tokens); an access token just itself."""
        if not client_authenticated(request):
            return _recorded("token_unauthorized_client")
        token = form_body(request, keep_blank=True).get("token", "")
        with LOCK:
            state = self.state()
            if token and token == state.tokens.get("refresh_token"):
                state.revoked = state.token_expired = True
            elif token and token == state.tokens.get("access_token"):
                state.token_expired = True
        return _recorded("revoke_token")

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        if _bearer(request) != state.tokens.get("access_token") or state.token_expired:
            return _recorded("error_unauthorized")
        return None


# --- reads, called with LOCK held --------------------------------------------------------------


def _read(request: httpx.Request, state: SimulatedAccount) -> httpx.Response:
    method, path = request.method, request.url.path
    now = simulated_now()
    parts = path.strip("/").split("/")
    if (method, path) == ("GET", "/api/v1/me"):
        return httpx.Response(200, json=_me_view(_username(state), _user_id(state), now))
    if method == "GET" and len(parts) == 3 and parts[0] == "r" and parts[2] == "about":
        return _about(parts[1], now)
    if method == "GET" and len(parts) == 4 and parts[:2] == ["api", "v1"] and parts[3] == "post_requirements":
        sub = subreddit(parts[2])
        if sub.status != 200:
            return httpx.Response(404, json={"message": "Not Found", "error": 404})
        return httpx.Response(200, json=_requirements_view(sub))
    if (method, path) == ("POST", "/api/media/asset.json"):
        return _lease(state, form_body(request, keep_blank=True), now)
    if (method, path) == ("POST", "/api/del"):
        return _delete(state, form_body(request, keep_blank=True))
    if (method, path) == ("GET", "/api/info"):
        return _info(request, now)
    if method == "GET" and len(parts) == 3 and parts[0] == "user" and parts[2] in ("submitted", "comments"):
        return _listing(request, state, parts[1], parts[2], now)
    return _not_found()


def _about(name: str, now: datetime) -> httpx.Response:
    sub = subreddit(name)
    if sub.status != 200:
        body: dict[str, Any] = {"message": "Forbidden" if sub.status == 403 else "Not Found", "error": sub.status}
        if sub.reason:
            body = {"reason": sub.reason, **body}
        return httpx.Response(sub.status, json=body)
    return httpx.Response(200, json=_about_view(sub, now))


def _lease(state: SimulatedAccount, form: dict[str, str], now: datetime) -> httpx.Response:
    mimetype, filepath = form.get("mimetype", ""), form.get("filepath", "")
    if mimetype not in MEDIA_TYPES or not filepath:
        return httpx.Response(400, json={"message": "Bad Request", "error": 400})
    asset_id = _base36(int.from_bytes(stable_digest("reddit-asset", state.account_id, now.isoformat(),
                                                    str(len(_ASSETS)), filepath)[:8], "big"))[:11]
    answer = recorded("media_asset")
    fields = answer["args"]["fields"]
    signature = hashlib.sha256(f"{asset_id}:{mimetype}".encode()).hexdigest()
    for leased in fields:
        leased["value"] = {
            "key": f"rte_images/{asset_id}",
            "content-type": mimetype,
            "x-amz-meta-ext": MEDIA_TYPES[mimetype],
            "X-Amz-Date": now.strftime("%Y%m%dT%H%M%SZ"),
            "X-Amz-Signature": signature,
        }.get(leased["name"], leased["value"])
    answer["asset"].update(
        asset_id=asset_id, payload={"filepath": filepath},
        websocket_url=f"{WEBSOCKET}/rte_images/{asset_id}?m=AQAA{signature[:12]}",
    )
    _ASSETS[asset_id] = {"owner": state.account_id, "mimetype": mimetype, "fields": copy.deepcopy(fields),
                         "uploaded": False, "size": 0}
    return httpx.Response(200, json=answer)


def _delete(state: SimulatedAccount, form: dict[str, str]) -> httpx.Response:
    """Reddit answers {} whether or not there was anything to delete (unverified)."""
    thing = state.posts.pop(form.get("id", ""), None)
    if thing is not None:
        _DELETED[thing["name"]] = thing
    return httpx.Response(200, json={})


def _info(request: httpx.Request, now: datetime) -> httpx.Response:
    ids = [thing for thing in request.url.params.get("id", "").split(",") if thing]
    if len(ids) > MAX_INFO_IDS:
        return httpx.Response(400, json={"message": "Bad Request", "error": 400})
    children = []
    for thing_id in ids:
        found = _find(thing_id, now)
        if found is not None:
            children.append({"kind": found["kind"], "data": _public_view(found, now)})
        elif thing_id in _DELETED:  # Reddit keeps a deleted post, its author and text gone
            gone = {**_public_view(_DELETED[thing_id], now), "author": "[deleted]", "selftext": "[deleted]"}
            children.append({"kind": _DELETED[thing_id]["kind"], "data": gone})
    return httpx.Response(200, json=_listing_body(children, None))


def _listing(request: httpx.Request, state: SimulatedAccount, username: str, where: str,
             now: datetime) -> httpx.Response:
    candidates = [state, *accounts_on("reddit")]
    owner = next((s for s in candidates if _username(s).lower() == username.lower()), None)
    if owner is None:
        return httpx.Response(404, json={"message": "Not Found", "error": 404})
    params = request.url.params
    limit = params.get("limit", str(DEFAULT_LISTING_LIMIT))
    if not limit.isdigit() or not 0 < int(limit) <= MAX_LISTING_LIMIT:
        limit = str(DEFAULT_LISTING_LIMIT)  # Reddit clamps rather than refuses
    kind = "t3" if where == "submitted" else "t1"
    things = [thing for thing in owner.posts.values() if thing["kind"] == kind and _visible(thing, now)]
    things.sort(key=lambda thing: thing["created_utc"], reverse=True)
    if "after" in params:
        names = [thing["name"] for thing in things]
        things = things[names.index(params["after"]) + 1:] if params["after"] in names else []
    page, more = things[: int(limit)], len(things) > int(limit)
    children = [{"kind": kind, "data": _public_view(thing, now)} for thing in page]
    return httpx.Response(200, json=_listing_body(children, page[-1]["name"] if more and page else None))


def _listing_body(children: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"after": after, "dist": len(children), "modhash": "", "geo_filter": "",
                                        "children": children, "before": None}}


# --- posts, called with LOCK held ----------------------------------------------------------------

_ASSETS: dict[str, dict[str, Any]] = {}  # asset id -> lease, process-wide (guarded by LOCK)
_DELETED: dict[str, dict[str, Any]] = {}  # fullname -> a deleted thing, process-wide (guarded by LOCK)


def _invalid_submit(state: SimulatedAccount, form: dict[str, str]) -> httpx.Response | None:
    """What Reddit refuses in a submit, in `json.errors` (validate_on_submit: the subreddit's rules too)."""
    name = form.get("sr", "")
    if not _SUBREDDIT.match(name):
        return _recorded("error_bad_sr_name")
    sub = subreddit(name)
    if sub.status == 404:
        return _recorded("error_subreddit_noexist")
    about = {**_PERMISSIVE_ABOUT, **sub.about}
    if sub.status == 403 or about["user_is_banned"] or (
        about["subreddit_type"] == "restricted" and not about["user_is_contributor"]
    ):
        return _json_error("SUBREDDIT_NOTALLOWED", "you aren't allowed to post there.", "sr")
    title, kind = form.get("title", ""), form.get("kind", "")
    if not title.strip():
        return _json_error("NO_TEXT", "we need something here", "title")
    if len(title) > MAX_TITLE:
        return _recorded("error_too_long")
    if kind not in _KINDS:
        return _json_error("INVALID_OPTION", "that option is not valid", "kind")
    if kind == "self" and about["submission_type"] == "link":
        return _recorded("error_no_selfs")
    if kind != "self" and about["submission_type"] == "self":
        return _recorded("error_no_links")
    if kind == "image" and not about["allow_images"] or kind in ("video", "videogif") and not about["allow_videos"]:
        return _json_error("NO_IMAGES" if kind == "image" else "NO_VIDEOS",
                           f"This community doesn't allow {'images' if kind == 'image' else 'videos'}.", "sr")
    requirements = _requirements_view(sub)
    if requirements["is_flair_required"] and not form.get("flair_id"):
        return _recorded("error_flair_required")
    text = form.get("text", "")
    refused = _invalid_text("TITLE", title, requirements, "title_text_min_length", "title_text_max_length",
                            "title_required_strings", "title_blacklisted_strings")
    if refused is not None:
        return refused
    if kind == "self":
        if len(text) > MAX_SELF_TEXT:
            return _json_error("TOO_LONG", f"this is too long (max: {MAX_SELF_TEXT})", "text")
        policy = requirements.get("body_restriction_policy")
        if policy == "required" and not text.strip():
            return _json_error("SUBMIT_VALIDATION_BODY_REQUIRED", "Your post must have a body.", "text")
        if policy == "notAllowed" and text.strip():
            return _json_error("SUBMIT_VALIDATION_BODY_NOT_ALLOWED", "Your post can't have a body.", "text")
        refused = _invalid_text("BODY", text, requirements, "body_text_min_length", "body_text_max_length",
                                "body_required_strings", "body_blacklisted_strings")
        if refused is not None:
            return refused
    if kind == "link":
        return _invalid_link(form, sub, requirements)
    if kind != "self":
        return _invalid_media(state, form, kind)
    return None


def _invalid_text(what: str, text: str, requirements: dict[str, Any], min_field: str, max_field: str,
                  required_field: str, forbidden_field: str) -> httpx.Response | None:
    low, high = requirements.get(min_field), requirements.get(max_field)
    field_name = what.lower() if what == "TITLE" else "text"
    if isinstance(low, int) and len(text) < low:
        return _json_error(f"SUBMIT_VALIDATION_{what}_TOO_SHORT", f"Must be at least {low} characters.", field_name)
    if isinstance(high, int) and len(text) > high:
        return _json_error(f"SUBMIT_VALIDATION_{what}_TOO_LONG", f"Must be under {high} characters.", field_name)
    required = requirements.get(required_field) or []
    if required and not any(s.casefold() in text.casefold() for s in required):
        return _json_error(f"SUBMIT_VALIDATION_{what}_REQUIRED_STRING",
                           f"Must contain one of: {', '.join(required)}", field_name)
    for forbidden in requirements.get(forbidden_field) or []:
        if forbidden.casefold() in text.casefold():
            return _json_error(f"SUBMIT_VALIDATION_{what}_BLACKLISTED_STRING",
                               f"Must not contain {forbidden!r}.", field_name)
    return None


def _invalid_link(form: dict[str, str], sub: SimulatedSubreddit, requirements: dict[str, Any]) -> httpx.Response | None:
    url = form.get("url", "")
    if not _URL.match(url):
        return _json_error("BAD_URL", "you should check that url", "url")
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    if any(host == d or host.endswith("." + d) for d in requirements.get("domain_blacklist") or []):
        return _json_error("SUBMIT_VALIDATION_LINK_BLACKLISTED_DOMAIN", f"{host} is not allowed here.", "url")
    if form.get("resubmit") != "true":
        for state in accounts_on("reddit"):
            for post in state.posts.values():
                if post.get("link_url_key") == (sub.name.lower(), url):
                    return _recorded("error_already_sub")
    return None


def _invalid_media(state: SimulatedAccount, form: dict[str, str], kind: str) -> httpx.Response | None:
    asset = _uploaded_asset(state, form.get("url", ""))
    if asset is None or not asset["mimetype"].startswith("video/" if kind != "image" else "image/"):
        return _json_error("BAD_URL", "you should check that url", "url")
    if kind == "video":
        poster = _uploaded_asset(state, form.get("video_poster_url", ""))
        if poster is None or not poster["mimetype"].startswith("image/"):
            return _json_error("BAD_URL", "a video post needs an uploaded poster image", "video_poster_url")
    return None


def _uploaded_asset(state: SimulatedAccount, url: str) -> dict[str, Any] | None:
    """The account's uploaded asset `url` names (`https://{MEDIA_HOST}/rte_images/{id}`, the key
    percent-encoded or not)."""
    prefix = f"https://{MEDIA_HOST}/"
    if not url.startswith(prefix):
        return None
    key = url[len(prefix):].replace("%2F", "/").replace("%2f", "/")
    asset = _ASSETS.get(key.removeprefix("rte_images/"))
    if asset is None or asset["owner"] != state.account_id or not asset["uploaded"]:
        return None
    return asset


def _store_post(state: SimulatedAccount, form: dict[str, str], now: datetime) -> dict[str, Any]:
    post_id = _new_id(state, now)
    sub = subreddit(form["sr"])
    about = {**_PERMISSIVE_ABOUT, **sub.about}
    kind, title = form["kind"], form["title"]
    slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:50] or "_"
    permalink = f"/r/{sub.name}/comments/{post_id}/{slug}/"
    post: dict[str, Any] = {
        "kind": "t3", "kind_asked": kind, "id": post_id, "name": f"t3_{post_id}", "author": _username(state),
        "subreddit": sub.name, "subreddit_name_prefixed": f"r/{sub.name}", "title": title,
        "created_utc": now.timestamp(), "permalink": permalink, "is_self": kind == "self",
        "is_video": kind in ("video", "videogif"), "selftext": form.get("text", "") if kind == "self" else "",
        "over_18": form.get("nsfw") == "true" or about["over18"], "spoiler": form.get("spoiler") == "true",
        "send_replies": form.get("sendreplies", "true") == "true", "pinned": False, "stickied": False,
        "link_flair_template_id": form.get("flair_id"), "link_flair_text": form.get("flair_text"),
        "visible_at": now.timestamp(),
    }
    if kind == "self":
        post.update(domain=f"self.{sub.name}", url=PUBLIC + permalink)
    elif kind == "link":
        host = (urlsplit(form["url"]).hostname or "").removeprefix("www.")
        post.update(domain=host, url=form["url"], link_url_key=(sub.name.lower(), form["url"]))
    else:
        asset_id = form["url"].replace("%2F", "/").rsplit("/", 1)[-1]
        image = kind == "image"
        extension = MEDIA_TYPES[_ASSETS[asset_id]["mimetype"]]
        post.update(
            asset=asset_id, domain="i.redd.it" if image else "v.redd.it",
            url=f"https://i.redd.it/{asset_id}.{extension}" if image else f"https://v.redd.it/{asset_id}",
            post_hint="image" if image else "hosted:video",
            visible_at=(now + (IMAGE_PROCESSING if image else VIDEO_PROCESSING)).timestamp(),
        )
    state.posts[post["name"]] = post
    return post


def _find(thing_id: str, now: datetime) -> dict[str, Any] | None:
    """A live, processed thing of any account (Reddit's posts are public)."""
    for state in accounts_on("reddit"):
        thing = state.posts.get(thing_id)
        if thing is not None and _visible(thing, now):
            return thing
    return None


def _visible(thing: dict[str, Any], now: datetime) -> bool:
    return bool(now.timestamp() >= thing["visible_at"])


def _public_view(thing: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A thing as listings and /api/info show it, with its counts grown to `now`."""
    view = {key: value for key, value in thing.items() if key not in (*_INTERNAL, "kind", "kind_asked", "asset",
                                                                       "post_permalink")}
    created = datetime.fromtimestamp(thing["created_utc"], UTC)
    grown = grown_metrics(thing["name"], created, now)
    view.update(ups=grown["likes"], score=grown["likes"], downs=0)
    if thing["kind"] == "t3":
        replies = sum(1 for state in accounts_on("reddit") for other in state.posts.values()
                      if other["kind"] == "t1" and other["link_id"] == thing["name"])
        ratio = 0.8 + stable_digest("reddit-ratio", thing["name"])[0] % 20 / 100
        view.update(num_comments=grown["comments"] + replies, num_crossposts=grown["shares"],
                    upvote_ratio=round(ratio, 2))
    return view


def _me_view(username: str, user_id: str, now: datetime) -> dict[str, Any]:
    answer = recorded("me")
    answer.update(name=username, id=user_id.removeprefix("t2_"),
                  icon_img=f"https://styles.redditmedia.com/t5_{user_id[3:9]}/styles/profileIcon_{username}.png")
    answer["subreddit"].update(
        display_name=f"u_{username}", display_name_prefixed=f"u/{username}", url=f"/user/{username}/",
        title=username.replace("_", " ").title(), subscribers=grown_followers(f"reddit:{user_id}", now),
        icon_img=answer["icon_img"],
    )
    return answer


# --- shared helpers -------------------------------------------------------------------------------


def _injected(failure: str | None) -> httpx.Response | None:
    """The answer to an injected failure that makes nothing (rate_limited, server_error, duplicate)."""
    if failure == "rate_limited":
        answer = recorded("error_ratelimit")
        answer["json"]["ratelimit"] = float(RATELIMIT_SECONDS)
        answer["json"]["errors"][0][1] = (
            "Looks like you've been doing that a lot. Take a break for 1 minute before trying again."
        )
        return httpx.Response(200, json=answer)
    if failure == "server_error":
        return _recorded("error_server")
    if failure == "duplicate":
        return _recorded("error_already_sub")
    return None


def _refuse_agent(request: httpx.Request) -> httpx.Response | None:
    """Reddit's answer to a generic or missing User-Agent: throttled (429)."""
    if _USER_AGENT.match(request.headers.get("user-agent", "")):
        return None
    return _recorded("error_too_many_requests")


def _json_error(code: str, message: str, where: str) -> httpx.Response:
    return httpx.Response(200, json={"json": {"errors": [[code, message, where]]}})


def _s3_error(status: int, code: str, message: str) -> httpx.Response:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
            "<RequestId>0A1B2C3D4E5F</RequestId><HostId>SIMULATED</HostId></Error>")
    return httpx.Response(status, text=body, headers={"content-type": "application/xml"})


def _not_found() -> httpx.Response:
    return httpx.Response(404, json={"message": "Not Found", "error": 404})


def _username(state: SimulatedAccount) -> str:
    return state.tokens.get("username") or state.username


def _user_id(state: SimulatedAccount) -> str:
    return state.tokens.get("user_id") or user_id_for(state.account_id)


def _bearer(request: httpx.Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" else ""




def _multipart(request: httpx.Request) -> list[tuple[str, bytes, str | None]]:
    """The parts of a multipart/form-data body in order: (name, value, filename); [] for any other body."""
    kind, _, parameters = request.headers.get("content-type", "").partition(";")
    boundary = re.search(r'boundary="?([^";]+)"?', parameters)
    if kind.strip() != "multipart/form-data" or boundary is None:
        return []
    parts = []
    for part in request.content.split(b"--" + boundary.group(1).encode())[1:-1]:
        head, separator, value = part.partition(b"\r\n\r\n")
        name = re.search(rb'\bname="([^"]*)"', head)
        filename = re.search(rb'\bfilename="([^"]*)"', head)
        if not separator or name is None:
            return []
        parts.append((name.group(1).decode(), value.removesuffix(b"\r\n"),
                      filename.group(1).decode() if filename else None))
    return parts
