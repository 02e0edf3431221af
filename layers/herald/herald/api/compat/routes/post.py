"""POST /api/post (publish now or schedule), GET /api/post/{id}, PUT /api/post (edit a post not yet
published), PUT /api/post/retry."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from herald.api.compat import answers, codes, dates, names, post_request, records, waiting
from herald.api.compat.errors import AyrshareError, answer, entry, guarded
from herald.api.compat.inputs import json_body, model
from herald.api.compat.router import bases, has_profile_key, profile, ref_id, remaining_ms, router, who
from herald.posts.model import PostStatus
from herald.posts.service import Caller
from herald.wiring import post_service
from herald.workspaces.model import Role


def linked_networks(caller: Caller, requested: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Herald networks to post to, and an error entry for each asked for but not linked (156) or
    whose account must be linked again (272 X, 161 Facebook, else 902): Ayrshare posts to the
    others and reports these. `all`: every network with an active account."""
    from herald.accounts.model import AccountStatus
    from herald.wiring import account_service

    accounts = account_service().list(caller.workspace_id, caller.profile_id)
    active = {a.platform for a in accounts if a.status is AccountStatus.ACTIVE}
    relink = {a.platform for a in accounts if a.status is AccountStatus.RECONNECT_REQUIRED} - active
    linked = {a.platform for a in accounts} - relink
    wanted: list[str] = []
    for name in requested:
        if name == names.ALL:
            wanted.extend(sorted({a.platform for a in accounts if a.status is AccountStatus.ACTIVE}))
        else:
            wanted.append(names.herald_name(name))
    wanted = list(dict.fromkeys(wanted))
    missing = [
        entry("post", codes.ayrshare_code("account_disconnected", n),
              f"{names.ayrshare_name(n)} must be linked again: its authorization was refused.",
              platform=names.ayrshare_name(n), herald_code="account_disconnected")
        if n in relink else
        entry("post", codes.NOT_LINKED, f"{names.ayrshare_name(n)} is not linked for this profile.",
              platform=names.ayrshare_name(n), herald_code="not_linked")
        for n in wanted if n not in linked
    ]
    if names.ALL in requested and not wanted:
        missing.append(entry("post", codes.NOT_LINKED, "No social account is linked for this profile.",
                             herald_code="not_linked"))
    return [n for n in wanted if n in linked], missing


def _requested(body: post_request.PostBody) -> list[str]:
    if body.platforms is None:
        raise AyrshareError("Missing `platforms`: the platforms to post to, e.g. [\"twitter\", \"linkedin\"].",
                            details=[{"field": "platforms"}])
    return names.parse_platforms(body.platforms)


@router.post("/post", include_in_schema=False)
@guarded("post")
def create_post():  # type: ignore[no-untyped-def]
    raw = json_body(router)
    body = model(post_request.PostBody, raw)
    post_request.refuse_unsupported(raw)
    caller = who(Role.EDITOR)
    networks, not_linked = linked_networks(caller, _requested(body))
    if not networks:
        first = not_linked[0]
        raise AyrshareError(first["message"], herald_code=first["heraldCode"], code=first["code"], action="post",
                            entries=not_linked)
    new = post_request.new_post(body, raw, networks, bases())
    service = post_service()
    fingerprint = {k: v for k, v in raw.items() if k != "source"}
    post = service.create(caller, new, body.idempotencyKey, fingerprint).post
    if post.status in records.WAITING and not records.is_scheduled(post):
        post = waiting.current().until_settled(lambda: service.get(caller, post.id), post, remaining_ms())
    payload, status = answers.created(post, extra_errors=not_linked, ref_id=ref_id(caller))
    if has_profile_key():
        payload = answers.with_profile(payload, profile(caller).name)
    return answer(payload, status)


def _record(post_id: str):  # type: ignore[no-untyped-def]
    caller = who(Role.VIEWER)
    post = post_service().get(caller, post_id)
    return answer(records.record(post, base=bases()[0], profile_title=profile(caller).name, ref_id=ref_id(caller)))


@router.get("/post/<post_id>", include_in_schema=False)
@guarded("post")
def get_post(post_id: str):  # type: ignore[no-untyped-def]
    return _record(post_id)


@router.get("/history/<post_id>", include_in_schema=False)
@guarded("history")
def get_history_record(post_id: str):  # type: ignore[no-untyped-def]
    return _record(post_id)


def post_id_of(raw: dict[str, Any]) -> str:
    value = raw.get("id")
    if not isinstance(value, str) or not value.strip():
        raise AyrshareError("Missing `id`: the Ayrshare (Herald) post id.", details=[{"field": "id"}])
    return value.strip()


def changed(caller: Caller, post_id: str, **extra: Any):  # type: ignore[no-untyped-def]
    """The answer to an edit: success, the post's id and where it stands now."""
    post = post_service().get(caller, post_id)
    return answer({"status": "success", "id": post.id, "postStatus": records.status(post),
                   "scheduleDate": dates.iso(post.scheduled_at), **extra})


@router.put("/post", include_in_schema=False)
@guarded("update")
def update_post():  # type: ignore[no-untyped-def]
    raw = json_body(router)
    post_id = post_id_of(raw)
    body = model(post_request.PostBody, raw)
    post_request.refuse_unsupported(raw)
    caller = who(Role.EDITOR)
    service = post_service()
    if body.platforms is not None:
        networks, not_linked = linked_networks(caller, _requested(body))
        if not_linked:
            first = not_linked[0]
            raise AyrshareError(first["message"], herald_code=first["heraldCode"], code=first["code"],
                                action="update", entries=not_linked)
    else:
        networks = service.get(caller, post_id).platforms
    changes = post_request.edits(body, raw, networks, bases())
    if body.platforms is not None:
        changes["platforms"] = networks
    if not changes:
        raise AyrshareError("Nothing to update: send `id` and the fields to change.")
    service.update(caller, post_id, changes)
    return changed(caller, post_id)


@router.put("/post/retry", include_in_schema=False)
@guarded("retry")
def retry_post():  # type: ignore[no-untyped-def]
    raw = json_body(router)
    post_id = post_id_of(raw)
    caller = who(Role.EDITOR)
    service = post_service()
    post = service.get(caller, post_id)
    if post.status not in (PostStatus.FAILED, PostStatus.PARTIALLY_PUBLISHED):
        raise AyrshareError(f"Only a post in status error can be retried; this one is {records.status(post)}.",
                            herald_code="invalid_state", action="retry", status=HTTPStatus.BAD_REQUEST)
    service.retry(caller, post_id)
    return changed(caller, post_id)
