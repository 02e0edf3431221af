"""Instagram adapter (Instagram API with Facebook Login, on graph.facebook.com), acting for one
professional account linked to a Facebook Page.

Connecting: Facebook Login, as for Facebook Pages; the account is the Instagram professional
account linked to the first granted Page that has one (`instagram_business_account`). Tokens:
`ig_user_id`, `page_id`, `access_token` (that Page's token, which the Instagram endpoints take
and which does not expire), `user_access_token` and `user_id`; `refresh_credentials` reads the
Page token again with the User token. Instagram Login (graph.instagram.com, Instagram user
tokens) is not built.

Publishing takes media (Instagram has no text-only posts), which Meta fetches from `item.url`:
1. the 24-hour publishing quota is read (GET /{ig-user-id}/content_publishing_limit): a full
   quota is RETRY quota_exceeded before anything is created;
2. containers (POST /{ig-user-id}/media): one image {image_url, caption, alt_text}; one video as a
   reel {media_type: REELS, video_url, caption}; 2-10 items as carousel children
   {is_carousel_item, image_url | media_type: VIDEO + video_url}, then the carousel
   {media_type: CAROUSEL, children, caption};
3. each container is polled (GET /{container-id}?fields=status_code,status) every POLL_SECONDS,
   at most POLLS times, until FINISHED. ERROR and EXPIRED are refused (a transient cause named
   in `status` stays RETRY); one still IN_PROGRESS after the last poll is RETRY media_processing.
   Nothing is published before step 4, so a later attempt starts over (containers left behind
   expire by themselves after 24 hours);
4. POST /{ig-user-id}/media_publish {creation_id}, then GET /{media-id}?fields=permalink (the post
   is out by then: a failed permalink read falls back to the profile's URL).

Replies are first comments: POST /{ig-media-id}/comments {message}, text only. The API has no
delete for media: `delete` is PERMANENT not_supported.

No idempotency key either: `reconcile` looks for the same caption among the account's media of
the last hour (GET /{ig-user-id}/media), or for the account's own comment on the parent.

Mentions: the media other accounts tagged the account in (GET /{ig-user-id}/tags, newest first,
100 a page through `paging.cursors.after`, at most MENTION_PAGES pages, down to the newest
`timestamp` of the last read), with the permissions publishing asks for already. @mentions in
captions and comments come only through webhooks, which Herald does not receive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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

MAX_TEXT = 2200
MAX_ITEMS = 10  # a carousel holds 2-10 items
POLL_SECONDS = 5.0
POLLS = 36  # three minutes for a container to be processed
MAX_PINNED = 3  # a profile pins up to three posts above the newest ones
SCOPES = (
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_comments",
    "instagram_manage_insights",
    "pages_show_list",
    "pages_read_engagement",
)
INSIGHTS = "views,reach,likes,comments,shares,saved"
_INSIGHT_NAMES = {"views": "views", "reach": "reach", "likes": "likes", "comments": "comments",
                  "shares": "shares", "saved": "bookmarks"}
PAGE_FIELDS = "id,name,access_token,tasks,instagram_business_account{id,username,name,profile_picture_url,followers_count}"
_PROFILE_FIELDS = "id,username,name,profile_picture_url,followers_count"
TAGS_FIELDS = "id,caption,username,timestamp,permalink"
_FINISHED, _IN_PROGRESS = "FINISHED", "IN_PROGRESS"
_WEB = "https://www.instagram.com"
_MB = 1024 * 1024


class InstagramPlatform(meta.GraphPlatform):
    name = "instagram"
    network = "Instagram"
    page_fields = PAGE_FIELDS
    text_limits = TextLimits(max_length=MAX_TEXT, counting="characters")
    media_limits = MediaLimits(
        max_items=MAX_ITEMS,
        image_types=("image/jpeg",),
        video_types=("video/mp4", "video/quicktime"),
        max_image_bytes=8 * _MB,
        max_video_bytes=300 * _MB,  # older Meta docs; a larger cap is unverified
    )
    oauth = meta.login_oauth(SCOPES)
    reads_mentions = True  # instagram_basic, instagram_manage_comments, pages_read_engagement: asked for already

    # --- posts -------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        media = content.media
        if not media:
            raise meta.refused("invalid_content", "An Instagram post needs an image or a video.")
        if len(media) > MAX_ITEMS:
            raise meta.refused("invalid_content", f"An Instagram carousel holds at most {MAX_ITEMS} items.")
        if any(item.kind not in ("image", "video") for item in media):
            raise meta.refused("media_unsupported", "Instagram publishes images (JPEG) and videos, not GIFs.")
        self._check_quota()
        if len(media) == 1:
            container = self._container(_single(media[0], content.text))
        else:
            children = [self._container(_child(item)) for item in media]
            for child in children:
                self._await(child)
            container = self._container(_captioned({"media_type": "CAROUSEL", "children": ",".join(children)},
                                                   content.text))
        self._await(container)
        response = self._call("POST", f"{self._ig()}/media_publish", json={"creation_id": container})
        media_id = self._id_of(response, "the published media")
        return PublishedPost(platform_post_id=media_id, url=self._permalink(media_id))

    def _check_quota(self) -> None:
        params = {"fields": "quota_usage,config"}
        body = http.json_object(self, self._call("GET", f"{self._ig()}/content_publishing_limit", params=params))
        data = body.get("data")
        usage = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        config = usage.get("config") if isinstance(usage.get("config"), dict) else {}
        used, total = http.count(usage, "quota_usage"), http.count(config, "quota_total")
        if used is not None and total is not None and used >= total:
            raise PlatformError(
                ErrorClass.RETRY,
                "quota_exceeded",
                f"Instagram's publishing limit is reached ({used} of {total} posts in 24 hours).",
            )

    def _container(self, body: dict[str, Any]) -> str:
        return self._id_of(self._call("POST", f"{self._ig()}/media", json=body), "the media container")

    def _await(self, container_id: str) -> None:
        """Wait until the container is FINISHED; see the module's step 3."""
        for attempt in range(POLLS):
            status = self._object(container_id, "status_code,status")
            state = status.get("status_code")
            if state == _FINISHED:
                return
            if state != _IN_PROGRESS:
                raise _container_failed(container_id, state, str(status.get("status") or ""))
            if attempt < POLLS - 1:
                self.clock.sleep(POLL_SECONDS)
        raise PlatformError(
            ErrorClass.RETRY,
            "media_processing",
            f"Instagram was still processing the media after {int(POLLS * POLL_SECONDS)} seconds; nothing was published.",
            platform_code=_IN_PROGRESS,
        )

    def _permalink(self, media_id: str) -> str:
        try:
            permalink = self._object(media_id, "permalink").get("permalink")
        except PlatformError:
            permalink = None
        return permalink if isinstance(permalink, str) and permalink else f"{_WEB}/{self.credentials.username}/"

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        """A comment of the account's on `parent` (text only); its URL is the parent's."""
        if content.media:
            raise meta.refused("media_unsupported", "Instagram comments are text only.")
        if not content.text.strip():
            raise meta.refused("invalid_content", "An Instagram comment needs text.")
        response = self._call("POST", f"{parent.platform_post_id}/comments", json={"message": content.text})
        return PublishedPost(platform_post_id=self._id_of(response, "the comment"), url=parent.url)

    def delete(self, platform_post_id: str) -> None:
        raise PlatformError(
            ErrorClass.PERMANENT,
            "not_supported",
            "The Instagram API cannot delete posts; delete it in the Instagram app.",
        )

    # --- metrics -----------------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """Insights per media (Instagram has no batch for them): views, reach, likes, comments,
        shares and saves (as bookmarks). Media that are gone, or have no insights, are left out."""
        found: dict[str, dict[str, int]] = {}
        for media_id in platform_post_ids:
            try:
                body = http.json_object(self, self._call("GET", f"{media_id}/insights", params={"metric": INSIGHTS}))
            except PlatformError as error:
                if error.code in ("not_found", "invalid_content"):
                    continue
                raise
            found[media_id] = _insights(body)
        return found

    # --- reconcile ---------------------------------------------------------------------------

    def _recent_post(self, text: str, since: datetime) -> PublishedPost | None:
        """The account's media newest first; past MAX_PINNED older items in a row (pinned posts
        come first) the rest are older too."""
        params = meta.recent_params("id,caption,timestamp,permalink", since)
        older = 0
        for item in self._listing(f"{self._ig()}/media", params):
            moment = meta.created_at(item, "timestamp")
            if moment is not None and moment < since:
                older += 1
                if older > MAX_PINNED:
                    return None
                continue
            older = 0
            if isinstance(item.get("id"), str) and meta.same_text(item.get("caption"), text):
                permalink = item.get("permalink")
                url = permalink if isinstance(permalink, str) else f"{_WEB}/{self.credentials.username}/"
                return PublishedPost(platform_post_id=item["id"], url=url)
        return None

    def _own_comment(self, parent: PublishedPost, text: str, since: datetime) -> PublishedPost | None:
        params = {"fields": "id,text,username,timestamp", "limit": str(meta.PAGE_SIZE)}
        for comment in self._listing(f"{parent.platform_post_id}/comments", params):
            moment = meta.created_at(comment, "timestamp")
            if (
                isinstance(comment.get("id"), str)
                and str(comment.get("username", "")).lower() == self.credentials.username.lower()
                and (moment is None or moment >= since)
                and meta.same_text(comment.get("text"), text)
            ):
                return PublishedPost(platform_post_id=comment["id"], url=parent.url)
        return None

    # --- mentions ----------------------------------------------------------------------------

    def mentions(self, since: str | None) -> MentionPage:
        """The media tagging the account made at or after the time `since`; the cursor is the
        newest `timestamp` seen."""
        params = {"fields": TAGS_FIELDS, "limit": str(meta.PAGE_SIZE)}
        url = f"{meta.GRAPH_API}/{self._ig()}/tags"
        items = meta.newest_first(self, url, self.token("access_token"), params, MENTION_PAGES if since else 1)
        try:
            return meta.mention_page(items, "timestamp", since, self._tagged)
        except PlatformError as error:
            raise meta.mentions_refusal(error, self.network, "instagram_manage_comments") from error

    def _tagged(self, media: dict[str, Any], created_at: datetime) -> ReceivedMention | None:
        username = media.get("username") if isinstance(media.get("username"), str) else ""
        if username and username == self.credentials.username:
            return None
        caption, permalink = media.get("caption"), media.get("permalink")
        return ReceivedMention(
            platform_mention_id=media["id"],
            author_handle=username,
            author_name=None,
            text=caption if isinstance(caption, str) else "",
            url=permalink if isinstance(permalink, str) and permalink else None,
            created_at=created_at,
        )

    # --- connecting and credentials ----------------------------------------------------------

    @classmethod
    def _connected_accounts(cls, pages: list[dict[str, Any]], scopes: tuple[str, ...]) -> list[meta.PageAccount]:
        """The Instagram professional account of every granted Page that has one."""
        chosen = [meta.PageAccount(page, {"ig_user_id": str(linked["id"])}, _identity(linked, scopes))
                  for page in pages if (linked := _linked_account(page))]
        if not chosen:
            raise meta.refused(
                "instagram_account_not_found",
                "No granted Facebook Page has an Instagram professional account linked to it.",
            )
        return chosen

    def identity(self) -> AccountIdentity:
        account = self._object(self._ig(), _PROFILE_FIELDS)
        if not account.get("id"):
            raise PlatformError(ErrorClass.RETRY, "platform_unavailable", "Instagram answered no account id.")
        return _identity(account, ())

    # --- HTTP --------------------------------------------------------------------------------

    def _ig(self) -> str:
        return self.token("ig_user_id")


def _captioned(body: dict[str, Any], text: str) -> dict[str, Any]:
    return {**body, "caption": text} if text else body


def _single(item: MediaItem, text: str) -> dict[str, Any]:
    """A one-item post: an image, or a video published as a reel (feed videos are reels)."""
    if item.kind == "video":
        return _captioned({"media_type": "REELS", "video_url": item.url, "share_to_feed": True}, text)
    body = _captioned({"image_url": item.url}, text)
    if item.alt:
        body["alt_text"] = item.alt
    return body


def _child(item: MediaItem) -> dict[str, Any]:
    if item.kind == "video":
        return {"media_type": "VIDEO", "video_url": item.url, "is_carousel_item": True}
    return {"image_url": item.url, "is_carousel_item": True}


def _container_failed(container_id: str, state: Any, status: str) -> PlatformError:
    """A container that ended without FINISHED: its `status` may name a Graph subcode."""
    error_class, code = meta.classify_subcode(status) or (ErrorClass.PERMANENT, "media_unsupported")
    return PlatformError(
        error_class,
        code,
        f"Instagram could not process media container {container_id} ({state}): {status or 'no detail'}",
        platform_code=f"{state} {status}".strip(),
    )


def _insights(body: dict[str, Any]) -> dict[str, int]:
    """data[] entries: {name, values: [{value}]} or {name, total_value: {value}}."""
    found: dict[str, int] = {}
    for entry in body.get("data") or []:
        if not isinstance(entry, dict) or entry.get("name") not in _INSIGHT_NAMES:
            continue
        values = entry.get("values")
        holder = values[0] if isinstance(values, list) and values and isinstance(values[0], dict) else None
        holder = holder or (entry.get("total_value") if isinstance(entry.get("total_value"), dict) else {})
        if (value := http.count(holder, "value")) is not None:
            found[_INSIGHT_NAMES[entry["name"]]] = value
    return found


def _linked_account(page: dict[str, Any]) -> dict[str, Any] | None:
    account = page.get("instagram_business_account")
    return account if isinstance(account, dict) and account.get("id") else None


def _identity(account: dict[str, Any], scopes: tuple[str, ...]) -> AccountIdentity:
    return AccountIdentity(
        platform_user_id=str(account["id"]),
        username=str(account.get("username") or account["id"]),
        display_name=account.get("name") if isinstance(account.get("name"), str) else None,
        avatar_url=account.get("profile_picture_url") if isinstance(account.get("profile_picture_url"), str) else None,
        followers=http.count(account, "followers_count"),
        permissions=scopes,
    )
