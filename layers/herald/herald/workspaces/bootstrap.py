"""Create a workspace for a known API key unless one exists (the local cloud's first start)."""

from __future__ import annotations


def ensure_workspace(name: str, api_key: str, timezone: str = "UTC") -> tuple[str, str]:
    """The workspace of `api_key`, created (its default profile in `timezone`) unless it exists."""
    from herald.wiring import workspace_service
    from herald.workspaces.service import hash_key

    service = workspace_service()
    existing = service.store.find_api_key(hash_key(api_key))
    if existing is not None:
        return existing.workspace_id, api_key
    workspace, _, issued = service.create_workspace(name, api_key, timezone)
    return workspace.id, issued.secret
