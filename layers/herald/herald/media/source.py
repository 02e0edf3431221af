"""Reading media files for the networks that take uploads rather than URLs (herald.platforms.base.MediaSource).

An uploaded item's link is a presigned GET of the deployment's own bucket, fetched as it is. Any
other URL is fetched under the probe's rules (`herald.media.fetch.stream`: vetted, pinned
addresses, redirects checked again), so an adapter can never be made to read a private address.
Both stop past `max_bytes`. The image of a test-mode Unsplash photo, served nowhere, is never fetched:
its bytes are made here (herald.media.simulated)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from herald.media import simulated
from herald.media.fetch import TooLarge, rechunk, stream
from herald.media.urls import MediaUrlError, UrlProblem, display_url
from herald.platforms.base import ErrorClass, MediaItem, PlatformError

TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
READ_CHUNK = 1024 * 1024


class HttpMediaSource:
    def __init__(self, max_bytes: int, client: httpx.Client | None = None) -> None:
        self.max_bytes = max_bytes
        self._client = client

    def read(self, item: MediaItem) -> bytes:
        return b"".join(self.chunks(item, READ_CHUNK))

    def chunks(self, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        try:
            if item.uploaded:
                yield from self._uploaded(item, chunk_size)
            elif (made := simulated.image_bytes(item.url)) is not None:
                yield from self._made(made, item, chunk_size)
            else:
                yield from stream(item.url, chunk_size, max_bytes=self.max_bytes, client=self._client)
        except MediaUrlError as refused:
            error_class = ErrorClass.RETRY if refused.code == "media_unreachable" else ErrorClass.PERMANENT
            raise PlatformError(error_class, refused.code, refused.message) from refused
        except httpx.HTTPError as exc:
            raise PlatformError(ErrorClass.RETRY, "media_unreachable",
                                f"The uploaded file could not be read ({type(exc).__name__}).") from exc

    def _made(self, data: bytes, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        try:
            yield from rechunk(iter((data,)), chunk_size, self.max_bytes)
        except TooLarge as exc:
            shown = display_url(item.url)
            problem = UrlProblem("media_unreachable", f"The media URL {shown} is larger than the {self.max_bytes} "
                                                      "bytes Herald relays.")
            raise MediaUrlError(problem) from exc

    def _uploaded(self, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        client = self._client or httpx.Client(timeout=TIMEOUT)
        try:
            with client.stream("GET", item.url) as response:
                if not response.is_success:
                    problem = UrlProblem("media_unreachable", f"The uploaded file answered HTTP {response.status_code}.")
                    raise MediaUrlError(problem)
                try:
                    yield from rechunk(response.iter_bytes(chunk_size), chunk_size, self.max_bytes)
                except TooLarge as exc:
                    problem = UrlProblem("media_unreachable", "The uploaded file is too large to relay.")
                    raise MediaUrlError(problem) from exc
        finally:
            if self._client is None:
                client.close()
