"""What every benchmark sets up the same way: test credentials for moto, Herald's schedule lead,
and a workspace with test-mode accounts."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

TEST_CREDENTIALS = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing"}


def use_test_credentials() -> None:
    for name, value in TEST_CREDENTIALS.items():
        os.environ.setdefault(name, value)


@contextlib.contextmanager
def schedule_lead(seconds: int) -> Iterator[None]:
    """Herald hands a post due within `min_schedule_lead_seconds` (60) straight to the publish
    function; a shorter lead lets benchmarks schedule posts a few seconds ahead, each still through
    its own schedule."""
    from herald.settings import get_settings

    name = "HERALD_MIN_SCHEDULE_LEAD_SECONDS"
    previous = os.environ.get(name)
    os.environ[name] = str(seconds)
    get_settings.cache_clear()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous
        get_settings.cache_clear()


def workspace_with_accounts(name: str, networks: tuple[str, ...]) -> tuple[str, str, str, list[str]]:
    """(workspace id, profile id, admin key, account ids): one test-mode account per network."""
    from herald import wiring
    from herald.accounts.model import AccountMode

    _, profile, issued = wiring.workspace_service().create_workspace(name)
    workspace_id = issued.key.workspace_id
    accounts = [wiring.account_service().create(workspace_id, profile.id, platform=network, mode=AccountMode.TEST,
                                                name=f"Bench {n}", username="bench", simulate=[]).id
                for n, network in enumerate(networks)]
    return workspace_id, profile.id, issued.secret, accounts
