"""Suite-wide settings: no real AWS credentials or endpoints leak into tests."""

from __future__ import annotations

import os

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
# moto (in-process, requests serialised) can take longer than DynamoDB under a loaded machine; a
# botocore retry of a transaction that did apply would then fail its own conditions.
os.environ.setdefault("HERALD_AWS_READ_TIMEOUT_SECONDS", "120")
