"""The watcher: the secrets recorded so far, what the tests were shown (log records, API
responses, the local cloud's output), and the findings. What is shown is kept until the end of
the test that produced it and scanned then, so a secret recorded after the text that shows it (a
token logged before the adapter builds its credentials) is still found."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .book import API_KEY, WEBHOOK_SECRET, Hit, SecretBook

Allowance = Callable[[Hit, str], bool]

# The answers that show a secret to whoever created it, once (docs/api.md: "Keys are random,
# shown once when issued", "the answer shows its signing `secret` once"; docs/webhooks.md; docs/
# migrate-from-ayrshare.md: the compatible API answers `secret` "when you gave none"): the route,
# the answer's field holding it, and the kind of secret it may hold.
SHOWN_ONCE = {
    ("POST", "/v1/api-keys"): ("key", API_KEY),
    ("POST", "/v1/webhooks"): ("secret", WEBHOOK_SECRET),
    ("POST", "/api/hook/webhook"): ("secret", WEBHOOK_SECRET),
}

# Keys of credential mappings (account tokens, pasted credentials, KMS plaintext) whose values
# are secrets; the others are ids and settings (user_id, did, scope, chat_id, instance_url).
_SECRET_KEY = re.compile(r"token|jwt|secret|password", re.IGNORECASE)


def credential_kind(key: str) -> str | None:
    """The kind of secret a credential mapping holds under `key`, None for ids and settings."""
    if not _SECRET_KEY.search(key):
        return None
    lowered = key.lower()
    if "refresh" in lowered:
        return "network refresh token"
    if "password" in lowered:
        return "network app password"
    if "secret" in lowered:
        return "app client secret"
    if lowered.startswith("bot"):
        return "network bot token"
    return "network access token"


@dataclass(frozen=True)
class Finding:
    kind: str
    masked: str
    where: str
    test: str
    origin: str
    context: str

    def __str__(self) -> str:
        return (f"{self.kind} {self.masked} in {self.where}, during {self.test} (recorded at {self.origin}): "
                f"...{self.context}...")


@dataclass
class Seen:
    """One thing a test was shown. `headers` is the length of the text's header part, if any."""

    where: str
    text: str | Callable[[], str]
    test: str
    allow: Allowance | None = None
    headers: int = 0
    learn: Callable[[], None] | None = None  # records what this answer reveals, before any scan
    first_line: int = 0  # for process output: the text's first line number in its file


@dataclass
class ProcessOutput:
    """A file a process writes its stdout and stderr to, read as it grows."""

    path: Path
    where: str
    allow: Allowance | None
    offset: int = 0
    line: int = 1
    done: bool = False


@dataclass
class Watcher:
    book: SecretBook = field(default_factory=SecretBook)
    findings: list[Finding] = field(default_factory=list)
    test: str = "(collection, before the first test)"
    forward: Watcher | None = None  # also told every secret recorded here (the suite's watcher)
    scanned: Counter[str] = field(default_factory=Counter)
    _pending: list[Seen] = field(default_factory=list)
    _outputs: list[ProcessOutput] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- secrets, where they are made -------------------------------------------------------

    def secret(self, value: object, kind: str, origin: str) -> None:
        self.book.add(value, kind, origin)
        if self.forward is not None:
            self.forward.secret(value, kind, origin)

    def credentials(self, mapping: Mapping[str, Any] | None, origin: str, kind: str | None = None) -> None:
        """Record a credential mapping's secret values (`kind`, or the kind its key names)."""
        for key, value in (mapping or {}).items():
            named = credential_kind(str(key))
            if named is not None:
                self.secret(value, kind or named, f"{origin}[{key}]")

    # --- what tests are shown ---------------------------------------------------------------

    def saw(self, where: str, text: str | Callable[[], str], *, allow: Allowance | None = None,
            headers: int = 0, learn: Callable[[], None] | None = None) -> None:
        with self._lock:
            self._pending.append(Seen(where, text, self.test, allow, headers, learn))

    def watch_output(self, path: Path, where: str, allow: Allowance | None = None) -> None:
        with self._lock:
            self._outputs.append(ProcessOutput(Path(path), where, allow))

    def output_ended(self, path: Path) -> None:
        """The process writing `path` exited: its last lines are read at the next flush."""
        with self._lock:
            for output in self._outputs:
                if output.path == Path(path):
                    output.done = True

    # --- scanning ---------------------------------------------------------------------------

    def flush(self) -> list[Finding]:
        """Scan everything shown since the last flush; returns (and keeps) the new findings."""
        with self._lock:
            pending, self._pending = self._pending, []
            pending.extend(self._read_outputs())
        for seen in pending:
            if seen.learn is not None:
                seen.learn()
        new = [finding for seen in pending for finding in self._scan(seen)]
        with self._lock:
            self.findings.extend(new)
        return new

    def _read_outputs(self) -> Iterable[Seen]:
        for output in self._outputs:
            try:
                with output.path.open("rb") as file:
                    file.seek(output.offset)
                    data = file.read()
            except FileNotFoundError:
                continue
            if not output.done:  # a line still being written is read whole next time
                data = data[: data.rfind(b"\n") + 1]
            if not data:
                continue
            output.offset += len(data)
            text = data.decode("utf-8", errors="replace")
            yield Seen(output.where, text, self.test, output.allow, first_line=output.line)
            output.line += text.count("\n")
        self._outputs = [output for output in self._outputs if not output.done]

    def _scan(self, seen: Seen) -> list[Finding]:
        text = seen.text() if callable(seen.text) else seen.text
        kind = seen.where.split(" ", 1)[0]
        self.scanned[kind] += 1
        shown: dict[tuple[str, str], Finding] = {}  # one finding per secret and place (a line, headers, body)
        texts = [(text, "")]
        if "%" in text and unquote(text) != text:  # a secret in a URL's query, percent-encoded
            texts.append((unquote(text), " (percent-encoded)"))
        for scanned, note in texts:
            hits = self.book.hits(scanned)
            for hit in hits:
                if any(value == hit.secret.value for value, _ in shown) and note:
                    continue
                if not (seen.allow and seen.allow(hit, scanned)):
                    finding = self._finding(seen, scanned, hit, hits, note)
                    shown.setdefault((hit.secret.value, finding.where), finding)
        return list(shown.values())

    def _finding(self, seen: Seen, text: str, hit: Hit, hits: list[Hit], note: str) -> Finding:
        where = seen.where
        if seen.first_line:
            where += f", line {seen.first_line + text.count(chr(10), 0, hit.start)}"
        elif seen.headers:
            where += ", headers" if hit.start < seen.headers else ", body"
        return Finding(hit.secret.kind, hit.secret.masked(), where + note, seen.test, hit.secret.origin,
                       _context(text, hit, hits))


def _context(text: str, hit: Hit, hits: list[Hit], width: int = 60) -> str:
    """The text around `hit`, every secret in it (even cut by the edges) shown as its kind only."""
    low, high = max(0, hit.start - width), min(len(text), hit.start + len(hit.secret.value) + width)
    parts, at = [], low
    for other in hits:  # in order of position
        start, end = max(other.start, at), min(other.start + len(other.secret.value), high)
        if start >= end:
            continue
        parts += [text[at:start], f"<{other.secret.kind}>"]
        at = end
    parts.append(text[at:high])
    return "".join(parts).replace("\n", " ")


def shown_once(method: str, path: str, body: str, since: int) -> Allowance | None:
    """The allowance of an answer that may show the secret it created (SHOWN_ONCE): a secret of
    that kind recorded after `since` (made by this request), in the answer's own field, once."""
    route = SHOWN_ONCE.get((method.upper(), path.rstrip("/") or "/"))
    if route is None:
        return None
    name, kind = route

    def allow(hit: Hit, text: str) -> bool:
        secret = hit.secret
        return (secret.kind == kind and secret.seq > since and text.count(secret.value) == 1
                and json_field(body, name) == secret.value)

    return allow


def json_field(body: str, name: str) -> object:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed.get(name) if isinstance(parsed, dict) else None
