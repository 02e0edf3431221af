"""The Console function's file serving (functions/console/console_files.py) on a temporary
static directory: types, caching, ETags and 304s, gzip, the paths it refuses, the unbuilt console,
the security headers and where the upload origin in the policy comes from."""

from __future__ import annotations

import base64
import gzip
import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = ROOT / "functions" / "console"
MOTO = "http://127.0.0.1:4566"
INDEX = '<!doctype html><html><head><script type="module" src="/console/assets/index-abc123.js"></script></head></html>'
SCRIPT = "export const greeting = 'héllo';\n" * 200
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"


def load_module() -> ModuleType:
    """As Lambda imports it: the function's directory on sys.path."""
    sys.path.insert(0, str(CODE))
    try:
        return importlib.import_module("console_files")
    finally:
        sys.path.remove(str(CODE))


console_files = load_module()


@pytest.fixture
def static(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX, encoding="utf-8")
    (root / "assets" / "index-abc123.js").write_text(SCRIPT, encoding="utf-8")
    (root / "assets" / "logo-9f8e7d.png").write_bytes(PNG)
    (root / "assets" / ".hidden.js").write_text("hidden", encoding="utf-8")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (root / "with space.txt").write_text("spaced", encoding="utf-8")
    (root / ".env").write_text("SECRET=1", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside the static directory", encoding="utf-8")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    return root


@pytest.fixture
def site(static: Path) -> Any:
    return console_files.ConsoleFiles(static, console_files.content_security_policy([MOTO]))


def request(path: str, method: str = "GET", **headers: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "GET /" if path == "/" else "GET /console/{proxy+}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {name.replace("_", "-"): value for name, value in headers.items()},
        "requestContext": {"http": {"method": method, "path": path}},
        "isBase64Encoded": False,
    }


def body_of(response: dict[str, Any]) -> bytes:
    if response["isBase64Encoded"]:
        return base64.b64decode(response["body"])
    return response["body"].encode("utf-8")


def test_root_answers_index_html_with_the_security_headers(site: Any) -> None:
    response = site.handle(request("/"))
    assert response["statusCode"] == 200
    headers = response["headers"]
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert response["isBase64Encoded"] is False and response["body"] == INDEX
    assert headers["cache-control"] == "no-cache"
    assert headers["etag"].startswith('"') and headers["etag"].endswith('"')
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    policy = dict(part.split(" ", 1) for part in headers["content-security-policy"].split("; "))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["connect-src"] == f"'self' {MOTO}"
    assert policy["img-src"] == f"'self' data: blob: https: {MOTO}"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe" not in headers["content-security-policy"]
    # index.html is also reachable under /console/, with the same caching
    again = site.handle(request("/console/index.html"))
    assert again["body"] == INDEX and again["headers"]["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    ("path", "kind", "cache", "binary"),
    [
        ("/console/assets/index-abc123.js", "text/javascript; charset=utf-8", console_files.IMMUTABLE, False),
        ("/console/assets/logo-9f8e7d.png", "image/png", console_files.IMMUTABLE, True),
        ("/console/favicon.svg", "image/svg+xml; charset=utf-8", "no-cache", False),
        ("/console/with%20space.txt", "text/plain; charset=utf-8", "no-cache", False),
    ],
)
def test_files_have_their_type_caching_and_encoding(site: Any, static: Path, path: str, kind: str, cache: str,
                                                    binary: bool) -> None:
    response = site.handle(request(path))
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == kind
    assert response["headers"]["cache-control"] == cache
    assert response["isBase64Encoded"] is binary
    name = path.removeprefix("/console/").replace("%20", " ")
    assert body_of(response) == (static / name).read_bytes()


def test_hashed_assets_are_cached_for_a_year_as_immutable() -> None:
    assert console_files.IMMUTABLE == "public, max-age=31536000, immutable"


def test_a_matching_etag_answers_304_without_a_body(site: Any) -> None:
    first = site.handle(request("/console/assets/index-abc123.js"))
    etag = first["headers"]["etag"]
    for if_none_match in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = site.handle(request("/console/assets/index-abc123.js", if_none_match=if_none_match))
        assert response["statusCode"] == 304, if_none_match
        assert response["body"] == ""
        assert response["headers"]["etag"] == etag
        assert response["headers"]["cache-control"] == console_files.IMMUTABLE
    stale = site.handle(request("/console/assets/index-abc123.js", if_none_match='"stale"'))
    assert stale["statusCode"] == 200 and body_of(stale) == SCRIPT.encode()


def test_a_rebuilt_file_gets_a_new_etag(site: Any, static: Path) -> None:
    before = site.handle(request("/"))["headers"]["etag"]
    (static / "index.html").write_text(INDEX + "<!-- rebuilt -->", encoding="utf-8")
    after = site.handle(request("/", if_none_match=before))
    assert after["statusCode"] == 200 and after["headers"]["etag"] != before
    assert after["body"].endswith("<!-- rebuilt -->")


@pytest.mark.parametrize(
    "path",
    [
        "/console/../secret.txt",
        "/console/%2e%2e/secret.txt",
        "/console/assets/%2E%2E/%2E%2E/secret.txt",
        "/console/assets/..%2F..%2Fsecret.txt",
        "/console/assets/..%5C..%5Csecret.txt",
        "/console/./index.html",
        "/console/.env",
        "/console/%2eenv",
        "/console/assets/.hidden.js",
        "/console/link.txt",  # a symlink out of static/
        "/console/assets//index-abc123.js",
        "/console/assets/",
        "/console/assets",  # a directory
        "/console/index.html%00.js",
        "/console/%ff%fe",
        "/console/missing.js",
        "/console/assets/index-abc123.js.gz",
        "/index.html",  # not under /console/
    ],
)
def test_paths_outside_the_built_files_are_404_in_the_error_envelope(site: Any, path: str) -> None:
    response = site.handle(request(path))
    assert response["statusCode"] == 404, response
    assert response["headers"]["content-type"] == "application/json"
    assert response["headers"]["x-content-type-options"] == "nosniff"
    error = json.loads(response["body"])["error"]
    assert error["code"] == "not_found" and error["details"] == []
    assert "outside" not in response["body"] and "SECRET" not in response["body"]


def test_precompressed_files_go_to_clients_that_accept_gzip(site: Any, static: Path) -> None:
    written = console_files.precompress(static)
    assert static / "assets" / "index-abc123.js.gz" in written
    assert not any(path.name.startswith("logo") for path in written)  # PNG is compressed already
    plain = site.handle(request("/console/assets/index-abc123.js"))
    assert "content-encoding" not in plain["headers"] and body_of(plain) == SCRIPT.encode()
    assert plain["headers"]["vary"] == "accept-encoding"
    packed = site.handle(request("/console/assets/index-abc123.js", accept_encoding="br, gzip;q=0.8"))
    assert packed["headers"]["content-encoding"] == "gzip" and packed["isBase64Encoded"] is True
    assert gzip.decompress(body_of(packed)) == SCRIPT.encode()
    assert packed["headers"]["etag"] != plain["headers"]["etag"]  # two representations, two tags
    revalidated = site.handle(request("/console/assets/index-abc123.js", accept_encoding="gzip",
                                      if_none_match=packed["headers"]["etag"]))
    assert revalidated["statusCode"] == 304
    for refused in ("gzip;q=0", "identity", "*;q=0", "br"):
        response = site.handle(request("/console/assets/index-abc123.js", accept_encoding=refused))
        assert "content-encoding" not in response["headers"], refused


def test_an_unbuilt_console_answers_503_saying_how_to_build_it(tmp_path: Path) -> None:
    site = console_files.ConsoleFiles(tmp_path / "static", console_files.content_security_policy([]))
    response = site.handle(request("/"))
    assert response["statusCode"] == 503
    error = json.loads(response["body"])["error"]
    assert error["code"] == "console_not_built" and "make build" in error["message"]
    page = site.handle(request("/console/assets/index-abc123.js", accept="text/html,*/*"))
    assert page["statusCode"] == 503 and page["headers"]["content-type"] == "text/html; charset=utf-8"
    assert "make dev" in page["body"] and page["headers"]["cache-control"] == "no-store"


def test_head_has_no_body_and_other_methods_are_405(site: Any) -> None:
    head = site.handle(request("/", method="HEAD"))
    assert head["statusCode"] == 200 and head["body"] == "" and head["headers"]["content-type"].startswith("text/html")
    post = site.handle(request("/", method="POST"))
    assert post["statusCode"] == 405 and post["headers"]["allow"] == "GET, HEAD"
    assert json.loads(post["body"])["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("environ", "origins"),
    [
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}, [MOTO]),
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:4566/", "AWS_ENDPOINT_URL_S3": "http://localhost:9000/x"},
         ["http://localhost:9000"]),
        ({"HERALD_MEDIA_BUCKET": "herald-media-1a2b3c4d", "AWS_REGION": "eu-west-3"},
         ["https://herald-media-1a2b3c4d.s3.eu-west-3.amazonaws.com", "https://herald-media-1a2b3c4d.s3.amazonaws.com"]),
        ({"HERALD_MEDIA_BUCKET": "b", "AWS_REGION": "cn-north-1"},
         ["https://b.s3.cn-north-1.amazonaws.com.cn", "https://b.s3.amazonaws.com.cn"]),
        ({"AWS_REGION": "us-east-1"}, []),
    ],
)
def test_the_upload_origin_is_where_the_api_presigns_uploads(environ: dict[str, str], origins: list[str]) -> None:
    assert console_files.upload_origins(environ) == origins


def test_the_handler_reads_the_environment_of_each_request(static: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console_files, "STATIC_DIR", static)
    monkeypatch.setattr(console_files, "_sites", {})
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4001")
    first = console_files.lambda_handler(request("/"), None)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4002")
    second = console_files.lambda_handler(request("/"), None)
    assert "connect-src 'self' http://127.0.0.1:4001;" in first["headers"]["content-security-policy"]
    assert "connect-src 'self' http://127.0.0.1:4002;" in second["headers"]["content-security-policy"]
    assert second["body"] == INDEX


def test_the_function_imports_only_the_standard_library() -> None:
    """`python -S` has no site-packages: the import would fail on boto3, pydantic or powertools."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import app; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'pydantic', "
        "'aws_lambda_powertools', 'herald', 'httpx')))"
    )
    result = subprocess.run([sys.executable, "-S", "-c", script, str(CODE)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
