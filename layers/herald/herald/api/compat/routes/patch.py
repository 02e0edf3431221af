"""PATCH /api/post: approve, pause or unpause, reschedule, or change the notes of a post that is
waiting (scheduled and pending, paused, or awaiting approval)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field

from herald.api.compat import dates, records
from herald.api.compat.errors import AyrshareError, guarded
from herald.api.compat.inputs import json_body, model
from herald.api.compat.router import router, who
from herald.api.compat.routes.post import changed, post_id_of
from herald.posts.model import PostStatus
from herald.pydantic_base import Model
from herald.wiring import post_service
from herald.workspaces.model import Role

S = PostStatus
PATCHABLE = frozenset({S.SCHEDULED, S.PAUSED, S.PENDING_APPROVAL, S.DRAFT})


class PatchBody(Model):
    model_config = ConfigDict(extra="allow", strict=True)

    id: str
    approved: bool | None = None
    scheduledPause: bool | None = None
    scheduleDate: str | dict[str, Any] | None = None
    notes: Annotated[str, Field(max_length=10_000)] | None = None


@router.patch("/post", include_in_schema=False)
@guarded("update")
def patch_post():  # type: ignore[no-untyped-def]
    raw = json_body(router)
    post_id = post_id_of(raw)
    body = model(PatchBody, raw)
    for unsupported in ("disableComments", "youTubeOptions"):
        if raw.get(unsupported) is not None:
            raise AyrshareError(f"Herald does not support changing `{unsupported}`.", herald_code="not_supported",
                                details=[{"field": unsupported}])
    asked = {"approved", "scheduledPause", "scheduleDate", "notes"} & body.model_fields_set
    if not asked:
        raise AyrshareError("Send `id` and at least one of approved, scheduledPause, scheduleDate or notes.")
    caller = who(Role.APPROVER if body.approved is not None else Role.EDITOR)
    service = post_service()
    post = service.get(caller, post_id)
    if post.status not in PATCHABLE or (post.status is S.SCHEDULED and not records.is_scheduled(post)):
        raise AyrshareError(
            f"Only a scheduled post that is pending or paused, or one awaiting approval, can be changed; this one is "
            f"{records.status(post)}.", herald_code="invalid_state")
    if "notes" in asked:
        service.update(caller, post_id, {"notes": body.notes})
    if body.scheduleDate is not None:
        paused = service.get(caller, post_id).status is S.PAUSED
        when = dates.parse(body.scheduleDate, "scheduleDate")
        service.schedule(caller, post_id, when, None)  # a passed date publishes now
        if paused and body.scheduledPause is not False and when > service.clock.now():
            service.pause(caller, post_id)  # rescheduling keeps a paused post paused
    if body.approved is True:
        service.approve(caller, post_id)
    elif body.approved is False:
        service.reject(caller, post_id, body.notes)
    if body.scheduledPause is True:
        service.pause(caller, post_id)
    elif body.scheduledPause is False:
        _unpause(caller, post_id)
    return changed(caller, post_id, **{name: raw[name] for name in sorted(asked)})


def _unpause(caller: Any, post_id: str) -> None:
    """A paused post resumes (a passed date publishes now); a draft (e.g. one an approver rejected)
    is sent on at its date, or now (back to approval first if it requires one)."""
    service = post_service()
    post = service.get(caller, post_id)
    if post.status is S.PAUSED:
        service.resume(caller, post_id)
    elif post.status is S.DRAFT:
        when = post.scheduled_at
        if when is not None and when > service.clock.now():
            service.schedule(caller, post_id, when, post.timezone)
        else:
            service.publish_now(caller, post_id)
