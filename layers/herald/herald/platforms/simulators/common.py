"""What every network simulator does the same way: one instance per account, registered on first
sight; requests refused for a token the network does not honour; and the failures injected into
create-post calls (see `herald.platforms.simulators`). Each network's own answers (its error
bodies, its rate-limit headers, its routes) stay in its module."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Self

import httpx

from herald.platforms.simulators import SimulatedAccount, initial_tokens_of, register, state_of, take_failure

if TYPE_CHECKING:
    from herald.accounts.model import Account

# What `malformed` answers with: a 200 from a proxy in front of the network, not its JSON.
MALFORMED_BODY = "<html><body>upstream connect error</body></html>"


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
