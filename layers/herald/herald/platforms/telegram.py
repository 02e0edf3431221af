"""Telegram Bot API adapter: a bot posts to one channel (or group) it administers.

Every call is `POST https://api.telegram.org/bot{token}/{method}`, JSON or, for uploads,
multipart/form-data; every answer is `{"ok": true, "result": ...}` or `{"ok": false,
"error_code", "description", "parameters"?}`. Telegram names its errors only in the description's
prose, so `classify_error` reads it. The token is part of every URL: it is kept out of error
messages (see `classify_error`).

Posts. Text goes out as plain text (no parse_mode: Herald styles text with Unicode letters, and
Telegram would otherwise read `*`, `_` or `<` as markup); a link card becomes
`link_preview_options.url`. One media item is a sendPhoto, sendVideo or sendAnimation (GIF) with
the text as caption; 2-10 photos and videos are an album (sendMediaGroup, caption on the first).
Media go by URL first (Telegram fetches photos up to 5 MB and other files up to 20 MB); a file
above that, or one Telegram could not fetch, is uploaded as multipart (photos up to 10 MB, other
files up to 50 MB). A 400 for an unfetchable URL sends nothing, so the upload cannot post twice.

Ids. A post's id is its message id; an album's is its message ids joined with commas ("107,108"),
so `delete` removes the whole album. Replies (threads, first comments) name the first message in
`reply_parameters`.

What the Bot API cannot do: read a channel's history (so `reconcile` cannot tell whether a lost
send went out: UNKNOWN), show view or reaction counts (`metrics` has none), or expire and refresh
a token (a refused token needs a new one from @BotFather: RECONNECT)."""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from herald.platforms import http
from herald.platforms.base import (
    AccountIdentity,
    Connection,
    Credentials,
    ErrorClass,
    MediaItem,
    MediaLimits,
    Platform,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
    Reconciliation,
    TextLimits,
)
from herald.text.counting import utf16_units

API_BASE = "https://api.telegram.org"
MAX_TEXT_UNITS = 4096  # UTF-16 code units, after entity parsing (none here: plain text)
MAX_CAPTION_UNITS = 1024
MIN_ALBUM, MAX_ALBUM = 2, 10
_MB = 1024 * 1024
URL_PHOTO_BYTES = 5 * _MB  # what Telegram fetches from a URL
URL_FILE_BYTES = 20 * _MB
UPLOAD_PHOTO_BYTES = 10 * _MB  # what a bot may upload
UPLOAD_FILE_BYTES = 50 * _MB
# The options passed through as they are (booleans, checked by herald.text.options when listed there).
PASSED_OPTIONS = ("disable_notification", "protect_content")

# kind -> (method, file parameter) for one media item
_SINGLE_METHODS = {
    "image": ("sendPhoto", "photo"),
    "video": ("sendVideo", "video"),
    "gif": ("sendAnimation", "animation"),
}
_ALBUM_TYPES = {"image": "photo", "video": "video"}
# 400 descriptions saying Telegram could not use a media URL (lower-cased); nothing was sent. The
# first two say it could not fetch the file; the others, that it did not like what it fetched.
_UNFETCHED = ("failed to get http url content", "wrong file identifier/http url specified")
_URL_REFUSALS = (*_UNFETCHED, "wrong type of the web page content", "wrong remote file identifier")
_MEDIA_REFUSALS = ("bad request: photo_", "bad request: image_")  # e.g. PHOTO_INVALID_DIMENSIONS
_DELETE_REFUSED = "Telegram refused to delete the message: bots may delete their posts for 48 hours only."
# 400 descriptions that mean the bot cannot reach or post to the chat: a person must fix it.
_ACCESS_REFUSALS = (
    "chat not found",
    "need administrator rights",
    "not enough rights",
    "have no rights",
    "chat_write_forbidden",
    "chat_admin_required",
)
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
_NETWORK = "Telegram"  # in messages


@dataclass(frozen=True)
class ChatAccess:
    """What a bot token and chat id open: the bot, the chat, the bot's membership and the member count."""

    bot: dict[str, Any]
    chat: dict[str, Any]
    member: dict[str, Any]
    followers: int | None

    def rights(self) -> tuple[str, ...]:
        """The administrator rights the bot holds (can_post_messages, ...)."""
        return tuple(sorted(name for name, value in self.member.items() if name.startswith("can_") and value is True))

    def can_post(self) -> bool:
        """A channel needs an administrator with can_post_messages; a group, a member allowed to write."""
        status = self.member.get("status")
        if self.chat.get("type") == "channel":
            return status == "administrator" and self.member.get("can_post_messages") is True
        if status == "restricted":
            return self.member.get("can_send_messages") is True
        return status in ("administrator", "member", "creator")


class TelegramPlatform(Platform):
    name = "telegram"
    manual_fields = ("bot_token", "chat_id")
    text_limits = TextLimits(max_length=MAX_TEXT_UNITS, counting="utf16_units")
    media_limits = MediaLimits(
        max_items=MAX_ALBUM,
        image_types=("image/jpeg", "image/png", "image/webp"),
        video_types=("video/mp4",),
        max_image_bytes=UPLOAD_PHOTO_BYTES,
        max_video_bytes=UPLOAD_FILE_BYTES,
    )

    # --- connecting --------------------------------------------------------------------------

    @classmethod
    def connect_with_fields(cls, client: httpx.Client, fields: Mapping[str, str]) -> Connection:
        """Check the bot token (getMe) and that the bot may post to the chat (getChat, then
        getChatMember for the bot: a channel needs it as administrator with can_post_messages)."""
        token = str(fields.get("bot_token") or "").strip()
        if not _TOKEN.match(token):
            raise _refusal("invalid_credentials", "bot_token is not a bot token (123456:ABC...) from @BotFather.")
        chat_ref = chat_reference(str(fields.get("chat_id") or ""))
        adapter = cls(client, Credentials(account_id="", username="", tokens={"bot_token": token}))
        access = adapter._access(chat_ref, connecting=True)
        if access.chat.get("type") not in ("channel", "group", "supergroup"):
            raise _refusal("unsupported_chat", "Herald posts to channels and groups, not to private chats.")
        if not access.can_post():
            raise _refusal(
                "insufficient_permissions",
                f"The bot cannot post to {_chat_name(access.chat)}: make it an administrator with the "
                "right to post messages.",
            )
        chat = access.chat
        tokens = {"bot_token": token, "bot_id": str(access.bot["id"]), "chat_id": str(chat["id"])}
        if isinstance(chat.get("username"), str):
            tokens["chat_username"] = chat["username"]
        credentials = Credentials(account_id="", username=str(chat.get("username") or chat.get("title") or chat["id"]),
                                  tokens=tokens)
        return Connection(credentials=credentials, identity=_identity(access))

    def identity(self) -> AccountIdentity:
        return _identity(self._access(_chat_ref(self.token("chat_id")), connecting=False))

    def _access(self, chat_ref: int | str, *, connecting: bool) -> ChatAccess:
        """The bot, the chat and the bot's place in it. While connecting, refusals are the person's
        to fix (PERMANENT invalid_credentials or chat_not_accessible), not a broken connection."""
        try:
            bot = _object(self, self._call("getMe"), "id")
        except PlatformError as error:
            raise _connect_error(error, "invalid_credentials", "Telegram refused the bot token.", connecting) from error
        try:
            chat = _object(self, self._call("getChat", {"chat_id": chat_ref}), "id")
            member = _object(self, self._call("getChatMember", {"chat_id": chat["id"], "user_id": bot["id"]}), "status")
            count = self._result(self._call("getChatMemberCount", {"chat_id": chat["id"]}))
        except PlatformError as error:
            message = (f"The bot cannot reach the chat {chat_ref}: check the chat id, and add the bot to the "
                       f"channel as an administrator ({error.message}).")
            raise _connect_error(error, "chat_not_accessible", message, connecting) from error
        followers = count if isinstance(count, int) and not isinstance(count, bool) else None
        return ChatAccess(bot=bot, chat=chat, member=member, followers=followers)

    # --- posts -------------------------------------------------------------------------------

    def publish(self, content: PostContent) -> PublishedPost:
        return self._send_post(content, reply_to=None)

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        return self._send_post(content, reply_to=message_ids(parent.platform_post_id)[0])

    def _send_post(self, content: PostContent, reply_to: int | None) -> PublishedPost:
        common: dict[str, Any] = {"chat_id": _chat_ref(self.token("chat_id"))}
        if reply_to is not None:
            common["reply_parameters"] = {"message_id": reply_to}
        common |= {name: content.options[name] for name in PASSED_OPTIONS if name in content.options}
        if not content.media:
            return self._published([self._send_text(content, common)])
        for item in content.media:
            _check_size(item)
        if len(content.media) == 1:
            return self._published([self._send_single(content.media[0], content.text, common)])
        return self._published(self._send_album(content.media, content.text, common))

    def _send_text(self, content: PostContent, common: dict[str, Any]) -> dict[str, Any]:
        payload = {**common, "text": content.text}
        if content.link is not None:
            payload["link_preview_options"] = {"url": content.link.url}
        return _message(self, self._call("sendMessage", payload))

    def _send_single(self, item: MediaItem, caption: str, common: dict[str, Any]) -> dict[str, Any]:
        if item.kind not in _SINGLE_METHODS:
            raise _unsupported(f"Telegram cannot post media of kind {item.kind!r}.")
        method, parameter = _SINGLE_METHODS[item.kind]
        fields = {**common, **_caption(caption), **_video_details(item)}
        upload = _over_url_limit(item)
        response = self._send_file(method, fields, parameter, item, upload)
        if not upload and _url_refused(response) and self.media is not None:
            response = self._send_file(method, fields, parameter, item, upload=True)
        return _message(self, http.succeeded(self, response))

    def _send_file(
        self, method: str, fields: dict[str, Any], parameter: str, item: MediaItem, upload: bool
    ) -> httpx.Response:
        if upload:
            return self._post(method, fields, files={parameter: self._file(item)})
        return self._post(method, {**fields, parameter: item.url})

    def _send_album(self, items: tuple[MediaItem, ...], caption: str, common: dict[str, Any]) -> list[dict[str, Any]]:
        if not MIN_ALBUM <= len(items) <= MAX_ALBUM:
            raise _unsupported(f"A Telegram album holds {MIN_ALBUM} to {MAX_ALBUM} items, not {len(items)}.")
        if any(item.kind not in _ALBUM_TYPES for item in items):
            raise _unsupported("A Telegram album holds photos and videos only: post a GIF on its own.")
        uploads = {n for n, item in enumerate(items) if _over_url_limit(item)}
        response = self._send_group(items, caption, common, uploads)
        if len(uploads) < len(items) and _url_refused(response) and self.media is not None:
            response = self._send_group(items, caption, common, set(range(len(items))))
        sent = http.json_object(self, http.succeeded(self, response)).get("result")
        if not isinstance(sent, list) or not sent or not all(_is_message(m) for m in sent):
            raise http.malformed(_NETWORK, response, "no list of messages for the album")
        return sent

    def _send_group(
        self, items: tuple[MediaItem, ...], caption: str, common: dict[str, Any], uploads: set[int]
    ) -> httpx.Response:
        """sendMediaGroup, the items numbered in `uploads` sent as multipart parts (attach://fileN)."""
        media, files = [], {}
        for n, item in enumerate(items):
            entry: dict[str, Any] = {"type": _ALBUM_TYPES[item.kind], "media": item.url}
            if n in uploads:
                entry["media"] = f"attach://file{n}"
                files[f"file{n}"] = self._file(item)
            if n == 0:
                entry |= _caption(caption)
            media.append(entry | _video_details(item))
        return self._post("sendMediaGroup", {**common, "media": media}, files=files or None)

    def _file(self, item: MediaItem) -> tuple[str, bytes, str]:
        """A multipart file part for `item`: its name, bytes and type."""
        data = self.media_source().read(item)
        if len(data) > _upload_limit(item):
            raise _too_large(item, len(data))
        mime = item.mime or mimetypes.guess_type(_file_name(item))[0] or "application/octet-stream"
        return _file_name(item), data, mime

    def _published(self, messages: list[dict[str, Any]]) -> PublishedPost:
        ids = [int(message["message_id"]) for message in messages]
        chat = messages[0].get("chat") if isinstance(messages[0].get("chat"), dict) else {}
        return PublishedPost(platform_post_id=",".join(map(str, ids)), url=self._public_url(chat, ids[0]))

    def _public_url(self, chat: dict[str, Any], message_id: int) -> str:
        """t.me/{username}/{id} for a public chat, t.me/c/{internal id}/{id} for a private channel or
        supergroup (members only); "" for a basic group, which has no message links."""
        username = chat.get("username") or self.credentials.tokens.get("chat_username")
        if username:
            return f"https://t.me/{username}/{message_id}"
        chat_id = str(chat.get("id") or self.credentials.tokens.get("chat_id", ""))
        if chat_id.startswith("-100"):
            return f"https://t.me/c/{chat_id[4:]}/{message_id}"
        return ""

    def delete(self, platform_post_id: str) -> None:
        """A message that is already gone counts as deleted; an album's messages go together.
        Telegram lets a bot delete its channel posts for 48 hours only."""
        ids = message_ids(platform_post_id)
        chat_id = _chat_ref(self.token("chat_id"))
        if len(ids) > 1:  # deleteMessages skips the messages it cannot find
            self._result(self._call("deleteMessages", {"chat_id": chat_id, "message_ids": ids}))
            return
        try:
            self._result(self._call("deleteMessage", {"chat_id": chat_id, "message_id": ids[0]}))
        except PlatformError as error:
            if error.code != "not_found":
                raise

    # --- metrics, reconcile ------------------------------------------------------------------

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        """None: the Bot API shows no view, forward or reaction counts for channel posts."""
        return {}

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        """UNKNOWN: a bot cannot read a chat's history (there is no method to list or look up
        messages), and sends take no idempotency key, so a lost send cannot be checked."""
        return Reconciliation(ReconcileOutcome.UNKNOWN)

    # --- credentials -------------------------------------------------------------------------

    def refresh_credentials(self) -> Credentials:
        raise PlatformError(
            ErrorClass.RECONNECT,
            "account_disconnected",
            "Telegram bot tokens do not expire and cannot be refreshed: reconnect with the bot's current "
            "token from @BotFather.",
        )

    # --- errors ------------------------------------------------------------------------------

    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        if response is None:
            return self._without_token(http.transport_error(_NETWORK, exc))
        body = http.body_of(response) or {}
        status = body.get("error_code") if isinstance(body.get("error_code"), int) else response.status_code
        if body.get("ok") is not False and response.is_success:
            return http.malformed(_NETWORK, response, "not the {ok, result} object the Bot API answers with")
        description = str(body.get("description") or f"Telegram answered HTTP {status}.")
        parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
        return _classified(status, description, parameters, self.clock.now())

    def _without_token(self, error: PlatformError) -> PlatformError:
        """`error` with the bot token (part of every URL) cut out of its message."""
        token = self.credentials.tokens.get("bot_token")
        if not token or token not in error.message:
            return error
        return PlatformError(error.error_class, error.code, error.message.replace(token, "<bot token>"),
                             platform_code=error.platform_code, retry_at=error.retry_at)

    # --- text --------------------------------------------------------------------------------

    def count_text(self, text: str) -> int:
        """UTF-16 code units, as Telegram counts (an emoji outside the BMP is 2)."""
        return utf16_units(text)

    # --- HTTP --------------------------------------------------------------------------------

    def _post(
        self, method: str, payload: dict[str, Any] | None = None, *, files: dict[str, Any] | None = None
    ) -> httpx.Response:
        """A Bot API call: JSON, or multipart when there are files (the other fields as form
        values, objects JSON-serialized as the Bot API asks)."""
        url = f"{API_BASE}/bot{self.token('bot_token')}/{method}"
        if files:
            return http.send(self, "POST", url, data=_form(payload or {}), files=files)
        if payload is None:
            return http.send(self, "POST", url)
        return http.send(self, "POST", url, json=payload)

    def _call(self, method: str, payload: dict[str, Any] | None = None) -> httpx.Response:
        return http.succeeded(self, self._post(method, payload))

    def _result(self, response: httpx.Response) -> Any:
        body = http.json_object(self, response)
        if body.get("ok") is not True or "result" not in body:
            raise self.classify_error(response)
        return body["result"]


def chat_reference(value: str) -> int | str:
    """The chat a person named: `@username`, `username`, a t.me link, or a numeric id (-100...)."""
    ref = value.strip()
    link = re.match(r"^(?:https?://)?(?:t\.me|telegram\.me)/(.+?)/?$", ref, re.IGNORECASE)
    if link:
        ref = "@" + link.group(1)
    if re.fullmatch(r"-?\d+", ref):
        return int(ref)
    name = ref.removeprefix("@")
    if not _USERNAME.match(name):
        raise _refusal(
            "invalid_credentials",
            "chat_id must be the channel's @username (or t.me link) or its numeric id such as -1001234567890.",
        )
    return "@" + name


def message_ids(platform_post_id: str) -> list[int]:
    """The message ids of a post id: "101", or "107,108" for an album."""
    parts = platform_post_id.split(",")
    if not all(part.strip().isdigit() for part in parts):
        message = f"Not a Telegram message id: {platform_post_id!r}."
        raise PlatformError(ErrorClass.PERMANENT, "invalid_content", message)
    return [int(part) for part in parts]


def _chat_ref(chat_id: str) -> int | str:
    """A stored chat id as the Bot API takes it: an integer when numeric."""
    return int(chat_id) if re.fullmatch(r"-?\d+", chat_id) else chat_id


def _classified(status: int, description: str, parameters: dict[str, Any], now: datetime) -> PlatformError:
    """An error answer by its code and description (Telegram names errors only in prose)."""
    code = f"{status} {description}"
    lowered = description.lower()
    if status == 429:
        retry_after = http.count(parameters, "retry_after")
        retry_at = now + timedelta(seconds=retry_after) if retry_after is not None else None
        return PlatformError(ErrorClass.RETRY, "rate_limited", description, platform_code=code, retry_at=retry_at)
    if status == 401:
        message = "Telegram refused the bot token: it was revoked or replaced in @BotFather."
        return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)
    if status == 403 or any(phrase in lowered for phrase in _ACCESS_REFUSALS):
        message = f"The bot can no longer post to the chat: {description}"
        return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)
    if "migrate_to_chat_id" in parameters:
        message = f"The group became a supergroup with id {parameters['migrate_to_chat_id']}: reconnect with it."
        return PlatformError(ErrorClass.RECONNECT, "account_disconnected", message, platform_code=code)
    if status >= 500:
        return PlatformError(ErrorClass.RETRY, "platform_unavailable", description, platform_code=code)
    error_class, herald_code = _refusal_kind(status, lowered)
    message = _DELETE_REFUSED if herald_code == "delete_refused" else description
    return PlatformError(error_class, herald_code, message, platform_code=code)


def _refusal_kind(status: int, lowered: str) -> tuple[ErrorClass, str]:
    """The class and Herald code of a 4xx that is neither a rate limit nor about access."""
    if status == 413 or "too big" in lowered:
        return ErrorClass.PERMANENT, "media_too_large"
    if status != 400:
        return ErrorClass.PERMANENT, "platform_error"
    if any(phrase in lowered for phrase in _UNFETCHED):
        return ErrorClass.RETRY, "media_unreachable"  # Telegram could not fetch the file this time
    if any(phrase in lowered for phrase in _URL_REFUSALS) or lowered.startswith(_MEDIA_REFUSALS):
        return ErrorClass.PERMANENT, "media_unsupported"
    if "message" in lowered and "not found" in lowered:  # to delete, to be replied to
        return ErrorClass.PERMANENT, "not_found"
    if "can't be deleted" in lowered:
        return ErrorClass.PERMANENT, "delete_refused"
    return ErrorClass.PERMANENT, "invalid_content"


def _connect_error(error: PlatformError, code: str, message: str, connecting: bool) -> PlatformError:
    """While connecting, a refusal that would disconnect an account is the person's to fix instead."""
    if not connecting or error.error_class is not ErrorClass.RECONNECT:
        return error
    return PlatformError(ErrorClass.PERMANENT, code, message, platform_code=error.platform_code)


def _refusal(code: str, message: str) -> PlatformError:
    return PlatformError(ErrorClass.PERMANENT, code, message)


def _identity(access: ChatAccess) -> AccountIdentity:
    chat = access.chat
    return AccountIdentity(
        platform_user_id=str(chat["id"]),
        username=str(chat.get("username") or chat["id"]),
        display_name=chat.get("title") if isinstance(chat.get("title"), str) else None,
        followers=access.followers,
        permissions=access.rights(),
    )


def _object(platform: TelegramPlatform, response: httpx.Response, key: str) -> dict[str, Any]:
    """The call's result, an object with `key` (an integer id, or a member's status)."""
    result = platform._result(response)
    if not isinstance(result, dict) or not isinstance(result.get(key), int | str) or isinstance(result[key], bool):
        raise http.malformed(_NETWORK, response, f"no {key} in the result")
    return result


def _message(platform: TelegramPlatform, response: httpx.Response) -> dict[str, Any]:
    result = platform._result(response)
    if not _is_message(result):
        raise http.malformed(_NETWORK, response, "no message_id in the sent message")
    return result  # type: ignore[no-any-return]


def _is_message(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("message_id"), int)


def _chat_name(chat: dict[str, Any]) -> str:
    return f"@{chat['username']}" if chat.get("username") else str(chat.get("title") or chat.get("id"))


def _caption(text: str) -> dict[str, str]:
    return {"caption": text} if text else {}


def _video_details(item: MediaItem) -> dict[str, Any]:
    """What helps Telegram show a video before it is processed: streaming, size and duration."""
    if item.kind != "video":
        return {}
    details: dict[str, Any] = {"supports_streaming": True}
    if item.width and item.height:
        details |= {"width": item.width, "height": item.height}
    if item.duration_seconds:
        details["duration"] = round(item.duration_seconds)
    return details


def _over_url_limit(item: MediaItem) -> bool:
    """Whether the file is known to be larger than Telegram fetches from a URL."""
    limit = URL_PHOTO_BYTES if item.kind == "image" else URL_FILE_BYTES
    return item.size is not None and item.size > limit


def _upload_limit(item: MediaItem) -> int:
    return UPLOAD_PHOTO_BYTES if item.kind == "image" else UPLOAD_FILE_BYTES


def _check_size(item: MediaItem) -> None:
    if item.size is not None and item.size > _upload_limit(item):
        raise _too_large(item, item.size)


def _too_large(item: MediaItem, size: int) -> PlatformError:
    what = "photo" if item.kind == "image" else "file"
    return PlatformError(
        ErrorClass.PERMANENT,
        "media_too_large",
        f"Telegram takes a {what} of at most {_upload_limit(item) // _MB} MB from a bot; this one is "
        f"{size / _MB:.1f} MB.",
    )


def _unsupported(message: str) -> PlatformError:
    return PlatformError(ErrorClass.PERMANENT, "media_unsupported", message)


def _url_refused(response: httpx.Response) -> bool:
    """Whether Telegram answered that it could not use a media URL (nothing was sent)."""
    if response.status_code != 400:
        return False
    description = str((http.body_of(response) or {}).get("description", "")).lower()
    return any(phrase in description for phrase in _URL_REFUSALS)


def _file_name(item: MediaItem) -> str:
    """The file's name from its URL path (a presigned link's query left out), else one from its type."""
    name = httpx.URL(item.url).path.rsplit("/", 1)[-1]
    if "." in name:
        return name
    extension = mimetypes.guess_extension(item.mime or "") or ""
    return f"{item.kind}{extension}"


def _form(payload: dict[str, Any]) -> dict[str, str]:
    """Multipart form values: strings as they are, booleans as true/false, objects as JSON."""
    form = {}
    for name, value in payload.items():
        if isinstance(value, bool):
            form[name] = "true" if value else "false"
        elif isinstance(value, (dict, list)):
            form[name] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            form[name] = str(value)
    return form
