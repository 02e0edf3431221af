"""What the Facebook and Instagram simulators share, as a simulated graph.facebook.com/v25.0:

- the recorded exchanges (recordings/<network>.json, loaded once) that their answers are shaped
  from, and that the contract tests check the adapters against;
- Graph error answers (`{"error": {message, type, code, error_subcode, fbtrace_id}}`) and the
  X-Business-Use-Case-Usage header of a throttled call;
- numeric ids and "EAA..." tokens minted with `stable_digest`, so every process agrees;
- the Bearer check of the Page token, and its renewal with the User token (GET
  /{page-id}?fields=access_token), which a revoked account is refused;
- create-post calls (`GraphSimulator.create`): the injected failure, the token and JSON body
  checked, the write, and the answer lost or malformed after it;
- `fields=` answered as the Graph does: only the fields asked for, and the id;
- the Facebook Login calls of connecting, before any account exists (`connect`): the code and
  long-lived token exchanges (codes made by `simulated_code`, the app TEST_CLIENT_ID and
  TEST_CLIENT_SECRET), /me, /me/permissions and /me/accounts.
Media the networks keep aside before a post exists (Facebook's unpublished photos, Instagram's
containers) live in `side_store`, per account, and are forgotten with the account's state."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar

import httpx

from herald.platforms.meta import GRAPH_VERSION
from herald.platforms.simulators import (
    LOCK,
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
    SimulatedAccount,
    accounts_on,
    redeem_code,
    simulated_now,
    stable_digest,
)
from herald.platforms.simulators.common import Refused, Simulator

HOST = "graph.facebook.com"
API_PREFIX = f"/{GRAPH_VERSION}/"
RECORDINGS = Path(__file__).with_name("recordings")
BUC_HEADER = "X-Business-Use-Case-Usage"
FBTRACE = "AbCdEfGhIjKlMnOp"
PAGE_TASKS = ("ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE")  # a Page admin's
_sequence = 0  # low digits of new ids, process-wide (guarded by LOCK)
_SIDE: dict[tuple[str, str], tuple[SimulatedAccount, dict[str, dict[str, Any]]]] = {}


# --- recordings ------------------------------------------------------------------------------


@cache
def recordings(network: str) -> dict[str, dict[str, Any]]:
    """The recorded exchanges of `network`, by name."""
    entries = json.loads((RECORDINGS / f"{network}.json").read_text(encoding="utf-8"))
    return {entry["name"]: entry for entry in entries}


def recorded_body(network: str, name: str) -> Any:
    return copy.deepcopy(recordings(network)[name]["response"]["body"])


def shaped(network: str, recording: str, /, **values: Any) -> dict[str, Any]:
    """The recorded answer `recording` with `values` put in (ids, texts, counts)."""
    return {**recorded_body(network, recording), **values}


def recorded_error(network: str, name: str, *, headers: dict[str, str] | None = None) -> httpx.Response:
    response = recordings(network)[name]["response"]
    return httpx.Response(response["status"], json=copy.deepcopy(response["body"]), headers=headers)


def graph_error(
    status: int, code: int, message: str, *, subcode: int | None = None, error_type: str = "OAuthException"
) -> httpx.Response:
    error: dict[str, Any] = {"message": message, "type": error_type, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = FBTRACE
    return httpx.Response(status, json={"error": error})


def not_found(object_id: str, method: str = "get") -> httpx.Response:
    return graph_error(
        400,
        100,
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation.",
        subcode=33,
        error_type="GraphMethodException",
    )


def invalid(message: str, *, subcode: int | None = None) -> httpx.Response:
    return graph_error(400, 100, message, subcode=subcode)


def throttled_headers(object_id: str, kind: str) -> dict[str, str]:
    """A Business Use Case that regains access in one minute."""
    usage = {object_id: [{"type": kind, "call_count": 100, "total_cputime": 10, "total_time": 25,
                          "estimated_time_to_regain_access": 1}]}
    return {BUC_HEADER: json.dumps(usage)}


# --- ids, tokens, times, fields --------------------------------------------------------------


def numeric_id(length: int, *parts: str) -> str:
    """A stable numeric id of `length` digits, not starting with 0."""
    value = int.from_bytes(stable_digest(*parts)[:12], "big") % (9 * 10 ** (length - 1))
    return str(10 ** (length - 1) + value)


def new_id(prefix: str, length: int) -> str:
    """A new numeric id: `prefix`, the time in milliseconds and a sequence. Call with LOCK held."""
    global _sequence
    _sequence = (_sequence + 1) % 1000
    body = f"{int(simulated_now().timestamp() * 1000)}{_sequence:03d}"
    return (prefix + body[-(length - len(prefix)) :]).rjust(length, "1")


def mint(*parts: str) -> str:
    """An access token in Meta's shape ("EAA" and URL-safe characters)."""
    return "EAA" + base64.urlsafe_b64encode(stable_digest("meta-token", *parts)).decode().rstrip("=")


def page_tokens(network: str, account_id: str, page_id: str, user_id: str) -> dict[str, str]:
    """A test account's first tokens: its Page's id and token, and its person's id and User token."""
    return {
        "page_id": page_id,
        "access_token": mint(network, account_id, "page", "0"),
        "user_access_token": mint(network, account_id, "user"),
        "user_id": user_id,
    }


def graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_graph_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")


def requested_fields(request: httpx.Request) -> list[str]:
    """The top-level names in `fields=` ("a,b{c,d},e.limit(0)" -> a, b, e)."""
    names, depth, current = [], 0, ""
    for char in request.url.params.get("fields", ""):
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
        if char == "," and depth == 0:
            names.append(current)
            current = ""
        else:
            current += char
    names.append(current)
    return [name.split("{")[0].split(".")[0].strip() for name in names if name.strip()]


def pick(view: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The fields asked for (absent ones left out) and the id, as the Graph answers."""
    picked = {name: view[name] for name in fields if name in view}
    if "id" in view:
        picked["id"] = view["id"]
    return picked


def presented_token(request: httpx.Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ")


def json_body(request: httpx.Request) -> dict[str, Any] | None:
    """A JSON object body, as the adapters send; None for anything else."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        body = json.loads(request.content or b"null")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def is_web_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://")) and " " not in value


def side_store(state: SimulatedAccount, name: str) -> dict[str, dict[str, Any]]:
    """Media kept aside for the account (not posts); a new state (after a reset) starts empty.
    Call with LOCK held."""
    key = (state.account_id, name)
    held = _SIDE.get(key)
    if held is None or held[0] is not state:
        held = (state, {})
        _SIDE[key] = held
    return held[1]


def listed(request: httpx.Request, views: list[dict[str, Any]]) -> httpx.Response:
    """A list answer of `views`, each with the fields asked for."""
    fields = requested_fields(request)
    return httpx.Response(200, json=paged(request, [pick(view, fields) for view in views]))


def paged(request: httpx.Request, items: Iterable[dict[str, Any]], *, next_link: bool = True) -> dict[str, Any]:
    """A list answer: `limit` items from the `after` cursor, with paging.next while more remain
    (unless `next_link` is False: lists such as /tags and /tagged page by their cursors only).
    `items` are taken lazily, no further than the page."""
    params = request.url.params
    start = int(base64.urlsafe_b64decode(params["after"] + "==").decode()) if params.get("after") else 0
    limit = int(params.get("limit", "25"))
    window = list(islice(items, start, start + limit + 1))
    page = window[:limit]
    paging: dict[str, Any] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(page))}}
    if len(window) > limit and next_link:
        paging["next"] = str(request.url.copy_set_param("after", _cursor(start + limit)))
    return {"data": page, "paging": paging}


def _cursor(position: int) -> str:
    return base64.urlsafe_b64encode(str(position).encode()).decode().rstrip("=")


def find_post(network: str, object_id: str) -> dict[str, Any] | None:
    """A live post (or comment) of any account on `network`. Call with LOCK held."""
    for state in accounts_on(network):
        if object_id in state.posts:
            return state.posts[object_id]
    return None


def comment_count(network: str, post_id: str) -> int:
    """The live comments on `post_id`, by any account on `network`. Call with LOCK held."""
    return sum(1 for state in accounts_on(network) for post in state.posts.values() if post.get("parent") == post_id)


# --- the per-account simulator -----------------------------------------------------------------


# What a create-post call writes (LOCK held): given the request, the account, the JSON body and the
# object it is made on, it stores what the call creates and gives the answer, or raises Refused.
Write = Callable[[httpx.Request, SimulatedAccount, dict[str, Any], str], dict[str, Any]]


class GraphSimulator(Simulator):
    """One account on a simulated graph.facebook.com: checks the host, the version and the Page
    token, renews the Page token, and hands other calls to `dispatch` with the path's parts."""

    network: ClassVar[str]
    throttle_kind: ClassVar[str]  # the Business Use Case type in the throttled header

    def route(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != HOST:
            raise httpx.ConnectError(f"the {self.network} simulator does not serve {request.url.host}", request=request)
        path = request.url.path
        if not path.startswith(API_PREFIX):
            return graph_error(400, 2500, f"Unknown path components: {path}")
        parts = path[len(API_PREFIX) :].split("/")
        with LOCK:
            page_id = self.state().tokens["page_id"]
        if request.method == "GET" and parts == [page_id] and request.url.params.get("fields") == "access_token":
            return self._renew_page_token(request)
        return self.dispatch(request, parts)

    def dispatch(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        raise NotImplementedError

    def refuse_token(self, state: SimulatedAccount, request: httpx.Request) -> httpx.Response | None:
        presented = presented_token(request)
        if presented == state.tokens["access_token"] and not state.token_expired:
            return None
        if presented in (state.tokens["access_token"], state.previous_tokens.get("access_token")):
            return recorded_error(self.network, "error_expired_token")
        return recorded_error(self.network, "error_invalid_token")

    def create(self, request: httpx.Request, object_id: str, write: Write, written: str) -> httpx.Response:
        """A create-post call made on `object_id` (a Page, an account, a post): the failure injected
        into it, the token and JSON body checked, `write`, then the failure that strikes after the
        write (`written` says what was written, e.g. "the post was created")."""
        with LOCK:
            failure, refused = self.create_failure(request, object_id)
            if refused is not None:
                return refused
            state, body = self.authorized_json(request)
            answer = write(request, state, body, object_id)
        if (lost := self.after_write(failure, request, written)) is not None:
            return lost
        return httpx.Response(200, json=answer)

    def create_failure(self, request: httpx.Request, object_id: str) -> tuple[str | None, httpx.Response | None]:
        """The failure injected into this create call and the answer it makes before anything is
        written (None for the failures that write first or change the token). Call with LOCK held."""
        failure = self.take_create_failure(request)
        answers: dict[str, Callable[[], httpx.Response]] = {
            "rate_limited": lambda: recorded_error(
                self.network, "error_rate_limited", headers=throttled_headers(object_id, self.throttle_kind)
            ),
            "server_error": lambda: recorded_error(self.network, "error_service"),
            "duplicate": lambda: recorded_error(self.network, "error_duplicate"),
        }
        return failure, answers[failure]() if failure in answers else None

    def authorized_json(self, request: httpx.Request) -> tuple[SimulatedAccount, dict[str, Any]]:
        """The account (token checked) and the request's JSON object body. Call with LOCK held."""
        state = self.authorized(request)
        body = json_body(request)
        if body is None:
            raise Refused(invalid("(#100) The request body must be a JSON object."))
        return state, body

    def _renew_page_token(self, request: httpx.Request) -> httpx.Response:
        with LOCK:
            state = self.state()
            if presented_token(request) != state.tokens["user_access_token"]:
                return recorded_error(self.network, "error_invalid_token")
            if state.revoked:
                return recorded_error(self.network, "error_password_changed")
            state.token_generation += 1
            state.previous_tokens = {"access_token": state.tokens["access_token"]}
            state.tokens["access_token"] = mint(self.network, state.account_id, "page", str(state.token_generation))
            state.token_expired = False
            return httpx.Response(200, json={"access_token": state.tokens["access_token"], "id": state.tokens["page_id"]})


# --- connecting (Facebook Login) ---------------------------------------------------------------

ConnectedPage = Callable[[str], dict[str, Any]]  # username -> the granted Page as /me/accounts shows it


def connected_page(page_id: str, username: str, /, **fields: Any) -> dict[str, Any]:
    """A Page `username` administers and granted, as /me/accounts shows it, with its Page token."""
    return {"id": page_id, "name": username, "access_token": connected_token("page", username),
            "tasks": list(PAGE_TASKS), **fields}


def connect(request: httpx.Request, network: str, scopes: tuple[str, ...], page: ConnectedPage) -> httpx.Response:
    """Facebook Login's calls before the account exists, for `network`."""
    if request.url.host != HOST or not request.url.path.startswith(API_PREFIX):
        raise httpx.ConnectError(f"the {network} simulator does not serve {request.url}", request=request)
    path = request.url.path[len(API_PREFIX) :]
    if (request.method, path) == ("GET", "oauth/access_token"):
        return _token_exchange(request.url.params)
    username = connected_username(presented_token(request), "user")
    if username is None:
        return recorded_error(network, "error_invalid_token")
    if path == "me/permissions":
        return httpx.Response(200, json={"data": [{"permission": s, "status": "granted"} for s in scopes]})
    if path == "me":
        view = {"id": numeric_id(17, "meta-user", username), "name": username}
        return httpx.Response(200, json=pick(view, requested_fields(request)))
    if path == "me/accounts":
        return httpx.Response(200, json=paged(request, [pick(page(username), requested_fields(request))]))
    return graph_error(400, 2500, f"Unknown path components: /{path}")


def connected_token(kind: str, username: str) -> str:
    """The token a connection gets ("short", "user" or "page"), carrying the username it was
    issued for, so any process can tell whose it is."""
    name = base64.urlsafe_b64encode(username.encode()).decode().rstrip("=")
    return f"EAA{kind}.{name}.{mint('meta-connect', kind, username)[3:19]}"


def connected_username(token: str, kind: str) -> str | None:
    prefix, _, rest = token.partition(".")
    name, _, _ = rest.partition(".")
    if prefix != f"EAA{kind}" or not name:
        return None
    try:
        username = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
    except ValueError:
        return None
    return username if connected_token(kind, username) == token else None


def _token_exchange(params: httpx.QueryParams) -> httpx.Response:
    if params.get("client_id") != TEST_CLIENT_ID or params.get("client_secret") != TEST_CLIENT_SECRET:
        return graph_error(400, 1, "Error validating client secret.")
    if params.get("grant_type") == "fb_exchange_token":
        username = connected_username(params.get("fb_exchange_token", ""), "short")
        if username is None:
            return graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        return httpx.Response(
            200, json={"access_token": connected_token("user", username), "token_type": "bearer", "expires_in": 5183944}
        )
    if not params.get("redirect_uri"):
        return invalid("Missing redirect_uri parameter.")
    username = redeem_code(params.get("code", ""), None)
    if username is None:
        return invalid("Invalid verification code format.", subcode=36008)
    return httpx.Response(
        200, json={"access_token": connected_token("short", username), "token_type": "bearer", "expires_in": 5183}
    )
