"""The Console function in template.yaml: its two GET routes win over the API's catch-alls
(checked with the local emulator's precedence), it runs without the layer and without any
permission beyond its logs, and its makefile build ships the built console precompressed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from local.http_event import Route, match_route

from .cfn_yaml import function_properties, resources_of_type, sub_text
from .conftest import ROOT, output, requires_tools, run, tool

CONSOLE = "ConsoleFunction"


def http_routes(template: dict[str, Any]) -> dict[Route, str]:
    routes = {}
    for logical_id, function in resources_of_type(template, "AWS::Serverless::Function").items():
        for event in (function["Properties"].get("Events") or {}).values():
            if event["Type"] == "HttpApi":
                assert event["Properties"]["ApiId"] == {"Ref": "HttpApi"}
                assert event["Properties"]["PayloadFormatVersion"] == "2.0"
                route = Route(event["Properties"]["Method"], event["Properties"]["Path"])
                assert route not in routes, f"{route.key} declared twice"
                routes[route] = logical_id
    return routes


def test_console_routes_are_two_gets(template: dict[str, Any]) -> None:
    mine = {route.key for route, owner in http_routes(template).items() if owner == CONSOLE}
    assert mine == {"GET /", "GET /console/{proxy+}"}


@pytest.mark.parametrize(
    ("method", "path", "owner"),
    [
        ("GET", "/", CONSOLE),
        ("GET", "/console/assets/index-abc.js", CONSOLE),
        ("GET", "/console/favicon.svg", CONSOLE),
        ("POST", "/", "ApiFunction"),
        ("POST", "/console/assets/index-abc.js", "ApiFunction"),
        ("GET", "/v1/posts", "ApiFunction"),
        ("GET", "/api/user", "ApiFunction"),
        ("GET", "/health", "ApiFunction"),
        ("GET", "/l/abcd1234", "ApiFunction"),
    ],
)
def test_api_gateway_precedence_sends_only_the_console_paths_to_it(template: dict[str, Any], method: str,
                                                                   path: str, owner: str) -> None:
    routes = http_routes(template)
    found = match_route(routes, method, path)
    assert found is not None and routes[found[0]] == owner


def test_console_runs_small_without_the_layer(template: dict[str, Any]) -> None:
    function = function_properties(template, CONSOLE)
    assert (function["Runtime"], function["Architectures"]) == ("python3.12", ["arm64"])
    assert function["Handler"] == "app.lambda_handler"
    assert function["MemorySize"] == 128
    assert function["Timeout"] < 30  # HTTP API integrations time out at 30 s
    assert not function.get("Layers")
    assert ROOT / function["CodeUri"] == ROOT / "functions" / "console"
    assert sub_text(function["FunctionName"]) == "${AWS::StackName}-console"
    # its Content-Security-Policy names the media bucket the browser uploads to
    assert "HERALD_MEDIA_BUCKET" in function["Environment"]["Variables"]
    # SAM appends a function's layers to global ones: the layer must not be global
    assert "Layers" not in template["Globals"]["Function"]
    for logical_id in resources_of_type(template, "AWS::Serverless::Function"):
        if logical_id != CONSOLE:
            assert function_properties(template, logical_id)["Layers"] == [{"Ref": "HeraldLayer"}], logical_id


def test_console_has_no_permissions(template: dict[str, Any]) -> None:
    function = template["Resources"][CONSOLE]["Properties"]
    for key in ("Policies", "Role", "Connectors", "VpcConfig", "DeadLetterQueue", "EventInvokeConfig"):
        assert key not in function, key
    assert not [r for r in resources_of_type(template, "AWS::Serverless::Connector").values()
                if CONSOLE in json.dumps(r)]
    # and nothing else grants it anything (a policy naming its role)
    assert not [rid for rid, res in template["Resources"].items()
                if rid != CONSOLE and f"{CONSOLE}Role" in json.dumps(res)]


def test_console_logs_are_kept_like_the_others(template: dict[str, Any]) -> None:
    function = template["Resources"][CONSOLE]["Properties"]
    log_group = template["Resources"][function["LoggingConfig"]["LogGroup"]["Ref"]]["Properties"]
    assert sub_text(log_group["LogGroupName"]) == "/aws/lambda/${AWS::StackName}-console"
    assert log_group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert sub_text(template["Outputs"]["ConsoleUrl"]["Value"]) == sub_text(template["Outputs"]["ApiUrl"]["Value"])


def test_console_makefile_ships_the_built_files() -> None:
    makefile = (ROOT / "functions" / "console" / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^build-ConsoleFunction:", makefile, re.M)
    assert "console_files.py" in makefile and '"$(HERE)static"' in makefile
    assert "precompress" in makefile
    assert "--invalidation-mode unchecked-hash" in makefile


@requires_tools
def test_translated_console_role_has_only_the_basic_execution_policy(tmp_path: Path) -> None:
    target = tmp_path / "template.json"
    result = run([tool("python"), str(Path(__file__).with_name("sam_translate.py")), str(ROOT / "template.yaml"),
                  str(target)])
    assert result.returncode == 0, output(result)
    resources = json.loads(target.read_text(encoding="utf-8"))["Resources"]
    assert "Layers" not in resources[CONSOLE]["Properties"]
    role = resources[CONSOLE]["Properties"]["Role"]["Fn::GetAtt"][0]
    properties = resources[role]["Properties"]
    assert not properties.get("Policies")
    managed = [str(sub_text(arn) or arn).split(":policy/")[-1] for arn in properties["ManagedPolicyArns"]]
    assert managed == ["service-role/AWSLambdaBasicExecutionRole"]


@requires_tools
def test_sam_build_ships_app_module_and_precompressed_static(tmp_path: Path) -> None:
    """sam build of the Console function alone, from a copy whose static/ is a stand-in build."""
    code = tmp_path / "functions" / "console"
    shutil.copytree(ROOT / "functions" / "console", code,
                    ignore=shutil.ignore_patterns("static", "__pycache__", "*.pyc"))
    (code / "static" / "assets").mkdir(parents=True)
    (code / "static" / "index.html").write_text("<!doctype html><title>Herald</title>", encoding="utf-8")
    (code / "static" / "assets" / "index-abc.js").write_text("console.log(1);\n" * 200, encoding="utf-8")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  ConsoleFunction:\n    Type: AWS::Serverless::Function\n"
        "    Metadata: {BuildMethod: makefile, BuildArchitecture: arm64}\n    Properties:\n"
        "      CodeUri: functions/console/\n      Handler: app.lambda_handler\n      Runtime: python3.12\n"
        "      Architectures: [arm64]\n",
        encoding="utf-8",
    )
    build = tmp_path / "build"
    result = run([tool("sam"), "build", "--template-file", str(tmp_path / "template.yaml"), "--build-dir", str(build),
                  "--no-cached"], cwd=tmp_path, timeout=300)
    assert result.returncode == 0, output(result)
    artifact = build / CONSOLE
    shipped = sorted(str(p.relative_to(artifact)) for p in artifact.rglob("*") if p.is_file())
    assert shipped == [
        "__pycache__/app.cpython-312.pyc",
        "__pycache__/console_files.cpython-312.pyc",
        "app.py",
        "console_files.py",
        "static/assets/index-abc.js",
        "static/assets/index-abc.js.gz",
        "static/index.html",
    ]
