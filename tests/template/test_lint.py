"""`sam validate --lint`, and cfn-lint over the template translated to plain CloudFormation.

cfn-lint (and so `sam validate --lint`) is blind inside SAM resources: a Serverless::Function
with `Runtime: python3.99` passes it. Linting samtranslator's output catches such mistakes; the
negative controls below prove the check would fail on them instead of silently passing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import TEMPLATE, output, requires_tools, run, tool

pytestmark = requires_tools

TRANSLATE = Path(__file__).with_name("sam_translate.py")


def translate(source: Path, target: Path) -> None:
    result = run([tool("python"), str(TRANSLATE), str(source), str(target)])
    assert result.returncode == 0, "SAM translation failed\n" + output(result)


def cfn_lint(path: Path):
    return run([tool("cfn-lint"), "--regions", "us-east-1", "--format", "parseable", "--", str(path)])


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("translated") / "template.json"
    translate(TEMPLATE, target)
    return target


def test_sam_validate_lint() -> None:
    result = run([tool("sam"), "validate", "--lint", "--template-file", str(TEMPLATE), "--region", "us-east-1"])
    assert result.returncode == 0, output(result)


def test_translated_template_passes_cfn_lint(translated: Path) -> None:
    result = cfn_lint(translated)
    # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings (informational ones are off).
    assert result.returncode == 0, output(result)


@pytest.mark.parametrize(
    ("original", "broken", "rule"),
    [
        ("Runtime: python3.12", "Runtime: python3.99", "E3030"),
        ("\n    Architectures: [arm64]\n", "\n    Architectures: [arm65]\n", "E3030"),
    ],
    ids=["runtime", "architecture"],
)
def test_cfn_lint_check_catches_a_broken_function(tmp_path: Path, original: str, broken: str, rule: str) -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert text.count(original) == 1, f"negative control: {original!r} must occur once in template.yaml"
    source = tmp_path / "template.yaml"
    source.write_text(text.replace(original, broken), encoding="utf-8")
    target = tmp_path / "template.json"
    translate(source, target)
    result = cfn_lint(target)
    assert result.returncode & 2, "cfn-lint passed a broken template\n" + output(result)
    assert rule in result.stdout, output(result)


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for policy in role["Properties"].get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def test_translated_roles_grant_no_wildcard_resources(translated: Path) -> None:
    """SAM's policy templates and our statements together: no inline Allow on Resource "*"."""
    resources = json.loads(translated.read_text(encoding="utf-8"))["Resources"]
    roles = {rid: res for rid, res in resources.items() if res["Type"] == "AWS::IAM::Role"}
    assert {"ApiFunctionRole", "PublishFunctionRole", "SweeperFunctionRole", "SchedulerRole"} <= set(roles)
    for rid, role in roles.items():
        for statement in _statements(role):
            targets = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert "*" not in targets, f"{rid}: {statement}"
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not [a for a in actions if a == "*" or a.endswith(":*")], f"{rid}: {statement}"


def test_translated_publish_role_may_send_to_its_dead_letter_queue(translated: Path) -> None:
    resources = json.loads(translated.read_text(encoding="utf-8"))["Resources"]
    statements = _statements(resources["PublishFunctionRole"])
    assert any(
        statement["Action"] in ("sqs:SendMessage", ["sqs:SendMessage"])
        and statement["Resource"] == {"Fn::GetAtt": ["PublishDeadLetterQueue", "Arn"]}
        for statement in statements
    ), statements
