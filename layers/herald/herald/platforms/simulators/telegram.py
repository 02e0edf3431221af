"""Simulated Telegram Bot API (api.telegram.org) for test-mode accounts.

Answers the calls `TelegramPlatform` makes, in the Bot API's shapes, built from the recorded
exchanges in `recordings/telegram.json`: `{"ok": true, "result": ...}` and `{"ok": false,
"error_code", "description", "parameters"?}`, Message objects with integer message ids, channel
ids of the -100... form, `/bot{token}/{method}` URLs. Parameters are read the four ways the Bot
API takes them (query string, form, JSON, multipart). What it checks as Telegram does: the token
(401 Unauthorized otherwise), the chat (400 chat not found), text of 1-4096 and captions of at most
1024 UTF-16 code units, albums of 2-10 photos and videos, replies to messages that exist, media
URLs Telegram could fetch (a loopback, private or single-label host cannot be: 400 failed to get
HTTP URL content), uploads of at most 10 MB for photos and 50 MB for other files (413), deletes
within 48 hours. Telegram does not document its error descriptions; the ones used here are those
its servers are seen to send.

Each account is one channel the bot administers (its chat id and username are in the account's
tokens). Message ids grow from the time (so a new process does not hand out an id again).
Failure injection: see `herald.platforms.simulators`; it applies to the send* calls. Telegram
tokens do not expire, so `expired_token` answers as `revoked_token` does: 401 from then on for
that token. A reconnect with another token is honoured (`for_account` adopts it). `duplicate`
changes nothing: Telegram sends a repeated message again.

Connecting (`connect_handler`): any well-formed bot token (digits, a colon, 30 or more
URL-safe characters) that no account here has had revoked belongs to a bot whose id is its
digits. `@username` chats are public channels and `-100...` ids private ones; the bot is an
administrator with the right to post, except in channels whose username contains "noadmin"
(where it has left the chat), for trying the refusal.

Counts: the Bot API shows no post metrics, so there are none; a channel's member count
(getChatMemberCount, its followers) grows day by day (`common.grown_followers`)."""

from __future__ import annotations

import base64
import copy
import functools
import ipaddress
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qsl

import httpx

from herald.platforms.simulators import LOCK, SimulatedAccount, accounts_on, simulated_now, stable_digest
from herald.platforms.simulators.common import Refused, Simulator, grown_followers, request_json
from herald.platforms.telegram import (
    MAX_ALBUM,
    MAX_CAPTION_UNITS,
    MAX_TEXT_UNITS,
    MIN_ALBUM,
    UPLOAD_FILE_BYTES,
    UPLOAD_PHOTO_BYTES,
)
from herald.text.counting import utf16_units

if TYPE_CHECKING:
    from herald.accounts.model import Account

HOST = "api.telegram.org"
RECORDINGS = Path(__file__).with_name("recordings") / "telegram.json"
RETRY_AFTER_SECONDS = 60
DELETE_WINDOW = timedelta(hours=48)
NOADMIN_MARK = "noadmin"
_ID_EPOCH = 1_735_689_600  # 2025-01-01: message ids count seconds from here, then up one by one
_last_message_id = 0  # process-wide (guarded by LOCK)
_usernames: dict[int, str] = {}  # channel id -> username of the channels named so far (guarded by LOCK)
_PATH = re.compile(r"^/bot([^/]+)/([A-Za-z]+)$")
_TOKEN = re.compile(r"^(\d+):[A-Za-z0-9_-]{30,}$")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_FILE_PARAMETERS = {"sendPhoto": "photo", "sendVideo": "video", "sendAnimation": "animation"}
_SENDS = frozenset({"sendMessage", "sendMediaGroup", *_FILE_PARAMETERS})


# --- the recorded exchanges ------------------------------------------------------------------


@functools.cache
def _recordings() -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in json.loads(RECORDINGS.read_text(encoding="utf-8"))}


def recording(name: str) -> dict[str, Any]:
    """A copy of the recorded exchange `name`: {"name", "source", "request", "response"}."""
    return copy.deepcopy(_recordings()[name])


def recorded_result(name: str) -> Any:
    """A copy of the `result` of a recorded success."""
    return recording(name)["response"]["body"]["result"]


def _recorded_error(name: str, **parameters: Any) -> httpx.Response:
    """The recorded error answer `name`, its `parameters` (e.g. retry_after) replaced."""
    response = recording(name)["response"]
    body = response["body"]
    if isinstance(body, str):
        return httpx.Response(response["status"], text=body, headers=response.get("headers"))
    if parameters:
        body["parameters"] = parameters
        if "retry_after" in parameters:
            body["description"] = f"Too Many Requests: retry after {parameters['retry_after']}"
    return httpx.Response(response["status"], json=body)


def _bad_request(description: str) -> httpx.Response:
    return httpx.Response(400, json={"ok": False, "error_code": 400, "description": f"Bad Request: {description}"})


def _not_found() -> httpx.Response:
    return httpx.Response(404, json={"ok": False, "error_code": 404, "description": "Not Found"})


def _ok(result: Any) -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "result": result})


# --- parameters ------------------------------------------------------------------------------


def multipart(request: httpx.Request) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
    """The form fields and files (name -> (filename, bytes, content type)) of a multipart request."""
    boundary = re.search(r'boundary="?([^";]+)"?', request.headers.get("content-type", ""))
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    if boundary is None:
        return fields, files
    for part in request.content.split(b"--" + boundary.group(1).encode())[1:-1]:
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = {
            key.strip().lower(): value.strip()
            for key, _, value in (line.partition(":") for line in head.decode("utf-8").split("\r\n"))
        }
        disposition = headers.get("content-disposition", "")
        field = re.search(r'(?:^|;)\s*name="([^"]*)"', disposition)
        filename = re.search(r'(?:^|;)\s*filename="([^"]*)"', disposition)
        data = data.removesuffix(b"\r\n")
        if field is None:
            continue
        if filename is None:
            fields[field.group(1)] = data.decode("utf-8")
        else:
            files[field.group(1)] = (filename.group(1), data, headers.get("content-type", "application/octet-stream"))
    return fields, files


def _parameters(request: httpx.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes, str]]]:
    """A call's parameters, passed any of the four ways the Bot API takes them, and its files."""
    params: dict[str, Any] = dict(request.url.params)
    content_type = request.headers.get("content-type", "")
    files: dict[str, tuple[str, bytes, str]] = {}
    if content_type.startswith("application/json"):
        body = request_json(request)
        if not isinstance(body, dict):
            raise Refused(_bad_request("invalid JSON object in the request body"))
        params |= body
    elif content_type.startswith("application/x-www-form-urlencoded"):
        params |= dict(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
    elif content_type.startswith("multipart/form-data"):
        fields, files = multipart(request)
        params |= fields
    return params, files


def _decoded(value: Any) -> Any:
    """A JSON-serialized object or array as sent in a form or multipart field; the value itself otherwise."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and re.fullmatch(r"-?\d+", value) else None


def _boolean(value: Any) -> bool:
    return value is True or value == "true"


# --- identities ------------------------------------------------------------------------------


def initial_tokens(account_id: str, username: str) -> dict[str, str]:
    bot_id = 10**9 + int.from_bytes(stable_digest("tg-bot", account_id)[:8], "big") % (9 * 10**9)
    secret = base64.urlsafe_b64encode(stable_digest("tg-token", account_id)).decode("ascii")[:35]
    tokens = {"bot_token": f"{bot_id}:{secret}", "bot_id": str(bot_id)}
    if _USERNAME.match(username):
        return tokens | {"chat_id": str(channel_id(username)), "chat_username": username}
    return tokens | {"chat_id": str(channel_id(f"account:{account_id}"))}


def channel_id(seed: str) -> int:
    """A channel id of the -100... form (13 digits after the minus), the same in every process."""
    return -(10**12 + 10**9 + int.from_bytes(stable_digest("tg-chat", seed.lower())[:8], "big") % (9 * 10**9))


def _bot(token: str) -> dict[str, Any]:
    bot_id = int(token.partition(":")[0])
    names = {"first_name": "Herald test bot", "username": f"herald_{bot_id}_bot"}
    return recorded_result("getMe") | {"id": bot_id} | names


def _chat(chat_id: int, username: str | None) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "title": f"Test channel {username or chat_id}", "type": "channel"}
    return chat | {"username": username} if username else chat


def _full_chat(chat: dict[str, Any]) -> dict[str, Any]:
    """getChat's ChatFullInfo: the recorded one with this chat's id, title and username."""
    full = {key: value for key, value in recorded_result("getChat").items() if key != "username"}
    return full | chat | {"description": f"A simulated channel ({chat['title']})"}


def _member(bot: dict[str, Any], chat: dict[str, Any]) -> dict[str, Any]:
    """The bot in the chat: the recorded administrator, or (channels marked noadmin) gone."""
    user = {key: bot[key] for key in ("id", "is_bot", "first_name", "username")}
    if NOADMIN_MARK in str(chat.get("username", "")).lower():
        return {"user": user, "status": "left"}
    return recorded_result("getChatMember") | {"user": user}


def _member_count(chat_id: int) -> int:
    """The channel's members now: they grow with time."""
    return grown_followers(f"telegram:{chat_id}", simulated_now())


def _named_chat(ref: Any) -> dict[str, Any] | None:
    """The chat a connect call names: @username (a public channel, remembered so that its id names
    it again) or a -100... id (a private channel, unless named before); None otherwise. Call with
    LOCK held."""
    if isinstance(ref, str) and ref.startswith("@") and _USERNAME.match(ref[1:]):
        chat = _chat(channel_id(ref[1:]), ref[1:])
        _usernames[chat["id"]] = ref[1:]
        return chat
    number = _integer(ref)
    return _chat(number, _usernames.get(number)) if number is not None and str(number).startswith("-100") else None


def _revoked(token: str) -> bool:
    """Whether an account this process knows has had `token` revoked (or expired). Call with LOCK held."""
    return any(state.token_expired and state.tokens.get("bot_token") == token for state in accounts_on("telegram"))


def connect_handler(request: httpx.Request) -> httpx.Response:
    """The calls `TelegramPlatform.connect_with_fields` makes before any account exists."""
    if request.url.host != HOST:
        raise httpx.ConnectError(f"the Telegram simulator does not serve {request.url.host}", request=request)
    path = _PATH.match(request.url.path)
    if path is None:
        return _not_found()
    token, method = path.groups()
    try:
        params, _ = _parameters(request)
    except Refused as refused:
        return refused.response
    with LOCK:
        if not _TOKEN.match(token) or _revoked(token):
            return _recorded_error("error: unauthorized")
        chat = _named_chat(params.get("chat_id"))
    bot = _bot(token)
    if method == "getMe":
        return _ok(bot)
    if chat is None:
        return _recorded_error("error: chat not found")
    if method == "getChat":
        return _ok(_full_chat(chat))
    if method == "getChatMember":
        if _integer(params.get("user_id")) != bot["id"]:
            return _bad_request("user not found")
        return _ok(_member(bot, chat))
    if method == "getChatMemberCount":
        return _ok(_member_count(chat["id"]))
    return _not_found()


def _next_message_id(now: datetime) -> int:
    """Call with LOCK held."""
    global _last_message_id
    _last_message_id = max(_last_message_id + 1, int(now.timestamp()) - _ID_EPOCH)
    return _last_message_id


def _fetchable(url: str) -> bool:
    """Whether Telegram's servers could fetch `url`: http(s) on a public, dotted host."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return False
    host = parsed.host.lower()
    if parsed.scheme not in ("http", "https") or "." not in host:
        return False
    if host.endswith((".local", ".internal", ".localhost")):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return True  # a domain name


class TelegramSimulator(Simulator):
    network = "telegram"

    @classmethod
    def for_account(cls, account: Account) -> Self:
        """The account's simulator; a bot token other than the one held (a reconnect after the old
        one was revoked) is adopted, as Telegram honours the token @BotFather issued last."""
        simulator = super().for_account(account)
        stored = account.credentials.get("bot_token")
        with LOCK:
            state = simulator.state()
            if stored and stored != state.tokens["bot_token"]:
                state.tokens.update(account.credentials)
                state.token_expired = state.revoked = False
        return simulator

    def route(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != HOST:
            raise httpx.ConnectError(f"the Telegram simulator does not serve {request.url.host}", request=request)
        path = _PATH.match(request.url.path)
        if path is None:
            return _not_found()
        method = path.group(2)
        if method in _SENDS:
            return self._send(request, method)
        params, _ = _parameters(request)
        with LOCK:
            state = self.authorized(request)
            routes = {
                "getMe": self._get_me,
                "getChat": self._get_chat,
                "getChatMember": self._get_chat_member,
                "getChatMemberCount": self._get_chat_member_count,
                "deleteMessage": self._delete_message,
                "deleteMessages": self._delete_messages,
            }
            if method not in routes:
                return _not_found()
            return routes[method](state, params)

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        path = _PATH.match(request.url.path)
        if path is None or path.group(1) != state.tokens["bot_token"] or state.token_expired:
            return _recorded_error("error: unauthorized")
        return None

    # --- getMe, getChat, getChatMember, getChatMemberCount (LOCK held) ------------------------

    def _get_me(self, state: SimulatedAccount, params: dict[str, Any]) -> httpx.Response:
        return _ok(_bot(state.tokens["bot_token"]))

    def _get_chat(self, state: SimulatedAccount, params: dict[str, Any]) -> httpx.Response:
        return _ok(_full_chat(_own_chat(state, params)))

    def _get_chat_member(self, state: SimulatedAccount, params: dict[str, Any]) -> httpx.Response:
        chat = _own_chat(state, params)
        bot = _bot(state.tokens["bot_token"])
        if _integer(params.get("user_id")) != bot["id"]:
            return _bad_request("user not found")
        return _ok(_member(bot, chat))

    def _get_chat_member_count(self, state: SimulatedAccount, params: dict[str, Any]) -> httpx.Response:
        return _ok(_member_count(_own_chat(state, params)["id"]))

    # --- deleteMessage, deleteMessages (LOCK held) -------------------------------------------

    def _delete_message(self, state: SimulatedAccount, params: dict[str, Any]) -> httpx.Response:
        _own_chat(state, params)
        post = state.posts.get(str(_integer(params.get("message_id"))))
        if post is None:
            return _recorded_error("error: message to delete not found")
        if simulated_now() - datetime.fromtimestamp(post["date"], UTC) > DELETE_WINDOW:
            return _recorded_error("error: message can't be deleted")
        del state.posts[str(post["message_id"])]
        return _ok(True)

    def _delete_messages(self, state: SimulatedAccount, params: dict[str, Any]) -> httpx.Response:
        _own_chat(state, params)
        ids = _decoded(params.get("message_ids"))
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100 or any(_integer(i) is None for i in ids):
            return _bad_request("message identifiers must be a list of 1-100 integers")
        for message_id in ids:  # the ones it cannot find are skipped
            state.posts.pop(str(_integer(message_id)), None)
        return _ok(True)

    # --- sendMessage, sendPhoto, sendVideo, sendAnimation, sendMediaGroup --------------------

    def _send(self, request: httpx.Request, method: str) -> httpx.Response:
        now = simulated_now()
        with LOCK:
            failure = self.take_create_failure(request)
            if failure == "rate_limited":
                return _recorded_error("error: too many requests", retry_after=RETRY_AFTER_SECONDS)
            if failure == "server_error":
                return _recorded_error("error: service unavailable")
            state = self.authorized(request)
            params, files = _parameters(request)
            chat = _own_chat(state, params)
            reply_to = _reply_to(state, params)
            contents = _contents(method, params, files)
            group = str(int(now.timestamp() * 1000)) if method == "sendMediaGroup" else None
            sent = [_store(state, chat, content, reply_to, group, now) for content in contents]
        if (lost := self.after_write(failure, request, "the message was sent")) is not None:
            return lost
        return _ok(sent if method == "sendMediaGroup" else sent[0])


# --- the chat, replies and contents, called with LOCK held -----------------------------------


def _own_chat(state: SimulatedAccount, params: dict[str, Any]) -> dict[str, Any]:
    """The account's channel when `chat_id` names it (by id or @username); Refused otherwise."""
    chat = _chat(int(state.tokens["chat_id"]), state.tokens.get("chat_username"))
    ref = params.get("chat_id")
    username = chat.get("username")
    if _integer(ref) == chat["id"] or (username and isinstance(ref, str) and ref.lower() == f"@{username}".lower()):
        return chat
    raise Refused(_recorded_error("error: chat not found"))


def _reply_to(state: SimulatedAccount, params: dict[str, Any]) -> dict[str, Any] | None:
    reply = _decoded(params.get("reply_parameters"))
    if reply is None:
        return None
    message_id = _integer(reply.get("message_id")) if isinstance(reply, dict) else None
    if message_id is None:
        raise Refused(_bad_request("invalid reply parameters specified"))
    parent = state.posts.get(str(message_id))
    if parent is None:
        raise Refused(_recorded_error("error: replied message not found"))
    return {key: value for key, value in parent["message"].items() if key != "reply_to_message"}


def _contents(method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes, str]]) -> list[dict[str, Any]]:
    """What each message of a send holds: its text or caption, media and options; Refused when
    Telegram would refuse the call."""
    options = {"protect_content": _boolean(params.get("protect_content"))}
    if method == "sendMessage":
        return [_text_content(params) | options]
    if method in _FILE_PARAMETERS:
        parameter = _FILE_PARAMETERS[method]
        media = _input_file(params.get(parameter), files, parameter, kind=parameter)
        return [{"media": [media], **_caption(params.get("caption")), **options}]
    return [content | options for content in _album(params, files)]


def _text_content(params: dict[str, Any]) -> dict[str, Any]:
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise Refused(_recorded_error("error: message text is empty"))
    if utf16_units(text) > MAX_TEXT_UNITS:
        raise Refused(_recorded_error("error: message too long"))
    content: dict[str, Any] = {"text": text}
    preview = _decoded(params.get("link_preview_options"))
    if preview is not None:
        if not isinstance(preview, dict) or not isinstance(preview.get("url", ""), str):
            raise Refused(_bad_request("can't parse link preview options"))
        content["link_preview_options"] = preview
    return content


def _caption(caption: Any) -> dict[str, str]:
    if caption is None or caption == "":
        return {}
    if not isinstance(caption, str) or utf16_units(caption) > MAX_CAPTION_UNITS:
        raise Refused(_recorded_error("error: caption too long"))
    return {"caption": caption}


def _album(params: dict[str, Any], files: dict[str, tuple[str, bytes, str]]) -> list[dict[str, Any]]:
    media = _decoded(params.get("media"))
    if not isinstance(media, list) or not MIN_ALBUM <= len(media) <= MAX_ALBUM:
        raise Refused(_bad_request(f"media must be an array of {MIN_ALBUM}-{MAX_ALBUM} InputMedia"))
    contents = []
    for entry in media:
        if not isinstance(entry, dict) or entry.get("type") not in ("photo", "video"):
            raise Refused(_bad_request("an album holds photos and videos here: wrong type of the media"))
        item = _input_file(entry.get("media"), files, None, kind=entry["type"])
        contents.append({"media": [item], **_caption(entry.get("caption"))})
    return contents


def _input_file(
    value: Any, files: dict[str, tuple[str, bytes, str]], parameter: str | None, *, kind: str
) -> dict[str, Any]:
    """Where a file came from (a URL Telegram fetched, or an upload) and its size; Refused when
    Telegram could not use it. `parameter` names a file part sent under the parameter itself."""
    if value is None and parameter in files:
        value = f"attach://{parameter}"
    if isinstance(value, str) and value.startswith("attach://"):
        part = files.get(value.removeprefix("attach://"))
        if part is None:
            raise Refused(_bad_request(f"file {value} not found in the request"))
        name, data, content_type = part
        if len(data) > (UPLOAD_PHOTO_BYTES if kind == "photo" else UPLOAD_FILE_BYTES):
            raise Refused(_recorded_error("error: upload too large"))
        return {"kind": kind, "source": "upload", "filename": name, "content_type": content_type, "size": len(data)}
    if not isinstance(value, str) or not value.lower().startswith(("http://", "https://")):
        raise Refused(_recorded_error("error: wrong file identifier or URL"))  # never-issued file_ids too
    if not _fetchable(value):
        raise Refused(_recorded_error("error: URL content not fetched"))
    return {"kind": kind, "source": "url", "url": value}


def _store(
    state: SimulatedAccount,
    chat: dict[str, Any],
    content: dict[str, Any],
    reply_to: dict[str, Any] | None,
    group: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Keep one sent message and answer it as the Bot API's Message."""
    message_id = _next_message_id(now)
    message: dict[str, Any] = {"message_id": message_id, "sender_chat": chat, "chat": chat}
    message["date"] = int(now.timestamp())
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    if group is not None:
        message["media_group_id"] = group
    for key in ("text", "link_preview_options", "caption"):
        if key in content:
            message[key] = content[key]
    if content.get("protect_content"):
        message["has_protected_content"] = True
    for item in content.get("media", []):
        message |= _media_fields(item, message_id)
    state.posts[str(message_id)] = {
        "message_id": message_id,
        "date": message["date"],
        "text": content.get("text", content.get("caption", "")),
        "media": content.get("media", []),
        "reply_to": reply_to["message_id"] if reply_to else None,
        "media_group_id": group,
        "message": message,
    }
    return message


def _media_fields(item: dict[str, Any], message_id: int) -> dict[str, Any]:
    """The Message fields of a sent file, shaped as the recorded ones with ids of this message."""
    suffix = base64.urlsafe_b64encode(stable_digest("tg-file", str(message_id), item["kind"])).decode("ascii")
    if item["kind"] == "photo":
        sizes = recorded_result("sendPhoto by URL")["photo"]
        return {"photo": [size | {"file_id": f"AgAC{suffix}{n}", "file_unique_id": f"AQAD{suffix[:12]}{n}"}
                          for n, size in enumerate(sizes)]}
    if item["kind"] == "video":
        video = recorded_result("sendVideo by URL")["video"]
        return {"video": video | {"file_id": f"BAAC{suffix}", "file_unique_id": f"AgAD{suffix[:12]}",
                                  "file_size": item.get("size", video["file_size"])}}
    animation = recorded_result("sendAnimation by URL")["animation"]
    animation |= {"file_id": f"CgAC{suffix}", "file_unique_id": f"AgAD{suffix[:12]}"}
    return {"animation": animation, "document": animation}
