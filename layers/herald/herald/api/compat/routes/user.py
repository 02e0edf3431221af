"""GET /api/user: the profile's linked accounts in Ayrshare's terms."""

from __future__ import annotations

import math
from typing import Any

from herald.accounts.model import Account, AccountStatus
from herald.api.compat import dates, names
from herald.api.compat.errors import answer, guarded
from herald.api.compat.router import profile, ref_id, router, who
from herald.wiring import account_service
from herald.workspaces.model import Role


def display_name(account: Account, now: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "platform": names.ayrshare_name(account.platform),
        "id": account.platform_user_id or account.id,
        "accountId": account.id,
        "displayName": account.display_name or account.name,
        "username": account.username,
        "userImage": account.avatar_url,
        "created": dates.iso(account.created_at),
        "refreshRequired": account.status is AccountStatus.RECONNECT_REQUIRED,
    }
    if account.token_expires_at is not None:
        item["refreshDaysRemaining"] = max(0, math.floor((account.token_expires_at - now).total_seconds() / 86400))
        item["refreshBy"] = dates.iso(account.token_expires_at)
    if account.followers is not None:
        item["followersCount"] = account.followers
    return item


@router.get("/user", include_in_schema=False)
@guarded("user")
def user():  # type: ignore[no-untyped-def]
    caller = who(Role.VIEWER)
    service = account_service()
    accounts = sorted(service.list(caller.workspace_id, caller.profile_id), key=lambda a: (a.platform, a.id))
    now = service.clock.now()
    active = [a for a in accounts if a.status is AccountStatus.ACTIVE]
    found = profile(caller)
    return answer({
        "activeSocialAccounts": sorted({names.ayrshare_name(a.platform) for a in active}),
        "displayNames": [display_name(a, now) for a in accounts],
        "email": None,
        "title": found.name,
        "refId": ref_id(caller),
        "created": dates.iso(found.created_at),
    })
