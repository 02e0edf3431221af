"""Unsplash's photo library for `unsplash` on posts (the posts' `UnsplashPhotos` port): the
lookups Herald makes, the download trigger, and how Unsplash's answers become credits and errors.

Requests (https://api.unsplash.com, each with `Authorization: Client-ID <access key>` and
`Accept-Version: v1`, 5 s per call, 15 s for one post's lookups):

- `GET /photos/random` (`query=<term>` for `random:<term>`), `content_filter=high`;
- `GET /search/photos?query=<term>&per_page=1&content_filter=high`: the most relevant photo;
- `GET /photos/{id}`;
- when a photo goes into a post, `GET links.download_location` (only ever on api.unsplash.com):
  Unsplash counts it as a download, as its API guidelines ask of an app that uses a photo.

The post hotlinks the photo's `urls.regular` as Unsplash gave it (a 1080 px wide JPEG; its `ixid`
kept, which is how Unsplash counts views), and credits it: "Photo by <name> on Unsplash", with the
photographer's profile, the photo's page and Unsplash's home page carrying
`utm_source=<app name>&utm_medium=referral`.

What a request names (`parse`): a string is `random`, `random:<term>`, a photo id (11 characters
of letters, digits, `_` and `-`; searched for as a term when Unsplash knows no such photo, since
`photography` has 11 letters too) or a search term; a list holds photo ids only (at most 10).

Errors: no access key -> UnsplashNotConfigured (422); 401/403 -> UnsplashRefused (422); a 429, or
a 403 with `X-Ratelimit-Remaining: 0` (how Unsplash answers a spent hourly limit) -> TooManyRequests
(429 rate_limited); nothing found -> UnsplashNotFound (422); 5xx, timeouts, transport failures and
malformed answers -> UnsplashUnavailable (503, retry). httpx is imported on first use only: the API
function does not pay for it unless a post asks for Unsplash."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from herald.errors import InvalidRequest, TooManyRequests
from herald.posts.model import MediaCredit
from herald.posts.ports import (
    FoundPhoto,
    UnsplashNotConfigured,
    UnsplashNotFound,
    UnsplashRefused,
    UnsplashUnavailable,
)

if TYPE_CHECKING:
    import httpx

API = "https://api.unsplash.com"
API_HOST = "api.unsplash.com"
HOME = "https://unsplash.com/"
PHOTO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
MAX_PHOTOS = 10
MAX_TERM_LENGTH = 100
CALL_TIMEOUT_SECONDS = 5.0
DEADLINE_SECONDS = 15.0  # for all the lookups of one post: the API function has 30 s
CONTENT_FILTER = "high"  # random and search leave out photos Unsplash deems unsuitable for brands


@dataclass(frozen=True)
class Ask:
    """One photo asked for: a random one (of `value`'s matches, if given), one by id, or a search's
    first result. `or_search`: an id that Unsplash does not know is searched for instead."""

    kind: Literal["random", "id", "search"]
    value: str | None = None
    or_search: bool = False


def parse(asked: str | Sequence[str]) -> list[Ask]:
    """What `unsplash` names (see the module's rules); InvalidRequest for anything else."""
    if isinstance(asked, str):
        text = asked.strip()
        if not text or len(text) > MAX_TERM_LENGTH:
            raise InvalidRequest(
                f"`unsplash` is 1 to {MAX_TERM_LENGTH} characters: random, random:<term>, a photo id or a search term.",
                details=[{"field": "unsplash", "issue": "invalid"}],
            )
        lowered = text.lower()
        if lowered == "random":
            return [Ask("random")]
        if lowered.startswith("random:"):
            return [Ask("random", text[len("random:"):].strip() or None)]
        if PHOTO_ID.fullmatch(text):
            return [Ask("id", text, or_search=True)]
        return [Ask("search", text)]
    items = list(asked)
    if len(items) > MAX_PHOTOS:
        raise InvalidRequest(
            f"`unsplash` names at most {MAX_PHOTOS} photos.", details=[{"field": "unsplash", "issue": "too_many"}]
        )
    wrong = [n for n, item in enumerate(items) if not isinstance(item, str) or not PHOTO_ID.fullmatch(item)]
    if wrong:
        raise InvalidRequest(
            "A list in `unsplash` holds Unsplash photo ids (11 letters, digits, _ or -); give a search term or "
            "random as a single string.",
            details=[{"field": f"unsplash[{n}]", "issue": "not_an_unsplash_id"} for n in wrong],
        )
    return [Ask("id", item) for item in items]


def with_referral(url: str, app_name: str) -> str:
    """`url` with `utm_source=<app name>&utm_medium=referral` (replacing any it had)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("utm_source", "utm_medium")]
    query += [("utm_source", app_name), ("utm_medium", "referral")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def found_photo(body: Any, app_name: str) -> FoundPhoto:
    """A photo object as Unsplash documents it -> the credit and download location Herald keeps;
    UnsplashUnavailable when a field Herald needs is missing."""
    try:
        photo_id, regular = body["id"], body["urls"]["regular"]
        page, download = body["links"]["html"], body["links"]["download_location"]
        user = body["user"]
        username = user["username"]
        name = user.get("name") or username
        profile = (user.get("links") or {}).get("html") or f"{HOME}@{username}"
    except (KeyError, TypeError) as exc:
        raise _malformed(f"a photo without {exc}") from exc
    if not all(isinstance(v, str) and v for v in (photo_id, regular, page, download, username, name, profile)):
        raise _malformed("a photo with an empty or non-text field")
    description = body.get("alt_description") or body.get("description")
    credit = MediaCredit(
        media_url=regular,
        photo_id=photo_id,
        photographer=name,
        photographer_username=username,
        photographer_url=with_referral(profile, app_name),
        photo_url=with_referral(page, app_name),
        source_url=with_referral(HOME, app_name),
        description=description if isinstance(description, str) else None,
    )
    return FoundPhoto(credit=credit, download_location=download)


class UnsplashClient:
    """The Unsplash API calls, with one access key over one httpx client. Lookups answer the
    photo object, or None when Unsplash has none (404, or no search result)."""

    def __init__(self, http: httpx.Client, access_key: str, *, deadline_seconds: float = DEADLINE_SECONDS) -> None:
        self._http = http
        self._key = access_key
        self._deadline = time.monotonic() + deadline_seconds

    def close(self) -> None:
        self._http.close()

    def photo(self, photo_id: str) -> dict[str, Any] | None:
        return self._object(self._get(f"{API}/photos/{photo_id}"))

    def random(self, query: str | None = None) -> dict[str, Any] | None:
        params = {"content_filter": CONTENT_FILTER, **({"query": query} if query else {})}
        return self._object(self._get(f"{API}/photos/random", params))

    def search_first(self, query: str) -> dict[str, Any] | None:
        answer = self._get(f"{API}/search/photos", {"query": query, "per_page": "1", "content_filter": CONTENT_FILTER})
        body = self._object(answer)
        if body is None:
            return None
        results = body.get("results")
        if not isinstance(results, list):
            raise _malformed("a search answer without results")
        if not results:
            return None
        if not isinstance(results[0], dict):
            raise _malformed("a search result that is not a photo")
        return results[0]

    def track_download(self, download_location: str, photo_id: str) -> None:
        """Tell Unsplash the photo was used. The access key only ever goes to api.unsplash.com:
        another location is replaced by the photo's documented download endpoint."""
        parts = urlsplit(download_location)
        if parts.scheme != "https" or parts.hostname != API_HOST or parts.port not in (None, 443):
            download_location = f"{API}/photos/{photo_id}/download"
        self._get(download_location)

    def _get(self, url: str, params: dict[str, str] | None = None) -> httpx.Response | None:
        """The answer to a GET, None for a 404; Unsplash's refusals and failures raised."""
        import httpx

        if time.monotonic() > self._deadline:
            raise UnsplashUnavailable(
                "Unsplash answered too slowly for this request; nothing was saved: try again.",
                details=[{"field": "unsplash", "issue": "unsplash_unavailable"}],
            )
        headers = {"Authorization": f"Client-ID {self._key}", "Accept-Version": "v1"}
        try:
            response = self._http.get(url, params=params, headers=headers)
        except httpx.HTTPError as exc:
            reason = "did not answer in time" if isinstance(exc, httpx.TimeoutException) else "could not be reached"
            raise UnsplashUnavailable(
                f"Unsplash {reason} ({type(exc).__name__}); nothing was saved: try again.",
                details=[{"field": "unsplash", "issue": "unsplash_unavailable"}],
            ) from exc
        if response.status_code == 404:
            return None
        _raise_for(response)
        return response

    @staticmethod
    def _object(response: httpx.Response | None) -> dict[str, Any] | None:
        if response is None:
            return None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise _malformed("a body that is not a JSON object")
        return body


def _raise_for(response: httpx.Response) -> None:
    status = response.status_code
    if response.is_success:
        return
    detail = _errors_text(response)
    remaining = response.headers.get("x-ratelimit-remaining")
    if status == 429 or (status == 403 and (remaining == "0" or "rate limit" in detail.lower())):
        limit = response.headers.get("x-ratelimit-limit")
        raise TooManyRequests(
            "Unsplash's hourly request limit for this deployment's access key is used up"
            + (f" ({limit} requests an hour)" if limit else "") + "; nothing was saved: try again later.",
            details=[{"field": "unsplash", "issue": "rate_limited", **({"limit": int(limit)} if limit and limit.isdigit()
                                                                      else {})}],
        )
    if status >= 500:
        raise UnsplashUnavailable(
            f"Unsplash is unavailable (HTTP {status}); nothing was saved: try again.",
            details=[{"field": "unsplash", "issue": "unsplash_unavailable", "status": status}],
        )
    if status in (401, 403):
        raise UnsplashRefused(
            f"Unsplash refused the deployment's access key (HTTP {status}: {detail}). Check the Unsplash app's "
            "Access Key (HERALD_UNSPLASH_ACCESS_KEY, or the SSM parameter .../apps/unsplash/client_id).",
            details=[{"field": "unsplash", "issue": "unsplash_refused", "status": status}],
        )
    raise UnsplashRefused(
        f"Unsplash refused the request (HTTP {status}: {detail}).",
        details=[{"field": "unsplash", "issue": "unsplash_refused", "status": status}],
    )


def _errors_text(response: httpx.Response) -> str:
    """Unsplash's `{"errors": [...]}` as one line, else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip() or "no detail"
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors:
        return "; ".join(str(e) for e in errors)[:300]
    return "no detail"


def _malformed(what: str) -> UnsplashUnavailable:
    return UnsplashUnavailable(
        f"Unsplash answered with {what}; nothing was saved: try again.",
        details=[{"field": "unsplash", "issue": "unsplash_unavailable"}],
    )


class UnsplashLibrary:
    """The `UnsplashPhotos` port: Unsplash itself with the deployment's access key (read when a
    post first asks, so a deployment that never uses Unsplash never looks for one), or in test
    mode the built-in simulator (herald.platforms.simulators.unsplash), offline.

    `transport` replaces the live HTTP transport (tests)."""

    def __init__(
        self, access_key: Callable[[], str | None], app_name: str, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._access_key = access_key
        self._app_name = app_name
        self._transport = transport

    def find(self, asked: str | Sequence[str], *, test: bool) -> list[FoundPhoto]:
        asks = parse(asked)
        client = self._client(test)
        try:
            return [self._one(client, ask) for ask in asks]
        finally:
            client.close()

    def mark_used(self, photo: FoundPhoto, *, test: bool) -> None:
        client = self._client(test)
        try:
            client.track_download(photo.download_location, photo.credit.photo_id)
        finally:
            client.close()

    def _one(self, client: UnsplashClient, ask: Ask) -> FoundPhoto:
        if ask.kind == "random":
            body = client.random(ask.value)
            missing = f"Unsplash has no photo for {ask.value!r}." if ask.value else "Unsplash answered no photo."
        elif ask.kind == "id":
            assert ask.value is not None
            body = client.photo(ask.value)
            if body is None and ask.or_search:
                body = client.search_first(ask.value)
                missing = f"Unsplash has no photo with the id {ask.value!r}, and finds none searching for it."
            else:
                missing = f"Unsplash has no photo with the id {ask.value!r}."
        else:
            assert ask.value is not None
            body = client.search_first(ask.value)
            missing = f"Unsplash finds no photo for {ask.value!r}."
        if body is None:
            raise UnsplashNotFound(missing, details=[{"field": "unsplash", "value": ask.value, "issue": "not_found"}])
        return found_photo(body, self._app_name)

    def _client(self, test: bool) -> UnsplashClient:
        import httpx

        timeout = httpx.Timeout(CALL_TIMEOUT_SECONDS, connect=3.0)
        if test:
            from herald.platforms.simulators import TEST_CLIENT_ID
            from herald.platforms.simulators.unsplash import handle

            return UnsplashClient(httpx.Client(transport=httpx.MockTransport(handle), timeout=timeout), TEST_CLIENT_ID)
        key = self._access_key()
        if not key:
            raise UnsplashNotConfigured(
                "Unsplash is not configured on this deployment: create an app at unsplash.com/developers and set its "
                "Access Key as HERALD_UNSPLASH_ACCESS_KEY or the SSM SecureString "
                "/<stack>/herald/apps/unsplash/client_id.",
                details=[{"field": "unsplash", "issue": "unsplash_not_configured"}],
            )
        http = httpx.Client(transport=self._transport, timeout=timeout, follow_redirects=False)
        return UnsplashClient(http, key)
