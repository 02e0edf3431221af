"""Import time of each function module in a fresh interpreter, against `import boto3` alone.

Each sample is a new process timing its own import with perf_counter (interpreter start is not
counted). Bytecode is cached first, as the built layer ships precompiled .pyc files. Runs are
interleaved so that machine noise touches every variant alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ("api", "publish", "sweeper", "inspect_media")

_TIMED = """
import time, json
t = time.perf_counter()
{body}
print(json.dumps(time.perf_counter() - t))
"""

_LOAD_FUNCTION = """
import importlib.util
spec = importlib.util.spec_from_file_location("app", {path!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
"""


def _sample(body: str) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    out = subprocess.run(
        [sys.executable, "-c", _TIMED.format(body=body)], capture_output=True, text=True, check=True, env=env
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def measure(runs: int = 15) -> dict[str, list[float]]:
    variants = {"import boto3": "import boto3"}
    for name in FUNCTIONS:
        variants[f"functions/{name}"] = _LOAD_FUNCTION.format(path=str(ROOT / "functions" / name / "app.py"))
    for body in variants.values():
        _sample(body)  # fills the bytecode cache
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, body in variants.items():
            samples[name].append(_sample(body))
    return samples
