"""The tenancy matrix's world (tests/integration/test_tenancy_matrix.py): an owner workspace whose
default profile holds objects of every kind, a second profile of it, a key of each role, and a
stranger workspace; who calls; and how a request template becomes a request.

Shared objects are what refused calls aim at (they must stay as they were); calls that may change
something get fresh objects of the same kind, made by `World.fresh`."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from support.apigw import ApiClient, Reply

ROLES = ("viewer", "editor", "approver", "admin")
# stranger: the admin key of another workspace. foreign_pk: that key with the Profile-Key of the
# owner's default profile. other_profile: the owner's admin key acting on its second profile.
CALLERS = ("stranger", "foreign_pk", "other_profile", *ROLES)
HOOK = "https://hooks.example.com/herald-matrix"
IDEMPOTENCY_KEY = "matrix-idempotency-key"  # the owner created a post with it and this body
IDEMPOTENT_DRAFT = {"text": "Matrix idempotent draft", "draft": True}
_counter = itertools.count(1)


def unique(prefix: str = "matrix") -> str:
    return f"{prefix}-{next(_counter)}-{datetime.now(UTC).strftime('%H%M%S%f')}"


def later(days: int = 3) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class World:
    owner_id: str
    profile_id: str  # the owner's default profile: every shared object is on it
    profile_key: str
    keys: dict[str, str]  # role -> secret (owner workspace)
    other_profile_key: str
    stranger_key: str
    shared: dict[str, str] = field(default_factory=dict)  # placeholder -> id of a shared object

    def client(self, caller: str) -> ApiClient:
        if caller == "stranger":
            return ApiClient(self.stranger_key)
        if caller == "foreign_pk":
            return ApiClient(self.stranger_key, profile_key=self.profile_key)
        if caller == "other_profile":
            return ApiClient(self.keys["admin"], profile_key=self.other_profile_key)
        return ApiClient(self.keys[caller])

    @property
    def admin(self) -> ApiClient:
        return ApiClient(self.keys["admin"])

    # --- objects ------------------------------------------------------------------------------

    def fresh(self, kind: str) -> dict[str, str]:
        """A new object of a kind on the owner's default profile: the placeholders it fills."""
        made = _MAKERS[kind](self)
        return made if isinstance(made, dict) else {kind: made}

    def missing(self) -> dict[str, str]:
        """For every placeholder, an id of the same shape that names nothing."""
        return {name: _missing_id(value) for name, value in self.shared.items()}

    def owner_ids(self) -> set[str]:
        """Ids a stranger must never read back (profile keys included)."""
        return {v for k, v in self.shared.items() if k not in ("code",)} | {self.profile_id, self.profile_key}


def _missing_id(value: str) -> str:
    head, tail = value[:-6], value[-6:]
    swapped = "".join("0" if c != "0" else "1" for c in tail) if tail.isalnum() else "000000"
    return head + swapped


def _ok(reply: Reply, *statuses: int) -> Any:
    assert reply.status in (statuses or (200, 201)), reply.body
    return reply.body


def _post(world: World, body: dict[str, Any]) -> str:
    return _ok(world.admin.post("/v1/posts", {"text": "Matrix post", "account_ids": [world.shared["account"]],
                                                **body}))["id"]


def _draft(world: World) -> str:
    return _post(world, {"draft": True})


def _scheduled(world: World) -> str:
    return _post(world, {"scheduled_at": later()})


def _paused(world: World) -> str:
    post_id = _scheduled(world)
    _ok(world.admin.post(f"/v1/posts/{post_id}/pause"))
    return post_id


def _pending(world: World) -> str:
    return _post(world, {"scheduled_at": later(), "requires_approval": True})


def _finished(world: World, outcome: str) -> str:
    """A post that went out (or failed), written straight to the store: publishing needs a run."""
    from herald import wiring
    from herald.ids import new_id
    from herald.posts.model import Post, PostStatus, PostTarget, TargetError, TargetStatus

    now = datetime.now(UTC)
    if outcome == "published":
        target = PostTarget(platform="x", account_id=world.shared["account"], status=TargetStatus.PUBLISHED,
                            platform_post_id=f"x{next(_counter)}", url="https://x.com/acme/status/1", attempts=1,
                            published_at=now)
    else:
        target = PostTarget(platform="x", account_id=world.shared["account"], status=TargetStatus.FAILED, attempts=1,
                            error=TargetError(code="platform_error", message="refused (matrix)"))
    post = Post(id=new_id("post"), workspace_id=world.owner_id, profile_id=world.profile_id,
                status=PostStatus(outcome), text="Matrix post", targets=[target], created_at=now, updated_at=now,
                published_at=now if outcome == "published" else None)
    wiring.post_store().insert(post, None)
    return post.id


def _account(world: World) -> str:
    return _ok(world.admin.post("/v1/accounts", {"platform": "bluesky", "name": "Matrix spare"}))["id"]


def _media(world: World) -> str:
    return _ok(world.admin.post("/v1/media", {"filename": "photo.png", "content_type": "image/png"}))["media_id"]


def _webhook(world: World) -> str:
    return _ok(world.admin.post("/v1/webhooks", {"url": HOOK, "events": ["post.published"]}))["id"]


def _disabled_webhook(world: World) -> str:
    from herald import wiring

    webhook_id = _webhook(world)
    store = wiring.webhook_store()
    store.disable(store.get(world.owner_id, world.profile_id, webhook_id), "failing (matrix)", datetime.now(UTC))
    return webhook_id


def _delivery(world: World) -> str:
    from herald import wiring
    from herald.webhooks.messages import replay_delivery_id
    from herald.webhooks.model import Delivery, DeliveryStatus, Event

    now = datetime.now(UTC)
    event = Event(id=f"evt_{next(_counter):032d}", type="post.published", created_at=now,
                  workspace_id=world.owner_id, profile_id=world.profile_id, data={"post_id": world.shared["published"]})
    delivery = Delivery(id=replay_delivery_id(now), workspace_id=world.owner_id, webhook_id=world.shared["webhook"],
                        event_id=event.id, event_type=event.type, status=DeliveryStatus.DELIVERED, attempts=1,
                        response_status=204, queued_at=now, updated_at=now, delivered_at=now, event=event)
    wiring.webhook_store().put_delivery(delivery, now + timedelta(days=1))
    return delivery.id


def _ayrshare_hook(world: World) -> str:
    return _ok(world.admin.post("/api/hook/webhook", {"action": "social", "url": HOOK}))["hookId"]


def _api_key(world: World) -> str:
    return _ok(world.admin.post("/v1/api-keys", {"name": "matrix spare", "role": "viewer"}))["api_key"]["id"]


def _profile(world: World) -> dict[str, str]:
    from herald import wiring

    created = _ok(world.admin.post("/v1/profiles", {"name": unique("profile")}))
    found = wiring.workspace_service().store.get_profile(world.owner_id, created["id"])
    return {"profile": found.id, "profile_key": found.profile_key}


def _oauth_state(world: World) -> str:
    started = _ok(world.admin.post("/v1/accounts/connect", {"platform": "x", "mode": "test",
                                                            "redirect_uri": "https://app.example.com/done"}))
    return started["state"]


_MAKERS: dict[str, Any] = {
    "draft": _draft, "scheduled": _scheduled, "paused": _paused, "pending": _pending,
    "published": lambda w: _finished(w, "published"), "failed": lambda w: _finished(w, "failed"),
    "spare_account": _account, "media": _media, "webhook": _webhook, "disabled_webhook": _disabled_webhook,
    "delivery": _delivery, "ayrshare_hook": _ayrshare_hook, "api_key": _api_key, "profile": _profile,
    "oauth_state": _oauth_state,
}


def build_world() -> World:
    """Both workspaces and the shared objects (needs the moto cloud and fresh wiring)."""
    from herald import wiring

    service = wiring.workspace_service()
    owner, default, first = service.create_workspace("matrix owner")
    keys = {"admin": first.secret}
    for role in ("viewer", "editor", "approver"):
        keys[role] = _ok(ApiClient(first.secret).post("/v1/api-keys", {"name": role, "role": role}))["key"]
    second = service.create_profile(owner.id, "Second brand")
    _, _, stranger = service.create_workspace("matrix stranger")
    world = World(owner_id=owner.id, profile_id=default.id, profile_key=default.profile_key, keys=keys,
                  other_profile_key=second.profile_key, stranger_key=stranger.secret)
    # The other profile and the stranger have an X account too, so that a post they create fails on
    # what it names, not for want of an account.
    for client in (world.client("other_profile"), world.client("stranger")):
        _ok(client.post("/v1/accounts", {"platform": "x", "name": "Elsewhere"}))
    world.shared["account"] = _ok(world.admin.post("/v1/accounts", {"platform": "x", "name": "Acme"}))["id"]
    world.shared["pinterest"] = _ok(world.admin.post("/v1/accounts", {"platform": "pinterest", "name": "Acme"}))["id"]
    for kind in ("draft", "scheduled", "paused", "pending", "published", "failed", "spare_account", "media",
                 "webhook", "disabled_webhook", "ayrshare_hook", "api_key", "profile", "oauth_state"):
        world.shared.update(world.fresh(kind))
    world.shared["delivery"] = _delivery(world)
    world.shared["idempotent_post"] = _ok(world.admin.post("/v1/posts", IDEMPOTENT_DRAFT,
                                                           headers={"Idempotency-Key": IDEMPOTENCY_KEY}))["id"]
    link = _ok(world.admin.post("/v1/links", {"url": "https://example.com/matrix", "post_id": world.shared["published"]}))
    world.shared["link"] = link["id"]
    world.shared["code"] = link["short_urls"]["direct"].rsplit("/", 1)[-1]
    return world


# --- requests -------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: Any, values: dict[str, str]) -> Any:
    """The template with `{name}` replaced: by `values[name]`, or a new unique text for `{unique}`."""
    if isinstance(template, str):
        return _PLACEHOLDER.sub(lambda m: unique() if m[1] == "unique" else values[m[1]], template)
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    return template


def placeholders(template: Any) -> set[str]:
    return set(_PLACEHOLDER.findall(json.dumps(template))) - {"unique"}


def error_code(reply: Reply) -> str | None:
    """The error's code: the envelope's `code` (/v1), Ayrshare's `heraldCode` (/api)."""
    body = reply.body
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("error"), dict):
        return body["error"].get("code")
    return body.get("heraldCode") if body.get("status") == "error" else None


def required_role(reply: Reply) -> str | None:
    body = reply.body if isinstance(reply.body, dict) else {}
    details = (body.get("error") or {}).get("details") if isinstance(body.get("error"), dict) else body.get("details")
    return next((d.get("required_role") for d in details or [] if isinstance(d, dict)), None)


def masked(reply: Reply, ids: dict[str, str]) -> tuple[int, str]:
    """The reply with the ids it was asked about masked, to compare with the reply about other ids."""
    text = json.dumps(reply.body, sort_keys=True)
    for value in sorted(ids.values(), key=len, reverse=True):
        text = text.replace(value, "<id>")
    return reply.status, text


# --- the owner's state ------------------------------------------------------------------------------


def snapshot(world: World) -> dict[str, Any]:
    """Everything a refused call could have changed: every item of the owner's partition (profiles,
    posts, accounts, media, links and their clicks, webhooks, idempotency records ...), the shared
    webhook delivery, and the workspace's API keys."""
    from herald import wiring
    from herald.aws import client
    from herald.settings import get_settings
    from herald.store import keys

    items: list[dict[str, Any]] = []
    page: dict[str, Any] = {"TableName": get_settings().table_name, "ConsistentRead": True,
                            "KeyConditionExpression": "PK = :pk",
                            "ExpressionAttributeValues": {":pk": {"S": keys.workspace_pk(world.owner_id)}}}
    while True:
        answer = client("dynamodb").query(**page)
        items.extend(answer.get("Items", []))
        if "LastEvaluatedKey" not in answer:
            break
        page["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    delivery = wiring.webhook_store().get_delivery(world.owner_id, world.shared["webhook"], world.shared["delivery"])
    api_keys = wiring.workspace_service().list_keys(world.owner_id)
    return {"items": sorted(items, key=lambda i: i["SK"]["S"]), "delivery": delivery and delivery.model_dump(),
            "api_keys": [k.model_dump() for k in api_keys]}
