"""`sam build` with the makefile builds: every function and the layer ship unchecked-hash .pyc
for their .py files (Lambda's code directories are read-only, so bytecode not shipped is
recompiled at every cold start), and the layer's compiled dependencies are for aarch64."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .cfn_yaml import resources_of_type
from .conftest import ROOT, TEMPLATE, output, requires_tools, run, tool

pytestmark = requires_tools

# CPython 3.12's bytecode magic number (importlib.util.MAGIC_NUMBER on 3.12): the Lambda
# runtime ignores .pyc files written by another minor version.
MAGIC_312 = (3531).to_bytes(2, "little") + b"\r\n"
# PEP 552 flags: bit 0 = hash-based, bit 1 = check the source. unchecked-hash is 0b01: the
# .pyc is used as is, whatever the .py files' timestamps after unzipping.
UNCHECKED_HASH = 0b01


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sam-build") / "build"
    result = run(
        [tool("sam"), "build", "--template-file", str(TEMPLATE), "--build-dir", str(out), "--no-cached"],
        timeout=900,
    )
    assert result.returncode == 0, "sam build failed\n" + output(result)
    return out


def _pyc_problems(root: Path) -> list[str]:
    problems = []
    for source in sorted(root.rglob("*.py")):
        compiled = source.parent / "__pycache__" / f"{source.stem}.cpython-312.pyc"
        if not compiled.exists():
            problems.append(f"{source.relative_to(root)}: no {compiled.name}")
            continue
        header = compiled.read_bytes()[:8]
        if header[:4] != MAGIC_312:
            problems.append(f"{compiled.relative_to(root)}: not CPython 3.12 bytecode")
        elif int.from_bytes(header[4:8], "little") != UNCHECKED_HASH:
            problems.append(f"{compiled.relative_to(root)}: not unchecked-hash")
    return problems


def test_every_function_ships_app_py_with_its_bytecode(template: dict[str, Any], build_dir: Path) -> None:
    functions = resources_of_type(template, "AWS::Serverless::Function")
    assert functions
    for logical_id in functions:
        artifact = build_dir / logical_id
        assert (artifact / "app.py").is_file(), f"{logical_id}: app.py missing from {artifact}"
        assert (artifact / "__pycache__" / "app.cpython-312.pyc").is_file(), f"{logical_id}: app.py not compiled"
        assert _pyc_problems(artifact) == [], logical_id
        # The logic lives in the layer; the build recipe is not shipped.
        assert not (artifact / "herald").exists(), f"{logical_id} bundles the herald package"
        assert not (artifact / "Makefile").exists(), f"{logical_id} ships its Makefile"


def test_layer_ships_herald_and_dependencies_with_bytecode(build_dir: Path) -> None:
    python = build_dir / "HeraldLayer" / "python"
    herald = python / "herald"
    sources = {
        p.relative_to(ROOT / "layers" / "herald" / "herald") for p in (ROOT / "layers/herald/herald").rglob("*.py")
    }
    shipped = {p.relative_to(herald) for p in herald.rglob("*.py")}
    assert sources and sources <= shipped, f"herald modules not in the layer: {sorted(map(str, sources - shipped))}"
    assert (python / "pydantic" / "__init__.py").is_file()
    assert (python / "aws_lambda_powertools" / "__init__.py").is_file()
    # Every .py in the layer, ours and the dependencies', has its unchecked-hash 3.12 .pyc.
    assert _pyc_problems(python) == []


def test_layer_binaries_are_built_for_aarch64(build_dir: Path) -> None:
    python = build_dir / "HeraldLayer" / "python"
    assert list((python / "pydantic_core").glob("*aarch64*.so")), "pydantic_core was not built for aarch64"
    wrong = [str(p.relative_to(python)) for p in python.rglob("*.so") if "x86_64" in p.name or "amd64" in p.name]
    assert wrong == [], f"x86_64 binaries in an arm64 layer: {wrong}"


def test_layer_leaves_out_what_the_runtime_provides(build_dir: Path) -> None:
    python = build_dir / "HeraldLayer" / "python"
    # boto3/botocore come with the Lambda runtime (and botocore alone is ~30 MB); console
    # scripts are useless in a layer.
    assert not (python / "botocore").exists()
    assert not (python / "boto3").exists()
    assert not (python / "bin").exists()
