"""No token or key shows in a log record or an API response, in the whole session.

The watcher (tests/support/secret_watch) records every secret where it is made and scans what
each test was shown when that test ends; this test runs last (tests/conftest.py puts it there and
adds it to sessions that did not select it), takes what the session's tests were shown, and fails
naming each secret's kind, where it showed and which test was running. A session that ran no API
call or logged nothing passes: there was nothing to show a secret in."""

from __future__ import annotations

import pytest

from support.secret_watch import NAME, SecretWatchPlugin


def test_no_secret_in_any_log_record_or_api_response(request: pytest.FixtureRequest) -> None:
    plugin: SecretWatchPlugin | None = request.config.pluginmanager.get_plugin(NAME)
    if plugin is None:
        pytest.skip("the secret watcher is turned off (-p no:secret_watch)")
    assert request.session.items[-1] is request.node, "the scan must run after every other test"
    watcher = plugin.watcher
    watcher.flush()
    findings = list(watcher.findings)
    plugin.reported = len(findings)
    summary = "\n".join(f"- {finding}" for finding in findings)
    assert not findings, f"{len(findings)} secret(s) shown in logs or API responses:\n{summary}"
