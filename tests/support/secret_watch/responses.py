"""API responses the tests are shown: every answer of Herald's API function in this process
(`herald.api.handler.lambda_handler`, whoever calls it: support.apigw's ApiClient, the in-process
local cloud, tests calling the handler), and, for the local cloud run as a process by the e2e and
fuzz suites (tests/e2e/local_process.py), the HTTP answers its API port gives this process (httpx,
urllib, requests) and the process's output file (stdout and stderr)."""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from .after_import import AfterImport
from .book import API_KEY, Hit
from .patching import after_init, wrap_once
from .watcher import SHOWN_ONCE, Allowance, Watcher, json_field, shown_once

Active = Callable[[], Watcher]
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

# The local cloud's start banner (local/cloud.py `banner`) shows its admin key to whoever
# started it: the key they chose (HERALD_LOCAL_API_KEY) or the one made for them, as the README
# says ("It prints the API URL and an admin API key"). Those two lines may show that key.
BANNER_LINES = ("  API key      ", '    curl -s -H "Authorization: Bearer ')


def install(hooks: AfterImport, active: Active, origins: Origins) -> None:
    hooks.on_import("herald.api.handler", lambda module: wrap_once(
        module, "lambda_handler", lambda handler: watch_api_handler(handler, active)))
    hooks.on_import("local_process", functools.partial(_local_process, active, origins))
    hooks.on_import("httpx", functools.partial(_httpx, active, origins))
    hooks.on_import("http.client", functools.partial(_http_client, active, origins))


class Origins:
    """The API addresses of the local cloud processes started so far."""

    def __init__(self) -> None:
        self._watched: set[tuple[str, int]] = set()

    @staticmethod
    def _key(host: str | None, port: int | None) -> tuple[str, int]:
        host = (host or "").lower()
        return ("loopback" if host in _LOOPBACK else host, int(port or 80))

    def add(self, url: str) -> None:
        parts = urlsplit(url)
        self._watched.add(self._key(parts.hostname, parts.port))

    def discard(self, url: str) -> None:
        parts = urlsplit(url)
        self._watched.discard(self._key(parts.hostname, parts.port))

    def __contains__(self, address: tuple[str | None, int | None]) -> bool:
        return bool(self._watched) and self._key(*address) in self._watched


# --- Herald's API function in this process -------------------------------------------------


def watch_api_handler(handler: Callable[[Any, Any], Any], active: Active) -> Callable[[Any, Any], Any]:
    @functools.wraps(handler)
    def lambda_handler(event: Any, context: Any) -> Any:
        watcher = active()
        since = watcher.book.last_seq
        result = handler(event, context)
        if isinstance(event, dict) and isinstance(result, dict):
            saw_api_answer(watcher, event, result, since)
        return result

    return lambda_handler


def saw_api_answer(watcher: Watcher, event: dict[str, Any], result: dict[str, Any], since: int) -> None:
    http = (event.get("requestContext") or {}).get("http") or {}
    method, path = str(http.get("method", "?")), str(event.get("rawPath", "?"))
    headers = "\n".join(
        [f"{k}: {v}" for k, v in (result.get("headers") or {}).items()]
        + [f"{k}: {v}" for k, vs in (result.get("multiValueHeaders") or {}).items() for v in vs]
        + [f"set-cookie: {c}" for c in result.get("cookies") or []]) + "\n\n"
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("latin-1")
    where = f"API response {method} {path} -> {result.get('statusCode')}"
    watcher.saw(where, headers + str(body), headers=len(headers), allow=shown_once(method, path, str(body), since))


# --- the local cloud as a process ----------------------------------------------------------


def _local_process(active: Active, origins: Origins, module: ModuleType) -> None:
    def started(cloud: Any) -> None:
        watcher = active()
        watcher.secret(cloud.api_key, API_KEY, "the local cloud's admin key (HERALD_LOCAL_API_KEY)")
        origins.add(cloud.api_url)
        watcher.watch_output(cloud.log_path, f"local cloud output {cloud.log_path}", allow=banner(cloud.api_key))

    def stopping(stop: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(stop)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return stop(self, *args, **kwargs)
            finally:
                active().output_ended(Path(self.log_path))

        return wrapper

    after_init(module.LocalCloudProcess, started)
    wrap_once(module.LocalCloudProcess, "stop", stopping)


def banner(admin_key: str) -> Allowance:
    def allow(hit: Hit, text: str) -> bool:
        start = text.rfind("\n", 0, hit.start) + 1
        return hit.secret.value == admin_key and text.startswith(BANNER_LINES, start)

    return allow


def saw_http_answer(watcher: Watcher, origin: str, method: str, url: str, status: int, headers: str,
                    body: Callable[[], str]) -> None:
    """An answer of a local cloud process's API, as this process received it. Secrets made in
    that process are unknown here, except those it answers with: a key or webhook created through
    it (the answer that shows it once, after which it is watched for) and a test-mode account's
    first tokens (simulators make them from the account's id in every process)."""
    path = urlsplit(url).path
    since = watcher.book.last_seq
    headers += "\n\n"

    def text() -> str:
        return headers + body()

    def allow(hit: Hit, shown: str) -> bool:
        once = shown_once(method, path, shown[len(headers):], since)
        return once is not None and once(hit, shown)

    def learn() -> None:
        shown = body()
        route = SHOWN_ONCE.get((method.upper(), path.rstrip("/")))
        if route is not None:
            watcher.secret(json_field(shown, route[0]), route[1], f"the answer of {method} {path} ({origin})")
        _learn_test_accounts(watcher, shown, origin)

    where = f"HTTP response {method} {url} -> {status} (local cloud process)"
    watcher.saw(where, text, headers=len(headers), allow=allow, learn=learn)


_LEARNED: set[tuple[str, str]] = set()  # test-mode accounts whose first tokens are known


def _learn_test_accounts(watcher: Watcher, shown: str, origin: str) -> None:
    try:
        parsed = json.loads(shown)
    except ValueError:
        return
    stack = [parsed]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
            account, platform, user = item.get("id"), item.get("platform"), item.get("username")
            if item.get("mode") == "test" and isinstance(account, str) and account.startswith("acc_") and (
                    isinstance(platform, str) and isinstance(user, str)) and (account, user) not in _LEARNED:
                from herald.platforms.simulators import test_credentials

                _LEARNED.add((account, user))

                watcher.credentials(test_credentials(platform, account, user),
                                    f"the {platform} simulator's first tokens for {account} ({origin})")


def _httpx(active: Active, origins: Origins, module: ModuleType) -> None:
    def saw(request: Any, response: Any) -> None:
        url = request.url
        if (url.host, url.port) not in origins:
            return

        def body() -> str:
            try:
                return response.content.decode("utf-8", errors="replace")  # type: ignore[no-any-return]
            except module.ResponseNotRead:  # a stream the test did not read: it saw no body
                return ""

        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.multi_items())
        saw_http_answer(active(), f"{url.host}:{url.port}", request.method, str(url), response.status_code, headers,
                        body)

    def sending(send: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(send)
        def wrapper(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            response = send(self, request, *args, **kwargs)
            saw(request, response)
            return response

        return wrapper

    def sending_async(send: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(send)
        async def wrapper(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            response = await send(self, request, *args, **kwargs)
            saw(request, response)
            return response

        return wrapper

    wrap_once(module.Client, "send", sending)
    wrap_once(module.AsyncClient, "send", sending_async)


_CHUNKS = "_secret_watch_chunks"


def _http_client(active: Active, origins: Origins, module: ModuleType) -> None:
    """urllib and requests (urllib3) both read answers through http.client."""

    def putting(putrequest: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(putrequest)
        def wrapper(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            self._secret_watch_request = (method, url)
            return putrequest(self, method, url, *args, **kwargs)

        return wrapper

    def answering(getresponse: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(getresponse)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            response = getresponse(self, *args, **kwargs)
            if (self.host, self.port) in origins:
                chunks: list[bytes] = []
                setattr(response, _CHUNKS, chunks)
                method, url = getattr(self, "_secret_watch_request", ("?", "?"))
                saw_http_answer(active(), f"{self.host}:{self.port}", method, f"http://{self.host}:{self.port}{url}",
                                response.status, str(response.msg),
                                lambda: b"".join(chunks).decode("utf-8", errors="replace"))
            return response

        return wrapper

    def reading(read: Callable[..., Any], own: bool = True) -> Callable[..., Any]:
        @functools.wraps(read)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            chunked = self.chunked  # before the read: the end of the answer may close it
            data = read(self, *args, **kwargs)
            chunks = getattr(self, _CHUNKS, None)
            if chunks is not None and data and (own or not chunked):
                chunks.append(bytes(data))
            return data

        return wrapper

    def reading_into(readinto: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(readinto)
        def wrapper(self: Any, buffer: Any, *args: Any, **kwargs: Any) -> Any:
            count = readinto(self, buffer, *args, **kwargs)
            chunks = getattr(self, _CHUNKS, None)
            if chunks is not None and count:
                chunks.append(bytes(memoryview(buffer)[:count]))
            return count

        return wrapper

    wrap_once(module.HTTPConnection, "putrequest", putting)
    wrap_once(module.HTTPConnection, "getresponse", answering)
    wrap_once(module.HTTPResponse, "read", reading)
    wrap_once(module.HTTPResponse, "read1", reading)
    # A chunked answer's readline reads through read(), which keeps what it reads already.
    wrap_once(module.HTTPResponse, "readline", lambda readline: reading(readline, own=False))
    wrap_once(module.HTTPResponse, "readinto", reading_into)
