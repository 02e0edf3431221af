"""Lambda-like package directories for the benchmarks, kept in .bench/ and rebuilt when their
requirements change.

- runtime/: boto3 alone, as the python3.12 runtime provides it;
- layer/: what HeraldLayer ships (layers/herald/requirements.txt and the herald package), built for
  this machine so that it can be imported here, precompiled like the layer (unchecked-hash .pyc);
- arm64/: the real layer, built by layers/herald/Makefile for Lambda's platform: its size is the
  one that ships (pip fetches the aarch64 wheels).

Benchmark children run `python -S` with PYTHONPATH set to these folders, so they import exactly
what a function would, and nothing of the dev virtualenv (where optional extras such as rich
would otherwise be imported by httpx)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / ".bench"
RUNTIME = HOME / "runtime"
LAYER = HOME / "layer" / "python"
ARM64 = HOME / "arm64"
REQUIREMENTS = ROOT / "layers" / "herald" / "requirements.txt"


def _boto3_pin() -> str:
    found = re.search(r"^boto3==\S+", (ROOT / "requirements-dev.txt").read_text(), re.MULTILINE)
    return found.group(0) if found else "boto3"


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--no-compile", *args], check=True)


def _compile(folder: Path) -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-f", "-j", "0", "--invalidation-mode",
                    "unchecked-hash", str(folder)], check=True, stdout=subprocess.DEVNULL)


def _fresh(folder: Path, stamp: str) -> bool:
    return (folder / ".stamp").is_file() and (folder / ".stamp").read_text() == stamp


def _stamp(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def prepare(arm64: bool = True) -> None:
    pin = _boto3_pin()
    if not _fresh(RUNTIME, _stamp(pin)):
        shutil.rmtree(RUNTIME, ignore_errors=True)
        _pip("--target", str(RUNTIME), pin)
        _compile(RUNTIME)
        (RUNTIME / ".stamp").write_text(_stamp(pin))
    requirements = REQUIREMENTS.read_text()
    if not _fresh(LAYER, _stamp(requirements)):
        shutil.rmtree(LAYER, ignore_errors=True)
        _pip("--target", str(LAYER), "-r", str(REQUIREMENTS))
        shutil.rmtree(LAYER / "bin", ignore_errors=True)
        _compile(LAYER)
        (LAYER / ".stamp").write_text(_stamp(requirements))
    # The herald package changes with every commit: copied and compiled on every run.
    shutil.rmtree(LAYER / "herald", ignore_errors=True)
    shutil.copytree(ROOT / "layers" / "herald" / "herald", LAYER / "herald",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _compile(LAYER / "herald")
    if arm64:
        shutil.rmtree(ARM64, ignore_errors=True)
        env = {**os.environ, "ARTIFACTS_DIR": str(ARM64), "PYTHON": sys.executable}
        subprocess.run(["make", "--no-print-directory", "-C", str(ROOT / "layers" / "herald"), "build-HeraldLayer"],
                       check=True, env=env, stdout=subprocess.DEVNULL)


def python_path(with_layer: bool) -> str:
    return os.pathsep.join([str(LAYER), str(RUNTIME)] if with_layer else [str(RUNTIME)])


def size_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
