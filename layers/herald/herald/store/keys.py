"""Key layout of the single table (docs/architecture.md has the table of items)."""

from __future__ import annotations

import hashlib

DUE_SHARDS = 4


def workspace_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}"


def post_sk(post_id: str) -> str:
    return f"POST#{post_id}"


def profile_posts_pk(workspace_id: str, profile_id: str) -> str:
    return f"WS#{workspace_id}#P#{profile_id}#POSTS"


def profile_accounts_pk(workspace_id: str, profile_id: str) -> str:
    return f"WS#{workspace_id}#P#{profile_id}#ACCOUNTS"


def profile_queue_pk(workspace_id: str, profile_id: str) -> str:
    return f"WS#{workspace_id}#P#{profile_id}#QUEUE"


def idempotency_sk(profile_id: str, key_hash: str) -> str:
    return f"IDEM#{profile_id}#{key_hash}"


def due_pk(post_id: str) -> str:
    shard = int(hashlib.sha256(post_id.encode()).hexdigest(), 16) % DUE_SHARDS
    return f"DUE#{shard}"


def due_pks() -> list[str]:
    return [f"DUE#{n}" for n in range(DUE_SHARDS)]


def account_sk(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


def profile_sk(profile_id: str) -> str:
    return f"PROFILE#{profile_id}"


def profile_key_sk(profile_key: str) -> str:
    return f"PROFILEKEY#{profile_key}"


def profile_title_sk(title: str) -> str:
    """The pointer that keeps profile names unique in a workspace: the name trimmed and
    lower-cased (a very long one hashed, to stay within the sort key's size)."""
    folded = title.strip().lower()
    if len(folded.encode()) > 512:
        folded = "sha256:" + hashlib.sha256(folded.encode()).hexdigest()
    return f"PROFILETITLE#{folded}"


def api_key_pk(key_hash: str) -> str:
    return f"APIKEY#{key_hash}"


def workspace_keys_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#APIKEYS"


def link_sk(link_id: str) -> str:
    return f"LINK#{link_id}"


def link_url_sk(profile_id: str, url_key: str) -> str:
    return f"LINKURL#{profile_id}#{url_key}"


def short_code_pk(code: str) -> str:
    return f"CODE#{code}"


def link_clicks_prefix(link_id: str) -> str:
    return f"LINKCLICKS#{link_id}#"


def link_clicks_sk(link_id: str, day: str, channel: str, referrer: str) -> str:
    return f"{link_clicks_prefix(link_id)}{day}#{channel}#{referrer}"


def oauth_state_pk(state_hash: str) -> str:
    """A pending OAuth connection, found by its state alone (the callback carries nothing else)."""
    return f"OAUTH#{state_hash}"


def refresh_pk(account_id: str) -> str:
    """The sweeper's index of accounts whose token needs refreshing before it lapses (GSI2, as posts)."""
    shard = int(hashlib.sha256(account_id.encode()).hexdigest(), 16) % DUE_SHARDS
    return f"REFRESH#{shard}"


def refresh_pks() -> list[str]:
    return [f"REFRESH#{n}" for n in range(DUE_SHARDS)]


TRACK_SHARDS = 8


def tracked_sk(post_id: str, account_id: str) -> str:
    return f"TRACK#{post_id}#{account_id}"


def tracked_pk(account_id: str) -> str:
    """The collector's index of tracked targets (GSI1): an account's targets share one shard, in
    time order, so a query walks them account by account."""
    shard = int(hashlib.sha256(account_id.encode()).hexdigest(), 16) % TRACK_SHARDS
    return f"TRACK#{shard}"


def tracked_pks() -> list[str]:
    return [f"TRACK#{n}" for n in range(TRACK_SHARDS)]


def snapshot_sk(post_id: str, account_id: str, collected_at: str) -> str:
    return f"SNAP#{post_id}#{account_id}#{collected_at}"


def totals_sk(post_id: str, account_id: str) -> str:
    return f"STATS#{post_id}#{account_id}"


def rollup_sk(profile_id: str, day: str, platform: str) -> str:
    return f"ROLLUP#{profile_id}#{day}#{platform}"


def signal_sk(profile_id: str, at: str, post_id: str, account_id: str) -> str:
    return f"SIGNAL#{profile_id}#{at}#{post_id}#{account_id}"


def followers_sk(account_id: str, collected_at: str) -> str:
    return f"FOLLOWERS#{account_id}#{collected_at}"


def account_insights_sk(account_id: str, collected_at: str) -> str:
    return f"INSIGHTS#{account_id}#{collected_at}"


def analytics_refresh_sk(profile_id: str) -> str:
    return f"ANALYTICS_REFRESH#{profile_id}"


def webhook_sk(profile_id: str, webhook_id: str) -> str:
    return f"WEBHOOK#{profile_id}#{webhook_id}"


def webhook_deliveries_pk(workspace_id: str, webhook_id: str) -> str:
    """A webhook's delivery log: one item per delivery, ids in time order (newest last)."""
    return f"WS#{workspace_id}#WEBHOOK#{webhook_id}"


def delivery_sk(delivery_id: str) -> str:
    return f"DLV#{delivery_id}"


MENTION_SHARDS = 8


def mention_sk(account_id: str, mention_id: str) -> str:
    """A mention of an account, once per network id of the mentioning post."""
    return f"MENTION#{account_id}#{mention_id}"


def mention_cursor_sk(account_id: str) -> str:
    """An account's mentions state: where its last read stopped (and whether it was read at all)."""
    return f"MENTIONCURSOR#{account_id}"


def mention_watch_pk(account_id: str) -> str:
    """The collector's index of the accounts whose mentions are read (GSI1, on the mentions state
    item while the account is active), sharded by account."""
    shard = int(hashlib.sha256(account_id.encode()).hexdigest(), 16) % MENTION_SHARDS
    return f"MENTIONS#{shard}"


def mention_watch_pks() -> list[str]:
    return [f"MENTIONS#{n}" for n in range(MENTION_SHARDS)]
