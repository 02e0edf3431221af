"""The secrets the suite has seen made, and where in a text they show.

Values are recorded where they are made (see sources.py). Finding thousands of them in every log
line and response would be slow with one `in` per secret, so every 6-character piece of every
secret is indexed and a text is probed only every 5 characters: any occurrence of a secret of 10 or
more characters covers at least one probe whose piece then names it, and the candidate is
checked in full. Herald's own generated secrets (`herald.ids.new_secret`) also have a fixed
shape, found by pattern, so one made in another process (the e2e local cloud) is found too."""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass

# Shorter values are placeholders in unit tests ("t", "fresh", "s3cret") that would match
# ordinary words; every real secret (network tokens, keys, webhook secrets) is far longer.
MIN_LENGTH = 10
_PIECE = 6
_PROBE_EVERY = MIN_LENGTH - _PIECE + 1

API_KEY = "API key secret"
WEBHOOK_SECRET = "webhook signing secret"
_URL_SAFE = "A-Za-z0-9_-"
PATTERNS = {
    API_KEY: re.compile(rf"(?<![{_URL_SAFE}])hk_[{_URL_SAFE}]{{43}}(?![{_URL_SAFE}])"),
    WEBHOOK_SECRET: re.compile(rf"(?<![{_URL_SAFE}])whsec_[{_URL_SAFE}]{{43}}(?![{_URL_SAFE}])"),
}
BY_FORMAT = "its format (herald.ids.new_secret: prefix and 43 URL-safe characters)"


@dataclass(frozen=True)
class Secret:
    value: str
    kind: str  # e.g. "network access token", "API key secret"
    origin: str  # where it was made, e.g. "herald.platforms.base.Credentials.tokens[access_token]"
    seq: int  # the order it was recorded in (0: known by its format only)

    def masked(self) -> str:
        return f"{self.value[:4]}...({len(self.value)} characters)"


@dataclass(frozen=True)
class Hit:
    secret: Secret
    start: int


class SecretBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_value: dict[str, Secret] = {}
        self._pieces: dict[str, list[tuple[Secret, int]]] = {}
        self._seq = itertools.count(1)
        self.last_seq = 0

    def __len__(self) -> int:
        return len(self._by_value)

    def get(self, value: str) -> Secret | None:
        return self._by_value.get(value)

    def add(self, value: object, kind: str, origin: str) -> Secret | None:
        """Record a secret (the first kind and origin recorded for a value stay)."""
        if not isinstance(value, str) or len(value.strip()) < MIN_LENGTH:
            return None
        with self._lock:
            known = self._by_value.get(value)
            if known is not None:
                return known
            secret = Secret(value, kind, origin, next(self._seq))
            self.last_seq = secret.seq
            self._by_value[value] = secret
            for offset in range(len(value) - _PIECE + 1):
                self._pieces.setdefault(value[offset:offset + _PIECE], []).append((secret, offset))
            return secret

    def hits(self, text: str) -> list[Hit]:
        """Every place in `text` where a recorded secret, or one of Herald's by its format, shows."""
        found: dict[tuple[str, int], Hit] = {}
        pieces = self._pieces
        for probe in range(0, len(text) - _PIECE + 1, _PROBE_EVERY):
            for secret, offset in pieces.get(text[probe:probe + _PIECE], ()):
                start = probe - offset
                if start >= 0 and (secret.value, start) not in found and text.startswith(secret.value, start):
                    found[(secret.value, start)] = Hit(secret, start)
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(text):
                value = match.group()
                if (value, match.start()) not in found:
                    secret = self._by_value.get(value) or Secret(value, kind, BY_FORMAT, 0)
                    found[(value, match.start())] = Hit(secret, match.start())
        return sorted(found.values(), key=lambda hit: hit.start)
