"""The sweeper: hands to the publish function every post that is due but was never claimed (its
schedule or invoke was lost) and every post whose publishing lease expired (its run crashed)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from herald.clock import Clock
from herald.observability import metrics
from herald.posts.ports import PublishRequest, PublishTrigger
from herald.store.posts import PostStore

log = logging.getLogger(__name__)


@dataclass
class Sweeper:
    posts: PostStore
    trigger: PublishTrigger
    clock: Clock
    batch_limit: int = 500

    def run(self) -> dict[str, int]:
        handed = 0
        for workspace_id, post_id in self.posts.due(self.clock.now(), self.batch_limit):
            # No schedule version: the claim's own conditions decide whether the post may go.
            self.trigger.publish_soon(PublishRequest(workspace_id, post_id, None))
            handed += 1
        metrics.sweeper_found(handed)
        if handed:
            log.info("swept posts", extra={"handed_to_publish": handed})
        return {"handed_to_publish": handed}
