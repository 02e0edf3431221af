"""The error-envelope check: every 4xx answer of the /v1 API is
`{"error": {"code", "message", "details"}}` with a code from the documented set."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ENVELOPE_KEYS = {"code", "message", "details"}
# Stable codes the API answers that docs/api.md does not name yet (reported to the lead engineer):
# drop each from here once the Errors table lists it.


def documented_codes(api_doc: Path = ROOT / "docs" / "api.md") -> frozenset[str]:
    """The codes docs/api.md documents: every `code` in the rows of its `## Errors` table, and
    the ones its text names after a status ("answers 422 `oauth_state_invalid`", "422
    `media_url_invalid` or `media_url_forbidden`")."""
    text = api_doc.read_text()
    section = text.split("## Errors", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| status")]
    in_table = {code for row in rows for code in re.findall(r"`([a-z][a-z0-9_]*)`", re.sub(r"\([^)]*\)", "", row))}
    after_status = {
        code
        for run in re.findall(r"\b[45]\d\d\s+((?:`[a-z][a-z0-9_]*`(?:,\s*|\s+or\s+)?)+)", text)
        for code in re.findall(r"`([a-z][a-z0-9_]*)`", run)
    }
    return frozenset(in_table | after_status)


def envelope_problem(status: int, body: Any, codes: frozenset[str]) -> str | None:
    """Why a 4xx answer is not in the envelope, or None when it is."""
    if not 400 <= status < 500:
        return None
    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(body["error"], dict):
        return f"{status} body is not {{'error': {{...}}}}: {body!r}"
    error = body["error"]
    if set(error) != ENVELOPE_KEYS:
        return f"{status} error has keys {sorted(error)}, not {sorted(ENVELOPE_KEYS)}"
    if not isinstance(error["message"], str) or not error["message"]:
        return f"{status} error message is not a non-empty string: {error['message']!r}"
    if not isinstance(error["details"], list) or not all(isinstance(item, dict) for item in error["details"]):
        return f"{status} error details is not a list of objects: {error['details']!r}"
    if error["code"] not in codes:
        return f"{status} error code {error['code']!r} is not documented in docs/api.md"
    return None
