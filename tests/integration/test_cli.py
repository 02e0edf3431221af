"""The operator CLI against the table (here moto's, as it would be AWS's)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from herald.cli import main
from support.apigw import ApiClient


def test_workspace_create_prints_a_working_admin_key(trigger: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workspace", "create", "--name", "Acme"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["workspace_id"].startswith("ws_") and printed["role"] == "admin"
    assert ApiClient(printed["api_key"]).get("/v1/api-keys").status == 200


def test_workspace_create_with_a_chosen_key(trigger: Any, capsys: pytest.CaptureFixture[str]) -> None:
    key = "hk_chosen_by_the_operator_0001"
    assert main(["workspace", "create", "--name", "Chosen", "--api-key", key]) == 0
    assert json.loads(capsys.readouterr().out)["api_key"] == key
    assert ApiClient(key).get("/v1/posts").status == 200
    assert main(["workspace", "create", "--name", "Again", "--api-key", key]) == 2  # a key is unique
    assert "already in use" in capsys.readouterr().err
    assert main(["workspace", "create", "--name", "Short", "--api-key", "short"]) == 2


def test_the_table_follows_the_stack_name(trigger: Any, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HERALD_TABLE_NAME", raising=False)
    assert main(["--stack", "herald", "workspace", "create", "--name", "ByStack"]) == 0
    assert json.loads(capsys.readouterr().out)["workspace_id"]
    monkeypatch.delenv("HERALD_TABLE_NAME", raising=False)
    assert main(["--stack", "nothere", "workspace", "create", "--name", "Nope"]) == 2
    assert "nothere-table" in capsys.readouterr().err
