"""Facebook Pages adapter (Graph API), acting as one Page with its Page access token.

Connecting: Facebook Login (authorization code; the classic flow has no PKCE). The code is
exchanged for a long-lived User token, then the Page the person granted (GET /me/accounts, the
first one on which they can create content) gives the account: its id and Page access token.
The account's tokens hold `page_id`, `access_token` (the Page token), `user_access_token` and
`user_id`. A Page token got with a long-lived User token does not expire, so the credentials
carry no `expires_at`; `refresh_credentials` reads the Page token again with the User token
(which lasts about 60 days), and a User token that no longer works means reconnecting.

Publishing (Meta fetches every media URL itself):
- text, with `content.link` as the link attachment: POST /{page-id}/feed {message, link};
- one photo: POST /{page-id}/photos {url, caption}, answering the photo's post_id;
- several photos: each POST /{page-id}/photos {url, published: false}, then POST
  /{page-id}/feed {message, attached_media: [{media_fbid}]};
- a video: POST /{page-id}/videos {file_url, description}, then GET /{video-id}?fields=status
  every VIDEO_POLL_SECONDS, at most VIDEO_POLLS times: a video whose processing failed is
  refused; one still processing is returned as published, since Facebook publishes it once
  processed (a later failure is not seen).
Create calls ask for `fields=id,permalink_url` (read-after-write) for the post's link.

Replies are first comments: POST /{post-id}/comments {message, attachment_url} (one image).

Facebook has no idempotency key: `reconcile` looks for the same text among the Page's posts of
the last hour (GET /{page-id}/published_posts) and its uploaded videos (a video still processing
is not a post yet), or, for a comment, among the Page's own comments on the parent post.

Mentions: the public posts the Page is tagged in (GET /{page-id}/tagged, newest first, 100 a page
through `paging.cursors.after`, at most MENTION_PAGES pages, down to the newest `created_time` of
the last read). They need `pages_read_user_content`; an account connected without it is not
asked, and a refusal for it reads no mentions without disconnecting the Page. Facebook shows a
person's post's author (`from`) only to that person: such mentions have an empty handle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from herald.platforms import http, meta
from herald.platforms.base import (
    MENTION_PAGES,
    AccountIdentity,
    ErrorClass,
    MediaItem,
    MediaLimits,
    MentionPage,
    PlatformError,
    PostContent,
    PublishedPost,
    ReceivedMention,
    TextLimits,
)

MAX_TEXT = 63206
METRICS_BATCH_SIZE = 50  # ids per ?ids= lookup (50 is the usual Graph ceiling; unverified)
VIDEO_POLL_SECONDS = 5.0
VIDEO_POLLS = 12
SCOPES = (
    "pages_show_list",
    "pages_manage_posts",
    "pages_read_engagement",
    "pages_manage_engagement",  # comments as the Page
    "publish_video",
    "pages_read_user_content",  # the posts the Page is tagged in (mentions)
)
MENTIONS_PERMISSION = "pages_read_user_content"
TAGGED_FIELDS = "id,message,from,created_time,permalink_url"
PAGE_FIELDS = "id,name,username,access_token,tasks,picture{url},followers_count,fan_count"
_PROFILE_FIELDS = "id,name,username,picture{url},followers_count,fan_count"
_CREATED = "id,permalink_url"
_COUNTS = "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
_POST_COUNTS = f"{_COUNTS},shares"  # a video node has no `shares` field
_VIDEO_READY = "ready"
_VIDEO_FAILED = ("error", "expired")
_WEB = "https://www.facebook.com"
_MB = 1024 * 1024


class FacebookPlatform(meta.GraphPlatform):
    name = "facebook"
    network = "Facebook"
    page_fields = PAGE_FIELDS
    text_limits = TextLimits(max_length=MAX_TEXT, counting="characters")
    media_limits = MediaLimits(
        max_items=10,  # photos per post: no documented cap (unverified); one video alone
        image_types=("image/jpeg", "image/png", "image/gif"),
        video_types=("video/mp4", "video/quicktime"),
        max_image_bytes=4 * _MB,  # "ideally under 4 MB" (error 1366046)
        max_video_bytes=1024 * _MB,  # unverified
    )
    oauth = meta.login_oauth(SCOPES)
    reads_mentions = True
    mentions_permission = MENTIONS_PERMISSION

    # --- posts -------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        media = content.media
        if any(item.kind not in ("image", "gif", "video") for item in media):
            raise meta.refused("media_unsupported", "Facebook posts take photos (JPG, PNG, GIF) or one video.")
        if any(item.kind == "video" for item in media):
            if len(media) > 1:
                raise meta.refused("media_unsupported", "A Facebook post holds one video alone, or photos.")
            return self._video(content, media[0])
        if len(media) == 1:
            return self._photo(content, media[0])
        if media:
            return self._photos(content, media)
        if not content.text.strip() and content.link is None:
            raise meta.refused("invalid_content", "A Facebook post without media needs text or a link.")
        body: dict[str, Any] = {"message": content.text}
        if content.link is not None:
            body["link"] = content.link.url
        return self._created(self._call("POST", f"{self._page()}/feed", json=body, params={"fields": _CREATED}))

    def _photo(self, content: PostContent, item: MediaItem) -> PublishedPost:
        body = {**_photo_body(item), "published": True}
        if content.text:
            body["caption"] = content.text
        response = self._call("POST", f"{self._page()}/photos", json=body)
        created = http.json_object(self, response)
        post_id = created.get("post_id")
        if not isinstance(post_id, str):
            raise http.malformed(self.network, response, "no post_id for the photo")
        return PublishedPost(platform_post_id=post_id, url=f"{_WEB}/{post_id}", extra={"photo_id": created.get("id")})

    def _photos(self, content: PostContent, media: tuple[MediaItem, ...]) -> PublishedPost:
        """Unpublished photos first (invisible until attached), then the post that shows them."""
        attached = []
        for item in media:
            response = self._call("POST", f"{self._page()}/photos", json={**_photo_body(item), "published": False})
            attached.append({"media_fbid": self._id_of(response, "the unpublished photo")})
        body = {"message": content.text, "attached_media": attached}
        return self._created(self._call("POST", f"{self._page()}/feed", json=body, params={"fields": _CREATED}))

    def _video(self, content: PostContent, item: MediaItem) -> PublishedPost:
        body: dict[str, Any] = {"file_url": item.url, "description": content.text, "published": True}
        if content.title:
            body["title"] = content.title
        video_id = self._id_of(self._call("POST", f"{self._page()}/videos", json=body), "the video")
        permalink = self._await_video(video_id)
        return PublishedPost(
            platform_post_id=video_id,
            url=_absolute(permalink) or f"{_WEB}/{self._page()}/videos/{video_id}",
            extra={"video_id": video_id},
        )

    def _await_video(self, video_id: str) -> str | None:
        """The video's permalink once processed; raises when processing failed. The video exists
        from here on, so a status call that fails ends the wait instead of failing the post."""
        permalink = None
        for attempt in range(VIDEO_POLLS):
            try:
                video = self._object(video_id, "status,permalink_url")
            except PlatformError:
                return permalink
            permalink = video.get("permalink_url") if isinstance(video.get("permalink_url"), str) else permalink
            status = video.get("status") if isinstance(video.get("status"), dict) else {}
            state = status.get("video_status")
            if state == _VIDEO_READY:
                return permalink
            if state in _VIDEO_FAILED:
                problem = _video_problem(status)
                raise meta.refused("media_unsupported", f"Facebook could not process the video: {problem}")
            if attempt < VIDEO_POLLS - 1:
                self.clock.sleep(VIDEO_POLL_SECONDS)
        return permalink

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        """A comment as the Page on `parent`, with at most one image (attachment_url)."""
        if len(content.media) > 1 or any(item.kind == "video" for item in content.media):
            raise meta.refused("media_unsupported", "A Facebook comment takes one image at most.")
        if not content.text.strip() and not content.media:
            raise meta.refused("invalid_content", "A Facebook comment needs text or an image.")
        body = {"message": content.text}
        if content.media:
            body["attachment_url"] = content.media[0].url
        path = f"{parent.platform_post_id}/comments"
        return self._created(self._call("POST", path, json=body, params={"fields": _CREATED}))

    def _created(self, response: httpx.Response) -> PublishedPost:
        created = http.json_object(self, response)
        if not isinstance(created.get("id"), str):
            raise http.malformed(self.network, response, "no id for the created object")
        return self._published(created)

    def _published(self, item: dict[str, Any]) -> PublishedPost:
        post_id = str(item["id"])
        return PublishedPost(platform_post_id=post_id, url=_absolute(item.get("permalink_url")) or f"{_WEB}/{post_id}")

    def delete(self, platform_post_id: str) -> None:
        """A post that is already gone counts as deleted."""
        try:
            response = self._call("DELETE", platform_post_id)
        except PlatformError as error:
            if error.code == "not_found":
                return
            raise
        if http.json_object(self, response).get("success") is not True:
            raise PlatformError(
                ErrorClass.PERMANENT,
                "delete_refused",
                "Facebook did not confirm the deletion.",
                platform_code=str(response.status_code),
            )

    # --- metrics -----------------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """Reactions (as likes), comments and shares, read for many posts at once (GET /?ids=).
        Posts are `{page}_{post}` ids; a bare id is a video, which has no share count. Posts
        that are gone are left out."""
        posts = [post_id for post_id in platform_post_ids if "_" in post_id]
        videos = [post_id for post_id in platform_post_ids if "_" not in post_id]
        found: dict[str, dict[str, int]] = {}
        for ids, fields in ((posts, _POST_COUNTS), (videos, _COUNTS)):
            for batch in http.batches(ids, METRICS_BATCH_SIZE):
                found |= {post_id: _counts(item) for post_id, item in self._lookup(batch, fields).items()}
        return found

    def _lookup(self, ids: list[str], fields: str) -> dict[str, dict[str, Any]]:
        """`fields` of each id. One missing id fails a whole ?ids= call (code 803, or 100/33), so
        then each id is asked alone and the missing ones are left out."""
        try:
            body = http.json_object(self, self._call("GET", "", params={"ids": ",".join(ids), "fields": fields}))
        except PlatformError as error:
            if error.code != "not_found":
                raise
            if len(ids) == 1:
                return {}
            return {key: value for post_id in ids for key, value in self._lookup([post_id], fields).items()}
        return {key: value for key, value in body.items() if isinstance(value, dict)}

    # --- mentions ----------------------------------------------------------------------------

    def mentions(self, since: str | None) -> MentionPage:
        """The posts tagging the Page made at or after the time `since`; the cursor is the newest
        `created_time` seen."""
        params = {"fields": TAGGED_FIELDS, "limit": str(meta.PAGE_SIZE)}
        url = f"{meta.GRAPH_API}/{self._page()}/tagged"
        items = meta.newest_first(self, url, self.token("access_token"), params, MENTION_PAGES if since else 1)
        try:
            return meta.mention_page(items, "created_time", since, self._tagged)
        except PlatformError as error:
            raise meta.mentions_refusal(error, self.network, MENTIONS_PERMISSION) from error

    def _tagged(self, post: dict[str, Any], created_at: datetime) -> ReceivedMention | None:
        author = post.get("from") if isinstance(post.get("from"), dict) else {}
        if author.get("id") == self._page():
            return None
        message = post.get("message")
        return ReceivedMention(
            platform_mention_id=post["id"],
            author_handle=str(author.get("id") or ""),
            author_name=author["name"] if isinstance(author.get("name"), str) else None,
            text=message if isinstance(message, str) else "",
            url=_absolute(post.get("permalink_url")) or f"{_WEB}/{post['id']}",
            created_at=created_at,
        )

    # --- reconcile ---------------------------------------------------------------------------

    def _recent_post(self, text: str, since: datetime) -> PublishedPost | None:
        """Among the Page's posts, then its videos (one still processing is not a post yet)."""
        return self._recent_feed_post(text, since) or self._recent_video(text, since)

    def _recent_feed_post(self, text: str, since: datetime) -> PublishedPost | None:
        params = meta.recent_params("id,message,created_time,permalink_url", since)
        for post in self._listing(f"{self._page()}/published_posts", params):
            if _recent(post, "created_time", since) and meta.same_text(post.get("message"), text):
                return self._published(post)
        return None

    def _recent_video(self, text: str, since: datetime) -> PublishedPost | None:
        params = meta.recent_params("id,description,created_time,permalink_url", since)
        for video in self._listing(f"{self._page()}/videos", params):
            if _recent(video, "created_time", since) and meta.same_text(video.get("description"), text):
                video_id = str(video["id"])
                url = _absolute(video.get("permalink_url")) or f"{_WEB}/{self._page()}/videos/{video_id}"
                return PublishedPost(platform_post_id=video_id, url=url, extra={"video_id": video_id})
        return None

    def _own_comment(self, parent: PublishedPost, text: str, since: datetime) -> PublishedPost | None:
        params = {"fields": "id,message,from,created_time,permalink_url", "filter": "stream",
                  "order": "reverse_chronological", "limit": str(meta.PAGE_SIZE)}
        for comment in self._listing(f"{parent.platform_post_id}/comments", params):
            author = comment.get("from") if isinstance(comment.get("from"), dict) else {}
            if (
                author.get("id") == self._page()
                and _recent(comment, "created_time", since)
                and meta.same_text(comment.get("message"), text)
            ):
                return self._published(comment)
        return None

    # --- connecting and credentials ----------------------------------------------------------

    @classmethod
    def _connected_accounts(cls, pages: list[dict[str, Any]], scopes: tuple[str, ...]) -> list[meta.PageAccount]:
        """Every granted Page on which the person can create content."""
        chosen = [meta.PageAccount(page, {}, _page_identity(page, scopes)) for page in pages if _can_publish(page)]
        if not chosen:
            raise meta.refused("page_not_granted", "No Facebook Page on which you can publish was granted to the app.")
        return chosen

    def identity(self) -> AccountIdentity:
        page = self._object(self._page(), _PROFILE_FIELDS)
        if not page.get("id"):
            raise PlatformError(ErrorClass.RETRY, "platform_unavailable", "Facebook answered no Page id.")
        return _page_identity(page, ())

    # --- HTTP --------------------------------------------------------------------------------

    def _page(self) -> str:
        return self.token("page_id")


def _photo_body(item: MediaItem) -> dict[str, Any]:
    body: dict[str, Any] = {"url": item.url}
    if item.alt:
        body["alt_text_custom"] = item.alt
    return body


def _absolute(permalink: Any) -> str | None:
    """Graph gives some permalinks (a video's) as a path on www.facebook.com."""
    if not isinstance(permalink, str) or not permalink:
        return None
    return _WEB + permalink if permalink.startswith("/") else permalink


def _video_problem(status: dict[str, Any]) -> str:
    phase = status.get("processing_phase") if isinstance(status.get("processing_phase"), dict) else {}
    error = phase.get("errors") or phase.get("error")
    if isinstance(error, list) and error and isinstance(error[0], dict):
        return str(error[0].get("message") or status.get("video_status"))
    if isinstance(error, dict):
        return str(error.get("message") or status.get("video_status"))
    return str(status.get("video_status"))


def _recent(item: dict[str, Any], field: str, since: datetime) -> bool:
    if not isinstance(item.get("id"), str):
        return False
    moment = meta.created_at(item, field)
    return moment is None or moment >= since  # the `since` of the query already bounds the list


def _can_publish(page: dict[str, Any]) -> bool:
    tasks = page.get("tasks")
    return not isinstance(tasks, list) or "CREATE_CONTENT" in tasks


def _counts(item: dict[str, Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for name, edge in (("likes", "reactions"), ("comments", "comments")):
        summary = (item.get(edge) or {}).get("summary") if isinstance(item.get(edge), dict) else None
        if isinstance(summary, dict) and (value := http.count(summary, "total_count")) is not None:
            found[name] = value
    shares = item.get("shares")
    if isinstance(shares, dict) and (value := http.count(shares, "count")) is not None:
        found["shares"] = value
    return found


def _page_identity(page: dict[str, Any], scopes: tuple[str, ...]) -> AccountIdentity:
    picture = page.get("picture") if isinstance(page.get("picture"), dict) else {}
    data = picture.get("data") if isinstance(picture.get("data"), dict) else {}
    followers = http.count(page, "followers_count")
    return AccountIdentity(
        platform_user_id=str(page["id"]),
        username=str(page.get("username") or page.get("name") or page["id"]),
        display_name=page.get("name") if isinstance(page.get("name"), str) else None,
        avatar_url=data.get("url") if isinstance(data.get("url"), str) else None,
        followers=followers if followers is not None else http.count(page, "fan_count"),
        permissions=scopes,
    )
