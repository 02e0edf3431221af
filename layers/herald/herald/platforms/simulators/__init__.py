"""Built-in simulators of the networks' APIs, for test-mode accounts.

A simulator is an `httpx.MockTransport` handler: the real adapter builds its real requests and
parses the answers, which come in the network's documented shapes (status codes, headers, bodies,
id formats). State lives in this process only, per account id, behind one lock: what each
account has published, the tokens the network honours, and a queue of failures to inject.
Another process (another Lambda container) starts empty: it honours the tokens stored with the
account, but knows none of the posts published elsewhere.

Failure injection. An account's queue is seeded from `Account.simulate` the first time the
account is seen; `inject()` appends to it. Each queued failure answers the next create-post call
(publish or reply) only; lookups, metrics, mention reads, deletes and token refreshes are never
failed directly.
- rate_limited: 429 with the network's rate-limit headers, reset 60 s ahead. Nothing is created.
- server_error: 503. Nothing is created.
- timeout: the post IS created, then the answer is lost (httpx.ReadTimeout), as when a network
  commits the write but the connection drops: the outcome is unknown to the caller.
- connect_timeout: httpx.ConnectTimeout before anything is created.
- malformed: the post IS created, then a 200 with a non-JSON body is sent.
- expired_token: the access token expires now; the network's expired-token answer follows, for
  this and every later call with that token, until a refresh issues a new one.
- revoked_token: as expired_token, and the refresh is refused too (the person revoked access).
- duplicate: the network's answer to a repeated post (X: 403 duplicate content; Bluesky: what the
  PDS answers for a taken record key). Nothing is created.

Time. Every simulator reads "now" from `simulated_now()`: the system's UTC time, or the clock
`use_clock` sets (tests move it to watch metrics grow). Post metrics and follower counts are not
stored: they are worked out from a stable digest and the time (see `common.grown_metrics` and
`common.grown_followers`), so every process answers the same numbers for the same post at the same
moment, and they never go down as time passes. Each account is mentioned by made-up people a few
times a day in the same way (`common.simulated_mentions`): the same mentions, with the same ids,
in every process.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import importlib
import importlib.util
import json
import os
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from herald.accounts.model import Account

# "ok" lets one call through, so a failure can be aimed at a later call (a thread's second part).
FAILURES = frozenset(
    {
        "ok",
        "rate_limited",
        "server_error",
        "timeout",
        "connect_timeout",
        "malformed",
        "expired_token",
        "revoked_token",
        "duplicate",
    }
)

# network -> module holding `initial_tokens(account_id, username) -> dict[str, str]`
_SIMULATOR_MODULES = {
    network: f"herald.platforms.simulators.{network}"
    for network in ("x", "bluesky", "linkedin", "facebook", "instagram", "threads", "mastodon", "telegram",
                    "youtube", "tiktok", "pinterest", "reddit", "google_business")
}

# The app credentials test-mode connections are made with (the simulators accept only these).
TEST_CLIENT_ID = "herald-test-client"
TEST_CLIENT_SECRET = "herald-test-secret"
_CODE_PREFIX = "simcode."


@dataclass
class SimulatedAccount:
    """What one simulated network holds for one account."""

    account_id: str
    platform: str
    username: str
    tokens: dict[str, str]  # the access and refresh tokens the network honours now
    token_generation: int = 0
    token_expired: bool = False
    revoked: bool = False
    previous_tokens: dict[str, str] = field(default_factory=dict)  # the generation before `tokens`
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)  # live posts by id, oldest first

    def rotate_tokens(self, access: str, refresh: str, mint: Callable[[str, int], str]) -> None:
        """A refresh: the tokens under the keys `access` and `refresh` become `previous_tokens`, and
        `mint(kind, generation)` ("access" or "refresh", the next generation) makes their
        successors; the access token is honoured again. Call with LOCK held."""
        self.token_generation += 1
        self.previous_tokens = {key: self.tokens[key] for key in (access, refresh)}
        self.tokens[access] = mint("access", self.token_generation)
        self.tokens[refresh] = mint("refresh", self.token_generation)
        self.token_expired = False


LOCK = threading.Lock()
_ACCOUNTS: dict[str, SimulatedAccount] = {}
_FAILURE_QUEUES: dict[str, deque[str]] = {}
_clock: Callable[[], datetime] | None = None  # None: the system's time


_ORIGIN = datetime.now(UTC)  # when this process started simulating


def simulated_now() -> datetime:
    """The simulated networks' now (aware, UTC): the clock `use_clock` set, else the system's time,
    running `HERALD_SIMULATED_TIME_SPEEDUP` times faster since this process started (e.g. 3600:
    an hour of a post's life passes every second, so a local demo watches its metrics grow)."""
    clock = _clock
    if clock is not None:
        return clock().astimezone(UTC)
    real = datetime.now(UTC)
    speedup = float(os.environ.get("HERALD_SIMULATED_TIME_SPEEDUP") or 1)
    return real if speedup == 1 else _ORIGIN + (real - _ORIGIN) * speedup


def use_clock(clock: Callable[[], datetime] | None) -> None:
    """Make every simulator read the time from `clock` (e.g. a fake clock's `now`); None goes back
    to the system's time, as `reset()` does."""
    global _clock
    _clock = clock


def test_credentials(platform: str, account_id: str, username: str) -> dict[str, str]:
    """Credentials for a new test-mode account: the tokens its simulator honours at first sight.
    Empty for networks without a simulator."""
    module = _SIMULATOR_MODULES.get(platform)
    if module is None or importlib.util.find_spec(module) is None:
        return {}
    return initial_tokens_of(platform)(account_id, username)


def initial_tokens_of(platform: str) -> Callable[[str, str], dict[str, str]]:
    """The `initial_tokens(account_id, username)` of a network that has a simulator."""
    module = importlib.import_module(_SIMULATOR_MODULES[platform])
    initial_tokens: Callable[[str, str], dict[str, str]] = module.initial_tokens
    return initial_tokens


def inject(account_id: str, failures: list[str]) -> None:
    """Queue failures for the account's next create-post calls, one call each, in order."""
    unknown = [name for name in failures if name not in FAILURES]
    if unknown:
        raise ValueError(f"unknown simulated failures {unknown}; known: {sorted(FAILURES)}")
    with LOCK:
        _FAILURE_QUEUES.setdefault(account_id, deque()).extend(failures)


def reset() -> None:
    """Forget every account, post, token and queued failure, and go back to the system's time."""
    with LOCK:
        _ACCOUNTS.clear()
        _FAILURE_QUEUES.clear()
    use_clock(None)


def published(account_id: str) -> list[dict[str, Any]]:
    """Copies of the live (not deleted) posts the simulator holds for the account, oldest first."""
    with LOCK:
        account = _ACCOUNTS.get(account_id)
        return copy.deepcopy(list(account.posts.values())) if account else []


def register(account: Account, initial_tokens: Callable[[str, str], dict[str, str]]) -> SimulatedAccount:
    """The simulated state of `account`, created the first time it is seen: tokens from its
    credentials (minted ones fill in what it lacks) and its `simulate` list queued. Unknown failure
    names in `simulate` are skipped; the API validates them against FAILURES."""
    with LOCK:
        state = _ACCOUNTS.get(account.id)
        if state is None:
            tokens = {**initial_tokens(account.id, account.username), **account.credentials}
            state = SimulatedAccount(account.id, account.platform, account.username, tokens)
            _ACCOUNTS[account.id] = state
            queued = [name for name in account.simulate if name in FAILURES]
            _FAILURE_QUEUES.setdefault(account.id, deque()).extend(queued)
        return state


def state_of(account_id: str) -> SimulatedAccount:
    """A registered account's state. Call with LOCK held."""
    return _ACCOUNTS[account_id]


def accounts_on(platform: str) -> list[SimulatedAccount]:
    """Every registered account of one network (posts are public). Call with LOCK held."""
    return [state for state in _ACCOUNTS.values() if state.platform == platform]


def take_failure(account_id: str) -> str | None:
    """The next injected failure for the account, removed from its queue. Call with LOCK held."""
    queue = _FAILURE_QUEUES.get(account_id)
    return queue.popleft() if queue else None


def simulated_code(username: str, code_challenge: str | None) -> str:
    """The authorization code the test-mode consent page hands back: it carries who consented and
    the PKCE challenge, so a simulator's token endpoint (in any process) can check the verifier."""
    payload = json.dumps({"u": username, "c": code_challenge}, separators=(",", ":")).encode()
    return _CODE_PREFIX + base64.urlsafe_b64encode(payload).decode().rstrip("=")


def redeem_code(code: str, code_verifier: str | None) -> str | None:
    """The username a simulated code was issued for, when `code_verifier` matches its challenge
    (S256) or it has none; None for a code the simulator never issued or a wrong verifier."""
    if not code.startswith(_CODE_PREFIX):
        return None
    encoded = code[len(_CODE_PREFIX):]
    try:
        payload = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except ValueError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), str):
        return None
    challenge = payload.get("c")
    if challenge is not None:
        if not code_verifier:
            return None
        digest = hashlib.sha256(code_verifier.encode("ascii", "replace")).digest()
        if base64.urlsafe_b64encode(digest).decode().rstrip("=") != challenge:
            return None
    return str(payload["u"])


def connect_handler(platform: str) -> Callable[[Any], Any]:
    """The `httpx.MockTransport` handler a network's simulator answers connect calls with (token
    exchange, identity, manual sign-in) before any account exists."""
    module = importlib.import_module(_SIMULATOR_MODULES[platform])
    handler: Callable[[Any], Any] = module.connect_handler
    return handler


def stable_digest(*parts: str) -> bytes:
    """A digest that depends only on `parts`, for ids and tokens that must come out the same in
    every process (test credentials are minted once and checked by later simulators)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
