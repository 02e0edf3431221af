"""The local workspace and its admin API key, created through Herald's own code."""

from __future__ import annotations

import importlib
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

# (name, api_key) -> (workspace id, key); herald's also takes the default profile's `timezone`.
EnsureWorkspace = Callable[..., tuple[str, str]]


@dataclass(frozen=True)
class BootstrapResult:
    api_key: str
    workspace_id: str | None = None
    problem: str | None = None  # why no workspace exists, when it does not

    @property
    def ok(self) -> bool:
        return self.problem is None


def generate_api_key() -> str:
    return f"hk_{secrets.token_urlsafe(32)}"


def herald_ensure_workspace() -> EnsureWorkspace | None:
    """`herald.workspaces.bootstrap.ensure_workspace`, imported only now (it may not exist yet)."""
    try:
        module = importlib.import_module("herald.workspaces.bootstrap")
    except ImportError as exc:
        log.warning(
            "herald.workspaces.bootstrap cannot be imported (%s): no workspace was created, "
            "so the API key will not authenticate yet",
            exc,
        )
        return None
    ensure = getattr(module, "ensure_workspace", None)
    if not callable(ensure):
        log.warning("herald.workspaces.bootstrap has no ensure_workspace(): no workspace was created")
        return None
    return ensure


def bootstrap_workspace(name: str, api_key: str, ensure: EnsureWorkspace | None) -> BootstrapResult:
    """Create (or find) the workspace whose admin key is `api_key`, its default profile in
    `HERALD_LOCAL_TIMEZONE` (UTC when unset). Never raises: a failure is logged and reported, and
    the local cloud keeps running."""
    if ensure is None:
        return BootstrapResult(api_key=api_key, problem="herald.workspaces.bootstrap is not available")
    zone = os.environ.get("HERALD_LOCAL_TIMEZONE")
    try:
        workspace_id, key = ensure(name, api_key, timezone=zone) if zone else ensure(name, api_key)
    except Exception as exc:
        log.exception("creating the local workspace %r failed", name)
        return BootstrapResult(api_key=api_key, problem=f"ensure_workspace failed: {exc!r}")
    log.info("workspace %s ready (%s)", workspace_id, name)
    return BootstrapResult(api_key=key, workspace_id=workspace_id)
