"""The committed OpenAPI document is the contract: it must match what the code generates."""

from __future__ import annotations

import json
from pathlib import Path

from herald.api.openapi import document

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_spec_matches_the_code() -> None:
    committed = json.loads(COMMITTED.read_text())
    assert committed == document(), "docs/openapi.json is stale: run `make openapi` and commit it"


def test_every_operation_documents_the_error_envelope_and_auth() -> None:
    spec = document()
    assert spec["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert len(operations) >= 16
    for operation in operations:
        assert operation.get("summary"), operation
