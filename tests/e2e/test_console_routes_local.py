"""The console in the local cloud: the HTTP API emulator routes `GET /` and `GET /console/...`
to the Console function and everything else to the API, over a real socket. First with stub
functions, then with the project's template and the real Console function serving a temporary
static directory (the real build is not needed)."""

from __future__ import annotations

import gzip
import http.client
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.cloud import LocalCloud
from local.functions import LocalFunction
from local.http_api import HttpApi
from local.http_event import Route

ROOT = Path(__file__).resolve().parents[2]
INDEX = '<!doctype html><title>Herald</title><script type="module" src="/console/assets/main-1a2b.js"></script>'
SCRIPT = "console.log('herald');\n" * 100


def stub(name: str) -> LocalFunction:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"statusCode": 200, "headers": {"content-type": "application/json"},
                "body": json.dumps({"function": name, "routeKey": event["routeKey"], "rawPath": event["rawPath"]})}

    return LocalFunction.stub(name, handler)


def call(port: int, method: str, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def stub_api() -> Iterator[HttpApi]:
    api, console = stub("herald-api"), stub("herald-console")
    # declared API first, as the template's functions are: order must not matter
    server = HttpApi([(Route("ANY", "/{proxy+}"), api), (Route("ANY", "/"), api), (Route("GET", "/"), console),
                      (Route("GET", "/console/{proxy+}"), console)], port=0)
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("method", "path", "function", "route"),
    [
        ("GET", "/", "herald-console", "GET /"),
        ("GET", "/console/assets/main-1a2b.js", "herald-console", "GET /console/{proxy+}"),
        ("GET", "/console/favicon.svg?v=1", "herald-console", "GET /console/{proxy+}"),
        ("POST", "/", "herald-api", "ANY /"),
        ("POST", "/console/assets/main-1a2b.js", "herald-api", "ANY /{proxy+}"),
        ("GET", "/v1/posts", "herald-api", "ANY /{proxy+}"),
        ("GET", "/health", "herald-api", "ANY /{proxy+}"),
        ("GET", "/console", "herald-api", "ANY /{proxy+}"),
    ],
)
def test_the_emulator_routes_by_api_gateway_precedence(stub_api: HttpApi, method: str, path: str, function: str,
                                                       route: str) -> None:
    status, _, body = call(stub_api.port, method, path)
    assert status == 200
    answer = json.loads(body)
    assert (answer["function"], answer["routeKey"]) == (function, route)
    assert answer["rawPath"] == path.partition("?")[0]


@pytest.fixture(scope="module")
def static_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("console") / "static"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX, encoding="utf-8")
    (root / "assets" / "main-1a2b.js").write_text(SCRIPT, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def cloud(static_dir: Path) -> Iterator[LocalCloud]:
    """The real Console function, its module pointed at the temporary build before the local
    cloud imports it (it finds the module already imported)."""
    code = str(ROOT / "functions" / "console")
    sys.path.insert(0, code)
    try:
        console_files = importlib.import_module("console_files")
    finally:
        sys.path.remove(code)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(console_files, "STATIC_DIR", static_dir)
        patch.setattr(console_files, "_sites", {})
        console_files.precompress(static_dir)
        local = LocalCloud(api_port=0, aws_port=0, lambda_port=0, api_key="hk_console_routes_test",
                           handlers={"ApiFunction": stub("herald-api").handler()}, bootstrap=None)
        with local:
            yield local


def port_of(cloud: LocalCloud) -> int:
    return int(cloud.api_url.rsplit(":", 1)[1])


def test_the_real_console_function_serves_index_html_at_the_root(cloud: LocalCloud) -> None:
    status, headers, body = call(port_of(cloud), "GET", "/")
    assert status == 200 and body.decode() == INDEX
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-cache"
    policy = headers["content-security-policy"]
    # the browser uploads media straight to moto, whose port is the local cloud's
    assert f"connect-src 'self' {cloud.aws_endpoint};" in policy
    assert f"img-src 'self' data: blob: https: {cloud.aws_endpoint};" in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    again, _, empty = call(port_of(cloud), "GET", "/", if_none_match=headers["etag"])
    assert (again, empty) == (304, b"")


def test_assets_are_immutable_and_gzipped_through_the_emulator(cloud: LocalCloud) -> None:
    status, headers, body = call(port_of(cloud), "GET", "/console/assets/main-1a2b.js", accept_encoding="gzip")
    assert status == 200
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-encoding"] == "gzip" and gzip.decompress(body).decode() == SCRIPT
    missing, headers, body = call(port_of(cloud), "GET", "/console/assets/missing-0000.js")
    assert missing == 404 and json.loads(body)["error"]["code"] == "not_found"


def test_everything_else_still_reaches_the_api(cloud: LocalCloud) -> None:
    for method, path in (("GET", "/v1/posts"), ("POST", "/console/assets/main-1a2b.js"), ("DELETE", "/")):
        status, _, body = call(port_of(cloud), method, path)
        assert status == 200 and json.loads(body)["function"] == "herald-api", (method, path)


def test_the_banner_shows_the_console_url(cloud: LocalCloud) -> None:
    line = next(line for line in cloud.banner().splitlines() if line.strip().startswith("Console"))
    assert f"{cloud.api_url}/" in line
