"""Connected accounts in the table. Credentials are sealed (herald.sealing) on every write and
stay sealed on read: `open` unseals them for the one caller that needs them (a publish run).

Each account written also keeps its mentions state item (`MENTIONCURSOR#{account}`, shared with
the analytics store, which keeps the read cursor on it) in step: while the account is active and
each collection reads it, tracked posts or not (`watched`: its network reads its mentions, or
reports metrics per account), that item is on GSI1 under `MENTIONS#{shard}`, which is how the
collector finds those accounts. The
item follows the account's writes (a conditional update after each, ordered by the account's
version); deleting the account deletes it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from herald.accounts.model import Account, AccountStatus
from herald.clock import to_iso
from herald.errors import AccountNotFound, ConcurrentModification
from herald.sealing import Sealer
from herald.store import keys
from herald.store.codec import from_item, to_item
from herald.store.due_index import due_keys
from herald.store.errors import is_conditional_failure

log = logging.getLogger(__name__)

_ROW_ONLY = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "entity")


def _context(account: Account) -> dict[str, str]:
    return {"workspace_id": account.workspace_id, "account_id": account.id}


class AccountStore:
    def __init__(self, client: Any, table_name: str, sealer: Sealer,
                 watched: Callable[[Account], bool] | None = None) -> None:
        self._db = client
        self._table = table_name
        self._sealer = sealer
        # Whether an account's mentions are read (its network reads them, with what it granted);
        # None: no account's are, and no mentions state is kept.
        self._watched = watched

    def _row(self, account: Account) -> dict[str, Any]:
        sealed = account.sealed_credentials
        if account.credentials:
            sealed = self._sealer.seal(account.credentials, _context(account))
        row = {
            "PK": keys.workspace_pk(account.workspace_id),
            "SK": keys.account_sk(account.id),
            "GSI1PK": keys.profile_accounts_pk(account.workspace_id, account.profile_id),
            "GSI1SK": account.id,
            "entity": "account",
            **account.model_dump(mode="python", exclude={"credentials", "sealed_credentials"}),
            "sealed_credentials": sealed,
        }
        if account.refresh_due_at is not None and account.status is AccountStatus.ACTIVE:
            row |= {"GSI2PK": keys.refresh_pk(account.id), "GSI2SK": to_iso(account.refresh_due_at)}
        return to_item(row)

    @staticmethod
    def _account(item: dict[str, Any]) -> Account:
        values = from_item(item)
        for name in _ROW_ONLY:
            values.pop(name, None)
        values.pop("credentials", None)  # never stored in the clear; ignore one that somehow is
        return Account.model_validate(values)

    def open(self, account: Account) -> Account:
        """The account with its credentials unsealed (one KMS call)."""
        if account.credentials or not account.sealed_credentials:
            return account
        credentials = self._sealer.open(account.sealed_credentials, _context(account))
        return account.model_copy(update={"credentials": credentials})

    def add(self, account: Account) -> None:
        self._db.put_item(TableName=self._table, Item=self._row(account), ConditionExpression="attribute_not_exists(PK)")
        self._follow_mentions(account)

    def save(self, account: Account, expected_version: int) -> None:
        try:
            self._db.put_item(
                TableName=self._table,
                Item=self._row(account),
                ConditionExpression="version = :v",
                ExpressionAttributeValues={":v": {"N": str(expected_version)}},
            )
        except Exception as exc:
            if is_conditional_failure(exc):
                raise ConcurrentModification(f"Account {account.id} changed meanwhile.") from exc
            raise
        self._follow_mentions(account)

    def _follow_mentions(self, account: Account) -> None:
        """Bring the account's mentions state item in step with the account just written: on the
        collector's index (GSI1 `MENTIONS#{shard}`) while it is active and watched,
        off it otherwise (an account that never was gets no item). The read cursor on the item is
        left alone. Conditional on the account's version, so a late write of an older version
        changes nothing. Best effort: the account is written already, and its next write puts the
        item right."""
        if self._watched is None:
            return
        watched = account.status is AccountStatus.ACTIVE and self._watched(account)
        values: dict[str, Any] = {
            ":entity": {"S": "mention_cursor"}, ":ws": {"S": account.workspace_id},
            ":profile": {"S": account.profile_id}, ":account": {"S": account.id},
            ":platform": {"S": account.platform}, ":version": {"N": str(account.version)},
        }
        update = ("SET entity = :entity, workspace_id = :ws, profile_id = :profile, account_id = :account, "
                  "platform = :platform, account_version = :version")
        condition = "attribute_not_exists(account_version) OR account_version <= :version"
        if watched:
            update += ", GSI1PK = :watch, GSI1SK = :account"
            values[":watch"] = {"S": keys.mention_watch_pk(account.id)}
        else:  # taken off the index; an account never watched gets no item
            update += " REMOVE GSI1PK, GSI1SK"
            condition = "attribute_exists(PK) AND account_version <= :version"
        try:
            self._db.update_item(
                TableName=self._table,
                Key={"PK": {"S": keys.workspace_pk(account.workspace_id)},
                     "SK": {"S": keys.mention_cursor_sk(account.id)}},
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except Exception as exc:
            if not is_conditional_failure(exc):  # a newer version was followed already: nothing to do
                log.warning("mentions state not updated", extra={"account_id": account.id,
                                                                 "error": type(exc).__name__})

    def get(self, workspace_id: str, account_id: str) -> Account:
        answer = self._db.get_item(
            TableName=self._table,
            Key={"PK": {"S": keys.workspace_pk(workspace_id)}, "SK": {"S": keys.account_sk(account_id)}},
            ConsistentRead=True,
        )
        if "Item" not in answer:
            raise AccountNotFound(f"No account {account_id}.")
        return self._account(answer["Item"])

    def for_profile(self, workspace_id: str, profile_id: str) -> list[Account]:
        # The base table with a consistent read, not GSI1: an account connected a moment ago must
        # be usable by the very next post. A workspace holds few accounts.
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "FilterExpression": "profile_id = :profile",
            "ExpressionAttributeValues": {
                ":pk": {"S": keys.workspace_pk(workspace_id)},
                ":prefix": {"S": "ACCOUNT#"},
                ":profile": {"S": profile_id},
            },
            "ConsistentRead": True,
        }
        accounts: list[Account] = []
        while True:
            page = self._db.query(**query)
            accounts.extend(self._account(i) for i in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return accounts
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def refresh_due(self, now: datetime, limit: int) -> Iterator[tuple[str, str]]:
        """(workspace_id, account_id) of active accounts whose token should be refreshed by now."""
        for pk, sk in due_keys(self._db, self._table, keys.refresh_pks(), to_iso(now), limit):
            yield pk.removeprefix("WS#"), sk.removeprefix("ACCOUNT#")

    def delete(self, workspace_id: str, account_id: str) -> None:
        self._db.delete_item(
            TableName=self._table,
            Key={"PK": {"S": keys.workspace_pk(workspace_id)}, "SK": {"S": keys.account_sk(account_id)}},
        )
        self._db.delete_item(  # its mentions state: the mentions read already expire on their own
            TableName=self._table,
            Key={"PK": {"S": keys.workspace_pk(workspace_id)}, "SK": {"S": keys.mention_cursor_sk(account_id)}},
        )
