"""/api/hook/webhook: Ayrshare's webhook registration (one URL per action and profile) on
Herald's webhooks. Registered endpoints receive Ayrshare's bodies and headers (herald.webhooks.
formats) and show in GET /v1/webhooks with `format: "ayrshare"`."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from herald.api.compat import dates
from herald.api.compat.errors import AyrshareError, answer, guarded
from herald.api.compat.inputs import json_body, model, query
from herald.api.compat.router import ref_id, router, who
from herald.pydantic_base import Model
from herald.webhooks.formats import AYRSHARE_ACTIONS
from herald.webhooks.model import Webhook, WebhookFormat
from herald.wiring import webhook_service
from herald.workspaces.model import Role


class HookBody(Model):
    model_config = ConfigDict(extra="allow")

    action: Annotated[str, Field(min_length=1, max_length=32)]
    url: Annotated[str, Field(min_length=1, max_length=2048)]
    secret: Annotated[str | None, Field(min_length=1, max_length=256)] = None


def _action(value: object) -> str:
    if value not in AYRSHARE_ACTIONS:
        raise AyrshareError(f"Unknown or unsupported webhook action {value!r}; Herald supports: "
                            + ", ".join(AYRSHARE_ACTIONS) + ".", herald_code="invalid_request", action="webhook",
                            details=[{"field": "action", "allowed": list(AYRSHARE_ACTIONS)}])
    return str(value)


def _registered(hooks: list[Webhook], action: str) -> list[Webhook]:
    return [h for h in hooks if h.format is WebhookFormat.AYRSHARE and h.action == action]


def _shown(hook: Webhook) -> dict[str, object]:
    return {"action": hook.action, "url": hook.url, "status": hook.status.value, "hookId": hook.id,
            "created": dates.iso(hook.created_at), **({"disabledReason": hook.disabled_reason}
                                                        if hook.disabled_reason else {})}


@router.post("/hook/webhook", include_in_schema=False)
@guarded("webhook")
def register():  # type: ignore[no-untyped-def]
    body = model(HookBody, json_body(router))
    action = _action(body.action)
    caller = who(Role.ADMIN)
    service = webhook_service()
    previous = _registered(service.list(caller), action)
    hook, secret = service.create(caller, body.url, list(AYRSHARE_ACTIONS[action]), secret=body.secret,
                                  fmt=WebhookFormat.AYRSHARE, action=action, description=f"Ayrshare {action} webhook")
    for old in previous:  # one URL per action: the new registration replaces the old one
        service.delete(caller, old.id)
    shown = {"status": "success", "action": action, "url": hook.url, "refId": ref_id(caller), "hookId": hook.id}
    if body.secret is None:
        shown["secret"] = secret  # Herald made one: shown this once
    return answer(shown)


@router.get("/hook/webhook", include_in_schema=False)
@guarded("webhook")
def list_hooks():  # type: ignore[no-untyped-def]
    action = query(router).get("action")
    caller = who(Role.VIEWER)
    hooks = [h for h in webhook_service().list(caller) if h.format is WebhookFormat.AYRSHARE]
    if action:
        hooks = _registered(hooks, _action(action))
    return answer({"status": "success", "webhooks": [_shown(h) for h in hooks], "refId": ref_id(caller)})


@router.delete("/hook/webhook", include_in_schema=False)
@guarded("webhook")
def unregister():  # type: ignore[no-untyped-def]
    raw = json_body(router, required=False) or query(router)
    action = _action(raw.get("action"))
    caller = who(Role.ADMIN)
    service = webhook_service()
    found = _registered(service.list(caller), action)
    if not found:
        raise AyrshareError(f"No {action} webhook is registered for this profile.", herald_code="webhook_not_found",
                            status=404, action="webhook")
    for hook in found:
        service.delete(caller, hook.id)
    return answer({"status": "success", "action": action, "refId": ref_id(caller)})
