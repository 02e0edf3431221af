"""Reddit adapter: Reddit's OAuth API (`https://oauth.reddit.com`) for one Reddit account, posting
to the subreddit a post names in `options.subreddit`.

Every call carries a User-Agent in the form Reddit's API rules ask for
(`<platform>:<app ID>:<version> (by /u/<username>)`): Reddit throttles or blocks generic ones.

Before anything is sent, the subreddit's rules are read: `GET /r/{sr}/about` (submission_type,
over18, subreddit_type, whether the account is banned) and `GET /api/v1/{sr}/post_requirements`
(flair required, title and body lengths, required and forbidden strings, body policy, link
domains). A post they forbid is refused (PERMANENT invalid_content, naming the rule) without any
upload or submit. Reddit applies the same rules again on submit (`validate_on_submit=true`).

Posts (`POST /api/submit`, form-encoded, `api_type=json`):
- a text post (`kind=self`; the text is already Reddit Markdown), title only when the text is
  empty;
- a link post (`kind=link`) when the text is only a URL, or the post carries a link preview and
  no other text;
- one image (GIFs too) or one video: the file is uploaded first (`POST /api/media/asset.json` for
  an S3 upload lease, then a multipart POST of the lease's fields and the file to the lease's
  host; the file's URL is the 201 answer's <Location>), then `kind=image` or `kind=video` with
  that URL; a video also needs a poster image (`options.video_poster_url`, uploaded the same way).
  Reddit answers media submits with a websocket URL only, not the post: the post is looked for
  among the account's posts (`GET /user/{name}/submitted?sort=new`) within MEDIA_POLLS checks.
  One not found by then is retried as `platform_unavailable` (an unknown outcome: the next attempt
  reconciles before sending again). Reddit's image and video posts carry no body text: text sent
  with media is left out, with a notice.
Failures mostly come back as HTTP 200 with `json.errors = [[CODE, message, field], ...]`.

First comments are comments (`POST /api/comment`, `thing_id` the post's or a comment's fullname).
Delete: `POST /api/del`. Metrics: `GET /api/info?id=...` (100 fullnames a call).

Reconcile. Reddit has no idempotency key: the account's posts (`/user/{name}/submitted`, newest
first) are searched for one in the same subreddit with the same title and kind made within
RECONCILE_WINDOW; a comment step searches the account's comments (`/user/{name}/comments`) for one
on the same parent with the same text. A video post that is not found cannot be told from one
Reddit is still processing: UNKNOWN, never sent again blindly.

Tokens. The access token lasts an hour; `duration=permanent` adds a refresh token
(`grant_type=refresh_token`; refused with `invalid_grant` -> reconnect). The token endpoint takes
the app's id and secret as HTTP Basic. Reddit has no PKCE for web apps."""

from __future__ import annotations

import base64
import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx

from herald import __version__
from herald.platforms import http
from herald.platforms.base import (
    AccountIdentity,
    AppCredentials,
    Connection,
    Credentials,
    ErrorClass,
    MediaItem,
    MediaLimits,
    OAuthSpec,
    Platform,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
    Reconciliation,
    TextLimits,
)
from herald.text import counting

WWW = "https://www.reddit.com"
API = "https://oauth.reddit.com"
AUTHORIZE_URL = f"{WWW}/api/v1/authorize"
TOKEN_URL = f"{WWW}/api/v1/access_token"
REVOKE_URL = f"{WWW}/api/v1/revoke_token"
# identity: /api/v1/me; submit: submit, comment, media upload, post requirements; read: about,
# /api/info; edit: /api/del; flair: a post's flair; history: the account's own listings (reconcile).
SCOPES = ("identity", "submit", "read", "edit", "flair", "history")
MAX_TITLE = 300
MAX_SELF_TEXT = 40_000
MAX_COMMENT = 10_000
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif")
VIDEO_TYPES = ("video/mp4", "video/quicktime")
INFO_BATCH_SIZE = 100  # fullnames per /api/info call
LISTING_PAGE_SIZE = 100  # a listing's maximum `limit`
LISTING_MAX_PAGES = 3  # beyond 300 posts in the window, absence is not proven: UNKNOWN
RECONCILE_WINDOW = timedelta(hours=1)
MEDIA_POLL_SECONDS = 3.0
MEDIA_POLLS = 20  # the first at once, then every MEDIA_POLL_SECONDS: about a minute in all
CLOCK_SKEW = timedelta(minutes=1)  # Reddit's created_utc against our clock, for a new media post
DEFAULT_RATELIMIT_WAIT = timedelta(minutes=10)  # a RATELIMIT answer that says no time
_MB = 1024 * 1024
_NETWORK = "Reddit"  # in messages
_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
_PROFILE = re.compile(r"^u_[A-Za-z0-9_-]{3,20}$")
_FULLNAME = re.compile(r"^t[13]_[a-z0-9]+$")
_ONLY_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_RATELIMIT_WAIT = re.compile(r"(\d+(?:\.\d+)?)\s*(millisecond|second|minute|hour)s?", re.IGNORECASE)
_UNIT_SECONDS = {"millisecond": 0.001, "second": 1, "minute": 60, "hour": 3600}
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "video/mp4": "mp4",
               "video/quicktime": "mov"}
_DELETED = "[deleted]"


@dataclass(frozen=True)
class SubredditRules:
    """What a subreddit's about page and post requirements say about posting to it."""

    name: str  # as Reddit spells it (display_name)
    about: Mapping[str, Any] = field(default_factory=dict)
    requirements: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class _Plan:
    """One post as it will be submitted."""

    kind: str  # self | link | image | video
    subreddit: str
    title: str
    text: str = ""
    url: str | None = None
    media: MediaItem | None = None
    notices: list[str] = field(default_factory=list)


class RedditPlatform(Platform):
    name = "reddit"
    text_limits = TextLimits(max_length=MAX_SELF_TEXT, counting="characters")
    # Reddit's limits for uploads (20 MB images, 1 GB videos) come from its help pages, unverified.
    media_limits = MediaLimits(
        max_items=1,
        image_types=IMAGE_TYPES,
        video_types=VIDEO_TYPES,
        max_image_bytes=20 * _MB,
        max_video_bytes=1024 * _MB,
    )
    oauth = OAuthSpec(
        authorize_url=AUTHORIZE_URL,
        token_url=TOKEN_URL,
        scopes=SCOPES,
        pkce=False,
        scope_separator=" ",
        extra_params={"duration": "permanent"},
    )

    # --- connecting --------------------------------------------------------------------------

    @classmethod
    def connect_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> Connection:
        """The code's tokens (HTTP Basic with the app's id and secret), then who they belong to.
        Reddit has no PKCE for web apps: `code_verifier` is not sent."""
        exchanging = cls(client, Credentials(account_id="", username=""), app=app)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        tokens, expires_at = exchanging._token_grant(form, "the authorization code", reconnect=False)
        identity = cls(client, Credentials(account_id="", username="", tokens=tokens), app=app).identity()
        tokens |= {"username": identity.username, "user_id": identity.platform_user_id}
        credentials = Credentials(account_id="", username=identity.username, tokens=tokens, expires_at=expires_at)
        return Connection(credentials=credentials, identity=identity)

    def identity(self) -> AccountIdentity:
        """`GET /api/v1/me`: the username, the profile's title and icon, and the profile's
        followers (its user subreddit's subscribers) where Reddit shows them."""
        response = self._send("GET", "/api/v1/me", params={"raw_json": "1"})
        me = self._checked(response)
        name, user_id = me.get("name"), me.get("id")
        if not isinstance(name, str) or not name or not isinstance(user_id, str) or not user_id:
            raise http.malformed(_NETWORK, response, "no name and id for the account")
        profile = me.get("subreddit") if isinstance(me.get("subreddit"), dict) else {}
        title = profile.get("title")
        notices = []
        if me.get("is_suspended") is True:
            notices.append("The Reddit account is suspended: Reddit refuses its posts and comments.")
        tokens = self.credentials.tokens
        if tokens.get("access_token") and not tokens.get("refresh_token"):
            notices.append("Reddit granted no refresh token: the account must be connected again every hour.")
        return AccountIdentity(
            platform_user_id=user_id if user_id.startswith("t2_") else f"t2_{user_id}",
            username=name,
            display_name=title if isinstance(title, str) and title else None,
            avatar_url=_unescaped(me.get("icon_img")),
            followers=http.count(profile, "subscribers"),
            permissions=_scopes(tokens),
            notices=tuple(notices),
        )

    def revoke(self) -> bool:
        """`POST /api/v1/revoke_token` with the refresh token (which ends the whole grant), or the
        access token when there is none; False without the app's secret."""
        if self.app is None or not self.app.client_secret:
            return False
        tokens = self.credentials.tokens
        if tokens.get("refresh_token"):
            form = {"token": tokens["refresh_token"], "token_type_hint": "refresh_token"}
        else:
            form = {"token": self.token("access_token"), "token_type_hint": "access_token"}
        response = http.send(self, "POST", REVOKE_URL, data=form, headers=self._app_headers())
        http.succeeded(self, response)
        return True

    # --- posts -------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        plan = _plan(content)  # what can be refused without asking Reddit, before any call
        rules = self.subreddit_rules(plan.subreddit)
        plan.subreddit = rules.name or plan.subreddit
        nsfw = _check_rules(plan, rules, content.options)
        form = _submit_form(plan, content.options, nsfw)
        if plan.media is not None:  # uploads before the submit, so a failed upload posts nothing
            form["url"] = self._upload(plan.media)
            if plan.kind == "video":
                poster = MediaItem(url=str(content.options["video_poster_url"]), kind="image")
                form["video_poster_url"] = self._upload(poster)
        started = self.clock.now()
        answer = self._call("POST", "/api/submit", data=form)
        data = _json_data(answer)
        name = data.get("name")
        if isinstance(name, str) and _FULLNAME.match(name):
            return PublishedPost(platform_post_id=name, url=_post_url(data), notices=tuple(plan.notices))
        if plan.media is None:
            raise PlatformError(
                ErrorClass.RETRY,
                "platform_unavailable",
                "Reddit answered the submit without the new post's id; Herald looks for it before sending again.",
                platform_code="no_name",
            )
        return self._await_media_post(plan, started)

    def subreddit_rules(self, subreddit: str) -> SubredditRules:
        """The subreddit's about page and post requirements. A subreddit that does not exist, is
        banned, private or quarantined is refused here (PERMANENT invalid_content)."""
        display = f"r/{subreddit}"
        response = self._send("GET", f"/r/{quote(subreddit)}/about", params={"raw_json": "1"})
        body = http.body_of(response)
        status = response.status_code
        if status == 403 and not _insufficient_scope(response):
            reason = str((body or {}).get("reason") or "forbidden")
            raise _refused(_FORBIDDEN_REASONS.get(reason, "Reddit does not let this account see {sr} ({reason}).")
                           .format(sr=display, reason=reason), f"403 {reason}")
        if status == 404 or 300 <= status < 400:
            reason = str((body or {}).get("reason") or "")
            if reason == "banned":
                raise _refused(f"{display} was banned by Reddit: nothing can be posted there.", "404 banned")
            raise _refused(f"{display} does not exist: check options.subreddit.", f"{status} not found")
        about = self._object(http.succeeded(self, response))
        data = about.get("data")
        if about.get("kind") != "t5" or not isinstance(data, dict):
            raise _refused(f"{display} does not exist: check options.subreddit.", "not a subreddit")
        name = data.get("display_name")
        return SubredditRules(
            name=name if isinstance(name, str) and name else subreddit,
            about=data,
            requirements=self._post_requirements(subreddit),
        )

    def _post_requirements(self, subreddit: str) -> Mapping[str, Any]:
        """`GET /api/v1/{sr}/post_requirements`; none known when Reddit will not show them (403, 404)."""
        response = self._send("GET", f"/api/v1/{quote(subreddit)}/post_requirements", params={"raw_json": "1"})
        if response.status_code in (403, 404) and not _insufficient_scope(response):
            return {}
        return self._object(http.succeeded(self, response))

    def _await_media_post(self, plan: _Plan, started: datetime) -> PublishedPost:
        """Reddit made the image or video post on its side (its answer names only a websocket):
        find it among the account's newest posts. Nothing here may lead to sending it again: every
        failure is an unknown outcome (RETRY platform_unavailable), reconciled next time."""
        since = started - CLOCK_SKEW
        for poll in range(MEDIA_POLLS):
            if poll:
                self.clock.sleep(MEDIA_POLL_SECONDS)
            try:
                outcome, found = self._search("submitted", lambda item: _post_matches(item, plan, since), since, 1)
            except PlatformError as error:
                raise PlatformError(
                    ErrorClass.RETRY,
                    "platform_unavailable",
                    f"Reddit accepted the {plan.kind} post, but reading the account's posts failed "
                    f"({error.message}); Herald looks for the post before sending again.",
                    platform_code=error.platform_code,
                ) from error
            if outcome is ReconcileOutcome.FOUND and found is not None:
                return PublishedPost(platform_post_id=found["name"], url=_permalink(found),
                                     notices=tuple(plan.notices))
        raise PlatformError(
            ErrorClass.RETRY,
            "platform_unavailable",
            f"Reddit accepted the {plan.kind} post, but it was not among the account's posts after {MEDIA_POLLS} "
            "checks (Reddit may still be processing it); Herald looks for it before sending again.",
            platform_code="websocket_only",
        )

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        """A comment on the post (or on a comment: a reply to it) through `POST /api/comment`."""
        if content.media:
            raise PlatformError(ErrorClass.PERMANENT, "media_unsupported", "Reddit comments are posted as text only.")
        text = content.text
        if not text.strip():
            raise _refused("A Reddit comment needs text.", "no_text")
        if counting.characters(text) > MAX_COMMENT:
            raise _refused(f"A Reddit comment holds at most {MAX_COMMENT} characters.", "too_long")
        thing = parent.platform_post_id
        if not _FULLNAME.match(thing):
            raise _refused(f"{thing!r} is not a Reddit post or comment (t3_… or t1_…).", "bad_thing_id")
        answer = self._call("POST", "/api/comment", data={"api_type": "json", "thing_id": thing, "text": text})
        things = _json_data(answer).get("things")
        comment = things[0].get("data") if isinstance(things, list) and things and isinstance(things[0], dict) else None
        if not isinstance(comment, dict) or not isinstance(comment.get("name"), str):
            raise PlatformError(
                ErrorClass.RETRY,
                "platform_unavailable",
                "Reddit answered the comment without the new comment; Herald looks for it before sending again.",
                platform_code="no_thing",
            )
        return PublishedPost(platform_post_id=comment["name"], url=_comment_url(comment))

    def delete(self, platform_post_id: str) -> None:
        """`POST /api/del` (scope edit). Reddit answers a post or comment that is already deleted
        the same way; a 404 counts as deleted too."""
        if not _FULLNAME.match(platform_post_id):
            raise _refused(f"{platform_post_id!r} is not a Reddit post or comment (t3_… or t1_…).", "bad_id")
        try:
            self._call("POST", "/api/del", data={"id": platform_post_id})
        except PlatformError as error:
            if error.code != "not_found":
                raise

    # --- media -------------------------------------------------------------------------------

    def _upload(self, item: MediaItem) -> str:
        """The URL of `item` uploaded to Reddit's media store: an upload lease, then the file
        posted to the lease's S3 host (never with the Reddit token)."""
        mime = _mime(item)
        filename = _filename(item, mime)
        data = self.media_source().read(item)
        leased = self._send("POST", "/api/media/asset.json", data={"filepath": filename, "mimetype": mime})
        lease = self._checked(leased)
        args = lease.get("args") if isinstance(lease.get("args"), dict) else {}
        action, fields = args.get("action"), args.get("fields")
        if not isinstance(action, str) or not isinstance(fields, list):
            raise http.malformed(_NETWORK, leased, "no args.action and args.fields in the upload lease")
        values = {f["name"]: str(f.get("value", "")) for f in fields
                  if isinstance(f, dict) and isinstance(f.get("name"), str)}
        upload_url = f"https:{action}" if action.startswith("//") else action
        if not upload_url.startswith("https://"):
            raise http.malformed(_NETWORK, leased, f"an upload action that is not https ({action!r})")
        response = http.send(self, "POST", upload_url, data=values, files={"file": (filename, data, mime)},
                             headers={"User-Agent": self.user_agent()})
        if not response.is_success:
            raise _upload_refused(response)
        location = re.search(r"<Location>([^<]+)</Location>", response.text)
        if location is not None:
            return unquote(html.unescape(location.group(1).strip()))
        if "key" in values:
            return f"{upload_url.rstrip('/')}/{values['key']}"
        raise http.malformed(_NETWORK, response, "no <Location> for the uploaded file")

    # --- metrics -----------------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """`GET /api/info?id=t3_…,t1_…` in batches of 100. likes: `ups` (Reddit shows upvotes,
        fuzzed; `score` when ups is absent), comments: `num_comments`, shares: `num_crossposts`.
        Reddit shows no impressions or views. Posts deleted by the account are left out."""
        found: dict[str, dict[str, int]] = {}
        wanted = [post_id for post_id in platform_post_ids if _FULLNAME.match(post_id)]
        for batch in http.batches(wanted, INFO_BATCH_SIZE):
            answer = self._call("GET", "/api/info", params={"id": ",".join(batch), "raw_json": "1"})
            for item in _children(answer):
                name = item.get("name")
                if name in batch and item.get("author") != _DELETED:
                    found[name] = _counts(item)
        return found

    # --- reconcile ---------------------------------------------------------------------------

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        since = self.clock.now() - RECONCILE_WINDOW
        try:
            if parent is not None:
                text = _normalized(content.text)
                outcome, found = self._search(
                    "comments",
                    lambda item: item.get("parent_id") == parent.platform_post_id
                    and _normalized(str(item.get("body") or "")) == text,
                    since,
                    LISTING_MAX_PAGES,
                )
                post = PublishedPost(found["name"], _comment_url(found)) if found is not None else None
                return Reconciliation(outcome, post)
            if _is_later_step(content.target_key):
                return Reconciliation(ReconcileOutcome.UNKNOWN)
            plan = _plan(content)
        except PlatformError:
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        try:
            outcome, found = self._search(
                "submitted", lambda item: _post_matches(item, plan, since), since, LISTING_MAX_PAGES
            )
        except PlatformError:
            return Reconciliation(ReconcileOutcome.UNKNOWN)
        if found is not None:
            return Reconciliation(ReconcileOutcome.FOUND, PublishedPost(found["name"], _permalink(found)))
        if outcome is ReconcileOutcome.ABSENT and plan.kind == "video":
            return Reconciliation(ReconcileOutcome.UNKNOWN)  # it may still be processing
        return Reconciliation(outcome)

    def _search(
        self, where: str, matches: Callable[[dict[str, Any]], bool], since: datetime, pages: int
    ) -> tuple[ReconcileOutcome, dict[str, Any] | None]:
        """Walk the account's listing `where` (submitted or comments), newest first: FOUND with the
        first item `matches` accepts; ABSENT once the listing reaches items older than `since` (or
        its end); UNKNOWN when `pages` pages did not get that far. Pinned items are not dated order."""
        params = {"sort": "new", "limit": str(LISTING_PAGE_SIZE), "raw_json": "1"}
        for _ in range(pages):
            response = self._send("GET", f"/user/{quote(self._username())}/{where}", params=params)
            listing = self._checked(response)
            data = listing.get("data")
            if not isinstance(data, dict) or not isinstance(data.get("children"), list):
                raise http.malformed(_NETWORK, response, f"no listing of the account's {where}")
            items = [child["data"] for child in data["children"]
                     if isinstance(child, dict) and isinstance(child.get("data"), dict)]
            for item in items:
                created = _created(item)
                if isinstance(item.get("name"), str) and created is not None and created >= since and matches(item):
                    return ReconcileOutcome.FOUND, item
            dated = [_created(item) for item in items if not item.get("pinned") and not item.get("stickied")]
            covered = bool(dated) and dated[-1] is not None and dated[-1] < since
            after = data.get("after")
            if covered or not isinstance(after, str) or not after:
                return ReconcileOutcome.ABSENT, None
            params["after"] = after
        return ReconcileOutcome.UNKNOWN, None

    # --- credentials -------------------------------------------------------------------------

    def refresh_credentials(self) -> Credentials:
        """A new access token from the refresh token. Reddit refuses a revoked or unknown refresh
        token (`invalid_grant`): the account must be reconnected."""
        form = {"grant_type": "refresh_token", "refresh_token": self.token("refresh_token")}
        tokens, expires_at = self._token_grant(form, "the token refresh", reconnect=True)
        return Credentials(
            account_id=self.credentials.account_id,
            username=self.credentials.username,
            tokens={**self.credentials.tokens, **tokens},
            expires_at=expires_at,
        )

    def _token_grant(
        self, form: dict[str, str], what: str, *, reconnect: bool
    ) -> tuple[dict[str, str], datetime | None]:
        """The tokens the token endpoint answers `form` with, and when the access token expires.
        Reddit refuses a grant with `{"error": "invalid_grant"}` (HTTP 200 or 400): RECONNECT for
        a refresh, PERMANENT authorization_failed for a code. HTTP 401 is the app's credentials."""
        response = http.send(self, "POST", TOKEN_URL, data=form, headers=self._app_headers())
        body = http.body_of(response)
        error = (body or {}).get("error")
        if response.status_code == 401:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "authorization_failed",
                "Reddit refused the app's client id and secret (HTTP 401): check the Reddit app's settings.",
                platform_code="401",
            )
        if response.status_code == 400 or (response.is_success and isinstance(error, str)):
            reason = error if isinstance(error, str) else "invalid_request"
            code = f"{response.status_code} {reason}"
            if reconnect:
                raise PlatformError(ErrorClass.RECONNECT, "account_disconnected",
                                    f"Reddit refused {what} ({reason}): reconnect the account.", platform_code=code)
            raise PlatformError(ErrorClass.PERMANENT, "authorization_failed", f"Reddit refused {what} ({reason}).",
                                platform_code=code)
        answer = http.json_object(self, http.succeeded(self, response))
        if not isinstance(answer.get("access_token"), str) or not answer["access_token"]:
            raise http.malformed(_NETWORK, response, "no access_token in the token answer")
        tokens = {"access_token": answer["access_token"]}
        for name in ("refresh_token", "scope"):
            if isinstance(answer.get(name), str) and answer[name]:
                tokens[name] = answer[name]
        expires_in = answer.get("expires_in")
        lifetime = expires_in if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) else None
        return tokens, self.clock.now() + timedelta(seconds=lifetime) if lifetime else None

    def _app(self) -> AppCredentials:
        if self.app is None or not self.app.client_secret:
            raise PlatformError(
                ErrorClass.PERMANENT, "app_not_configured", "Reddit needs the deployment's app id and secret."
            )
        return self.app

    def _app_headers(self) -> dict[str, str]:
        app = self._app()
        basic = base64.b64encode(f"{app.client_id}:{app.client_secret}".encode()).decode()
        return {"Authorization": f"Basic {basic}", "User-Agent": self.user_agent()}

    def user_agent(self) -> str:
        """`server:herald.<client id>:v<version> (by /u/<username>)`, as Reddit's API rules ask:
        unique to the deployment's app, with its version, and a Reddit username as contact (the
        app's `developer_username` setting, else the account's own)."""
        client_id = self.app.client_id if self.app is not None else "unconfigured"
        contact = (self.app.settings.get("developer_username") if self.app is not None else None) or (
            self.credentials.tokens.get("username") or self.credentials.username
        )
        agent = f"server:herald.{client_id}:v{__version__}"
        return f"{agent} (by /u/{contact})" if contact else agent

    # --- errors ------------------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        if response is None:
            return http.transport_error(_NETWORK, exc)
        body = http.body_of(response)
        errors = _json_errors(body)
        if errors:
            return self._refusal(errors, body or {})
        status = response.status_code
        message = _message(body) or f"Reddit answered HTTP {status}."
        if status == 429:
            return PlatformError(ErrorClass.RETRY, "rate_limited", f"Reddit's rate limit was reached: {message}",
                                 platform_code="429", retry_at=self._reset_at(response))
        if response.is_success:
            return http.malformed(_NETWORK, response, "the body is not the JSON Reddit documents")
        if status == 401:
            return PlatformError(ErrorClass.REFRESH, "token_expired", message, platform_code="401")
        if status == 403:
            if _insufficient_scope(response):
                return PlatformError(
                    ErrorClass.RECONNECT,
                    "account_disconnected",
                    "The Reddit connection lacks a permission Herald needs: reconnect the account.",
                    platform_code="403 insufficient_scope",
                )
            reason = str((body or {}).get("reason") or "")
            return PlatformError(ErrorClass.PERMANENT, "forbidden",
                                 f"Reddit refused this account ({reason or message}).",
                                 platform_code=f"403 {reason}".strip())
        if status >= 500:
            return PlatformError(ErrorClass.RETRY, "platform_unavailable", message, platform_code=str(status))
        if status == 404 or 300 <= status < 400:
            return PlatformError(ErrorClass.PERMANENT, "not_found", message, platform_code=str(status))
        if status == 413:
            return PlatformError(ErrorClass.PERMANENT, "media_too_large", message, platform_code="413")
        if status == 400:
            return PlatformError(ErrorClass.PERMANENT, "invalid_content", message, platform_code="400")
        return PlatformError(ErrorClass.PERMANENT, "platform_error", message, platform_code=str(status))

    def _refusal(self, errors: list[tuple[str, str, str]], body: Mapping[str, Any]) -> PlatformError:
        """`json.errors` classified: a permission problem first, then what the content must change
        (invalid_content), a repeated link (duplicate_content), and only then the throttle."""
        codes = [code for code, _, _ in errors]
        message = "; ".join(f"{text or code} ({code}{', field ' + where if where else ''})"
                            for code, text, where in errors)
        platform_code = ",".join(codes)
        if "USER_REQUIRED" in codes:
            return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=platform_code)
        if any(code not in ("RATELIMIT", "ALREADY_SUB") for code in codes):
            return PlatformError(ErrorClass.PERMANENT, "invalid_content", message, platform_code=platform_code)
        if "ALREADY_SUB" in codes:
            return PlatformError(ErrorClass.PERMANENT, "duplicate_content", message, platform_code=platform_code)
        wait = _ratelimit_wait(body, [text for code, text, _ in errors if code == "RATELIMIT"])
        return PlatformError(ErrorClass.RETRY, "rate_limited", message, platform_code=platform_code,
                             retry_at=self.clock.now() + wait)

    def _reset_at(self, response: httpx.Response) -> datetime | None:
        """X-Ratelimit-Reset: the seconds until the rate-limit window ends."""
        try:
            seconds = float(response.headers["x-ratelimit-reset"])
        except (KeyError, ValueError):
            return None
        return self.clock.now() + timedelta(seconds=max(seconds, 0))

    # --- text --------------------------------------------------------------------------------

    def count_text(self, text: str) -> int:
        """Characters (code points after NFC); Reddit counts a self post's 40,000 the same way (unverified)."""
        return counting.characters(text)

    # --- HTTP --------------------------------------------------------------------------------

    def _username(self) -> str:
        username = self.credentials.tokens.get("username") or self.credentials.username
        if not username:
            raise PlatformError(
                ErrorClass.RECONNECT, "account_disconnected", "The account has no Reddit username: reconnect it."
            )
        return username

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"bearer {self.token('access_token')}", "User-Agent": self.user_agent()}
        return http.send(self, method, API + path, headers=headers, **kwargs)

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """A call's JSON object; a failed status or `json.errors` is raised classified."""
        return self._checked(self._send(method, path, **kwargs))

    def _checked(self, response: httpx.Response) -> dict[str, Any]:
        body = self._object(http.succeeded(self, response))
        if _json_errors(body):
            raise self.classify_error(response)
        return body

    def _object(self, response: httpx.Response) -> dict[str, Any]:
        return http.json_object(self, response)


# --- planning a post, before any call --------------------------------------------------------


def subreddit_name(value: Any) -> str:
    """The subreddit's name as /api/submit takes it: "r/" (or "/r/") tolerated, a profile
    ("u/name") as its user subreddit "u_name"."""
    name = str(value or "").strip().strip("/")
    lowered = name.lower()
    if lowered.startswith("r/"):
        name = name[2:]
    elif lowered.startswith(("u/", "user/")):
        name = "u_" + name.partition("/")[2]
    name = name.strip("/")
    if not name:
        raise _refused("A Reddit post needs a subreddit: set options.subreddit (e.g. \"python\").", "no_subreddit")
    if not (_SUBREDDIT.match(name) or _PROFILE.match(name)):
        raise _refused(f"{name!r} is not a subreddit name (letters, digits and _, at most 21).", "BAD_SR_NAME")
    return name


def _plan(content: PostContent) -> _Plan:
    title = (content.title or "").strip()
    if not title:
        raise _refused("A Reddit post needs a title.", "no_title")
    if counting.characters(title) > MAX_TITLE:
        raise _refused(f"A Reddit title holds at most {MAX_TITLE} characters ({counting.characters(title)} given).",
                       "title_too_long")
    subreddit = subreddit_name(content.options.get("subreddit"))
    options = content.options
    if options.get("flair_text") and not options.get("flair_id"):
        raise _refused("options.flair_text needs options.flair_id (the flair template it edits).", "flair_text")
    if len(content.media) > 1:
        raise PlatformError(ErrorClass.PERMANENT, "media_unsupported",
                            "A Reddit post takes one image or one video (galleries are not supported).")
    if content.media:
        item = content.media[0]
        kind = "video" if item.kind == "video" else "image"
        allowed = VIDEO_TYPES if kind == "video" else IMAGE_TYPES
        if item.mime and item.mime not in allowed:
            raise PlatformError(ErrorClass.PERMANENT, "media_unsupported",
                                f"Reddit takes {', '.join(allowed)} for {kind} posts ({item.mime} given).")
        if kind == "video" and not options.get("video_poster_url"):
            raise _refused("A Reddit video post needs a poster image: set options.video_poster_url.",
                           "no_video_poster")
        plan = _Plan(kind=kind, subreddit=subreddit, title=title, media=item)
        if content.text.strip():
            plan.notices.append(f"Reddit {kind} posts carry no body text: the post's text was left out.")
        return plan
    text = content.text
    url = text.strip() if _ONLY_URL.match(text.strip()) else None
    link = content.link
    if url is None and link is not None and (not text.strip() or text.strip() == link.url):
        url = link.url
    if url is not None:
        return _Plan(kind="link", subreddit=subreddit, title=title, url=url)
    if link is not None and link.url not in text:
        text = f"{text.rstrip()}\n\n{link.url}"
    if counting.characters(text) > MAX_SELF_TEXT:
        raise _refused(f"A Reddit text post holds at most {MAX_SELF_TEXT} characters.", "TOO_LONG")
    return _Plan(kind="self", subreddit=subreddit, title=title, text=text)


_FORBIDDEN_REASONS = {
    "private": "{sr} is private: only its approved members can see it and post there.",
    "quarantined": "{sr} is quarantined: Herald does not post to quarantined communities.",
    "gold_only": "{sr} is open to Reddit Premium members only.",
    "banned": "This account is banned from {sr}.",
}


def _check_rules(plan: _Plan, rules: SubredditRules, options: Mapping[str, Any]) -> bool:
    """Refuse (PERMANENT invalid_content, naming the rule) what the subreddit forbids; the NSFW
    flag to send (an NSFW community's posts are NSFW: a notice says so)."""
    about, requirements, display = rules.about, rules.requirements, f"r/{rules.name}"
    if about.get("user_is_banned") is True:
        raise _refused(f"This account is banned from {display}.", "about user_is_banned")
    kind_of_sub = about.get("subreddit_type")
    if kind_of_sub == "archived":
        raise _refused(f"{display} is archived: it takes no new posts.", "about subreddit_type=archived")
    if kind_of_sub in ("restricted", "gold_restricted") and not (
        about.get("user_is_contributor") is True or about.get("user_is_moderator") is True
    ):
        raise _refused(f"{display} is restricted: only its approved users can post there.",
                       f"about subreddit_type={kind_of_sub}")
    submission_type = about.get("submission_type")
    if plan.kind == "self" and submission_type == "link":
        raise _refused(f"{display} does not allow text posts: it takes links, images and videos.",
                       "about submission_type=link")
    if plan.kind != "self" and submission_type == "self":
        raise _refused(f"{display} allows text posts only.", "about submission_type=self")
    if plan.kind == "image" and about.get("allow_images") is False:
        raise _refused(f"{display} does not allow image posts.", "about allow_images=false")
    if plan.kind == "video" and about.get("allow_videos") is False:
        raise _refused(f"{display} does not allow video posts.", "about allow_videos=false")
    if requirements.get("is_flair_required") is True and not options.get("flair_id"):
        raise _refused(f"{display} requires a flair: set options.flair_id (one of its post flair templates).",
                       "post_requirements is_flair_required")
    _check_text("title", plan.title, requirements, display, "title_text_min_length", "title_text_max_length",
                "title_required_strings", "title_blacklisted_strings")
    if plan.kind == "self":
        policy = requirements.get("body_restriction_policy")
        if policy == "required" and not plan.text.strip():
            raise _refused(f"{display} requires a text body.", "post_requirements body_restriction_policy=required")
        if policy == "notAllowed" and plan.text.strip():
            raise _refused(f"{display} does not allow a text body: leave the text empty (title only).",
                           "post_requirements body_restriction_policy=notAllowed")
        if plan.text.strip():
            _check_text("text", plan.text, requirements, display, "body_text_min_length", "body_text_max_length",
                        "body_required_strings", "body_blacklisted_strings")
    if plan.kind == "link" and plan.url is not None:
        _check_domain(plan.url, requirements, display)
    nsfw = options.get("nsfw") is True
    if about.get("over18") is True and not nsfw:
        plan.notices.append(f"{display} is an NSFW community: the post is marked NSFW.")
        nsfw = True
    return nsfw


def _check_text(what: str, text: str, requirements: Mapping[str, Any], display: str, min_field: str,
                max_field: str, required_field: str, forbidden_field: str) -> None:
    length = counting.characters(text)
    low, high = http.count(requirements, min_field), http.count(requirements, max_field)
    if low and length < low:
        raise _refused(f"{display} wants a {what} of at least {low} characters ({length} given).",
                       f"post_requirements {min_field}")
    if high and length > high:
        raise _refused(f"{display} wants a {what} of at most {high} characters ({length} given).",
                       f"post_requirements {max_field}")
    folded = text.casefold()
    required = _strings(requirements.get(required_field))
    if required and not any(s.casefold() in folded for s in required):
        listed = ", ".join(repr(s) for s in required)
        raise _refused(f"{display} requires the {what} to contain one of {listed}.",
                       f"post_requirements {required_field}")
    for forbidden in _strings(requirements.get(forbidden_field)):
        if forbidden.casefold() in folded:
            raise _refused(f"{display} does not allow {forbidden!r} in the {what}.",
                           f"post_requirements {forbidden_field}")


def _check_domain(url: str, requirements: Mapping[str, Any], display: str) -> None:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")

    def listed(domains: list[str]) -> bool:
        return any(host == d or host.endswith("." + d) for d in (d.lower().removeprefix("www.") for d in domains))

    allowed = _strings(requirements.get("domain_whitelist"))
    if allowed and not listed(allowed):
        raise _refused(f"{display} takes links to {', '.join(allowed)} only ({host} given).",
                       "post_requirements domain_whitelist")
    if listed(_strings(requirements.get("domain_blacklist"))):
        raise _refused(f"{display} does not allow links to {host}.", "post_requirements domain_blacklist")


def _submit_form(plan: _Plan, options: Mapping[str, Any], nsfw: bool) -> dict[str, str]:
    form = {"api_type": "json", "sr": plan.subreddit, "kind": plan.kind, "title": plan.title}
    if plan.kind == "self":
        form["text"] = plan.text
    elif plan.kind == "link" and plan.url is not None:
        form["url"] = plan.url
    form |= {
        "sendreplies": _flag(options.get("send_replies", True) is not False),
        "nsfw": _flag(nsfw),
        "spoiler": _flag(options.get("spoiler") is True),
    }
    for option in ("flair_id", "flair_text"):
        if options.get(option):
            form[option] = str(options[option])
    form["validate_on_submit"] = "true"
    return form


def _refused(message: str, rule: str) -> PlatformError:
    return PlatformError(ErrorClass.PERMANENT, "invalid_content", message, platform_code=rule)


# --- answers ---------------------------------------------------------------------------------


def _json_errors(body: Mapping[str, Any] | None) -> list[tuple[str, str, str]]:
    """`json.errors` as (code, message, field); [] when there are none."""
    wrapped = (body or {}).get("json")
    errors = wrapped.get("errors") if isinstance(wrapped, dict) else None
    found = []
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, list) and error and isinstance(error[0], str):
            text = error[1] if len(error) > 1 and isinstance(error[1], str) else ""
            where = error[2] if len(error) > 2 and isinstance(error[2], str) else ""
            found.append((error[0], text, where))
    return found


def _json_data(answer: Mapping[str, Any]) -> dict[str, Any]:
    wrapped = answer.get("json")
    data = wrapped.get("data") if isinstance(wrapped, dict) else None
    return data if isinstance(data, dict) else {}


def _ratelimit_wait(body: Mapping[str, Any], messages: list[str]) -> timedelta:
    """How long RATELIMIT asks to wait: `json.ratelimit` (seconds) when given, else the time its
    message names ("Take a break for 5 minutes", "try again in 9 seconds")."""
    wrapped = body.get("json")
    seconds = wrapped.get("ratelimit") if isinstance(wrapped, dict) else None
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0:
        return timedelta(seconds=seconds)
    for message in messages:
        found = _RATELIMIT_WAIT.search(message)
        if found is not None:
            return timedelta(seconds=float(found.group(1)) * _UNIT_SECONDS[found.group(2).lower()])
    return DEFAULT_RATELIMIT_WAIT


def _message(body: Mapping[str, Any] | None) -> str:
    body = body or {}
    for key in ("explanation", "message", "reason", "error_description", "error"):
        if isinstance(body.get(key), str) and body[key]:
            return str(body[key])
    return ""


def _insufficient_scope(response: httpx.Response) -> bool:
    return "insufficient_scope" in response.headers.get("www-authenticate", "")


def _upload_refused(response: httpx.Response) -> PlatformError:
    """The media store's XML error: too large or empty is the file's fault; an expired lease, a
    refused policy or an outage is tried again with a new lease."""
    code = _xml(response.text, "Code") or str(response.status_code)
    message = _xml(response.text, "Message") or f"HTTP {response.status_code}"
    platform_code = f"{response.status_code} {code}"
    if code == "EntityTooLarge":
        size, most = _xml(response.text, "ProposedSize"), _xml(response.text, "MaxSizeAllowed")
        return PlatformError(ErrorClass.PERMANENT, "media_too_large",
                             f"Reddit's media store refused the file: {size} bytes, at most {most} allowed.",
                             platform_code=platform_code)
    if code == "EntityTooSmall":
        return PlatformError(ErrorClass.PERMANENT, "media_unsupported", "Reddit's media store refused an empty file.",
                             platform_code=platform_code)
    if response.status_code >= 500 or response.status_code in (403, 408, 429):
        return PlatformError(ErrorClass.RETRY, "platform_unavailable",
                             f"Reddit's media upload failed ({message}); nothing was posted.",
                             platform_code=platform_code)
    return PlatformError(ErrorClass.PERMANENT, "media_unsupported",
                         f"Reddit's media store refused the file: {message}.", platform_code=platform_code)


def _xml(text: str, tag: str) -> str | None:
    found = re.search(rf"<{tag}>([^<]*)</{tag}>", text)
    return html.unescape(found.group(1)) if found is not None else None


def _children(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    data = answer.get("data")
    children = data.get("children") if isinstance(data, dict) else None
    return [child["data"] for child in children or []
            if isinstance(child, dict) and isinstance(child.get("data"), dict)]


def _counts(item: Mapping[str, Any]) -> dict[str, int]:
    likes = http.count(item, "ups")
    if likes is None:
        likes = http.count(item, "score")
    counts = {"likes": max(likes, 0)} if likes is not None else {}
    for name, source in (("comments", "num_comments"), ("shares", "num_crossposts")):
        value = http.count(item, source)
        if value is not None:
            counts[name] = value
    return counts


def _post_matches(item: Mapping[str, Any], plan: _Plan, since: datetime) -> bool:
    created = _created(item)
    return (
        created is not None
        and created >= since
        and str(item.get("subreddit") or "").casefold() == plan.subreddit.casefold()
        and _normalized(str(item.get("title") or "")) == _normalized(plan.title)
        and _listed_kind(item) == plan.kind
    )


def _listed_kind(item: Mapping[str, Any]) -> str:
    """How a listing shows what kind of post an item is."""
    if item.get("is_self") is True:
        return "self"
    if item.get("is_video") is True:
        return "video"
    if item.get("post_hint") == "image" or item.get("domain") == "i.redd.it":
        return "image"
    return "link"


def _created(item: Mapping[str, Any]) -> datetime | None:
    value = item.get("created_utc")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


def _post_url(data: Mapping[str, Any]) -> str:
    url = data.get("url")
    if isinstance(url, str) and url.startswith(("https://www.reddit.com/", "https://reddit.com/")):
        return url
    post_id = data.get("id") or str(data.get("name", "")).removeprefix("t3_")
    return f"{WWW}/comments/{post_id}/"


def _permalink(item: Mapping[str, Any]) -> str:
    permalink = item.get("permalink")
    if isinstance(permalink, str) and permalink.startswith("/"):
        return WWW + permalink
    return f"{WWW}/comments/{str(item.get('name', '')).removeprefix('t3_')}/"


def _comment_url(comment: Mapping[str, Any]) -> str:
    permalink = comment.get("permalink")
    if isinstance(permalink, str) and permalink.startswith("/"):
        return WWW + permalink
    post = str(comment.get("link_id") or "").removeprefix("t3_")
    return f"{WWW}/comments/{post}/_/{str(comment.get('name', '')).removeprefix('t1_')}/"


def _mime(item: MediaItem) -> str:
    if item.mime:
        return item.mime
    path = urlsplit(item.url).path.lower()
    if item.kind == "gif" or path.endswith(".gif"):
        return "image/gif"
    if item.kind == "video":
        return "video/quicktime" if path.endswith(".mov") else "video/mp4"
    return "image/png" if path.endswith(".png") else "image/jpeg"


def _filename(item: MediaItem, mime: str) -> str:
    stem = urlsplit(item.url).path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = re.sub(r"[^A-Za-z0-9_-]", "", stem)[:60] or item.kind
    return f"{stem}.{_EXTENSIONS.get(mime, 'bin')}"


def _scopes(tokens: Mapping[str, str]) -> tuple[str, ...]:
    granted = tokens.get("scope")
    return tuple(granted.replace(",", " ").split()) if granted else SCOPES


def _strings(value: Any) -> list[str]:
    return [s for s in value if isinstance(s, str) and s] if isinstance(value, list) else []


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _unescaped(value: Any) -> str | None:
    return html.unescape(value) if isinstance(value, str) and value else None


def _normalized(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _is_later_step(target_key: str) -> bool:
    """Whether the target key names a step after the post (the runner appends ':{index}')."""
    return target_key.count(":") >= 2
