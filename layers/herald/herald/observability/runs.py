"""A publish run's metrics: what changed between the post as the run claimed it and as it
settled. Counting the change (not each write) gives each target's outcome once, whichever step
decided it (the network's answer, a refusal before sending, or settling after the last attempt)."""

from __future__ import annotations

from datetime import datetime

from herald.observability import metrics
from herald.posts.model import Post, TargetStatus


def publish_run(claimed: Post, settled: Post) -> None:
    """Records the targets `settled` published, failed or left for review that `claimed` had not."""
    before = {target.account_id: target.status for target in claimed.targets}
    since = _asked_for(claimed)
    for target in settled.targets:
        if before.get(target.account_id) is target.status:
            continue
        if target.status is TargetStatus.PUBLISHED:
            answered = target.published_at or settled.updated_at
            lag = (answered - since).total_seconds() if since is not None and answered is not None else 0.0
            metrics.target_published(target.platform, lag)
        elif target.status is TargetStatus.FAILED:
            metrics.target_failed(target.platform)
        elif target.status is TargetStatus.NEEDS_REVIEW:
            metrics.target_needs_review(target.platform)


def _asked_for(post: Post) -> datetime | None:
    """When the post should have gone out: its scheduled time, or (published now, or a draft
    published later) when its run was due."""
    return post.scheduled_at or post.due_at
