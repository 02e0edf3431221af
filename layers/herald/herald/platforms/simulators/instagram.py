"""Simulated Instagram API with Facebook Login (graph.facebook.com/v25.0) for test-mode accounts.

Answers the calls `InstagramPlatform` makes, shaped from recordings/instagram.json: 17-digit
container and media ids, `https://www.instagram.com/p/{shortcode}/` permalinks, Graph error
bodies, the Page token in the Bearer header. It validates what the content publishing API does:
an image container needs an http(s) `image_url`, a reel a `video_url`, `VIDEO` is only a carousel
item, `alt_text` goes with images only, a caption is at most 2,200 characters, a carousel has 2 to
10 items that are this account's carousel-item containers, and only a FINISHED container that was
never published can be published (9007/2207027 otherwise). Image containers are FINISHED at once;
video containers are IN_PROGRESS at their first status read and FINISHED after it; a carousel is
FINISHED when all its items are. The publishing quota counts the media published in 24 hours
against 100. Failure injection (see `herald.platforms.simulators`) applies to media_publish and to
comments; the `duplicate` failure answers the Graph's 506 (Instagram documents no duplicate error
of its own: unverified).

Mentions: `GET /{ig-user-id}/tags` answers the media other accounts tagged the account in as they
come with time (`common.simulated_mentions`: people from `common.MENTIONERS`, a few a day), newest
first; as documented, the answer pages by `paging.cursors` only (no `paging.next`).

Counts: a media's insights (views, reach, likes, comments, shares, saved) grow with the time since
it was published (`common.grown_metrics`; comments add the real simulated ones), and the account's
followers_count grows day by day (`common.grown_followers`)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

import httpx

from herald.platforms.instagram import INSIGHTS, MAX_ITEMS, MAX_TEXT, SCOPES
from herald.platforms.simulators import LOCK, SimulatedAccount, accounts_on, simulated_now, stable_digest
from herald.platforms.simulators.common import (
    Refused,
    SimulatedMention,
    grown_followers,
    grown_metrics,
    simulated_mentions,
)
from herald.platforms.simulators.meta import (
    GraphSimulator,
    comment_count,
    connect,
    connected_page,
    find_post,
    graph_error,
    graph_time,
    invalid,
    is_web_url,
    listed,
    new_id,
    not_found,
    numeric_id,
    page_tokens,
    paged,
    parse_graph_time,
    pick,
    recorded_body,
    recorded_error,
    requested_fields,
    shaped,
    side_store,
)

NETWORK = "instagram"
QUOTA_TOTAL = 100
QUOTA_WINDOW = timedelta(hours=24)
_WEB = "https://www.instagram.com"


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    page_id, user_id = numeric_id(15, "ig-page", account_id), numeric_id(17, "ig-fb-user", account_id)
    return {"ig_user_id": numeric_id(17, "ig-user", account_id), **page_tokens(NETWORK, account_id, page_id, user_id)}


def connect_handler(request: httpx.Request) -> httpx.Response:
    return connect(request, NETWORK, SCOPES, _connected_page)


def _connected_page(username: str) -> dict[str, Any]:
    ig_user_id = numeric_id(17, "ig-connected-user", username)
    account = {
        "id": ig_user_id,
        "username": username,
        "name": username,
        "profile_picture_url": f"https://scontent.cdninstagram.com/v/{username}.jpg",
        "followers_count": _followers(ig_user_id),
    }
    return connected_page(numeric_id(15, "ig-connected-page", username), username, instagram_business_account=account)


class InstagramSimulator(GraphSimulator):
    network = NETWORK
    throttle_kind = "instagram"

    def dispatch(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        method = request.method
        with LOCK:
            ig_user_id = self.state().tokens["ig_user_id"]
        if len(parts) == 2 and parts[0] == ig_user_id:
            handlers = {
                ("GET", "content_publishing_limit"): self._quota,
                ("POST", "media"): self._create_container,
                ("GET", "media"): self._media_list,
                ("POST", "media_publish"): self._publish,
                ("GET", "tags"): self._tags,
            }
            handler = handlers.get((method, parts[1]))
            if handler is not None:
                return handler(request)
        if len(parts) == 2 and (method, parts[1]) == ("POST", "comments"):
            return self._comment(request, parts[0])
        if len(parts) == 2 and (method, parts[1]) == ("GET", "comments"):
            return self._comments(request, parts[0])
        if len(parts) == 2 and (method, parts[1]) == ("GET", "insights"):
            return self._insights(request, parts[0])
        if len(parts) == 1 and method == "GET":
            return self._read(request, parts[0])
        return graph_error(400, 2500, f"Unknown path components: {request.url.path}")

    # --- GET /{ig-user-id}/content_publishing_limit ------------------------------------------

    def _quota(self, request: httpx.Request) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            state = self.authorized(request)
            used = sum(1 for post in state.posts.values() if post["kind"] == "media" and now - post["at"] < QUOTA_WINDOW)
        config = {"quota_total": QUOTA_TOTAL, "quota_duration": int(QUOTA_WINDOW.total_seconds())}
        entry = pick({"quota_usage": used, "config": config}, requested_fields(request) or ["quota_usage"])
        return httpx.Response(200, json={"data": [entry]})

    # --- POST /{ig-user-id}/media and GET /{container-id} ------------------------------------

    def _create_container(self, request: httpx.Request) -> httpx.Response:
        with LOCK:
            state, body = self.authorized_json(request)
            containers = side_store(state, "containers")
            kind = _container_kind(body, containers)
            container_id = new_id("178", 17)
            containers[container_id] = {
                "id": container_id, "kind": kind, "item": body.get("is_carousel_item") is True,
                "caption": body.get("caption", ""), "children": _children(body), "reads": 0, "published": False,
            }
        return httpx.Response(200, json={"id": container_id})

    def _container_status(self, request: httpx.Request, container: dict[str, Any]) -> httpx.Response:
        """Called with LOCK held."""
        container["reads"] += 1
        state = _status_of(container, side_store(self.state(), "containers"))
        name = {"FINISHED": "container_finished", "IN_PROGRESS": "container_in_progress"}[state]
        view = shaped(NETWORK, name, id=container["id"])
        return httpx.Response(200, json=pick(view, requested_fields(request)))

    # --- POST /{ig-user-id}/media_publish ----------------------------------------------------

    def _publish(self, request: httpx.Request) -> httpx.Response:
        with LOCK:
            ig_user_id = self.state().tokens["ig_user_id"]
        return self.create(request, ig_user_id, self._write_media, "the media was published")

    def _write_media(
        self, request: httpx.Request, state: SimulatedAccount, body: dict[str, Any], ig_user_id: str
    ) -> dict[str, Any]:
        containers = side_store(state, "containers")
        container = containers.get(str(body.get("creation_id")))
        if container is None or container["item"]:
            raise Refused(invalid(f"(#100) creation_id {body.get('creation_id')} is not a container of this account."))
        if container["published"] or _status_of(container, containers) != "FINISHED":
            raise Refused(recorded_error(NETWORK, "error_media_not_ready"))
        container["published"] = True
        media = _store(state, "media", caption=container["caption"], media_type=_media_type(container))
        return {"id": media["id"]}

    # --- comments ----------------------------------------------------------------------------

    def _comment(self, request: httpx.Request, media_id: str) -> httpx.Response:
        return self.create(request, media_id, self._write_comment, "the comment was created")

    def _write_comment(
        self, request: httpx.Request, state: SimulatedAccount, body: dict[str, Any], media_id: str
    ) -> dict[str, Any]:
        target = find_post(NETWORK, media_id)
        if target is None or target["kind"] != "media":
            raise Refused(not_found(media_id, "post"))
        message = body.get("message")
        if not isinstance(message, str) or not message.strip() or len(message) > MAX_TEXT:
            raise Refused(invalid(f"(#100) message must be text of at most {MAX_TEXT} characters."))
        return {"id": _store(state, "comment", text=message, parent=media_id)["id"]}

    def _comments(self, request: httpx.Request, media_id: str) -> httpx.Response:
        with LOCK:
            self.authorized(request)
            if find_post(NETWORK, media_id) is None:
                return not_found(media_id)
            views = [
                _view(post) for state in accounts_on(NETWORK) for post in reversed(state.posts.values())
                if post["kind"] == "comment" and post["parent"] == media_id
            ]
        return listed(request, views)

    # --- GET /{ig-user-id}/media, GET /{media-id}/insights and GET /{id} ---------------------

    def _media_list(self, request: httpx.Request) -> httpx.Response:
        since = request.url.params.get("since")
        with LOCK:
            state = self.authorized(request)
            views = [_view(post) for post in reversed(state.posts.values()) if post["kind"] == "media"]
        if since is not None:
            views = [view for view in views if parse_graph_time(view["timestamp"]).timestamp() >= int(since)]
        return listed(request, views)

    def _tags(self, request: httpx.Request) -> httpx.Response:
        """GET /{ig-user-id}/tags: the media tagging the account, newest first."""
        with LOCK:
            state = self.authorized(request)
            ig_user_id, username = state.tokens["ig_user_id"], state.username
        fields = requested_fields(request)
        views = (pick(_tagged_view(ig_user_id, mention), fields)
                 for mention in simulated_mentions(f"instagram:{ig_user_id}", f"@{username}", simulated_now()))
        return httpx.Response(200, json=paged(request, views, next_link=False))

    def _insights(self, request: httpx.Request, media_id: str) -> httpx.Response:
        metrics = request.url.params.get("metric", "").split(",")
        with LOCK:
            self.authorized(request)
            media = find_post(NETWORK, media_id)
            if media is None or media["kind"] != "media":
                return not_found(media_id)
            if not metrics or not set(metrics) <= set(INSIGHTS.split(",")):
                return invalid(f"(#100) metric must be among {INSIGHTS}")
            values = _insight_values(media, simulated_now())
        recorded = {entry["name"]: entry for entry in recorded_body(NETWORK, "insights")["data"]}
        data = [
            {**recorded[name], "values": [{"value": values[name]}], "id": f"{media_id}/insights/{name}/lifetime"}
            for name in metrics
        ]
        return httpx.Response(200, json={"data": data})

    def _read(self, request: httpx.Request, object_id: str) -> httpx.Response:
        fields = requested_fields(request)
        with LOCK:
            state = self.authorized(request)
            if object_id == state.tokens["ig_user_id"]:
                profile = shaped(NETWORK, "ig_user", id=object_id, username=state.username, name=state.username,
                                 followers_count=_followers(object_id))
                return httpx.Response(200, json=pick(profile, fields))
            container = side_store(state, "containers").get(object_id)
            if container is not None:
                return self._container_status(request, container)
            post = find_post(NETWORK, object_id)
            if post is None:
                return not_found(object_id)
            return httpx.Response(200, json=pick(_view(post), fields or ["id"]))


# --- state, called with LOCK held ------------------------------------------------------------


def _container_kind(body: dict[str, Any], containers: dict[str, dict[str, Any]]) -> str:
    """The container's kind, or raises Refused with the API's answer to an invalid one."""
    media_type, item = body.get("media_type"), body.get("is_carousel_item") is True
    caption = body.get("caption", "")
    if not isinstance(caption, str) or len(caption) > MAX_TEXT:
        raise Refused(invalid(f"The caption is longer than {MAX_TEXT} characters.", subcode=2207010))
    if media_type == "CAROUSEL":
        children = _children(body)
        if not MAX_ITEMS >= len(children) >= 2 or not all(containers.get(c, {}).get("item") for c in children):
            raise Refused(invalid(f"(#100) children must be 2 to {MAX_ITEMS} carousel items of this account.",
                                  subcode=2207028))
        return "carousel"
    if media_type in ("REELS", "VIDEO"):
        if media_type == "VIDEO" and not item:
            raise Refused(invalid("(#100) The VIDEO media type is only for carousel items; publish videos as REELS."))
        if not is_web_url(body.get("video_url")) or "alt_text" in body:
            raise Refused(invalid("(#100) A video container needs an http(s) video_url, and takes no alt_text."))
        return "video"
    if media_type not in (None, "IMAGE"):
        raise Refused(invalid(f"(#100) media_type {media_type} is not supported here.", subcode=2207023))
    if not is_web_url(body.get("image_url")):
        raise Refused(graph_error(400, 9004, "Media download has failed. The media URI doesn't meet our requirements.",
                                  subcode=2207052))
    return "image"


def _children(body: dict[str, Any]) -> list[str]:
    children = body.get("children")
    return [c for c in children.split(",") if c] if isinstance(children, str) else []


def _status_of(container: dict[str, Any], containers: dict[str, dict[str, Any]]) -> str:
    if container["kind"] == "video":
        return "FINISHED" if container["reads"] > 1 else "IN_PROGRESS"
    if container["kind"] == "carousel":
        ready = all(_status_of(containers[c], containers) == "FINISHED" for c in container["children"])
        return "FINISHED" if ready else "IN_PROGRESS"
    return "FINISHED"


def _media_type(container: dict[str, Any]) -> str:
    return {"image": "IMAGE", "video": "VIDEO", "carousel": "CAROUSEL_ALBUM"}[container["kind"]]


def _store(state: SimulatedAccount, kind: str, **fields: Any) -> dict[str, Any]:
    now = simulated_now()
    post_id = new_id("179", 17)
    shortcode = base64.urlsafe_b64encode(stable_digest("ig-shortcode", post_id)[:8]).decode().rstrip("=")
    post = {"id": post_id, "kind": kind, "at": now, "timestamp": graph_time(now), "username": state.username,
            "permalink": f"{_WEB}/p/{shortcode}/", "parent": None, **fields}
    state.posts[post_id] = post
    return post


def _tagged_view(ig_user_id: str, mention: SimulatedMention) -> dict[str, Any]:
    """A made-up account's image that tags the account."""
    media_id = numeric_id(17, "ig-tagged", ig_user_id, str(mention.number))
    shortcode = base64.urlsafe_b64encode(stable_digest("ig-shortcode", media_id)).decode()[:11]
    return {"id": media_id, "caption": mention.text, "media_type": "IMAGE", "username": mention.author,
            "timestamp": graph_time(mention.at), "permalink": f"{_WEB}/p/{shortcode}/"}


def _view(post: dict[str, Any]) -> dict[str, Any]:
    if post["kind"] == "comment":
        return {"id": post["id"], "text": post["text"], "username": post["username"], "timestamp": post["timestamp"]}
    return {"id": post["id"], "caption": post["caption"], "media_type": post["media_type"],
            "timestamp": post["timestamp"], "permalink": post["permalink"], "username": post["username"]}


def _insight_values(media: dict[str, Any], now: datetime) -> dict[str, int]:
    """The media's lifetime insights at `now`, grown since it was published; comments add the real
    simulated ones, shares are sends (Instagram has no reposts here)."""
    grown = grown_metrics(media["id"], media["at"], now)
    comments = grown["comments"] + comment_count(NETWORK, media["id"])
    return {"views": grown["impressions"], "reach": grown["reach"], "likes": grown["likes"], "comments": comments,
            "shares": grown["sends"], "saved": grown["saves"]}


def _followers(ig_user_id: str) -> int:
    return grown_followers(f"instagram:{ig_user_id}", simulated_now())
