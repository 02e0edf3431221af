"""The tenancy matrix: every route of the API (/v1 and the Ayrshare-compatible /api), called by a
key of another workspace, by that key naming one of the owner's profiles, by the owner's admin key
acting on another profile, and by a key of each role. TABLE holds the expected answer of every
cell; the guard below fails when the app has a route without a row.

- A refused cell (4xx) aims at the owner's shared objects, which must be unchanged afterwards; a
  404 must be the very answer the same caller gets about an object that does not exist.
- A stranger never reads back an id of the owner (nor the other profile one of the default's).
- A cell that may change something (2xx) gets fresh objects of the kinds its request names."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from support.apigw import Reply
from support.cloud import MotoCloud
from support.fakes import RecordingTrigger
from support.tenancy import (
    CALLERS,
    HOOK,
    IDEMPOTENCY_KEY,
    IDEMPOTENT_DRAFT,
    ROLES,
    World,
    build_world,
    error_code,
    fill,
    later,
    masked,
    placeholders,
    required_role,
    snapshot,
)


@dataclass(frozen=True)
class Req:
    path: str
    body: Any = None
    query: dict[str, str] | None = None
    fresh: bool = False  # a cell that succeeds changes its objects: give it new ones
    public: bool = False  # no key needed: every caller gets the same answer
    headers: dict[str, str] = field(default_factory=dict)


def get(path: str, **kw: Any) -> Req:
    return Req(path, **kw)


# Cells: "status", or "status code", or "403 forbidden <required role>".
OK, NEW, QUEUED, MOVED = "200", "201", "202", "302"
P404, A404, M404, L404 = "404 post_not_found", "404 account_not_found", "404 media_not_found", "404 link_not_found"
W404, K404, PR404 = "404 webhook_not_found", "404 api_key_not_found", "404 profile_not_found"
M422 = "422 media_not_found"  # a media id in a post's content names no media of the profile
ED, AP, AD = "403 forbidden editor", "403 forbidden approver", "403 forbidden admin"
DRAFT = {"text": "Matrix post", "account_ids": ["{account}"], "draft": True}

# route (method and path as the router spells them, [variant])    request
#     stranger  foreign_pk  other_profile  viewer  editor  approver  admin
TABLE: dict[str, tuple[Req, tuple[str, ...]]] = {
    # --- posts ---------------------------------------------------------------------------------------
    "POST /v1/posts": (Req("/v1/posts", DRAFT, fresh=True),
        (A404, PR404, A404, ED, NEW, NEW, NEW)),
    "POST /v1/posts [media of the owner]": (
        Req("/v1/posts", {"text": "Matrix", "platforms": ["x"], "media": ["{media}"], "draft": True}, fresh=True),
        (M422, PR404, M422, ED, NEW, NEW, NEW)),
    "POST /v1/posts [profile_id of the owner]": (
        Req("/v1/posts", {"text": "Matrix", "platforms": ["x"], "profile_id": "{profile_a}", "draft": True}),
        (PR404, PR404, NEW, ED, NEW, NEW, NEW)),
    # the same Idempotency-Key and body the owner used: a replay of the owner's post for the owner only
    "POST /v1/posts [Idempotency-Key the owner used]": (
        Req("/v1/posts", IDEMPOTENT_DRAFT, headers={"Idempotency-Key": IDEMPOTENCY_KEY}),
        (NEW, PR404, NEW, ED, OK, OK, OK)),
    "POST /v1/threads": (
        Req("/v1/threads", {"parts": [{"text": "one"}, {"text": "two"}], "account_ids": ["{account}"], "draft": True},
            fresh=True),
        (A404, PR404, A404, ED, NEW, NEW, NEW)),
    "GET /v1/posts": (get("/v1/posts"),
        (OK, PR404, OK, OK, OK, OK, OK)),
    "GET /v1/posts [profile_id of the owner]": (get("/v1/posts", query={"profile_id": "{profile_a}"}),
        (PR404, PR404, OK, OK, OK, OK, OK)),
    "POST /v1/posts/validate": (Req("/v1/posts/validate", {"text": "Matrix", "account_ids": ["{account}"]}),
        (A404, PR404, A404, OK, OK, OK, OK)),
    "GET /v1/queue": (get("/v1/queue"),
        (OK, PR404, OK, OK, OK, OK, OK)),
    "GET /v1/posts/<post_id>": (get("/v1/posts/{draft}"),
        (P404, PR404, P404, OK, OK, OK, OK)),
    "PUT /v1/posts/<post_id>": (Req("/v1/posts/{draft}", {"text": "Edited"}, fresh=True),
        (P404, PR404, P404, ED, OK, OK, OK)),
    "DELETE /v1/posts/<post_id>": (Req("/v1/posts/{draft}", fresh=True),
        (P404, PR404, P404, ED, OK, OK, OK)),
    "POST /v1/posts/<post_id>/publish": (Req("/v1/posts/{draft}/publish", fresh=True),
        (P404, PR404, P404, ED, OK, OK, OK)),
    "POST /v1/posts/<post_id>/schedule": (
        Req("/v1/posts/{draft}/schedule", {"scheduled_at": later()}, fresh=True),
        (P404, PR404, P404, ED, OK, OK, OK)),
    "POST /v1/posts/<post_id>/pause": (Req("/v1/posts/{scheduled}/pause", fresh=True),
        (P404, PR404, P404, ED, OK, OK, OK)),
    "POST /v1/posts/<post_id>/resume": (Req("/v1/posts/{paused}/resume", fresh=True),
        (P404, PR404, P404, ED, OK, OK, OK)),
    "POST /v1/posts/<post_id>/approve": (Req("/v1/posts/{pending}/approve", fresh=True),
        (P404, PR404, P404, AP, AP, OK, OK)),
    "POST /v1/posts/<post_id>/reject": (Req("/v1/posts/{pending}/reject", {"reason": "No"}, fresh=True),
        (P404, PR404, P404, AP, AP, OK, OK)),
    "POST /v1/posts/<post_id>/retry": (Req("/v1/posts/{failed}/retry", fresh=True),
        (P404, PR404, P404, ED, OK, OK, OK)),
    # --- accounts --------------------------------------------------------------------------------------
    "POST /v1/accounts": (Req("/v1/accounts", {"platform": "bluesky", "name": "Matrix"}),
        (NEW, PR404, NEW, ED, NEW, NEW, NEW)),
    "GET /v1/accounts": (get("/v1/accounts"),
        (OK, PR404, OK, OK, OK, OK, OK)),
    "POST /v1/accounts/connect": (
        Req("/v1/accounts/connect", {"platform": "x", "mode": "test", "redirect_uri": "https://app.example.com/done"}),
        (OK, PR404, OK, ED, OK, OK, OK)),
    "GET /v1/accounts/<account_id>": (get("/v1/accounts/{account}"),
        (A404, PR404, A404, OK, OK, OK, OK)),
    "GET /v1/accounts/<account_id>/boards": (get("/v1/accounts/{pinterest}/boards"),
        (A404, PR404, A404, OK, OK, OK, OK)),
    "DELETE /v1/accounts/<account_id>": (Req("/v1/accounts/{spare_account}", fresh=True),
        (A404, PR404, A404, ED, OK, OK, OK)),
    # --- short links -----------------------------------------------------------------------------------
    "POST /v1/links": (Req("/v1/links", {"url": "https://example.com/{unique}", "post_id": "{published}"}),
        (P404, PR404, P404, ED, NEW, NEW, NEW)),
    "GET /v1/links/<link_id>": (get("/v1/links/{link}"),
        (L404, PR404, L404, OK, OK, OK, OK)),
    # --- administration (workspace-wide: a Profile-Key changes nothing) ------------------------------
    "POST /v1/api-keys": (Req("/v1/api-keys", {"name": "matrix", "role": "viewer"}),
        (NEW, NEW, NEW, AD, AD, AD, NEW)),
    "GET /v1/api-keys": (get("/v1/api-keys"),
        (OK, OK, OK, AD, AD, AD, OK)),
    "DELETE /v1/api-keys/<key_id>": (Req("/v1/api-keys/{api_key}", fresh=True),
        (K404, K404, OK, AD, AD, AD, OK)),
    "POST /v1/profiles": (Req("/v1/profiles", {"name": "{unique}"}),
        (NEW, NEW, NEW, AD, AD, AD, NEW)),
    "GET /v1/profiles": (get("/v1/profiles"),
        (OK, OK, OK, OK, OK, OK, OK)),
    "PATCH /v1/profiles/<profile_id>": (Req("/v1/profiles/{profile}", {"name": "{unique}"}, fresh=True),
        (PR404, PR404, OK, AD, AD, AD, OK)),
    "DELETE /v1/profiles/<profile_id>": (Req("/v1/profiles/{profile}", fresh=True),
        (PR404, PR404, OK, AD, AD, AD, OK)),
    # who the key is: each caller its own key and workspace; a Profile-Key of another workspace is unknown
    "GET /v1/me": (get("/v1/me"),
        (OK, PR404, OK, OK, OK, OK, OK)),
    "GET /v1/me [profile_id of the owner]": (get("/v1/me", query={"profile_id": "{profile_a}"}),
        (PR404, PR404, OK, OK, OK, OK, OK)),
    # --- analytics -------------------------------------------------------------------------------------
    "GET /v1/posts/<post_id>/analytics": (get("/v1/posts/{published}/analytics"),
        (P404, PR404, P404, OK, OK, OK, OK)),
    "GET /v1/analytics/accounts/<account_id>": (get("/v1/analytics/accounts/{account}"),
        (A404, PR404, A404, OK, OK, OK, OK)),
    "GET /v1/analytics/summary": (get("/v1/analytics/summary"),
        (OK, PR404, OK, OK, OK, OK, OK)),
    "GET /v1/analytics/optimal-times": (get("/v1/analytics/optimal-times"),
        (OK, PR404, OK, OK, OK, OK, OK)),
    "POST /v1/analytics/refresh": (Req("/v1/analytics/refresh", {"post_id": "{published}"}),
        (P404, PR404, P404, ED, QUEUED, QUEUED, QUEUED)),
    # --- webhooks --------------------------------------------------------------------------------------
    "POST /v1/webhooks": (Req("/v1/webhooks", {"url": HOOK, "events": ["post.failed"]}),
        (NEW, PR404, NEW, AD, AD, AD, NEW)),
    "GET /v1/webhooks": (get("/v1/webhooks"),
        (OK, PR404, OK, OK, OK, OK, OK)),
    "GET /v1/webhooks/<webhook_id>": (get("/v1/webhooks/{webhook}"),
        (W404, PR404, W404, OK, OK, OK, OK)),
    "DELETE /v1/webhooks/<webhook_id>": (Req("/v1/webhooks/{webhook}", fresh=True),
        (W404, PR404, W404, AD, AD, AD, OK)),
    "POST /v1/webhooks/<webhook_id>/enable": (Req("/v1/webhooks/{disabled_webhook}/enable", fresh=True),
        (W404, PR404, W404, AD, AD, AD, OK)),
    "POST /v1/webhooks/<webhook_id>/test": (Req("/v1/webhooks/{webhook}/test"),
        (W404, PR404, W404, ED, QUEUED, QUEUED, QUEUED)),
    "GET /v1/webhooks/<webhook_id>/deliveries": (get("/v1/webhooks/{webhook}/deliveries"),
        (W404, PR404, W404, OK, OK, OK, OK)),
    "POST /v1/webhooks/<webhook_id>/deliveries/<delivery_id>/replay": (
        Req("/v1/webhooks/{webhook}/deliveries/{delivery}/replay"),
        (W404, PR404, W404, ED, QUEUED, QUEUED, QUEUED)),
    # --- media -----------------------------------------------------------------------------------------
    "POST /v1/media": (Req("/v1/media", {"filename": "photo.png", "content_type": "image/png"}),
        (NEW, PR404, NEW, ED, NEW, NEW, NEW)),
    "GET /v1/media/<media_id>": (get("/v1/media/{media}"),
        (M404, PR404, M404, OK, OK, OK, OK)),
    "DELETE /v1/media/<media_id>": (Req("/v1/media/{media}", fresh=True),
        (M404, PR404, M404, ED, OK, OK, OK)),
    # --- public: no key needed (a short link's code, an OAuth state authenticate themselves) ----------
    "GET /health": (get("/health", public=True), (OK,) * 7),
    "GET /v1/openapi.json": (get("/v1/openapi.json", public=True), (OK,) * 7),
    "GET /v1/docs": (get("/v1/docs", public=True), (OK,) * 7),
    "GET /l/<code>": (get("/l/{code}", public=True), (MOVED,) * 7),
    "GET /v1/oauth/<platform>/callback": (
        get("/v1/oauth/x/callback", query={"state": "{oauth_state}", "error": "access_denied"}, public=True,
            fresh=True),
        (MOVED,) * 7),
    "GET /v1/oauth/<platform>/test-consent": (
        get("/v1/oauth/x/test-consent", query={"state": "{oauth_state}", "username": "matrix"}, public=True),
        (MOVED,) * 7),
    # --- the Ayrshare-compatible API (codes: `heraldCode`) ---------------------------------------------
    "POST /api/analytics/post": (Req("/api/analytics/post", {"id": "{published}"}),
        (P404, PR404, P404, OK, OK, OK, OK)),
    "DELETE /api/post": (Req("/api/post", {"id": "{draft}"}, fresh=True),
        (P404, PR404, P404, ED, OK, OK, OK)),
    "DELETE /api/delete": (Req("/api/delete", {"id": "{draft}"}, fresh=True),
        (P404, PR404, P404, ED, OK, OK, OK)),
    "GET /api/history": (get("/api/history"),
        (OK, PR404, OK, OK, OK, OK, OK)),
    "POST /api/hook/webhook": (Req("/api/hook/webhook", {"action": "mentions", "url": HOOK}),
        (OK, PR404, OK, AD, AD, AD, OK)),
    "GET /api/hook/webhook": (get("/api/hook/webhook"),
        (OK, PR404, OK, OK, OK, OK, OK)),
    "DELETE /api/hook/webhook": (Req("/api/hook/webhook", {"action": "social", "id": "{ayrshare_hook}"}, fresh=True),
        (W404, PR404, W404, AD, AD, AD, OK)),
    "POST /api/links": (Req("/api/links", {"url": "https://example.com/{unique}"}),
        (OK, PR404, OK, ED, OK, OK, OK)),
    "GET /api/links/<link_id>": (get("/api/links/{link}"),
        (L404, PR404, L404, OK, OK, OK, OK)),
    "GET /api/media/uploadUrl": (get("/api/media/uploadUrl", query={"fileName": "photo.png"}),
        (OK, PR404, OK, ED, OK, OK, OK)),
    "GET /api/media/files/<media_id>": (get("/api/media/files/{media}"),
        (M404, PR404, M404, MOVED, MOVED, MOVED, MOVED)),
    "GET /api/media/files/<media_id>/<filename>": (get("/api/media/files/{media}/photo.png"),
        (M404, PR404, M404, MOVED, MOVED, MOVED, MOVED)),
    "POST /api/post": (Req("/api/post", {"post": "Matrix", "platforms": ["twitter"], "scheduleDate": later()}),
        (OK, PR404, OK, ED, OK, OK, OK)),
    "PUT /api/post": (Req("/api/post", {"id": "{scheduled}", "post": "Edited"}, fresh=True),
        (P404, PR404, P404, ED, OK, OK, OK)),
    "PUT /api/post/retry": (Req("/api/post/retry", {"id": "{failed}"}, fresh=True),
        (P404, PR404, P404, ED, OK, OK, OK)),
    "PATCH /api/post": (Req("/api/post", {"id": "{scheduled}", "notes": "Matrix"}, fresh=True),
        (P404, PR404, P404, ED, OK, OK, OK)),
    "PATCH /api/post [approve]": (Req("/api/post", {"id": "{pending}", "approved": True}, fresh=True),
        (P404, PR404, P404, AP, AP, OK, OK)),
    "POST /api/profiles": (Req("/api/profiles", {"title": "{unique}"}),
        (OK, OK, OK, AD, AD, AD, OK)),
    "POST /api/profiles/create-profile": (Req("/api/profiles/create-profile", {"title": "{unique}"}),
        (OK, OK, OK, AD, AD, AD, OK)),
    "GET /api/profiles": (get("/api/profiles"),
        (OK, OK, OK, OK, OK, OK, OK)),
    "DELETE /api/profiles": (Req("/api/profiles", {"profileKey": "{profile_key}"}, fresh=True),
        (PR404, PR404, OK, AD, AD, AD, OK)),
    "DELETE /api/profiles/delete-profile": (
        Req("/api/profiles/delete-profile", {"profileKey": "{profile_key}"}, fresh=True),
        (PR404, PR404, OK, AD, AD, AD, OK)),
    # other_profile: its Profile-Key header names the profile renamed (its own), before the body's
    "PUT /api/profiles/profile": (
        Req("/api/profiles/profile", {"title": "{unique}", "profileKey": "{profile_key}"}, fresh=True),
        (PR404, PR404, OK, AD, AD, AD, OK)),
    "PATCH /api/profiles": (Req("/api/profiles", {"title": "{unique}", "profileKey": "{profile_key}"}, fresh=True),
        (PR404, PR404, OK, AD, AD, AD, OK)),
    "GET /api/user": (get("/api/user"),
        (OK, PR404, OK, OK, OK, OK, OK)),
    "GET /api/post/<post_id>": (get("/api/post/{published}"),
        (P404, PR404, P404, OK, OK, OK, OK)),
    "GET /api/history/<post_id>": (get("/api/history/{published}"),
        (P404, PR404, P404, OK, OK, OK, OK)),
}
FRESH_KIND = {"profile_key": "profile"}  # a placeholder filled by another kind's maker
FRESH_KINDS = {"draft", "scheduled", "paused", "pending", "failed", "spare_account", "media", "webhook",
               "disabled_webhook", "ayrshare_hook", "api_key", "profile", "oauth_state"}
OWNER_CALLERS = ("other_profile", "viewer", "editor", "approver", "admin")
# Ids of the owner's default profile's objects: the other profile must not read them back either.
PROFILE_KINDS = ("draft", "scheduled", "paused", "pending", "published", "failed", "account", "pinterest",
                 "spare_account", "media", "link", "webhook", "disabled_webhook", "ayrshare_hook", "delivery")


@pytest.fixture(scope="module")
def world(cloud: MotoCloud) -> Iterator[World]:
    from herald import wiring
    from herald.settings import get_settings

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HERALD_ANALYTICS_REFRESH_SECONDS", "0")  # one refresh per cell, not per 5 minutes
        get_settings.cache_clear()
        wiring.reset()
        patch.setattr(wiring, "publish_trigger", RecordingTrigger)
        built = build_world()
        built.shared["profile_a"] = built.profile_id
        yield built
        wiring.reset()
    get_settings.cache_clear()


def call(world: World, caller: str, route: str, req: Req, ids: dict[str, str]) -> Reply:
    method = route.split()[0]
    body = fill(req.body, ids)
    query = fill(req.query, ids)
    return world.client(caller).call(method, fill(req.path, ids), body, query=query, headers=req.headers)


def check(reply: Reply, expected: str, where: str) -> None:
    status, _, rest = expected.partition(" ")
    code, _, role = rest.partition(" ")
    assert reply.status == int(status), f"{where}: expected {expected}, got {reply.status} {reply.body}"
    if code:
        assert error_code(reply) == code, f"{where}: expected {expected}, got {reply.status} {reply.body}"
    if role:
        assert required_role(reply) == role, f"{where}: expected {expected}, got {reply.body}"


def succeeds(expected: str) -> bool:
    return expected[0] in "23"


def leaks(world: World, caller: str, reply: Reply, asked: dict[str, str]) -> set[str]:
    """Owner ids in the reply that the request did not name itself."""
    if caller == "other_profile":
        secret = {world.shared[k] for k in PROFILE_KINDS} | {world.profile_key}
    elif caller in ("stranger", "foreign_pk"):
        secret = world.owner_ids()
    else:
        return set()
    text = masked(reply, asked)[1]
    return {value for value in secret if value in text}


@pytest.mark.parametrize("route", list(TABLE))
def test_every_caller_gets_the_expected_answer(world: World, route: str) -> None:
    req, cells = TABLE[route]
    expected = dict(zip(CALLERS, cells, strict=True))
    named = placeholders([req.path, req.body, req.query])
    asked = {name: world.shared[name] for name in named}
    before = snapshot(world)
    for caller in CALLERS:  # refused cells, and every cell of another workspace
        if req.public or (succeeds(expected[caller]) and caller in OWNER_CALLERS):
            continue
        reply = call(world, caller, route, req, world.shared)
        where = f"{route} as {caller}"
        check(reply, expected[caller], where)
        assert not leaks(world, caller, reply, asked), f"{where} shows the owner's {leaks(world, caller, reply, asked)}"
        if named and caller not in ROLES:  # the same answer as about objects that do not exist
            absent = call(world, caller, route, req, world.missing())
            assert masked(reply, asked) == masked(absent, world.missing()), f"{where}: {reply.body} != {absent.body}"
    assert snapshot(world) == before, f"{route}: a refused call changed the owner's objects"
    for caller in CALLERS:  # the cells that may change something, on objects of their own
        if not (req.public or (succeeds(expected[caller]) and caller in OWNER_CALLERS)):
            continue
        ids = dict(world.shared)
        if req.fresh:
            for kind in sorted({FRESH_KIND.get(name, name) for name in named} & FRESH_KINDS):
                ids.update(world.fresh(kind))
        check(call(world, caller, route, req, ids), expected[caller], f"{route} as {caller}")


def _app_routes() -> set[str]:
    """Every route of both resolvers: the native API's and the compatible API's."""
    from herald.api.app import app, compat_app

    resolvers = (app, compat_app())
    return {f"{r.method} {r.path}" for resolver in resolvers for r in [*resolver._static_routes, *resolver._dynamic_routes]}


def test_every_route_of_the_app_has_a_row() -> None:
    rows = {re.sub(r" \[.*\]$", "", route) for route in TABLE}
    assert _app_routes() - rows == set(), "routes without a row in the tenancy matrix"
    assert rows - _app_routes() == set(), "rows for routes the app does not have"


def test_every_route_of_the_published_spec_has_a_row() -> None:
    from pathlib import Path

    spec = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text())
    documented = {f"{method.upper()} {re.sub(r'\{(\w+)\}', r'<\1>', path)}"
                  for path, operations in spec["paths"].items() for method in operations}
    rows = {re.sub(r" \[.*\]$", "", route) for route in TABLE}
    assert documented - rows == set()
