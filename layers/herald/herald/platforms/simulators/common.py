"""What every network simulator does the same way: one instance per account, registered on first
sight; requests refused for a token the network does not honour; the failures injected into
create-post calls (see `herald.platforms.simulators`); and the counts that grow with time (a
post's metrics, an account's followers, the mentions made of it). Each network's own answers (its error bodies, its
rate-limit headers, its routes, its metric fields) stay in its module."""

from __future__ import annotations

import base64
import json
import math
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Self
from urllib.parse import parse_qs

import httpx

from herald.platforms.simulators import (
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
    SimulatedAccount,
    initial_tokens_of,
    register,
    stable_digest,
    state_of,
    take_failure,
)

if TYPE_CHECKING:
    from herald.accounts.model import Account

# What `malformed` answers with: a 200 from a proxy in front of the network, not its JSON.
MALFORMED_BODY = "<html><body>upstream connect error</body></html>"

# What `grown_metrics` answers, each a count of a post's audience or engagement.
GROWN_METRICS = (
    "impressions",  # times shown (X impression_count, Meta views, LinkedIn impressionCount)
    "reach",  # unique accounts shown, at most the impressions
    "likes",  # likes, favourites, reactions
    "comments",  # replies and comments by others (a simulator adds the real simulated ones)
    "shares",  # reposts, reblogs, retweets, reshares
    "quotes",  # quote posts
    "saves",  # bookmarks, saves
    "clicks",  # clicks on the post's link
    "profile_clicks",  # visits to the author's profile from the post
    "sends",  # private shares (Instagram and Threads "shares": sent to someone)
)
# Per post, from its digest: impressions approach `base` along 1 - exp(-hours / tau).
_BASE_IMPRESSIONS = (300, 10_000)  # the least and most a post is ever shown
_TAU_HOURS = (3, 48)  # how fast it gets there: about 63% after tau hours, 95% after 3 tau
# Per mille of the impressions, the least and most for a post (its digest picks where it falls).
_PER_MILLE = {
    "reach": (550, 900),
    "likes": (15, 80),
    "comments": (2, 12),
    "shares": (2, 20),
    "quotes": (0, 5),
    "saves": (2, 15),
    "clicks": (5, 40),
    "profile_clicks": (2, 12),
    "sends": (1, 10),
}
# Follower counts start from a per-account base at this moment and gain 1 to 12 a day after it.
FOLLOWERS_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
_BASE_FOLLOWERS = (50, 5_000)
_FOLLOWERS_PER_DAY = (1, 12)


class Refused(Exception):
    """Ends a request early with the network's answer: `Simulator.handle` returns `response`."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"refused with HTTP {response.status_code}")
        self.response = response


class Simulator(ABC):
    """A network's simulator for one account; `handle` is its `httpx.MockTransport` handler."""

    network: ClassVar[str]  # the registry's name, e.g. "x"

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id

    @classmethod
    def for_account(cls, account: Account) -> Self:
        register(account, initial_tokens_of(cls.network))
        return cls(account.id)

    def handle(self, request: httpx.Request) -> httpx.Response:
        try:
            return self.route(request)
        except Refused as refused:
            return refused.response

    @abstractmethod
    def route(self, request: httpx.Request) -> httpx.Response:
        """Answer `request` as the network would (it may raise Refused or an httpx transport error)."""

    @abstractmethod
    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        """The network's answer to a request without the access token it honours now; None when the
        request has it. Called with LOCK held."""

    def state(self) -> SimulatedAccount:
        """The account's simulated state. Call with LOCK held."""
        return state_of(self.account_id)

    def authorized(self, request: httpx.Request) -> SimulatedAccount:
        """The account's state when `request` carries the access token it honours now; otherwise
        raises Refused with the network's answer. Call with LOCK held."""
        state = self.state()
        refused = self.refuse_token(state, request)
        if refused is not None:
            raise Refused(refused)
        return state

    def take_create_failure(self, request: httpx.Request) -> str | None:
        """The failure injected into this create-post call, taken from the account's queue, with
        what it does before anything else: expired_token and revoked_token expire the access token
        (revoked_token refuses the refresh too); connect_timeout raises httpx.ConnectTimeout. The
        caller answers rate_limited, server_error and duplicate in its network's shapes, and hands
        the failure to `after_write` once the post is stored. Call with LOCK held."""
        state = self.state()
        failure = take_failure(self.account_id)
        if failure == "ok":
            return None
        if failure in ("expired_token", "revoked_token"):
            state.token_expired = True
            state.revoked = state.revoked or failure == "revoked_token"
        elif failure == "connect_timeout":
            raise httpx.ConnectTimeout("simulated connect timeout", request=request)
        return failure

    @staticmethod
    def after_write(failure: str | None, request: httpx.Request, written: str) -> httpx.Response | None:
        """After a create-post call stored the post (`written` says so, e.g. "the post was created"):
        a timeout loses the answer (httpx.ReadTimeout), malformed answers a 200 that is not JSON;
        None for anything else, when the caller answers as usual."""
        if failure == "timeout":
            raise httpx.ReadTimeout(f"simulated timeout after {written}", request=request)
        if failure == "malformed":
            return httpx.Response(200, text=MALFORMED_BODY)
        return None


def request_json(request: httpx.Request) -> Any:
    """The request's JSON body (None for no body); None when it is not JSON."""
    try:
        return json.loads(request.content or b"null")
    except ValueError:
        return None


# --- counts that grow with time ----------------------------------------------------------------


def form_body(request: httpx.Request, *, keep_blank: bool = False) -> dict[str, str]:
    """An application/x-www-form-urlencoded body, first value of each name (blank ones too with
    `keep_blank`); {} for any other body."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return {}
    pairs = parse_qs(request.content.decode("utf-8"), keep_blank_values=keep_blank)
    return {key: values[0] for key, values in pairs.items()}


def client_authenticated(request: httpx.Request) -> bool:
    """Whether the request carries the test app's HTTP Basic credentials (a confidential client)."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except ValueError:
        return False
    return (client_id, secret) == (TEST_CLIENT_ID, TEST_CLIENT_SECRET)


def grown_metrics(post_id: str, created_at: datetime, now: datetime) -> dict[str, int]:
    """A post's counts at `now` (each name in GROWN_METRICS), made up but deterministic: the same
    for the same post id and times in every process, zero when the post is new (or `now` is before
    `created_at`), and never smaller at a later `now`. Impressions approach a per-post ceiling
    along a saturating curve of the hours since posting; every other count is a per-post fixed
    fraction of the impressions (reach the largest, at most the impressions)."""
    digest = stable_digest("grown-metrics", post_id)
    base = _between(_BASE_IMPRESSIONS, digest[0:4])
    tau = _between(_TAU_HOURS, digest[4:6])
    hours = max(0.0, (now - created_at).total_seconds() / 3600)
    impressions = int(base * -math.expm1(-hours / tau))
    counts = {"impressions": impressions}
    for index, (name, bounds) in enumerate(_PER_MILLE.items()):
        per_mille = _between(bounds, digest[6 + 2 * index : 8 + 2 * index])
        counts[name] = impressions * per_mille // 1000  # integers: a larger impressions never gives less
    return {name: counts[name] for name in GROWN_METRICS}


def grown_followers(account_key: str, now: datetime) -> int:
    """An account's followers at `now`: a per-account base (`account_key` names the account on its
    network, e.g. "x:1234") that gains a per-account 1 to 12 followers a day since FOLLOWERS_EPOCH;
    the same in every process, never fewer at a later `now`."""
    digest = stable_digest("grown-followers", account_key)
    days = max(0.0, (now - FOLLOWERS_EPOCH).total_seconds() / 86400)
    return _between(_BASE_FOLLOWERS, digest[0:4]) + int(days * _between(_FOLLOWERS_PER_DAY, digest[4:6]))


def _between(bounds: tuple[int, int], seed: bytes) -> int:
    low, high = bounds
    return low + int.from_bytes(seed, "big") % (high - low + 1)


# --- mentions that come with time ------------------------------------------------------------

# Every account is mentioned now and then by made-up people: from MENTIONS_EPOCH on, once in each
# period of a per-account 3 to 12 hours, at a per-mention moment in its first half.
MENTIONS_EPOCH = FOLLOWERS_EPOCH
_MENTION_EVERY_HOURS = (3, 12)
# (handle, display name): handles fit every network's rules once "_" becomes "-" where needed.
MENTIONERS = (
    ("ada_lovelace", "Ada Lovelace"),
    ("grace_hopper", "Grace Hopper"),
    ("alan_turing", "Alan Turing"),
    ("katherine_j", "Katherine Johnson"),
    ("linus_t", "Linus T."),
    ("margaret_h", "Margaret Hamilton"),
    ("tim_bl", "Tim B-L"),
    ("radia_p", "Radia Perlman"),
)
_MENTION_TEXTS = (
    "{at} this is exactly what I needed today, thank you!",
    "Has anyone tried {at}'s latest? Curious what you think.",
    "{at} quick question: does this work on mobile too?",
    "Big thanks to {at} for the help this week",
    "{at} love it! When is the next one?",
    "Shout-out to {at}, worth a follow.",
)


@dataclass(frozen=True)
class SimulatedMention:
    """The `number`-th mention of an account (from 0): made at `at` by one of MENTIONERS, with a
    text that @mentions the account, and `reply` when it answers the account's newest post made
    before it (if the account has one)."""

    number: int
    at: datetime
    author: str
    author_name: str
    text: str
    reply: bool


def simulated_mentions(account_key: str, mention: str, now: datetime) -> Iterator[SimulatedMention]:
    """The mentions of the account `account_key` (e.g. "x:1234") made by `now`, newest first, lazily
    (they go back to MENTIONS_EPOCH); `mention` is how a text names the account (e.g. "@herald").
    The same in every process; a later `now` only adds newer ones."""
    period = timedelta(hours=_between(_MENTION_EVERY_HOURS, stable_digest("mention-period", account_key)[:2]))
    number = int((now - MENTIONS_EPOCH) / period) if now > MENTIONS_EPOCH else -1
    while number >= 0:
        made = simulated_mention(account_key, mention, number, period)
        if made.at <= now:
            yield made
        number -= 1


def simulated_mention(account_key: str, mention: str, number: int, period: timedelta) -> SimulatedMention:
    digest = stable_digest("mention", account_key, str(number))
    offset = period * (int.from_bytes(digest[:4], "big") % 1000) / 2000  # within the period's first half
    author, author_name = MENTIONERS[digest[4] % len(MENTIONERS)]
    text = _MENTION_TEXTS[digest[5] % len(_MENTION_TEXTS)].format(at=mention)
    at = (MENTIONS_EPOCH + period * number + offset).replace(microsecond=0)
    return SimulatedMention(number, at, author, author_name, text, reply=digest[6] % 3 == 0)


def reply_target(posts: list[tuple[str, datetime]], at: datetime) -> str | None:
    """The id of the newest of `posts` ((id, created_at)) made before `at`: what a reply at `at`
    answers; None when there is none."""
    earlier = [(created, post_id) for post_id, created in posts if created < at]
    return max(earlier)[1] if earlier else None
