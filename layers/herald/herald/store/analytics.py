"""Analytics items in the single table (PK `WS#{workspace}`):

- `TRACK#{post}#{account}`: a published target to collect, on GSI1 (`TRACK#{shard}`,
  `{account}#{published_at}#{post}`) so the collector walks every workspace's targets account by
  account without a scan; its TTL ends collection after the retention window.
- `SNAP#{post}#{account}#{collected_at}`: a snapshot (TTL: the retention window), which the
  stream carries on.
- `STATS#{post}#{account}`: a target's latest totals; `ROLLUP#{profile}#{day}#{network}`: what
  the profile gained that day on that network (`m_<metric>` counters); `SIGNAL#...`: spikes;
  `FOLLOWERS#{account}#{at}`: follower counts; `INSIGHTS#{account}#{at}`: an account's own metrics
  over a window of days, where its network reports per account (Google Business Profile
  locations), written when they changed; `ANALYTICS_REFRESH#{profile}`: the refresh limit.
- `MENTION#{account}#{mention id}`: a mention of an account, written once (a conditional put), which
  the stream turns into a `mention.received` event; TTL: the retention window.
- `MENTIONCURSOR#{account}`: an account's mentions state: the cursor of its last read
  (`cursor`, with `cursor_order` that sorts, so it only moves forward) and `read_at`, set by its
  first read (the baseline). The account store keeps it on GSI1 (`MENTIONS#{shard}`, the account
  id) while the account's mentions are read: `mention_watches` walks that index.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from herald.analytics.model import METRICS, Mention, Snapshot, TargetTotals, TrackedTarget, cursor_order
from herald.clock import from_iso, to_iso
from herald.store import keys
from herald.store.codec import from_item, to_item, to_value
from herald.store.errors import cancellation_codes, error_code, is_conditional_failure

_ROW_ONLY = ("PK", "SK", "GSI1PK", "GSI1SK", "entity", "expires_at")


@dataclass(frozen=True)
class MentionWatch:
    """An account whose mentions the collector asks to be read."""

    workspace_id: str
    account_id: str
    platform: str


@dataclass(frozen=True)
class MentionState:
    """Where an account's mentions reading stands: `read` once its first read (the baseline) is
    done; `cursor` is the position to read from (None: none yet)."""

    read: bool
    cursor: str | None


@dataclass(frozen=True)
class AccountInsights:
    """An account's own metrics summed over the `window_days` days before `at`."""

    at: datetime
    window_days: int
    metrics: dict[str, int]


def _model(cls: Any, item: dict[str, Any]) -> Any:
    values = from_item(item)
    return cls.model_validate({k: v for k, v in values.items() if k not in _ROW_ONLY})


def _lost_race(exc: Exception) -> bool:
    """A transaction or write refused by its condition (already applied, or superseded)."""
    if is_conditional_failure(exc):
        return True
    return error_code(exc) == "TransactionCanceledException" and "ConditionalCheckFailed" in cancellation_codes(exc)


class AnalyticsStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def _pk(self, workspace_id: str) -> dict[str, str]:
        return {"S": keys.workspace_pk(workspace_id)}

    def _put_new(self, item: dict[str, Any]) -> bool:
        """Write an item that must not exist yet; False when it does (a repeat changes nothing)."""
        try:
            self._db.put_item(TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(PK)")
        except Exception as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def _query(self, **query: Any) -> Iterator[dict[str, Any]]:
        query = {"TableName": self._table, **query}
        while True:
            page = self._db.query(**query)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _prefixed(self, workspace_id: str, prefix: str, **extra: Any) -> Iterator[dict[str, Any]]:
        values = {":pk": self._pk(workspace_id), ":prefix": {"S": prefix}, **extra.pop("values", {})}
        return self._query(KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
                           ExpressionAttributeValues=values, **extra)

    # --- tracked targets ---------------------------------------------------------------------

    def track(self, target: TrackedTarget, expires_at: datetime) -> bool:
        """Start collecting a target; False when it is tracked already (a redelivered record)."""
        item = to_item({
            "PK": keys.workspace_pk(target.workspace_id), "SK": keys.tracked_sk(target.post_id, target.account_id),
            "GSI1PK": keys.tracked_pk(target.account_id),
            "GSI1SK": f"{target.account_id}#{to_iso(target.published_at)}#{target.post_id}",
            "entity": "tracked", **target.model_dump(mode="python"), "expires_at": int(expires_at.timestamp()),
        })
        return self._put_new(item)

    def tracked_since(self, cutoff: datetime) -> Iterator[TrackedTarget]:
        """Every workspace's targets published since `cutoff`, each account's together."""
        for partition in keys.tracked_pks():
            for item in self._query(
                IndexName="GSI1", KeyConditionExpression="GSI1PK = :pk",
                FilterExpression="published_at >= :cutoff",
                ExpressionAttributeValues={":pk": {"S": partition}, ":cutoff": to_value(cutoff)},
            ):
                yield _model(TrackedTarget, item)

    def tracked_for_profile(self, workspace_id: str, profile_id: str, post_id: str | None = None) -> list[TrackedTarget]:
        prefix = f"TRACK#{post_id}#" if post_id else "TRACK#"
        items = self._prefixed(workspace_id, prefix, FilterExpression="profile_id = :profile",
                               values={":profile": {"S": profile_id}})
        return [_model(TrackedTarget, item) for item in items]

    # --- snapshots ---------------------------------------------------------------------------

    def record_snapshot(self, snapshot: Snapshot, previous: datetime | None, expires_at: datetime) -> bool:
        """Write the snapshot and move the target's last metrics on, in one transaction; False
        when another collection recorded one meanwhile (the target's last time moved)."""
        collected = to_iso(snapshot.collected_at)
        put = to_item({
            "PK": keys.workspace_pk(snapshot.workspace_id),
            "SK": keys.snapshot_sk(snapshot.post_id, snapshot.account_id, collected),
            "entity": "snapshot", **snapshot.model_dump(mode="python"), "expires_at": int(expires_at.timestamp()),
        })
        condition = "attribute_exists(PK) AND "
        values: dict[str, Any] = {":metrics": to_value(snapshot.metrics), ":at": {"S": collected}}
        if previous is None:
            condition += "attribute_not_exists(last_collected_at)"
        else:
            condition += "last_collected_at = :previous"
            values[":previous"] = {"S": to_iso(previous)}
        update = {
            "TableName": self._table,
            "Key": {"PK": self._pk(snapshot.workspace_id),
                    "SK": {"S": keys.tracked_sk(snapshot.post_id, snapshot.account_id)}},
            "UpdateExpression": "SET last_metrics = :metrics, last_collected_at = :at",
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
        try:
            self._db.transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table, "Item": put, "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Update": update},
            ])
        except Exception as exc:
            if _lost_race(exc):
                return False
            raise
        return True

    def snapshots_for_post(self, workspace_id: str, post_id: str) -> list[Snapshot]:
        return [_model(Snapshot, item) for item in self._prefixed(workspace_id, f"SNAP#{post_id}#")]

    # --- totals and rollups ------------------------------------------------------------------

    def totals(self, workspace_id: str, post_id: str, account_id: str) -> TargetTotals | None:
        answer = self._db.get_item(TableName=self._table, ConsistentRead=True, Key={
            "PK": self._pk(workspace_id), "SK": {"S": keys.totals_sk(post_id, account_id)}})
        return _model(TargetTotals, answer["Item"]) if "Item" in answer else None

    def apply(self, totals: TargetTotals, previous: TargetTotals | None, gained: dict[str, int], day: str) -> bool:
        """The target's new totals and what they gained added to the day's rollup, at once; False
        when the totals are no longer `previous` (this snapshot was applied already, or a newer one)."""
        put: dict[str, Any] = {
            "TableName": self._table,
            "Item": to_item({"PK": keys.workspace_pk(totals.workspace_id),
                             "SK": keys.totals_sk(totals.post_id, totals.account_id), "entity": "totals",
                             **totals.model_dump(mode="python")}),
        }
        if previous is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "collected_at = :previous"
            put["ExpressionAttributeValues"] = {":previous": {"S": to_iso(previous.collected_at)}}
        items: list[dict[str, Any]] = [{"Put": put}]
        counters = {f"m_{name}": value for name, value in gained.items() if name in METRICS and value}
        if counters or previous is None:
            names = {f"#{n}": n for n in counters}
            values = {f":{n}": {"N": str(v)} for n, v in counters.items()}
            additions = [f"#{n} :{n}" for n in counters]
            if previous is None:  # a target's first snapshot: one more post measured that day
                additions.append("posts :one")
                values[":one"] = {"N": "1"}
            update: dict[str, Any] = {
                "TableName": self._table,
                "Key": {"PK": self._pk(totals.workspace_id),
                        "SK": {"S": keys.rollup_sk(totals.profile_id, day, totals.platform)}},
                "UpdateExpression": "ADD " + ", ".join(additions) + " SET entity = :rollup",
                "ExpressionAttributeValues": {**values, ":rollup": {"S": "rollup"}},
            }
            if names:
                update["ExpressionAttributeNames"] = names
            items.append({"Update": update})
        try:
            self._db.transact_write_items(TransactItems=items)
        except Exception as exc:
            if _lost_race(exc):
                return False
            raise
        return True

    def totals_for_post(self, workspace_id: str, post_id: str) -> list[TargetTotals]:
        return [_model(TargetTotals, item) for item in self._prefixed(workspace_id, f"STATS#{post_id}#")]

    def totals_for_profile(self, workspace_id: str, profile_id: str) -> list[TargetTotals]:
        items = self._prefixed(workspace_id, "STATS#", FilterExpression="profile_id = :profile",
                               values={":profile": {"S": profile_id}})
        return [_model(TargetTotals, item) for item in items]

    def rollups(self, workspace_id: str, profile_id: str, first_day: str, last_day: str) -> list[dict[str, Any]]:
        """{day, platform, posts, <metric>: gained} per day and network, `first_day`..`last_day`."""
        found = []
        for item in self._query(
            KeyConditionExpression="PK = :pk AND SK BETWEEN :low AND :high",
            ExpressionAttributeValues={":pk": self._pk(workspace_id),
                                       ":low": {"S": f"ROLLUP#{profile_id}#{first_day}#"},
                                       ":high": {"S": f"ROLLUP#{profile_id}#{last_day}#~"}},
        ):
            values = from_item(item)
            _, _, day, platform = str(values["SK"]).split("#", 3)
            row = {"day": day, "platform": platform, "posts": int(values.get("posts", 0))}
            row |= {name[2:]: int(v) for name, v in values.items() if name.startswith("m_")}
            found.append(row)
        return found

    # --- signals, followers, refreshes -------------------------------------------------------

    def signal(self, workspace_id: str, profile_id: str, kind: str, at: datetime, post_id: str, account_id: str,
               details: dict[str, Any]) -> bool:
        item = to_item({"PK": keys.workspace_pk(workspace_id),
                        "SK": keys.signal_sk(profile_id, to_iso(at), post_id, account_id), "entity": "signal",
                        "kind": kind, "profile_id": profile_id, "post_id": post_id, "account_id": account_id,
                        "at": at, **details})
        return self._put_new(item)

    def signals(self, workspace_id: str, profile_id: str) -> list[dict[str, Any]]:
        return [{k: v for k, v in from_item(i).items() if k not in _ROW_ONLY}
                for i in self._prefixed(workspace_id, f"SIGNAL#{profile_id}#")]

    def record_followers(self, workspace_id: str, account_id: str, at: datetime, followers: int,
                         expires_at: datetime) -> None:
        self._db.put_item(TableName=self._table, Item=to_item({
            "PK": keys.workspace_pk(workspace_id), "SK": keys.followers_sk(account_id, to_iso(at)),
            "entity": "followers", "account_id": account_id, "at": at, "followers": followers,
            "expires_at": int(expires_at.timestamp())}))

    def followers(self, workspace_id: str, account_id: str) -> list[tuple[datetime, int]]:
        return [(from_iso(str(v["at"])), int(v["followers"]))
                for v in (from_item(i) for i in self._prefixed(workspace_id, f"FOLLOWERS#{account_id}#"))]

    def record_account_insights(self, workspace_id: str, account_id: str, at: datetime, window_days: int,
                                metrics: dict[str, int], expires_at: datetime) -> None:
        self._db.put_item(TableName=self._table, Item=to_item({
            "PK": keys.workspace_pk(workspace_id), "SK": keys.account_insights_sk(account_id, to_iso(at)),
            "entity": "account_insights", "account_id": account_id, "at": at, "window_days": window_days,
            "metrics": metrics, "expires_at": int(expires_at.timestamp())}))

    def account_insights(self, workspace_id: str, account_id: str, *, latest: bool = False) -> list[AccountInsights]:
        """The account's collected insights, oldest first (`latest`: only the newest one)."""
        extra: dict[str, Any] = {"ScanIndexForward": False, "Limit": 1} if latest else {}
        found = []
        for item in self._prefixed(workspace_id, f"INSIGHTS#{account_id}#", **extra):
            values = from_item(item)
            found.append(AccountInsights(at=from_iso(str(values["at"])), window_days=int(values["window_days"]),
                                         metrics={k: int(v) for k, v in dict(values["metrics"]).items()}))
            if latest:
                break
        return found

    def claim_refresh(self, workspace_id: str, profile_id: str, now: datetime, until: datetime) -> bool:
        """Whether a refresh may start now (one per profile until `until`)."""
        try:
            self._db.put_item(
                TableName=self._table,
                Item=to_item({"PK": keys.workspace_pk(workspace_id), "SK": keys.analytics_refresh_sk(profile_id),
                              "entity": "analytics_refresh", "until": until,
                              "expires_at": int(until.timestamp())}),
                ConditionExpression="attribute_not_exists(PK) OR #until <= :now",
                ExpressionAttributeNames={"#until": "until"},
                ExpressionAttributeValues={":now": to_value(now)},
            )
        except Exception as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    # --- mentions ----------------------------------------------------------------------------

    def mention_watches(self) -> Iterator[MentionWatch]:
        """Every account whose mentions are read (the GSI1 `MENTIONS#` shards), account by account
        within each shard."""
        for partition in keys.mention_watch_pks():
            for item in self._query(IndexName="GSI1", KeyConditionExpression="GSI1PK = :pk",
                                    ExpressionAttributeValues={":pk": {"S": partition}}):
                values = from_item(item)
                yield MentionWatch(str(values["workspace_id"]), str(values["account_id"]), str(values["platform"]))

    def mention_state(self, workspace_id: str, account_id: str) -> MentionState | None:
        """The account's mentions state; None when it has none (its mentions are not read)."""
        answer = self._db.get_item(TableName=self._table, ConsistentRead=True, Key={
            "PK": self._pk(workspace_id), "SK": {"S": keys.mention_cursor_sk(account_id)}})
        if "Item" not in answer:
            return None
        values = from_item(answer["Item"])
        cursor = values.get("cursor")
        return MentionState(read="read_at" in values, cursor=str(cursor) if cursor is not None else None)

    def record_mention(self, mention: Mention, expires_at: datetime) -> bool:
        """Keep a mention; False when the account's mention with that id is kept already."""
        item = to_item({
            "PK": keys.workspace_pk(mention.workspace_id),
            "SK": keys.mention_sk(mention.account_id, mention.mention_id),
            "entity": "mention", **mention.model_dump(mode="python"), "expires_at": int(expires_at.timestamp()),
        })
        return self._put_new(item)

    def advance_mention_cursor(self, workspace_id: str, account_id: str, cursor: str | None, at: datetime) -> bool:
        """Record a read of the account's mentions that reached `cursor` (None: it found none),
        marking the baseline done. The cursor only moves forward (by `cursor_order`): False when
        the stored one is as new or newer, or when the account's mentions state is gone."""
        values: dict[str, Any] = {":at": to_value(at)}
        if cursor is None:
            update = "SET read_at = if_not_exists(read_at, :at)"
            condition = "attribute_exists(PK)"
        else:
            update = "SET #cursor = :cursor, cursor_order = :order, read_at = :at"
            condition = "attribute_exists(PK) AND (attribute_not_exists(cursor_order) OR cursor_order < :order)"
            values |= {":cursor": {"S": cursor}, ":order": {"S": cursor_order(cursor)}}
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": {"PK": self._pk(workspace_id), "SK": {"S": keys.mention_cursor_sk(account_id)}},
            "UpdateExpression": update, "ConditionExpression": condition, "ExpressionAttributeValues": values,
        }
        if cursor is not None:
            request["ExpressionAttributeNames"] = {"#cursor": "cursor"}
        try:
            self._db.update_item(**request)
        except Exception as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def mentions_of_account(self, workspace_id: str, account_id: str) -> list[Mention]:
        return [_model(Mention, item) for item in self._prefixed(workspace_id, f"MENTION#{account_id}#")]
