"""Simulated Mastodon instance for test-mode accounts.

Answers the calls `MastodonPlatform` makes on the account's instance (`instance_url` in its
tokens; new test accounts live on https://mastodon.example), in Mastodon's shapes, built from the
official documentation's examples kept in `recordings/mastodon.json`: Status, MediaAttachment,
CredentialAccount and Instance bodies, `{"error": ...}` refusals, `X-RateLimit-*` headers with an
ISO 8601 reset time, and snowflake ids (milliseconds << 16 | a sequence, 18 digits).

It validates what Mastodon does: the bearer token (401 "The access token is invalid", "... expired"
or "... was revoked"); the status (text or media, at most `max_characters` by Mastodon's count,
a known visibility, at most 4 attachments of the account's own, processed, no video among other
media, and a post replied to that exists); the upload (a file part whose MIME type the instance
supports, under its size limits). A status sent again with an `Idempotency-Key` used in the last
hour gets the status first created under it, as on Mastodon. The status text is rendered into
`content` as paragraphs of escaped text (links and mentions are not turned into anchors).

Media: images are processed at once (200 with `url`); video and GIFs answer 202 with `url` null,
then `GET /api/v1/media/{id}` answers 206 once and 200 with the `url` after that.

Failure injection: see `herald.platforms.simulators`; it applies to `POST /api/v1/statuses` only.
`duplicate` changes nothing: Mastodon refuses no repeated post (a repeat with the same key gets the
first status back). `expired_token` and `revoked_token` refuse the token from then on; Mastodon has
no refresh, so only a new connection gets a working token.

Mentions: `GET /api/v1/notifications` answers the account's made-up mentions as they come with
time (`common.simulated_mentions`: people from `common.MENTIONERS` on another instance, a few a
day, some replying to the account's newest status), as `mention` notifications shaped as the
recorded ones, newest first, with `types[]`, `since_id`, `max_id` and `limit` (40, at most 80).

Counts: a status's favourites_count, reblogs_count and replies_count grow with the time since it
was created (`common.grown_metrics`; replies add the real simulated ones; the recorded Status shows
no quotes_count, so there is none), and an account's followers_count grows day by day
(`common.grown_followers`)."""

from __future__ import annotations

import base64
import copy
import functools
import html
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from herald.clock import from_iso, to_iso
from herald.platforms.mastodon import VISIBILITIES, instance_limits
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
    grown_followers,
    grown_metrics,
    reply_target,
    request_json,
    simulated_mentions,
)
from herald.text.counting import mastodon as mastodon_length

RECORDINGS = Path(__file__).parent / "recordings" / "mastodon.json"
DEFAULT_INSTANCE = "https://mastodon.example"
IDEMPOTENCY_WINDOW = timedelta(hours=1)
MAX_ATTACHMENTS = 4  # Status::MEDIA_ATTACHMENTS_LIMIT
MAX_STATUS_IDS = 20  # GET /api/v1/statuses: DEFAULT_STATUSES_LIMIT
RATE_LIMIT = 300  # requests per 5 minutes, per account
MENTIONERS_INSTANCE = "fosstodon.example"  # where the made-up people who mention accounts live
_sequence = 0  # the low 16 bits of generated ids, process-wide (guarded by LOCK)
# account id -> (the state it belongs to, its uploaded attachments by id); a new state after
# simulators.reset() starts with no attachments.
_MEDIA: dict[str, tuple[SimulatedAccount, dict[str, dict[str, Any]]]] = {}


@functools.cache
def recordings() -> dict[str, dict[str, Any]]:
    """The recorded exchanges (the official documentation's examples), by name, loaded once."""
    return {entry["name"]: entry for entry in json.loads(RECORDINGS.read_text("utf-8"))}


def recorded_body(name: str) -> Any:
    """A copy of a recorded response body, to build an answer from."""
    return copy.deepcopy(recordings()[name]["response"]["body"])


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    instance = _instance_json(httpx.URL(DEFAULT_INSTANCE).host)
    return {
        "instance_url": DEFAULT_INSTANCE,
        "access_token": _token("account", account_id),
        "user_id": _numeric_id("account", account_id),
        "domain": instance["domain"],
        **instance_limits(instance),
    }


def _token(*parts: str) -> str:
    """A Doorkeeper-shaped token: 43 URL-safe base64 characters."""
    return base64.urlsafe_b64encode(stable_digest("mastodon-token", *parts)).decode("ascii")[:43]


def _numeric_id(*parts: str) -> str:
    """An account id: digits, the same in every process."""
    return str(100_000 + int.from_bytes(stable_digest("mastodon-id", *parts)[:6], "big") % 10**15)


# --- connecting, before any account exists ---------------------------------------------------


def connect_handler(request: httpx.Request) -> httpx.Response:
    """Answers the calls `MastodonPlatform.connect_with_fields` makes, on any https instance:
    `GET /api/v2/instance`, and `verify_credentials` for any token without spaces. The token says
    who connects: a code from `simulated_code` connects as its username, any other token as a user
    named from its digest."""
    path = request.url.path
    if request.url.scheme != "https":
        raise httpx.ConnectError("the Mastodon simulator serves https only", request=request)
    if (request.method, path) == ("GET", "/api/v2/instance"):
        return httpx.Response(200, json=_instance_json(request.url.host))
    if (request.method, path) != ("GET", "/api/v1/accounts/verify_credentials"):
        return _error(404, "Record not found")
    token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not token or any(character.isspace() for character in token):
        return _error(401, recorded_body("verify_credentials_invalid")["error"])
    username = redeem_code(token, None) or "user" + stable_digest("mastodon-user", token).hex()[:8]
    user_id = _numeric_id("user", request.url.host, username)
    return httpx.Response(200, json=_credential_account(request.url.host, user_id, username))


# --- per account -----------------------------------------------------------------------------


class MastodonSimulator(Simulator):
    network = "mastodon"

    def route(self, request: httpx.Request) -> httpx.Response:
        with LOCK:
            instance = self.state().tokens.get("instance_url", DEFAULT_INSTANCE)
        if request.url.host != httpx.URL(instance).host or request.url.scheme != "https":
            raise httpx.ConnectError(f"the Mastodon simulator does not serve {request.url.host}", request=request)
        for method, pattern, handler in self._routes():
            match = pattern.fullmatch(request.url.path)
            if match and request.method == method:
                return handler(request, *match.groups())
        return _error(404, "Record not found")

    def _routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., httpx.Response]]]:
        return [
            ("POST", re.compile(r"/api/v1/statuses"), self._create),
            ("GET", re.compile(r"/api/v1/statuses"), self._index),
            ("GET", re.compile(r"/api/v1/statuses/(\d+)"), self._show),
            ("DELETE", re.compile(r"/api/v1/statuses/(\d+)"), self._delete),
            ("GET", re.compile(r"/api/v1/statuses/(\d+)/source"), self._source),
            ("GET", re.compile(r"/api/v1/accounts/verify_credentials"), self._verify_credentials),
            ("GET", re.compile(r"/api/v1/accounts/(\d+)/statuses"), self._account_statuses),
            ("GET", re.compile(r"/api/v2/instance"), self._instance),
            ("GET", re.compile(r"/api/v1/notifications"), self._notifications),
            ("POST", re.compile(r"/api/v2/media"), self._upload),
            ("GET", re.compile(r"/api/v1/media/(\d+)"), self._media),
            ("POST", re.compile(r"/oauth/revoke"), self._revoke),
        ]

    # --- POST /api/v1/statuses ---------------------------------------------------------------

    def _create(self, request: httpx.Request) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            failure = self.take_create_failure(request)
            if failure == "rate_limited":
                return _error(429, recorded_body("create_status_rate_limited")["error"], headers=_limits(now, 0))
            if failure == "server_error":
                return _error(503, "Service Unavailable")
            state = self.authorized(request)
            body = request_json(request)
            key = request.headers.get("idempotency-key")
            post = _keyed_post(state, key, now) if key else None
            if post is None:
                refused = _invalid_status(state, body)
                if refused is not None:
                    return refused
                post = _store_post(state, body, key, now)
            answer = _status_json(state, post)
        if (lost := self.after_write(failure, request, "the status was created")) is not None:
            return lost
        return httpx.Response(200, json=answer, headers=_limits(now, RATE_LIMIT - 1))

    # --- GET /api/v1/statuses, /statuses/{id}, /statuses/{id}/source -------------------------

    def _index(self, request: httpx.Request) -> httpx.Response:
        ids = request.url.params.get_list("id[]")
        with LOCK:
            self.authorized(request)
            if len(ids) > MAX_STATUS_IDS:
                return _error(422, "Mastodon::ValidationError")
            found = [hit for post_id in dict.fromkeys(ids) if (hit := _find_post(post_id)) is not None]
            answer = [_status_json(owner, post) for owner, post in found]
        return httpx.Response(200, json=answer)

    def _show(self, request: httpx.Request, post_id: str) -> httpx.Response:
        with LOCK:
            self.authorized(request)
            hit = _find_post(post_id)
            if hit is None:
                return _error(404, "Record not found")
            return httpx.Response(200, json=_status_json(*hit))

    def _source(self, request: httpx.Request, post_id: str) -> httpx.Response:
        """Only the account's own statuses have a source for it."""
        with LOCK:
            post = self.authorized(request).posts.get(post_id)
            if post is None:
                return _error(404, "Record not found")
            answer = {"id": post_id, "text": post["text"], "spoiler_text": post["spoiler_text"]}
        return httpx.Response(200, json=answer)

    # --- DELETE /api/v1/statuses/{id} --------------------------------------------------------

    def _delete(self, request: httpx.Request, post_id: str) -> httpx.Response:
        with LOCK:
            state = self.authorized(request)
            post = state.posts.pop(post_id, None)
            if post is None:
                return _error(404, "Record not found")
            answer = _status_json(state, post)
        del answer["content"]  # the deleted status comes back with its source text instead
        return httpx.Response(200, json={**answer, "text": post["text"]})

    # --- GET /api/v1/accounts/verify_credentials and /accounts/{id}/statuses -----------------

    def _verify_credentials(self, request: httpx.Request) -> httpx.Response:
        with LOCK:
            state = self.authorized(request)
            answer = _credential_account(request.url.host, state.tokens["user_id"], _local(state.username))
        return httpx.Response(200, json=answer)

    def _account_statuses(self, request: httpx.Request, user_id: str) -> httpx.Response:
        """Newest first; `limit` (default 20, at most 40) and `max_id` as documented."""
        params = request.url.params
        try:
            limit = min(abs(int(params.get("limit", "20"))), 40)
            max_id = int(params["max_id"]) if "max_id" in params else None
        except ValueError:
            return _error(422, "Validation failed: limit and max_id must be numbers")
        with LOCK:
            self.authorized(request)
            owner = next((s for s in accounts_on("mastodon") if s.tokens.get("user_id") == user_id), None)
            if owner is None:
                return _error(404, "Record not found")
            ids = sorted((int(post_id) for post_id in owner.posts), reverse=True)
            page = [str(post_id) for post_id in ids if max_id is None or post_id < max_id][:limit]
            answer = [_status_json(owner, owner.posts[post_id]) for post_id in page]
        return httpx.Response(200, json=answer, headers=_pagination(request, page))

    # --- GET /api/v1/notifications -----------------------------------------------------------

    def _notifications(self, request: httpx.Request) -> httpx.Response:
        """The account's mention notifications, newest first; `types[]`, `since_id`, `max_id` and
        `limit` (default 40, at most 80) as documented."""
        params = request.url.params
        try:
            limit = min(abs(int(params.get("limit", "40"))), 80)
            since_id = int(params.get("since_id", "0"))
            max_id = int(params["max_id"]) if "max_id" in params else None
        except ValueError:
            return _error(422, "Validation failed: limit, since_id and max_id must be numbers")
        types = params.get_list("types[]")
        now = simulated_now()
        with LOCK:
            state = self.authorized(request)
            host = request.url.host
            own = {post["id"]: post for post in state.posts.values()}
            user_id, local = state.tokens["user_id"], _local(state.username)
        if types and "mention" not in types:
            return httpx.Response(200, json=[])
        own_posts = [(post_id, from_iso(post["created_at"])) for post_id, post in own.items()]
        page: list[dict[str, Any]] = []
        for mention in simulated_mentions(f"mastodon:{host}:{user_id}", f"@{local}", now):
            notification_id = _mention_ids(mention)[0]
            if int(notification_id) <= since_id or len(page) == limit:
                break
            if max_id is not None and int(notification_id) >= max_id:
                continue
            target = reply_target(own_posts, mention.at) if mention.reply else None
            page.append(_notification_json(host, user_id, local, mention, target))
        return httpx.Response(200, json=page, headers=_pagination(request, [n["id"] for n in page]))

    # --- GET /api/v2/instance ----------------------------------------------------------------

    def _instance(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=_instance_json(request.url.host))

    # --- POST /api/v2/media, GET /api/v1/media/{id} ------------------------------------------

    def _upload(self, request: httpx.Request) -> httpx.Response:
        fields = _multipart(request)
        with LOCK:
            state = self.authorized(request)
            upload = fields.get("file")
            if upload is None or not upload["filename"]:
                return _error(422, "Validation failed: File can't be blank")
            refused = _invalid_upload(upload)
            if refused is not None:
                return refused
            description = fields["description"]["value"] if "description" in fields else None
            attachment = _store_media(state, request.url.host, upload, description)
            answer = _attachment_json(attachment)
        return httpx.Response(202 if answer["url"] is None else 200, json=answer)

    def _media(self, request: httpx.Request, media_id: str) -> httpx.Response:
        """206 while processing (once), then 200; attached media are no longer found here."""
        with LOCK:
            attachment = _media_of(self.authorized(request)).get(media_id)
            if attachment is None or attachment["attached"]:
                return _error(404, "Record not found")
            if attachment["polls_left"] > 0:
                attachment["polls_left"] -= 1
                return httpx.Response(206, json=_attachment_json(attachment))
            attachment["processed"] = True
            return httpx.Response(200, json=_attachment_json(attachment))

    # --- POST /oauth/revoke ------------------------------------------------------------------

    def _revoke(self, request: httpx.Request) -> httpx.Response:
        """Only the test app may revoke (its client id and secret); a token it does not hold is fine."""
        form = {name: values[0] for name, values in parse_qs(request.content.decode("utf-8")).items()}
        if (form.get("client_id"), form.get("client_secret")) != (TEST_CLIENT_ID, TEST_CLIENT_SECRET):
            return httpx.Response(403, json=recorded_body("revoke_refused"))
        with LOCK:
            state = self.state()
            if form.get("token") == state.tokens["access_token"]:
                state.revoked = state.token_expired = True
        return httpx.Response(200, json=recorded_body("revoke"))

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        presented = request.headers.get("authorization", "").removeprefix("Bearer ")
        if presented != state.tokens["access_token"]:
            return _error(401, recorded_body("create_status_unauthorized")["error"])
        if state.revoked:
            return _error(401, "The access token was revoked")
        if state.token_expired:
            return _error(401, "The access token expired")
        return None


# --- state, called with LOCK held ------------------------------------------------------------


def _media_of(state: SimulatedAccount) -> dict[str, dict[str, Any]]:
    held = _MEDIA.get(state.account_id)
    if held is None or held[0] is not state:
        held = (state, {})
        _MEDIA[state.account_id] = held
    return held[1]


def _new_id(now: datetime) -> str:
    global _sequence
    _sequence = (_sequence + 1) % 65536
    return str(int(now.timestamp() * 1000) << 16 | _sequence)


def _find_post(post_id: str) -> tuple[SimulatedAccount, dict[str, Any]] | None:
    for state in accounts_on("mastodon"):
        if post_id in state.posts:
            return state, state.posts[post_id]
    return None


def _keyed_post(state: SimulatedAccount, key: str, now: datetime) -> dict[str, Any] | None:
    """The live status created under `key` in the last hour."""
    return next(
        (
            post
            for post in state.posts.values()
            if post["idempotency_key"] == key and now - from_iso(post["created_at"]) < IDEMPOTENCY_WINDOW
        ),
        None,
    )


def _store_post(state: SimulatedAccount, body: dict[str, Any], key: str | None, now: datetime) -> dict[str, Any]:
    media = _media_of(state)
    attachments = [media[media_id] for media_id in body.get("media_ids") or []]
    for attachment in attachments:
        attachment["attached"] = True
    spoiler_text = body.get("spoiler_text") or ""
    post = {
        "id": _new_id(now),
        "text": body.get("status") or "",
        "spoiler_text": spoiler_text,
        "visibility": body.get("visibility") or "public",
        "sensitive": bool(body.get("sensitive")) or bool(spoiler_text),
        "language": body.get("language") or "en",
        "in_reply_to_id": body.get("in_reply_to_id"),
        "media": [_attachment_json(attachment) for attachment in attachments],
        "idempotency_key": key,
        "created_at": to_iso(now),
    }
    state.posts[post["id"]] = post
    return post


def _store_media(state: SimulatedAccount, host: str, upload: dict[str, Any], description: str | None) -> dict[str, Any]:
    """An uploaded file: an image is processed at once; a GIF (shown as gifv) or a video is
    transcoded to MP4 in the background, done after one poll."""
    media_id = _new_id(simulated_now())
    content_type = upload["content_type"]
    kind = "gifv" if content_type == "image/gif" else content_type.split("/")[0]
    extension = upload["filename"].rsplit(".", 1)[-1] if kind == "image" and "." in upload["filename"] else "mp4"
    attachment = {
        "id": media_id,
        "type": kind,
        "host": host,
        "file": f"{media_id}.{extension}",
        "description": description,
        "processed": kind == "image",
        "polls_left": 0 if kind == "image" else 1,
        "attached": False,
    }
    _media_of(state)[media_id] = attachment
    return attachment


# --- answers ---------------------------------------------------------------------------------


def _status_json(owner: SimulatedAccount, post: dict[str, Any]) -> dict[str, Any]:
    """A Status shaped as the recorded one, with its counts now, grown since it was created
    (replies add the real simulated ones)."""
    instance = owner.tokens.get("instance_url", DEFAULT_INSTANCE)
    local = _local(owner.username)
    grown = grown_metrics(post["id"], from_iso(post["created_at"]), simulated_now())
    replies = sum(
        1 for state in accounts_on("mastodon") for p in state.posts.values() if p["in_reply_to_id"] == post["id"]
    )
    parent = _find_post(post["in_reply_to_id"]) if post["in_reply_to_id"] else None
    status = recorded_body("create_status")
    status.update(
        id=post["id"],
        created_at=post["created_at"],
        in_reply_to_id=post["in_reply_to_id"],
        in_reply_to_account_id=parent[0].tokens["user_id"] if parent else None,
        sensitive=post["sensitive"],
        spoiler_text=post["spoiler_text"],
        visibility=post["visibility"],
        language=post["language"],
        uri=f"{instance}/users/{local}/statuses/{post['id']}",
        url=f"{instance}/@{local}/{post['id']}",
        replies_count=grown["comments"] + replies,
        reblogs_count=grown["shares"],
        favourites_count=grown["likes"],
        content=_html(post["text"]),
        account=_account_json(httpx.URL(instance).host, owner.tokens["user_id"], local),
        media_attachments=copy.deepcopy(post["media"]),
    )
    return status


def _mention_ids(mention: SimulatedMention) -> tuple[str, str]:
    """(notification id, status id) of a simulated mention: snowflakes from its time."""
    milliseconds = int(mention.at.timestamp() * 1000)
    sequence = mention.number % 32768
    return str((milliseconds + 150) << 16 | sequence), str(milliseconds << 16 | sequence)


def _notification_json(host: str, user_id: str, local: str, mention: SimulatedMention,
                       target: str | None) -> dict[str, Any]:
    """A mention notification shaped as the recorded one: the status of a person on
    MENTIONERS_INSTANCE that mentions the account (and replies to `target`, its status)."""
    notification_id, status_id = _mention_ids(mention)
    author_id = _numeric_id("mentioner", mention.author)
    author = {"id": author_id, "username": mention.author, "acct": f"{mention.author}@{MENTIONERS_INSTANCE}",
              "display_name": mention.author_name, "url": f"https://{MENTIONERS_INSTANCE}/@{mention.author}"}
    template = recorded_body("notifications_mentions")[0]
    status = template["status"]
    status.update(
        id=status_id,
        created_at=to_iso(mention.at),
        in_reply_to_id=target,
        in_reply_to_account_id=user_id if target else None,
        uri=f"https://{MENTIONERS_INSTANCE}/users/{mention.author}/statuses/{status_id}",
        url=f"https://{MENTIONERS_INSTANCE}/@{mention.author}/{status_id}",
        content=_html(mention.text),
        account={key: author[key] for key in status["account"]},
        mentions=[{"id": user_id, "username": local, "url": f"https://{host}/@{local}", "acct": local}],
    )
    template.update(id=notification_id, created_at=to_iso(mention.at + timedelta(milliseconds=150)),
                    account={key: author[key] for key in template["account"]}, status=status)
    return template


def _account_json(host: str, user_id: str, username: str) -> dict[str, Any]:
    account = recorded_body("verify_credentials")
    del account["source"]
    seed = stable_digest("mastodon-account", host, user_id)
    account.update(
        id=user_id,
        username=username,
        acct=username,
        display_name=username.capitalize(),
        url=f"https://{host}/@{username}",
        avatar=f"https://{host}/avatars/original/missing.png",
        avatar_static=f"https://{host}/avatars/original/missing.png",
        header=f"https://{host}/headers/original/missing.png",
        header_static=f"https://{host}/headers/original/missing.png",
        followers_count=grown_followers(f"mastodon:{host}:{user_id}", simulated_now()),
        following_count=seed[2] % 200,
    )
    return account


def _credential_account(host: str, user_id: str, username: str) -> dict[str, Any]:
    return {**_account_json(host, user_id, username), "source": recorded_body("verify_credentials")["source"]}


def _instance_json(host: str) -> dict[str, Any]:
    instance: dict[str, Any] = recorded_body("instance")
    instance.update(domain=host, title=f"Simulated Mastodon ({host})")
    instance["configuration"]["urls"]["streaming"] = f"wss://{host}"
    return instance


def _configuration() -> dict[str, Any]:
    """The simulated instance's configuration (its limits): the recorded instance's."""
    configuration: dict[str, Any] = recordings()["instance"]["response"]["body"]["configuration"]
    return configuration


def _attachment_json(attachment: dict[str, Any]) -> dict[str, Any]:
    """A MediaAttachment shaped as the recorded ones; `url` is null until processing is done."""
    files = f"https://files.{attachment['host']}/media_attachments/files"
    answer = recorded_body("upload_image")
    answer.update(
        id=attachment["id"],
        type=attachment["type"],
        url=f"{files}/original/{attachment['file']}" if attachment["processed"] else None,
        preview_url=f"{files}/small/{attachment['id']}.png",
        text_url=f"https://{attachment['host']}/media/{attachment['id']}",
        description=attachment["description"],
    )
    return answer


def _html(text: str) -> str:
    paragraphs = [part for part in re.split(r"\n{2,}", text.strip()) if part]
    return "".join(f"<p>{html.escape(part).replace(chr(10), '<br />')}</p>" for part in paragraphs)


def _local(username: str) -> str:
    """The account's name on its instance ("herald" for "herald@mastodon.example")."""
    return username.split("@")[0]


def _error(status: int, message: str, *, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": message}, headers=headers)


def _limits(now: datetime, remaining: int) -> dict[str, str]:
    reset = now.replace(second=0, microsecond=0) + timedelta(minutes=5 - now.minute % 5)
    return {
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }


def _pagination(request: httpx.Request, page: list[str]) -> dict[str, str]:
    """The Link header: `next` (older, max_id) and `prev` (newer, min_id), as Mastodon sends them."""
    if not page:
        return {}
    base = request.url.copy_remove_param("max_id").copy_remove_param("min_id")
    older = base.copy_add_param("max_id", page[-1])
    newer = base.copy_add_param("min_id", page[0])
    return {"Link": f'<{older}>; rel="next", <{newer}>; rel="prev"'}


# --- validation ------------------------------------------------------------------------------


def _invalid_status(state: SimulatedAccount, body: Any) -> httpx.Response | None:
    """Mastodon's refusal of a status (PostStatusService and its validators), or None."""
    if not isinstance(body, dict):
        return _error(422, "Validation failed: Text can't be blank")
    reply_to = body.get("in_reply_to_id")
    if reply_to is not None and _find_post(str(reply_to)) is None:
        return _error(404, "The post you are trying to reply to does not appear to exist.")
    media_ids = body.get("media_ids") or []
    refused = _invalid_media_ids(state, media_ids)
    if refused is not None:
        return refused
    text = body.get("status")
    if not isinstance(text, str) or (not text.strip() and not media_ids):
        return _error(422, "Validation failed: Text can't be blank")
    limit = _configuration()["statuses"]["max_characters"]
    if mastodon_length(text) > limit:
        return _error(422, f"Validation failed: Text character limit of {limit} exceeded")
    if body.get("visibility", "public") not in VISIBILITIES:
        return _error(422, "Validation failed: Visibility is not included in the list")
    return None


def _invalid_media_ids(state: SimulatedAccount, media_ids: Any) -> httpx.Response | None:
    if not isinstance(media_ids, list) or not all(isinstance(media_id, str) for media_id in media_ids):
        return _error(422, "Validation failed: media_ids must be a list of ids")
    if len(media_ids) > MAX_ATTACHMENTS:
        return _error(422, f"Cannot attach more than {MAX_ATTACHMENTS} files")
    held = _media_of(state)
    missing = [media_id for media_id in media_ids if media_id not in held or held[media_id]["attached"]]
    if missing:
        return _error(422, f"Media {', '.join(missing)} not found or already attached to another post")
    attachments = [held[media_id] for media_id in media_ids]
    if len(attachments) > 1 and any(attachment["type"] == "video" for attachment in attachments):
        return _error(422, "Cannot attach a video to a post that already contains images")
    if not all(attachment["processed"] for attachment in attachments):
        return _error(422, "Cannot attach files that have not finished processing. Try again in a moment!")
    return None


def _invalid_upload(upload: dict[str, Any]) -> httpx.Response | None:
    media = _configuration()["media_attachments"]
    kind = upload["content_type"]
    if kind not in media["supported_mime_types"]:
        return httpx.Response(422, json=recorded_body("upload_unsupported"))
    limit = media["image_size_limit"] if kind.startswith("image/") else media["video_size_limit"]
    if len(upload["content"]) > limit:
        return _error(422, f"Validation failed: File file size must be less than {limit // (1024 * 1024)} MB")
    return None


def _multipart(request: httpx.Request) -> dict[str, dict[str, Any]]:
    """The parts of a multipart/form-data body by field name: filename, content_type, content, and
    value (the decoded text of a plain field). {} for any other body."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return {}
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + request.content)
    fields: dict[str, dict[str, Any]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True) or b""
        fields[str(name)] = {
            "filename": part.get_filename(),
            "content_type": part.get_content_type() if part.get_filename() else None,
            "content": content,
            "value": content.decode("utf-8", "replace"),
        }
    return fields
