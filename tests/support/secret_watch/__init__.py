"""No secret in logs or API responses: the suite-wide watcher.

Secrets are recorded where they are made (sources.py); every log record (logs.py) and every API
answer (responses.py) the tests are shown is scanned for them at the end of the test that
produced it (watcher.py, book.py); tests/secrets/test_secrets_never_shown.py, run last, fails
naming each one. tests/conftest.py installs it: `start()` when the conftest is imported (before
any other conftest imports Herald), `register(config)` in pytest_configure (`-p no:secret_watch`
turns it off), `collect_scan_last` in pytest_collection_modifyitems."""

from __future__ import annotations

import pytest

from .plugin import NAME, SCAN_TEST, SecretWatchPlugin, collect_scan_last
from .watcher import Finding, Watcher

__all__ = ["NAME", "SCAN_TEST", "Finding", "SecretWatchPlugin", "Watcher", "collect_scan_last", "register", "start"]

_started: SecretWatchPlugin | None = None


def start() -> SecretWatchPlugin:
    global _started
    if _started is None:
        _started = SecretWatchPlugin()
        _started.install()
    return _started


def register(config: pytest.Config) -> None:
    plugin = start()
    if config.pluginmanager.register(plugin, NAME) is None:  # blocked with -p no:secret_watch
        plugin.uninstall()
