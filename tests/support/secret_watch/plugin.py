"""The watcher as a pytest plugin: it knows which test is running, scans what each test was shown
when the test ends, and runs the scanning test (tests/secrets/test_secrets_never_shown.py)
last in every session, also when only part of the suite runs."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from . import responses, sources
from .after_import import AfterImport
from .logs import LogWatch
from .patching import after_init
from .watcher import Finding, Watcher

NAME = "secret_watch"
SCAN_TEST = Path(__file__).resolve().parents[2] / "secrets" / "test_secrets_never_shown.py"


class SecretWatchPlugin:
    def __init__(self) -> None:
        self.watcher = Watcher()
        self._active = self.watcher
        self.hooks = AfterImport()
        self.origins = responses.Origins()
        self.logs = LogWatch(self.active)
        self.reported = 0  # how many findings the scanning test has reported

    def active(self) -> Watcher:
        return self._active

    def install(self) -> None:
        self.hooks.install()
        sources.install(self.hooks, self.active)
        responses.install(self.hooks, self.active, self.origins)
        self.logs.install()
        # A powertools Logger made later (a function's module imported mid-test) is lowered at once.
        self.hooks.on_import("aws_lambda_powertools.logging.logger",
                             lambda module: after_init(module.Logger, lambda _: self.logs.lower()))

    def uninstall(self) -> None:
        self.hooks.uninstall()
        self.logs.uninstall()

    @contextmanager
    def watching(self, watcher: Watcher) -> Iterator[Watcher]:
        """Send what is recorded and shown meanwhile to `watcher` (the watcher's own tests plant
        secrets there, away from the suite's)."""
        previous, self._active = self._active, watcher
        if watcher is not self.watcher and watcher.forward is None:
            watcher.forward = self.watcher  # secrets made meanwhile are the suite's to watch too
        try:
            yield watcher
        finally:
            self._active = previous

    def late_findings(self) -> list[Finding]:
        return self.watcher.findings[self.reported:]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
        self.logs.lower()
        self.watcher.test = item.nodeid
        try:
            return (yield)
        finally:
            self.watcher.flush()
            self.watcher.test = f"(after {item.nodeid})"

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.watcher.flush()  # session-scoped fixtures end after the scanning test
        if self.late_findings():
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        watcher = self.watcher
        scanned = ", ".join(f"{count} {kind}" for kind, count in sorted(watcher.scanned.items())) or "nothing"
        terminalreporter.write_line(f"secret watch: {len(watcher.book)} secrets recorded; scanned {scanned}; "
                                    f"{len(watcher.findings)} shown")
        late = self.late_findings()
        if late:
            terminalreporter.section("secrets shown where the scanning test did not see them", sep="!")
            for finding in late:
                terminalreporter.write_line(str(finding))

    def pytest_unconfigure(self) -> None:
        self.uninstall()


def collect_scan_last(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move the scanning test to the end, adding it to a session that did not select it."""
    if config.pluginmanager.get_plugin(NAME) is None or not items:
        return
    scan = [item for item in items if Path(item.path) == SCAN_TEST]
    if not scan and SCAN_TEST.exists():
        module = pytest.Module.from_parent(session, path=SCAN_TEST)
        scan = [node for node in module.collect() if isinstance(node, pytest.Item)]
    items[:] = [item for item in items if item not in scan] + scan
