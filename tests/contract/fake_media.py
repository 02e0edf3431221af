"""Media bytes in memory for contract tests: the adapters' MediaSource without the network."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from herald.platforms.base import ErrorClass, MediaItem, PlatformError


class FakeMedia:
    """Media bytes in memory, by URL; records how each file was read. A URL it does not hold
    answers as an unreachable file would (a retryable `media_unreachable`)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.calls: list[tuple[Any, ...]] = []

    def read(self, item: MediaItem) -> bytes:
        self.calls.append(("read", item.url))
        return self._data(item)

    def chunks(self, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        self.calls.append(("chunks", item.url, chunk_size))
        data = self._data(item)
        return iter([data[start : start + chunk_size] for start in range(0, len(data), chunk_size)])

    def _data(self, item: MediaItem) -> bytes:
        if item.url not in self.files:
            raise PlatformError(ErrorClass.RETRY, "media_unreachable", f"{item.url} answered HTTP 404.")
        return self.files[item.url]
