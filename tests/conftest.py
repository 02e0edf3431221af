"""Suite-wide settings: no real AWS credentials or endpoints leak into tests."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
# moto (in-process, requests serialised) can take longer than DynamoDB under a loaded machine; a
# botocore retry of a transaction that did apply would then fail its own conditions.
os.environ.setdefault("HERALD_AWS_READ_TIMEOUT_SECONDS", "120")

# No secret in logs or API responses (tests/support/secret_watch): started before any other
# conftest or test imports Herald, so every place a secret is made is wrapped; the scanning test
# (tests/secrets/test_secrets_never_shown.py) runs last in every session.
from support import secret_watch  # noqa: E402

secret_watch.start()


def pytest_configure(config: pytest.Config) -> None:
    secret_watch.register(config)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    secret_watch.collect_scan_last(session, config, items)
