"""The web console in a real browser: console/e2e (node's test runner, playwright-core driving
Debian's chromium, no browser download) against `python -m local` on free ports, which serves
the built console at `/` as the stack does. Screenshots of each step are kept as artefacts in
artifacts/browser/ (HERALD_BROWSER_ARTIFACTS). `make test` installs chromium, the console's npm
packages and its build first; run alone, the test is skipped where they are missing, and fails
in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from local_process import ROOT, running_local_cloud

CONSOLE = ROOT / "console"
CHROMIUM = Path(os.environ.get("HERALD_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("HERALD_BROWSER_ARTIFACTS", ROOT / "artifacts" / "browser"))
BUILT = ROOT / "functions" / "console" / "static" / "index.html"


def missing_parts() -> list[str]:
    checks = {
        f"chromium at {CHROMIUM} (apt-get install chromium)": CHROMIUM.exists(),
        "node (Node.js 20 or newer)": shutil.which("node") is not None,
        "console/node_modules (npm ci in console/)": (CONSOLE / "node_modules" / "playwright-core").is_dir(),
        "the console build (make console)": BUILT.exists(),
    }
    return [name for name, present in checks.items() if not present]


def test_the_console_in_chromium(tmp_path: Path) -> None:
    missing = missing_parts()
    if missing:
        message = "browser tests need: " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Simulated networks gain an hour of engagement a second, so the first collection has numbers.
    with running_local_cloud(
        tmp_path, HERALD_SIMULATED_TIME_SPEEDUP="3600", HERALD_ANALYTICS_REFRESH_SECONDS="0",
        HERALD_LOCAL_LOG_LEVEL="INFO",
    ) as cloud:
        env = {**os.environ, "HERALD_URL": cloud.api_url, "HERALD_KEY": cloud.api_key,
               "HERALD_ARTIFACTS": str(ARTIFACTS), "HERALD_CHROMIUM": str(CHROMIUM)}
        run = subprocess.run(
            ["node", "--test", "--test-concurrency=1", "--test-reporter=spec", "e2e/"],
            cwd=CONSOLE, env=env, capture_output=True, text=True, timeout=900, check=False,
        )
        report = f"{run.stdout}\n{run.stderr}"
        (ARTIFACTS / "report.txt").write_text(report)
        (ARTIFACTS / "local-cloud.log").write_text(cloud.output())
        assert run.returncode == 0, f"{report}\n--- local cloud ---\n{cloud.output()[-6000:]}"
