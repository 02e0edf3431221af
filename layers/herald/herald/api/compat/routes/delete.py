"""DELETE /api/post (and the older DELETE /api/delete) with a JSON body: `id`, `bulk` or
`deleteAllScheduled`. A post not yet published is cancelled (never sent). A post that went out
(published, or an error with some networks out) is deleted from each network it reached, answered
per network in Ayrshare's shape; `markManualDeleted: true` records it deleted without asking the
networks (Herald cannot check that it is gone from them: the caller's word is taken)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from herald.api.compat import codes, records
from herald.api.compat.errors import AyrshareError, answer, entry, from_herald, guarded
from herald.api.compat.inputs import json_body
from herald.api.compat.names import ayrshare_name
from herald.api.compat.router import router, who
from herald.errors import HeraldError, PostNotFound
from herald.posts import lifecycle
from herald.posts.model import Post, PostStatus, TargetStatus
from herald.posts.ports import PostFilter
from herald.posts.service import Caller
from herald.wiring import post_service
from herald.workspaces.model import Role

S = PostStatus
CANCELLABLE = frozenset({S.DRAFT, S.PENDING_APPROVAL, S.SCHEDULED, S.PAUSED})
MAX_BULK = 100


def delete_one(caller: Caller, post_id: str, *, manual: bool = False) -> tuple[dict[str, Any], int]:
    service = post_service()
    try:
        post = service.get(caller, post_id)
    except PostNotFound:
        failed = AyrshareError(f"No post with id {post_id}.", herald_code="post_not_found",
                               code=codes.DELETE_UNKNOWN_ID, action="delete", status=HTTPStatus.NOT_FOUND,
                               extra={"id": post_id})
        return failed.body(), failed.status
    if post.status in (S.CANCELLED, S.DELETED):
        gone = AyrshareError("This post was already deleted.", herald_code="invalid_state",
                             code=codes.ALREADY_DELETED, action="delete", extra={"id": post_id})
        return gone.body(), gone.status
    if post.status in CANCELLABLE:
        service.delete(caller, post_id)
        return {"status": "success", "id": post_id, "deleted": "scheduled"}, HTTPStatus.OK
    if post.status is S.PUBLISHING:
        busy = AyrshareError("The post is being published; delete it once it is done.", herald_code="invalid_state",
                             action="delete", extra={"id": post_id})
        return busy.body(), busy.status
    if manual:
        service.mark_deleted(caller, post_id)
        return {"status": "success", "id": post_id, "markManualDeleted": True}, HTTPStatus.OK
    return _per_network(post, service.delete(caller, post_id))


def _per_network(before: Post, after: Post) -> tuple[dict[str, Any], int]:
    """Ayrshare's answer for a post deleted from its networks: one entry per network it had reached,
    `success` with the social id, or the network's refusal (the post then stays as it was)."""
    per_network: dict[str, dict[str, Any]] = {}
    errors: list[dict[str, Any]] = []
    for index in lifecycle.to_remove(before):
        target = after.targets[index]
        platform = ayrshare_name(target.platform)
        if target.status is TargetStatus.DELETED:
            per_network.setdefault(platform, {"action": "delete", "status": "success", "id": target.platform_post_id})
            continue
        problem = target.delete_error
        herald_code = problem.code if problem else "platform_error"
        message = problem.message if problem else "The network did not delete the post."
        failed = entry("delete", codes.ayrshare_code(herald_code, target.platform), message, platform=platform,
                       herald_code=herald_code, id=target.platform_post_id)
        per_network[platform] = failed  # an error wins over another account's success on that network
        errors.append(failed)
    if after.status is S.DELETED:
        return {**per_network, "status": "success", "id": after.id}, HTTPStatus.OK
    if not errors:  # another request is finishing the delete
        busy = AyrshareError("The post is being deleted by another request; read it again.",
                             herald_code="concurrent_modification", action="delete", extra={"id": after.id})
        return busy.body(), busy.status
    first = errors[0]
    refused = AyrshareError(
        f"Not every network deleted the post ({records.status(after)} on the others): {first['message']}",
        herald_code=first["heraldCode"], code=first["code"], action="delete", entries=errors,
        extra={**per_network, "id": after.id},
    )
    return refused.body(), refused.status


def _one_or_failure(caller: Caller, post_id: str, manual: bool = False) -> tuple[dict[str, Any], int]:
    try:
        return delete_one(caller, post_id, manual=manual)
    except HeraldError as exc:
        mapped = from_herald(exc, "delete")
        return mapped.body(), mapped.status


def _delete_all_scheduled(caller: Caller) -> dict[str, Any]:
    """Cancel every post waiting to publish at a date (pending, paused or awaiting approval)."""
    service = post_service()
    filters = PostFilter(statuses=(S.SCHEDULED, S.PAUSED, S.PENDING_APPROVAL))
    deleted: list[str] = []
    failed: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page, _ = service.queue(caller, filters, cursor, 100)
        for post in page.posts:
            if post.status is S.SCHEDULED and not records.is_scheduled(post):
                continue  # an immediate post on its way (or waiting for a retry)
            body, status = _one_or_failure(caller, post.id)
            if status == HTTPStatus.OK:
                deleted.append(post.id)
            else:
                failed.append(body)
        cursor = page.cursor
        if not cursor:
            break
    return {"status": "success" if not failed else "error", "deleted": deleted, "count": len(deleted),
            **({"errors": failed} if failed else {})}


def _delete():  # type: ignore[no-untyped-def]
    raw = json_body(router)
    modes = [m for m in ("id", "bulk", "deleteAllScheduled") if raw.get(m) not in (None, False, [], "")]
    if len(modes) != 1:
        raise AyrshareError("Send exactly one of `id`, `bulk` or `deleteAllScheduled`.", action="delete")
    manual = raw.get("markManualDeleted", False)
    if not isinstance(manual, bool):
        raise AyrshareError("`markManualDeleted` must be true or false.", action="delete")
    caller = who(Role.EDITOR)
    mode = modes[0]
    if mode == "id":
        if not isinstance(raw["id"], str):
            raise AyrshareError("`id` must be a post id.", action="delete")
        body, status = _one_or_failure(caller, raw["id"], manual)
        return answer(body, status)
    if mode == "bulk":
        ids = raw["bulk"]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or len(ids) > MAX_BULK:
            raise AyrshareError(f"`bulk` must be an array of up to {MAX_BULK} post ids.", action="delete")
        results = [_one_or_failure(caller, post_id, manual) for post_id in dict.fromkeys(ids)]
        ok = all(status == HTTPStatus.OK for _, status in results)
        return answer([body for body, _ in results], HTTPStatus.OK if ok else HTTPStatus.BAD_REQUEST)
    if raw["deleteAllScheduled"] is not True:
        raise AyrshareError("`deleteAllScheduled` must be true.", action="delete")
    result = _delete_all_scheduled(caller)
    return answer(result, HTTPStatus.OK if result["status"] == "success" else HTTPStatus.BAD_REQUEST)


@router.delete("/post", include_in_schema=False)
@guarded("delete")
def delete_post():  # type: ignore[no-untyped-def]
    return _delete()


@router.delete("/delete", include_in_schema=False)
@guarded("delete")
def delete_post_older_path():  # type: ignore[no-untyped-def]
    return _delete()
