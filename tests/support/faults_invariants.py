"""The one check every fault scenario ends with.

1. The post and each of its targets are in the expected final states.
2. Nothing is stuck: the post is not `publishing`, holds no lease, and (once final) has left the
   sweeper's due index.
3. No target was published twice, counted on the network: the posts the network stored through
   create calls (FaultyNetworks) and the posts it holds now agree; a published target has
   exactly one, and it is the one Herald recorded; a target that failed has none."""

from __future__ import annotations

from collections.abc import Mapping

from herald.posts.lifecycle import FINAL
from herald.posts.model import Post, PostStatus, TargetStatus
from support.faults_network import FaultyNetworks


def assert_invariants(workspace_id: str, post_id: str, networks: FaultyNetworks, *, status: str,
                      targets: Mapping[str, str]) -> Post:
    """`targets`: the expected status of each target, by account id. Returns the post as stored."""
    from herald import wiring
    from herald.aws import client
    from herald.settings import get_settings
    from herald.store import keys

    post = wiring.post_store().get(workspace_id, post_id)
    actual = {t.account_id: t.status.value for t in post.targets}
    assert (post.status.value, actual) == (status, dict(targets)), (
        f"post {post.status.value} with targets {actual}; expected {status} with {dict(targets)}; "
        f"errors: {[(t.account_id, t.error) for t in post.targets if t.error]}")

    assert post.status is not PostStatus.PUBLISHING, "the post is stuck publishing"
    assert post.lease_id is None and post.lease_expires_at is None, "the post still holds a lease"
    if post.status in FINAL:
        item = client("dynamodb").get_item(
            TableName=get_settings().table_name, ConsistentRead=True,
            Key={"PK": {"S": keys.workspace_pk(workspace_id)}, "SK": {"S": keys.post_sk(post_id)}})["Item"]
        assert "GSI2PK" not in item, "a final post is still in the sweeper's due index"

    for target in post.targets:
        held = networks.post_ids(target.platform, target.account_id)
        created = networks.created(target.account_id)
        where = f"{target.platform} target {target.account_id} ({target.status.value})"
        assert created == len(held), f"{where}: the network stored {created} posts but holds {len(held)}"
        assert created <= 1, f"{where}: published {created} times on the network"
        if target.status is TargetStatus.PUBLISHED:
            assert held == [target.platform_post_id], f"{where}: Herald recorded {target.platform_post_id}, " \
                                                      f"the network holds {held}"
        elif target.status is not TargetStatus.NEEDS_REVIEW:
            assert held == [], f"{where}: the network holds {held}"
    return post
