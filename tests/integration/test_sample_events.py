"""Every file in events/ is fed to its function's handler (as `sam local invoke -e` would)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest

from support.apigw import Context
from support.records import add_account

ROOT = Path(__file__).resolve().parents[2]
EVENTS = sorted((ROOT / "events").glob("*.json"))


def handler_for(event_file: Path) -> Any:
    function = event_file.name.split("-")[0].split(".")[0]
    code = ROOT / "functions" / function
    spec = importlib.util.spec_from_file_location(f"fn_{function}", code / "app.py")
    assert spec and spec.loader, event_file
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(code))  # Lambda puts the code directory on sys.path (console: its module)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(code))
    return module.lambda_handler


@pytest.fixture
def sample_workspace(trigger: Any) -> dict[str, Any]:
    """The workspace whose key the sample API events carry."""
    from herald import wiring
    from herald.workspaces.service import hash_key

    key = json.loads((ROOT / "events" / "api-create-post.json").read_text())["headers"]["authorization"].split()[1]
    service = wiring.workspace_service()
    existing = service.store.find_api_key(hash_key(key))
    if existing is None:
        ws, profile, _ = service.create_workspace("samples", key)
        info = {"id": ws.id, "profile_id": profile.id}
        add_account(info, platform="x")
        return info
    return {"id": existing.workspace_id}


@pytest.mark.parametrize("event_file", EVENTS, ids=[e.name for e in EVENTS])
def test_each_sample_event_runs_through_its_handler(event_file: Path, sample_workspace: dict[str, Any]) -> None:
    event = json.loads(event_file.read_text())
    result = handler_for(event_file)(event, Context())
    if event_file.name.startswith("api-"):
        body = json.loads(result["body"])
        assert result["statusCode"] in (200, 201, 404), body
        if result["statusCode"] == 404:
            assert body["error"]["code"] == "post_not_found"
    elif event_file.name.startswith("console-"):
        # index.html, or 503 console_not_built where the console was not built (make console)
        assert result["statusCode"] in (200, 503), result
        assert result["headers"]["content-security-policy"].startswith("default-src 'self'")
        assert "text/html" in result["headers"]["content-type"]
    elif event_file.name.startswith("inspect_media"):
        # An upload key without a media item: the object is removed (there is none here).
        key = unquote_plus(event["Records"][0]["s3"]["object"]["key"])
        assert result == {"processed": [{"key": key, "result": "orphan_removed", "media_id": key.split("/")[2]}]}
    elif event_file.name in ("analytics_worker.json", "stream.json", "webhooks.json"):
        # each record handled (a delivery to a webhook that is not registered is dropped)
        assert result == {"batchItemFailures": []}, result
    elif event_file.name == "collect_analytics.json":
        assert set(result) == {"messages", "targets", "mention_reads"}
    elif event_file.name == "publish.json":
        assert result["result"] == "skipped" and result["reason"] == "post_not_found"
    else:
        assert result == {"handed_to_publish": 0} or "handed_to_publish" in result
