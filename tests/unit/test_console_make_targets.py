"""`make console` (the root Makefile) against a stand-in console/ and stand-in node and npm on
PATH: `npm ci` only when the lock file changed or node_modules is gone, `npm run build` only when
a source is newer than the built index.html, and a clear message without Node.js."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")
TOOLS = ("bash", "sh", "find", "touch", "mkdir", "cat", "rm", "dirname", "env")

NPM = """#!/bin/bash
echo "npm $*" >> "$NPM_LOG"
case "$1" in
  ci) rm -rf node_modules && mkdir node_modules ;;
  run) mkdir -p ../functions/console/static && echo built > ../functions/console/static/index.html ;;
esac
"""
NODE = """#!/bin/bash
case "$1" in
  --version) echo "v$NODE_MAJOR.0.0" ;;
  -e) [ "$NODE_MAJOR" -ge 20 ] ;;
esac
"""

pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    for name, text in {
        "console/package.json": "{}",
        "console/package-lock.json": "{}",
        "console/index.html": "<!doctype html>",
        "console/vite.config.ts": "export default {}",
        "console/src/main.tsx": "export {}",
        "console/public/favicon.svg": "<svg/>",
        "docs/openapi.json": "{}",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, tool
        (tools / tool).symlink_to(found)
    return tmp_path


def with_node(project: Path) -> None:
    for name, script in (("npm", NPM), ("node", NODE)):
        path = project / "bin" / name
        path.write_text(script, encoding="utf-8")
        path.chmod(0o755)


def make_console(project: Path, node_major: int = 20) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    log = project / "npm.log"
    log.write_text("", encoding="utf-8")
    env = {"PATH": str(project / "bin"), "HOME": str(project), "NPM_LOG": str(log), "NODE_MAJOR": str(node_major)}
    result = subprocess.run([MAKE or "make", "--no-print-directory", "console"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=60)
    return result, log.read_text(encoding="utf-8").splitlines()


def newest(project: Path) -> int:
    return max(p.stat().st_mtime_ns for p in project.rglob("*") if p.is_file())


def bump(project: Path, path: Path) -> None:
    """Make `path` newer than anything made so far (without sleeping)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, newest(project) + 10**9))


def test_installs_and_builds_only_what_changed(project: Path) -> None:
    with_node(project)
    result, npm = make_console(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert npm == ["npm ci --no-audit --no-fund", "npm run build"]
    assert (project / "functions/console/static/index.html").is_file()
    assert (project / "console/node_modules/.herald-npm-ci").is_file()

    assert make_console(project)[1] == []  # nothing changed

    bump(project, project / "console/src/main.tsx")
    assert make_console(project)[1] == ["npm run build"]

    bump(project, project / "docs/openapi.json")  # the console's API types come from it
    assert make_console(project)[1] == ["npm run build"]

    bump(project, project / "console/package-lock.json")
    assert make_console(project)[1] == ["npm ci --no-audit --no-fund", "npm run build"]

    shutil.rmtree(project / "console/node_modules")
    assert make_console(project)[1] == ["npm ci --no-audit --no-fund", "npm run build"]


def test_without_node_it_says_what_to_install(project: Path) -> None:
    result, npm = make_console(project)
    assert result.returncode != 0 and npm == []
    assert "The console needs Node.js 20 or later and npm" in result.stdout + result.stderr


def test_an_old_node_is_refused_with_its_version(project: Path) -> None:
    with_node(project)
    result, npm = make_console(project, node_major=18)
    assert result.returncode != 0 and npm == []
    assert "this is node v18.0.0" in result.stdout + result.stderr
