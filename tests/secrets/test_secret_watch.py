"""The secret watcher catches what it should: tokens planted in a log line, an API response body or
header, an answer of a local cloud process and its output, and lets through only the answer that
shows a new key or webhook secret once. Each test sends what it records and shows to a watcher of
its own, away from the suite's (which the scanning test reads)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from support.apigw import Context, event
from support.secret_watch import NAME, SCAN_TEST, SecretWatchPlugin, Watcher
from support.secret_watch.book import MIN_LENGTH, SecretBook
from support.secret_watch.responses import banner, watch_api_handler

ROOT = Path(__file__).resolve().parents[2]
PLANTED = "tok-PLANTED-4f1c9a7e2b6d8053"


@pytest.fixture
def plugin(request: pytest.FixtureRequest) -> SecretWatchPlugin:
    found: SecretWatchPlugin | None = request.config.pluginmanager.get_plugin(NAME)
    assert found is not None, "tests/conftest.py registers the watcher"
    return found


@pytest.fixture
def own(plugin: SecretWatchPlugin, request: pytest.FixtureRequest) -> Iterator[Watcher]:
    watcher = Watcher(test=request.node.nodeid)
    with plugin.watching(watcher):
        yield watcher


PLANTED_REFRESH = "ref-PLANTED-0b7d3e9a5c1f2468"


def planted_credentials(token: str = PLANTED) -> None:
    from herald.platforms.base import Credentials

    Credentials(account_id="acc_planted", username="planted",
                tokens={"access_token": token, "refresh_token": PLANTED_REFRESH, "user_id": "42"})


def test_a_token_is_found_at_any_offset_and_short_values_are_not_recorded() -> None:
    book = SecretBook()
    secrets = [f"s{n:02d}" + "x7Q-" * 12 for n in range(10)]
    for length in range(MIN_LENGTH, 48):
        book.add(secrets[length % 10][:length], "network access token", "test")
    book.add("fresh", "network access token", "test")
    assert book.get("fresh") is None
    for length in range(MIN_LENGTH, 48):
        value = secrets[length % 10][:length]
        for offset in range(12):
            text = "." * offset + value + " and more"
            assert any(hit.secret.value == value and hit.start == offset for hit in book.hits(text)), (length, offset)
    assert book.hits("nothing secret in here at all, only words and pst_01hxyzabcdefghjkmnpqrstv") == []


def test_a_token_planted_in_a_herald_log_line_is_found_and_not_printed(
        own: Watcher, caplog: pytest.LogCaptureFixture) -> None:
    planted_credentials()
    logging.getLogger("herald.selftest").info("calling the network with %s and %s", PLANTED, PLANTED_REFRESH)
    logging.getLogger("herald.selftest").warning("refreshed", extra={"answer": {"access_token": PLANTED}})

    findings = own.flush()

    assert [(f.kind, f.where.split(" (")[0], f.test) for f in findings] == [
        ("network access token", "log record herald.selftest INFO", own.test),
        ("network refresh token", "log record herald.selftest INFO", own.test),
        ("network access token", "log record herald.selftest WARNING", own.test),
    ]
    assert "Credentials.tokens[access_token]" in findings[0].origin
    report = "\n".join(map(str, findings))
    assert PLANTED not in report and PLANTED_REFRESH[4:] not in report  # the report masks every secret
    assert "calling the network with <network access token> and <network refresh token>" in report
    # The INFO record was made for the watcher only: nothing below WARNING reaches the root's handlers.
    assert [r.levelname for r in caplog.records if r.name == "herald.selftest"] == ["WARNING"]


def test_a_powertools_logger_is_watched_below_its_level_without_printing_more(
        own: Watcher, capsys: pytest.CaptureFixture[str]) -> None:
    from aws_lambda_powertools import Logger

    planted_credentials()
    logger = Logger(service="secretwatch-selftest", level="WARNING")
    logger.info("token answer", extra={"body": f'{{"access_token": "{PLANTED}"}}'})

    assert [f.where.split(" (")[0] for f in own.flush()] == ["log record secretwatch-selftest INFO"]
    assert capsys.readouterr().out == ""


def test_a_token_in_an_api_response_body_or_header_is_found(own: Watcher) -> None:
    planted_credentials()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"statusCode": 200, "headers": {"x-debug": f"Bearer {PLANTED}"}, "body": json.dumps({"echo": PLANTED})}

    watch_api_handler(handler, lambda: own)(event("GET", "/v1/accounts/acc_1"), Context())

    assert sorted(f.where for f in own.flush()) == [
        "API response GET /v1/accounts/acc_1 -> 200, body",
        "API response GET /v1/accounts/acc_1 -> 200, headers",
    ]


def test_the_api_function_is_wrapped_when_imported() -> None:
    from herald.api import handler

    assert getattr(handler.lambda_handler, "__secret_watch__", False)


def test_only_the_answer_that_creates_a_key_shows_it_and_only_once(own: Watcher) -> None:
    from herald.workspaces.model import ApiKey, Role
    from herald.workspaces.service import IssuedKey

    def issue(name: str) -> str:
        key = ApiKey(id=f"key_{name}", workspace_id="ws_1", name=name, role=Role.ADMIN, default_profile_id="prf_1",
                     hint="hk_abcd", created_at="2030-01-07T09:00:00Z")
        return IssuedKey(key, f"hk_{name}_" + "k" * 40).secret

    old = issue("old")
    created: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event["rawPath"] == "/v1/api-keys" and event["requestContext"]["http"]["method"] == "POST":
            created.append(issue("new"))
            return {"statusCode": 201, "body": json.dumps({"key": created[-1], "api_key": {"id": "key_new"}})}
        return {"statusCode": 200, "body": json.dumps({"keys": [created[-1], old]})}

    api = watch_api_handler(handler, lambda: own)
    api(event("POST", "/v1/api-keys"), Context())
    assert own.flush() == []  # shown once, to its creator
    api(event("GET", "/v1/api-keys"), Context())
    assert [f.kind for f in own.flush()] == ["API key secret", "API key secret"]


class _Answers(BaseHTTPRequestHandler):
    answers: dict[tuple[str, str], tuple[int, dict[str, str], str]] = {}

    def _answer(self) -> None:
        status, headers, body = self.answers[(self.command, self.path)]
        data = body.encode()
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(data))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def local_api(plugin: SecretWatchPlugin) -> Iterator[str]:
    """A stand-in for a local cloud process's API port (127.0.0.1, a free port), watched."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    plugin.origins.add(url)
    try:
        yield url
    finally:
        plugin.origins.discard(url)
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_token_in_a_local_cloud_answer_is_found_whichever_client_reads_it(own: Watcher, local_api: str) -> None:
    planted_credentials()
    _Answers.answers = {("GET", "/v1/posts"): (200, {"X-Trace": PLANTED}, json.dumps({"text": PLANTED}))}

    assert httpx.get(local_api + "/v1/posts").status_code == 200
    with urllib.request.urlopen(local_api + "/v1/posts") as answer:
        json.load(answer)
    assert requests.get(local_api + "/v1/posts", timeout=10).json() == {"text": PLANTED}

    assert sorted(f.where.rsplit(", ", 1)[1] for f in own.flush()) == ["body", "body", "body",
                                                                       "headers", "headers", "headers"]


def test_a_key_a_local_cloud_created_is_watched_after_its_answer(own: Watcher, local_api: str) -> None:
    made = "hk_" + "N3w-k3y_" * 5 + "abc"  # herald.ids.new_secret("hk"): 43 URL-safe characters
    _Answers.answers = {("POST", "/v1/api-keys"): (201, {}, json.dumps({"key": made})),
                        ("GET", "/v1/echo"): (200, {}, json.dumps({"seen": made}))}

    httpx.post(local_api + "/v1/api-keys", json={"name": "ci", "role": "editor"})
    assert own.flush() == []
    httpx.get(local_api + "/v1/echo")
    assert [(f.kind, f.where.split(" -> ")[0]) for f in own.flush()] == [
        ("API key secret", f"HTTP response GET {local_api}/v1/echo")]


def test_a_local_cloud_output_shows_its_admin_key_only_in_its_banner_and_no_account_token(
        plugin: SecretWatchPlugin, own: Watcher, local_api: str, tmp_path: Path) -> None:
    from herald.platforms.simulators import test_credentials

    with plugin.watching(Watcher()):  # the token the process's simulator made, unknown to `own`
        token = test_credentials("x", "acc_01selftest", "acme")["access_token"]
    admin = "hk_e2e_selftest_admin_key_0123456789"
    own.secret(admin, "API key secret", "the local cloud's admin key")
    account = {"id": "acc_01selftest", "platform": "x", "mode": "test", "username": "acme"}
    _Answers.answers = {("POST", "/v1/accounts"): (201, {}, json.dumps(account))}
    httpx.post(local_api + "/v1/accounts", json={"platform": "x"})  # the answer tells its id
    output = tmp_path / "local-cloud.log"
    output.write_text(f"  API key      {admin}\n"
                      f"INFO publishing with Authorization: Bearer {token}\n"
                      f"WARNING refused key {admin}\n")
    own.watch_output(output, f"local cloud output {output}", allow=banner(admin))
    own.output_ended(output)

    found = own.flush()
    assert [(f.kind, f.where) for f in found] == [
        ("network access token", f"local cloud output {output}, line 2"),
        ("API key secret", f"local cloud output {output}, line 3"),
    ]
    assert own.book.get(token) is not None


def test_the_scan_runs_last_even_when_not_selected() -> None:
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider",
         f"{Path(__file__).relative_to(ROOT)}::test_the_api_function_is_wrapped_when_imported"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    ids = [line for line in collected.stdout.splitlines() if "::" in line]
    assert ids[-1] == f"{SCAN_TEST.relative_to(ROOT)}::test_no_secret_in_any_log_record_or_api_response", \
        collected.stdout + collected.stderr


def test_a_session_that_leaks_a_token_fails_naming_it() -> None:
    planted = Path(__file__).with_name("planted_leak.py")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(planted)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 secret(s) shown in logs or API responses" in run.stdout, run.stdout
    assert "network access token" in run.stdout
    assert "log record herald.planted INFO" in run.stdout
    assert "planted_leak.py::test_logs_a_token" in run.stdout
    assert "1 failed, 1 passed" in run.stdout
