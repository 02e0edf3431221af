"""Simulated Facebook Pages Graph API (graph.facebook.com/v25.0) for test-mode accounts.

Answers the calls `FacebookPlatform` makes, shaped from recordings/facebook.json: `{page}_{post}`
post ids, read-after-write `fields`, Graph error bodies, the Page token in the Bearer header. It
validates what the Graph does: the Page in the path is the account's, a feed post has a message,
a link or attached media (unpublished photos of this Page, each attached once), links and media
URLs are http(s), the message is at most 63,206 characters, and the same message twice in a row
is refused (506, duplicate). A video is processing at its first status read and ready after it;
`?ids=` fails whole (803) when one id is missing, and a video asked for `shares` is refused as
the Graph refuses a field its node lacks. Failure injection (see `herald.platforms.simulators`)
applies to the create-post calls: a feed post, a published photo, a video and a comment.

Mentions: `GET /{page-id}/tagged` answers the posts that tag the Page as they come with time
(`common.simulated_mentions`: made-up Pages and people from `common.MENTIONERS`, a few a day),
newest first; a person's post shows no `from`, as Facebook shows it only to its author.

Counts: reactions, comments and shares grow with the time since the post was created
(`common.grown_metrics`; comments add the real simulated ones), and the Page's followers_count and
fan_count grow day by day (`common.grown_followers`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from herald.platforms.facebook import MAX_TEXT, SCOPES
from herald.platforms.simulators import LOCK, SimulatedAccount, accounts_on, simulated_now
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
    json_body,
    listed,
    new_id,
    not_found,
    numeric_id,
    page_tokens,
    paged,
    parse_graph_time,
    pick,
    recorded_body,
    requested_fields,
    shaped,
    side_store,
)

NETWORK = "facebook"
_WEB = "https://www.facebook.com"


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    page_id, user_id = numeric_id(16, "fb-page", account_id), numeric_id(17, "fb-user", account_id)
    return page_tokens(NETWORK, account_id, page_id, user_id)


def connect_handler(request: httpx.Request) -> httpx.Response:
    return connect(request, NETWORK, SCOPES, _connected_page)


def _connected_page(username: str) -> dict[str, Any]:
    page_id = numeric_id(16, "fb-connected-page", username)
    return connected_page(
        page_id,
        username,
        username=username,
        picture={"data": {"url": f"https://scontent.xx.fbcdn.net/v/{username}.png"}},
        **_audience(page_id),
    )


def _audience(page_id: str) -> dict[str, int]:
    """The Page's followers_count and fan_count (its likes, a little fewer) now."""
    followers = grown_followers(f"facebook:{page_id}", simulated_now())
    return {"followers_count": followers, "fan_count": followers * 24 // 25}


class FacebookSimulator(GraphSimulator):
    network = NETWORK
    throttle_kind = "pages"

    def dispatch(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        method = request.method
        if parts == [""] and method == "GET":
            return self._lookup(request)
        if len(parts) == 2:
            handlers = {
                ("POST", "feed"): self._feed,
                ("POST", "photos"): self._photo,
                ("POST", "videos"): self._video,
                ("GET", "published_posts"): self._published_posts,
                ("GET", "videos"): self._videos,
                ("POST", "comments"): self._comment,
                ("GET", "comments"): self._comments,
                ("GET", "tagged"): self._tagged,
            }
            handler = handlers.get((method, parts[1]))
            if handler is not None:
                return handler(request, parts[0])
        if len(parts) == 1 and method == "GET":
            return self._read(request, parts[0])
        if len(parts) == 1 and method == "DELETE":
            return self._delete(request, parts[0])
        return graph_error(400, 2500, f"Unknown path components: {request.url.path}")

    # --- POST /{page-id}/feed ----------------------------------------------------------------

    def _feed(self, request: httpx.Request, page_id: str) -> httpx.Response:
        return self.create(request, page_id, self._write_feed_post, "the post was created")

    def _write_feed_post(
        self, request: httpx.Request, state: SimulatedAccount, body: dict[str, Any], page_id: str
    ) -> dict[str, Any]:
        _check_page(state, page_id)
        _check_feed_post(state, body)
        if _repeats_last_message(state, body):
            raise Refused(_duplicate())
        photos = side_store(state, "photos")
        for attached in body.get("attached_media") or []:
            photos[attached["media_fbid"]]["attached"] = True
        post = _store(state, "post", message=body.get("message", ""), link=body.get("link"),
                      photos=len(body.get("attached_media") or []))
        return pick(_view(post), requested_fields(request) or ["id"])

    # --- POST /{page-id}/photos --------------------------------------------------------------

    def _photo(self, request: httpx.Request, page_id: str) -> httpx.Response:
        if (json_body(request) or {}).get("published", True) is not False:
            return self.create(request, page_id, self._write_published_photo, "the photo was posted")
        with LOCK:
            state, body = self.authorized_json(request)
            _check_photo(state, page_id, body)
            photo_id = new_id("12", 15)
            side_store(state, "photos")[photo_id] = {"url": body["url"], "attached": False}
        return httpx.Response(200, json={"id": photo_id})

    def _write_published_photo(
        self, request: httpx.Request, state: SimulatedAccount, body: dict[str, Any], page_id: str
    ) -> dict[str, Any]:
        """A photo posted at once (a create-post call)."""
        _check_photo(state, page_id, body)
        if len(str(body.get("caption", ""))) > MAX_TEXT:
            raise Refused(invalid(f"(#100) The caption is longer than {MAX_TEXT} characters."))
        post = _store(state, "photo", message=str(body.get("caption", "")), photos=1)
        return {"id": post["photo_id"], "post_id": post["id"]}

    # --- POST /{page-id}/videos and GET /{video-id} ------------------------------------------

    def _video(self, request: httpx.Request, page_id: str) -> httpx.Response:
        return self.create(request, page_id, self._write_video, "the video was created")

    def _write_video(
        self, request: httpx.Request, state: SimulatedAccount, body: dict[str, Any], page_id: str
    ) -> dict[str, Any]:
        _check_page(state, page_id)
        if not is_web_url(body.get("file_url")):
            raise Refused(invalid("(#100) A file_url (an http or https URL) is required to upload a video."))
        if len(str(body.get("description", ""))) > MAX_TEXT:
            raise Refused(invalid(f"(#100) The description is longer than {MAX_TEXT} characters."))
        video_id = new_id("1", 16)
        state.posts[video_id] = {
            "id": video_id, "kind": "video", "message": str(body.get("description", "")),
            "title": body.get("title"), "created_time": graph_time(simulated_now()), "parent": None,
            "permalink_url": f"/{page_id}/videos/{video_id}/", "status_reads": 0,
        }
        return {"id": video_id}

    def _video_status(self, request: httpx.Request, video: dict[str, Any]) -> httpx.Response:
        """Processing at the first read, ready from the second on. Called with LOCK held."""
        video["status_reads"] += 1
        name = "video_status_processing" if video["status_reads"] == 1 else "video_status_ready"
        view = shaped(NETWORK, name, id=video["id"], permalink_url=video["permalink_url"])
        return httpx.Response(200, json=pick(view, requested_fields(request)))

    # --- comments ----------------------------------------------------------------------------

    def _comment(self, request: httpx.Request, object_id: str) -> httpx.Response:
        return self.create(request, object_id, self._write_comment, "the comment was created")

    def _write_comment(
        self, request: httpx.Request, state: SimulatedAccount, body: dict[str, Any], object_id: str
    ) -> dict[str, Any]:
        if find_post(NETWORK, object_id) is None:
            raise Refused(not_found(object_id, "post"))
        message, attachment = body.get("message", ""), body.get("attachment_url")
        if not isinstance(message, str) or (not message.strip() and attachment is None):
            raise Refused(invalid("(#100) A comment needs a message or an attachment."))
        if attachment is not None and not is_web_url(attachment):
            raise Refused(invalid("(#100) attachment_url must be an http or https URL."))
        comment = _store(state, "comment", message=message, parent=object_id, attachment=attachment)
        return pick(_view(comment), requested_fields(request) or ["id"])

    def _comments(self, request: httpx.Request, object_id: str) -> httpx.Response:
        with LOCK:
            self.authorized(request)
            if find_post(NETWORK, object_id) is None:
                return not_found(object_id)
            found = [
                _view(post) for state in accounts_on(NETWORK) for post in state.posts.values()
                if post["kind"] == "comment" and post["parent"] == object_id
            ]
        newest_first = request.url.params.get("order") == "reverse_chronological"
        found.sort(key=lambda view: view["created_time"], reverse=newest_first)
        return listed(request, found)

    # --- lists -------------------------------------------------------------------------------

    def _published_posts(self, request: httpx.Request, page_id: str) -> httpx.Response:
        return self._list(request, page_id, ("post", "photo"))

    def _videos(self, request: httpx.Request, page_id: str) -> httpx.Response:
        return self._list(request, page_id, ("video",), text_field="description")

    def _list(
        self, request: httpx.Request, page_id: str, kinds: tuple[str, ...], text_field: str = "message"
    ) -> httpx.Response:
        since = request.url.params.get("since")
        with LOCK:
            state = self.authorized(request)
            _check_page(state, page_id, "get")
            posts = [post for post in reversed(state.posts.values()) if post["kind"] in kinds]
            if since is not None:
                posts = [p for p in posts if parse_graph_time(p["created_time"]).timestamp() >= int(since)]
            views = [_view(post, text_field) for post in posts]
        return listed(request, views)

    # --- GET /{page-id}/tagged ----------------------------------------------------------------

    def _tagged(self, request: httpx.Request, page_id: str) -> httpx.Response:
        """The posts tagging the Page, newest first."""
        with LOCK:
            state = self.authorized(request)
            _check_page(state, page_id, "get")
            name = state.username
        fields = requested_fields(request)
        views = (pick(_tagged_view(page_id, name, mention), fields)
                 for mention in simulated_mentions(f"facebook:{page_id}", name, simulated_now()))
        return httpx.Response(200, json=paged(request, views))

    # --- GET /?ids= and GET /{id} ------------------------------------------------------------

    def _lookup(self, request: httpx.Request) -> httpx.Response:
        ids = [value for value in request.url.params.get("ids", "").split(",") if value]
        fields = requested_fields(request)
        with LOCK:
            self.authorized(request)
            found = {post_id: find_post(NETWORK, post_id) for post_id in ids}
            missing = [post_id for post_id, post in found.items() if post is None]
            if not ids or missing:
                return graph_error(404, 803, f"(#803) Some of the aliases you requested do not exist: {','.join(missing)}")
            if "shares" in fields and any(post["kind"] == "video" for post in found.values() if post):
                return invalid("(#100) Tried accessing nonexisting field (shares) on node type (Video)")
            now = simulated_now()
            answer = {post_id: pick(_counts_view(post, now), fields) for post_id, post in found.items() if post}
        return httpx.Response(200, json=answer)

    def _read(self, request: httpx.Request, object_id: str) -> httpx.Response:
        fields = requested_fields(request)
        with LOCK:
            state = self.authorized(request)
            if object_id == state.tokens["page_id"]:
                profile = shaped(NETWORK, "page_profile", id=object_id, name=state.username, username=state.username,
                                 **_audience(object_id))
                return httpx.Response(200, json=pick(profile, fields))
            post = find_post(NETWORK, object_id)
            if post is None:
                return not_found(object_id)
            if post["kind"] == "video" and "status" in fields:
                return self._video_status(request, post)
            return httpx.Response(200, json=pick(_view(post), fields or ["id"]))

    # --- DELETE /{id} ------------------------------------------------------------------------

    def _delete(self, request: httpx.Request, object_id: str) -> httpx.Response:
        with LOCK:
            state = self.authorized(request)
            if object_id in state.posts:
                del state.posts[object_id]
                return httpx.Response(200, json={"success": True})
            if find_post(NETWORK, object_id) is not None:
                return graph_error(403, 200, "(#200) Permissions error")
        return not_found(object_id, "delete")


# --- state, called with LOCK held ------------------------------------------------------------


def _check_page(state: SimulatedAccount, page_id: str, method: str = "post") -> None:
    """Raises Refused unless `page_id` is the account's Page."""
    if page_id != state.tokens["page_id"]:
        raise Refused(not_found(page_id, method))


def _check_photo(state: SimulatedAccount, page_id: str, body: dict[str, Any]) -> None:
    _check_page(state, page_id)
    if not is_web_url(body.get("url")):
        raise Refused(graph_error(400, 324, "(#324) Requires upload file"))


def _store(state: SimulatedAccount, kind: str, **fields: Any) -> dict[str, Any]:
    page_id = state.tokens["page_id"]
    local = new_id("12", 15)
    if kind == "comment":
        parent_local = str(fields["parent"]).rsplit("_", 1)[-1]
        post_id = f"{parent_local}_{local}"
        parent_post = str(fields["parent"]) if "_" in str(fields["parent"]) else f"{page_id}_{parent_local}"
        permalink = f"{_WEB}/{parent_post.replace('_', '/posts/', 1)}?comment_id={local}"
    else:
        post_id = f"{page_id}_{local}"
        permalink = f"{_WEB}/{page_id}/posts/{local}"
    post = {"id": post_id, "kind": kind, "created_time": graph_time(simulated_now()), "permalink_url": permalink,
            "parent": None, "photo_id": new_id("12", 15) if kind == "photo" else None, **fields}
    state.posts[post_id] = post
    return post


def _check_feed_post(state: SimulatedAccount, body: dict[str, Any]) -> None:
    """Raises Refused unless the body has a message, a link or attached media, all valid."""
    message, link, attached = body.get("message", ""), body.get("link"), body.get("attached_media")
    if not isinstance(message, str) or len(message) > MAX_TEXT:
        raise Refused(invalid(f"(#100) message must be a string of at most {MAX_TEXT} characters."))
    if link is not None and not is_web_url(link):
        raise Refused(invalid("(#100) The parameter link must be an http or https URL."))
    if attached is not None:
        photos = side_store(state, "photos")
        if not isinstance(attached, list) or not all(
            isinstance(item, dict) and item.get("media_fbid") in photos and not photos[item["media_fbid"]]["attached"]
            for item in attached
        ):
            raise Refused(invalid("(#100) attached_media must name unpublished photos of this Page, each once."))
    if not message.strip() and link is None and not attached:
        raise Refused(invalid("(#100) Missing message or attachment."))


def _repeats_last_message(state: SimulatedAccount, body: dict[str, Any]) -> bool:
    posts = [post for post in state.posts.values() if post["kind"] in ("post", "photo")]
    if not posts or body.get("attached_media") or not body.get("message"):
        return False
    return posts[-1]["message"] == body["message"] and posts[-1].get("link") == body.get("link")


def _duplicate() -> httpx.Response:
    body = recorded_body(NETWORK, "error_duplicate")
    return httpx.Response(400, json=body)


def _tagged_view(page_id: str, name: str, mention: SimulatedMention) -> dict[str, Any]:
    """A post tagging the Page `name`: by a made-up Page (with `from`) or, every other one, by a
    person (no `from`)."""
    author_id = numeric_id(15 if mention.number % 2 else 16, "fb-mentioner", mention.author)
    local = numeric_id(15, "fb-tagged", page_id, str(mention.number))
    view = {"id": f"{author_id}_{local}", "message": mention.text, "created_time": graph_time(mention.at),
            "permalink_url": f"{_WEB}/{author_id}/posts/{local}"}
    if mention.number % 2 == 0:
        view["from"] = {"name": mention.author_name, "id": author_id}
    return view


def _view(post: dict[str, Any], text_field: str = "message") -> dict[str, Any]:
    view = {"id": post["id"], text_field: post["message"], "created_time": post["created_time"],
            "permalink_url": post["permalink_url"]}
    if post["kind"] == "comment":
        owner = next(s for s in accounts_on(NETWORK) if post["id"] in s.posts)
        view["from"] = {"id": owner.tokens["page_id"], "name": owner.username}
    return view


def _counts_view(post: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Reactions, comments and shares at `now`, grown since the post was created; the comments add
    the real simulated ones."""
    grown = grown_metrics(post["id"], parse_graph_time(post["created_time"]), now)
    comments = grown["comments"] + comment_count(NETWORK, post["id"])
    view: dict[str, Any] = {
        "id": post["id"],
        "reactions": {"data": [], "summary": {"total_count": grown["likes"], "viewer_reaction": "NONE"}},
        "comments": {"data": [], "summary": {"order": "ranked", "total_count": comments, "can_comment": True}},
    }
    if post["kind"] != "video" and grown["shares"]:
        view["shares"] = {"count": grown["shares"]}  # the Graph leaves `shares` out until there is one
    return view
