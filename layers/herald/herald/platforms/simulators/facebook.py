"""Simulated Facebook Pages Graph API (graph.facebook.com/v25.0) for test-mode accounts.

Answers the calls `FacebookPlatform` makes, shaped from recordings/facebook.json: `{page}_{post}`
post ids, read-after-write `fields`, Graph error bodies, the Page token in the Bearer header. It
validates what the Graph does: the Page in the path is the account's, a feed post has a message,
a link or attached media (unpublished photos of this Page, each attached once), links and media
URLs are http(s), the message is at most 63,206 characters, and the same message twice in a row
is refused (506, duplicate). A video is processing at its first status read and ready after it;
`?ids=` fails whole (803) when one id is missing, and a video asked for `shares` is refused as
the Graph refuses a field its node lacks. Failure injection (see `herald.platforms.simulators`)
applies to the create-post calls: a feed post, a published photo, a video and a comment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from herald.platforms.facebook import MAX_TEXT, SCOPES
from herald.platforms.simulators import LOCK, SimulatedAccount, accounts_on, stable_digest
from herald.platforms.simulators.meta import (
    GraphSimulator,
    connect,
    connected_token,
    graph_error,
    graph_time,
    invalid,
    is_web_url,
    json_body,
    mint,
    new_id,
    not_found,
    numeric_id,
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
    return {
        "page_id": numeric_id(16, "fb-page", account_id),
        "access_token": mint(NETWORK, account_id, "page", "0"),
        "user_access_token": mint(NETWORK, account_id, "user"),
        "user_id": numeric_id(17, "fb-user", account_id),
    }


def connect_handler(request: httpx.Request) -> httpx.Response:
    return connect(request, NETWORK, SCOPES, _connected_page)


def _connected_page(username: str) -> dict[str, Any]:
    return {
        "id": numeric_id(16, "fb-connected-page", username),
        "name": username,
        "username": username,
        "access_token": connected_token("page", username),
        "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
        "picture": {"data": {"url": f"https://scontent.xx.fbcdn.net/v/{username}.png"}},
        "followers_count": 1250,
        "fan_count": 1198,
    }


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
        now = datetime.now(UTC)
        with LOCK:
            failure, refused = self.create_failure(request, page_id)
            if refused is not None:
                return refused
            state, body = self.authorized_json(request)
            if page_id != state.tokens["page_id"]:
                return not_found(page_id, "post")
            problem = _feed_problem(state, body)
            if problem is not None:
                return problem
            if _repeats_last_message(state, body):
                return _duplicate()
            photos = side_store(state, "photos")
            for attached in body.get("attached_media") or []:
                photos[attached["media_fbid"]]["attached"] = True
            post = _store(state, "post", now, message=body.get("message", ""), link=body.get("link"),
                          photos=len(body.get("attached_media") or []))
        if (lost := self.after_write(failure, request, "the post was created")) is not None:
            return lost
        return httpx.Response(200, json=pick(_view(post), requested_fields(request) or ["id"]))

    # --- POST /{page-id}/photos --------------------------------------------------------------

    def _photo(self, request: httpx.Request, page_id: str) -> httpx.Response:
        now = datetime.now(UTC)
        with LOCK:
            if (json_body(request) or {}).get("published", True) is not False:
                return self._published_photo(request, page_id, now)
            state, body = self.authorized_json(request)
            if page_id != state.tokens["page_id"]:
                return not_found(page_id, "post")
            if not is_web_url(body.get("url")):
                return graph_error(400, 324, "(#324) Requires upload file")
            photo_id = new_id("12", 15)
            side_store(state, "photos")[photo_id] = {"url": body["url"], "attached": False}
        return httpx.Response(200, json={"id": photo_id})

    def _published_photo(self, request: httpx.Request, page_id: str, now: datetime) -> httpx.Response:
        """A photo posted at once: a create-post call. Called with LOCK held."""
        failure, refused = self.create_failure(request, page_id)
        if refused is not None:
            return refused
        state, body = self.authorized_json(request)
        if page_id != state.tokens["page_id"]:
            return not_found(page_id, "post")
        if not is_web_url(body.get("url")):
            return graph_error(400, 324, "(#324) Requires upload file")
        if len(str(body.get("caption", ""))) > MAX_TEXT:
            return invalid(f"(#100) The caption is longer than {MAX_TEXT} characters.")
        post = _store(state, "photo", now, message=str(body.get("caption", "")), photos=1)
        if (lost := self.after_write(failure, request, "the photo was posted")) is not None:
            return lost
        return httpx.Response(200, json={"id": post["photo_id"], "post_id": post["id"]})

    # --- POST /{page-id}/videos and GET /{video-id} ------------------------------------------

    def _video(self, request: httpx.Request, page_id: str) -> httpx.Response:
        now = datetime.now(UTC)
        with LOCK:
            failure, refused = self.create_failure(request, page_id)
            if refused is not None:
                return refused
            state, body = self.authorized_json(request)
            if page_id != state.tokens["page_id"]:
                return not_found(page_id, "post")
            if not is_web_url(body.get("file_url")):
                return invalid("(#100) A file_url (an http or https URL) is required to upload a video.")
            if len(str(body.get("description", ""))) > MAX_TEXT:
                return invalid(f"(#100) The description is longer than {MAX_TEXT} characters.")
            video_id = new_id("1", 16)
            state.posts[video_id] = {
                "id": video_id, "kind": "video", "message": str(body.get("description", "")),
                "title": body.get("title"), "created_time": graph_time(now), "parent": None,
                "permalink_url": f"/{page_id}/videos/{video_id}/", "status_reads": 0,
            }
        if (lost := self.after_write(failure, request, "the video was created")) is not None:
            return lost
        return httpx.Response(200, json={"id": video_id})

    def _video_status(self, request: httpx.Request, video: dict[str, Any]) -> httpx.Response:
        """Processing at the first read, ready from the second on. Called with LOCK held."""
        video["status_reads"] += 1
        name = "video_status_processing" if video["status_reads"] == 1 else "video_status_ready"
        view = shaped(NETWORK, name, id=video["id"], permalink_url=video["permalink_url"])
        return httpx.Response(200, json=pick(view, requested_fields(request)))

    # --- comments ----------------------------------------------------------------------------

    def _comment(self, request: httpx.Request, object_id: str) -> httpx.Response:
        now = datetime.now(UTC)
        with LOCK:
            failure, refused = self.create_failure(request, object_id)
            if refused is not None:
                return refused
            state, body = self.authorized_json(request)
            target = _find(object_id)
            if target is None:
                return not_found(object_id, "post")
            message, attachment = body.get("message", ""), body.get("attachment_url")
            if not isinstance(message, str) or (not message.strip() and attachment is None):
                return invalid("(#100) A comment needs a message or an attachment.")
            if attachment is not None and not is_web_url(attachment):
                return invalid("(#100) attachment_url must be an http or https URL.")
            comment = _store(state, "comment", now, message=message, parent=object_id,
                             attachment=attachment)
        if (lost := self.after_write(failure, request, "the comment was created")) is not None:
            return lost
        return httpx.Response(200, json=pick(_view(comment), requested_fields(request) or ["id"]))

    def _comments(self, request: httpx.Request, object_id: str) -> httpx.Response:
        with LOCK:
            self.authorized(request)
            if _find(object_id) is None:
                return not_found(object_id)
            found = [
                _view(post) for state in accounts_on(NETWORK) for post in state.posts.values()
                if post["kind"] == "comment" and post["parent"] == object_id
            ]
        newest_first = request.url.params.get("order") == "reverse_chronological"
        found.sort(key=lambda view: view["created_time"], reverse=newest_first)
        fields = requested_fields(request)
        return httpx.Response(200, json=paged(request, [pick(view, fields) for view in found]))

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
            if page_id != state.tokens["page_id"]:
                return not_found(page_id)
            posts = [post for post in reversed(state.posts.values()) if post["kind"] in kinds]
            if since is not None:
                posts = [p for p in posts if parse_graph_time(p["created_time"]).timestamp() >= int(since)]
            views = [_view(post, text_field) for post in posts]
        fields = requested_fields(request)
        return httpx.Response(200, json=paged(request, [pick(view, fields) for view in views]))

    # --- GET /?ids= and GET /{id} ------------------------------------------------------------

    def _lookup(self, request: httpx.Request) -> httpx.Response:
        ids = [value for value in request.url.params.get("ids", "").split(",") if value]
        fields = requested_fields(request)
        with LOCK:
            self.authorized(request)
            found = {post_id: _find(post_id) for post_id in ids}
            missing = [post_id for post_id, post in found.items() if post is None]
            if not ids or missing:
                return graph_error(404, 803, f"(#803) Some of the aliases you requested do not exist: {','.join(missing)}")
            if "shares" in fields and any(post["kind"] == "video" for post in found.values() if post):
                return invalid("(#100) Tried accessing nonexisting field (shares) on node type (Video)")
            answer = {post_id: pick(_counts_view(post), fields) for post_id, post in found.items() if post}
        return httpx.Response(200, json=answer)

    def _read(self, request: httpx.Request, object_id: str) -> httpx.Response:
        fields = requested_fields(request)
        with LOCK:
            state = self.authorized(request)
            if object_id == state.tokens["page_id"]:
                profile = shaped(NETWORK, "page_profile", id=object_id, name=state.username, username=state.username)
                return httpx.Response(200, json=pick(profile, fields))
            post = _find(object_id)
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
            if _find(object_id) is not None:
                return graph_error(403, 200, "(#200) Permissions error")
        return not_found(object_id, "delete")


# --- state, called with LOCK held ------------------------------------------------------------


def _find(object_id: str) -> dict[str, Any] | None:
    for state in accounts_on(NETWORK):
        if object_id in state.posts:
            return state.posts[object_id]
    return None


def _store(state: SimulatedAccount, kind: str, now: datetime, **fields: Any) -> dict[str, Any]:
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
    post = {"id": post_id, "kind": kind, "created_time": graph_time(now), "permalink_url": permalink,
            "parent": None, "photo_id": new_id("12", 15) if kind == "photo" else None, **fields}
    state.posts[post_id] = post
    return post


def _feed_problem(state: SimulatedAccount, body: dict[str, Any]) -> httpx.Response | None:
    message, link, attached = body.get("message", ""), body.get("link"), body.get("attached_media")
    if not isinstance(message, str) or len(message) > MAX_TEXT:
        return invalid(f"(#100) message must be a string of at most {MAX_TEXT} characters.")
    if link is not None and not is_web_url(link):
        return invalid("(#100) The parameter link must be an http or https URL.")
    if attached is not None:
        photos = side_store(state, "photos")
        if not isinstance(attached, list) or not all(
            isinstance(item, dict) and item.get("media_fbid") in photos and not photos[item["media_fbid"]]["attached"]
            for item in attached
        ):
            return invalid("(#100) attached_media must name unpublished photos of this Page, each once.")
    if not message.strip() and link is None and not attached:
        return invalid("(#100) Missing message or attachment.")
    return None


def _repeats_last_message(state: SimulatedAccount, body: dict[str, Any]) -> bool:
    posts = [post for post in state.posts.values() if post["kind"] in ("post", "photo")]
    if not posts or body.get("attached_media") or not body.get("message"):
        return False
    return posts[-1]["message"] == body["message"] and posts[-1].get("link") == body.get("link")


def _duplicate() -> httpx.Response:
    body = recorded_body(NETWORK, "error_duplicate")
    return httpx.Response(400, json=body)


def _view(post: dict[str, Any], text_field: str = "message") -> dict[str, Any]:
    view = {"id": post["id"], text_field: post["message"], "created_time": post["created_time"],
            "permalink_url": post["permalink_url"]}
    if post["kind"] == "comment":
        owner = next(s for s in accounts_on(NETWORK) if post["id"] in s.posts)
        view["from"] = {"id": owner.tokens["page_id"], "name": owner.username}
    return view


def _counts_view(post: dict[str, Any]) -> dict[str, Any]:
    """Stable made-up reactions and shares; the comments are the real simulated ones."""
    seed = stable_digest("fb-metrics", post["id"])
    comments = sum(
        1 for state in accounts_on(NETWORK) for other in state.posts.values() if other.get("parent") == post["id"]
    )
    view: dict[str, Any] = {
        "id": post["id"],
        "reactions": {"data": [], "summary": {"total_count": seed[0] % 100, "viewer_reaction": "NONE"}},
        "comments": {"data": [], "summary": {"order": "ranked", "total_count": comments, "can_comment": True}},
    }
    if post["kind"] != "video" and seed[1] % 20:
        view["shares"] = {"count": seed[1] % 20}  # the Graph leaves `shares` out until there is one
    return view
