"""Shared fixtures of the template tests.

The checks that run aws-sam-cli and cfn-lint need the tools venv (aws-sam-cli pins its own
boto3, so it cannot live in the dev venv): `make test` passes its bin directory as
HERALD_TOOLS_BIN. Without it those checks are skipped; the structural ones always run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .cfn_yaml import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
TOOLS_BIN = os.environ.get("HERALD_TOOLS_BIN", "")

requires_tools = pytest.mark.skipif(
    not TOOLS_BIN,
    reason="HERALD_TOOLS_BIN is not set (the path to .venv-tools/bin with sam and cfn-lint); run `make test-template`",
)


def tool(name: str) -> str:
    path = Path(TOOLS_BIN) / name
    assert path.exists(), f"{path} not found: is HERALD_TOOLS_BIN ({TOOLS_BIN}) the tools venv's bin?"
    return str(path)


def _python312_dir() -> str | None:
    """The directory of a CPython 3.12 (the Lambda runtime's version): sam build and the
    makefile builds need `python3.12` on PATH."""
    candidates = []
    if sys.version_info[:2] == (3, 12):
        candidates.append(Path(sys.base_prefix) / "bin")
    candidates += sorted(Path.home().glob(".pyenv/versions/3.12*/bin"), reverse=True)
    for directory in candidates:
        if (directory / "python3.12").exists():
            return str(directory)
    return None


def tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SAM_CLI_TELEMETRY"] = "0"
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    python_dir = _python312_dir()
    if python_dir:
        env["PATH"] = python_dir + os.pathsep + env.get("PATH", "")
    return env


def run(args: list[str], timeout: float = 600, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=kwargs.pop("cwd", ROOT), env=tool_env(), capture_output=True, text=True, timeout=timeout, **kwargs
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE)
