"""The deployment's own developer app on each network (client id and secret), which OAuth
connections and token refreshes are made with. Test-mode accounts use the simulators' app.

Looked up, per network: the environment (`HERALD_{NETWORK}_CLIENT_ID`, `..._CLIENT_SECRET`; the
local cloud), then SSM Parameter Store under `app_parameters_path` (`{path}/{network}/client_id`
and `client_secret`, SecureString; read once per process with one GetParametersByPath call and
kept for `CACHE_SECONDS`)."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from herald.errors import InvalidRequest
from herald.platforms.base import AppCredentials

CACHE_SECONDS = 300
# Settings an app may have beside its client id and secret (herald.platforms.base.AppCredentials).
SETTING_NAMES = ("audited", "verified_domains", "developer_username")
_lock = threading.Lock()
_cache: dict[str, Any] = {"at": 0.0, "values": None}


class AppNotConfigured(InvalidRequest):
    code = "app_not_configured"


def test_app(network: str | None = None) -> AppCredentials:
    from herald.platforms.simulators import TEST_CLIENT_ID, TEST_CLIENT_SECRET

    settings = {"audited": "true", "verified_domains": "*", **(_environment_settings(network) if network else {})}
    return AppCredentials(TEST_CLIENT_ID, TEST_CLIENT_SECRET, settings=settings)


def app_for(network: str, mode: str) -> AppCredentials | None:
    """The app to act with for an account in `mode` ("test" or "live"); None when none is configured."""
    if mode == "test":
        return test_app(network)
    prefix = f"HERALD_{network.upper()}_"
    if os.environ.get(prefix + "CLIENT_ID"):
        return AppCredentials(os.environ[prefix + "CLIENT_ID"], os.environ.get(prefix + "CLIENT_SECRET") or None,
                              settings=_environment_settings(network))
    values = _parameters().get(network, {})
    if not values.get("client_id"):
        return None
    settings = {name: values[name] for name in SETTING_NAMES if values.get(name)}
    return AppCredentials(values["client_id"], values.get("client_secret") or None,
                          settings=settings | _environment_settings(network))


def _environment_settings(network: str) -> dict[str, str]:
    prefix = f"HERALD_{network.upper()}_"
    return {name: os.environ[prefix + name.upper()] for name in SETTING_NAMES if os.environ.get(prefix + name.upper())}


def require_app(network: str, mode: str) -> AppCredentials:
    app = app_for(network, mode)
    if app is None:
        from herald.settings import get_settings

        path = get_settings().app_parameters_path
        raise AppNotConfigured(
            f"No {network} app is configured: create a developer app (see docs/networks/{network}.md) and set "
            f"HERALD_{network.upper()}_CLIENT_ID/_CLIENT_SECRET, or the SSM parameters {path}/{network}/client_id "
            "and client_secret.",
            details=[{"field": "platform", "value": network, "issue": "app_not_configured"}],
        )
    return app


def _parameters() -> dict[str, dict[str, str]]:
    with _lock:
        if _cache["values"] is not None and time.monotonic() - _cache["at"] < CACHE_SECONDS:
            return _cache["values"]  # type: ignore[no-any-return]
        values = _read_parameters()
        _cache.update(at=time.monotonic(), values=values)
        return values


def _read_parameters() -> dict[str, dict[str, str]]:
    from herald.aws import client
    from herald.settings import get_settings

    path = get_settings().app_parameters_path.rstrip("/")
    found: dict[str, dict[str, str]] = {}
    request: dict[str, Any] = {"Path": path, "Recursive": True, "WithDecryption": True}
    try:
        while True:
            page = client("ssm").get_parameters_by_path(**request)
            for parameter in page.get("Parameters", []):
                network, _, name = parameter["Name"][len(path) + 1:].partition("/")
                found.setdefault(network, {})[name] = parameter["Value"]
            if not page.get("NextToken"):
                return found
            request["NextToken"] = page["NextToken"]
    except Exception as exc:  # no parameters store (or no permission): no apps configured there
        if getattr(exc, "response", None) is None:
            raise
        return found


def forget() -> None:
    """Drop the cached parameters (tests)."""
    with _lock:
        _cache.update(at=0.0, values=None)
