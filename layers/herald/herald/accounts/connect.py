"""Connecting accounts: OAuth (start, then the network's callback) and pasted credentials.

OAuth: `start` stores a pending connection under the SHA-256 of a random `state` (5 minutes,
single use) with the PKCE verifier sealed, and answers the network's authorization URL. The
network sends the person back to `GET /v1/oauth/{platform}/callback?code&state`; `finish` takes
the pending connection, exchanges the code (with the verifier), reads the identity, and stores the
account, or updates the profile's account that is the same network user (a reconnect). In test
mode the authorization URL is Herald's own consent stand-in, and the exchange goes to the
network's simulator.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from herald.accounts.connecting import PendingConnection
from herald.accounts.model import Account, AccountMode
from herald.accounts.tokens import with_credentials
from herald.clock import Clock
from herald.errors import InvalidRequest
from herald.ids import new_id
from herald.platforms.base import Connection, PlatformError
from herald.sealing import Sealer
from herald.store.accounts import AccountStore
from herald.store.oauth import OAuthStateStore

log = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=5)


class OAuthStateInvalid(InvalidRequest):
    code = "oauth_state_invalid"


class ConnectFailed(InvalidRequest):
    code = "connect_failed"


@dataclass(frozen=True)
class Started:
    authorization_url: str
    state: str
    expires_at: datetime


@dataclass(frozen=True)
class Finished:
    redirect_to: str  # the client's redirect_uri with the outcome in its query
    account: Account | None


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def code_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode().rstrip("=")


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit(parts._replace(query=query))


@dataclass
class ConnectService:
    accounts: AccountStore
    states: OAuthStateStore
    sealer: Sealer
    clock: Clock
    # network -> adapter class; (network, mode) -> HTTP client; (network, mode) -> app credentials
    adapter: Callable[[str], Any]
    client_for: Callable[[str, str], Any]
    app_for: Callable[[str, str], Any]

    # --- OAuth -------------------------------------------------------------------------------

    def start(self, workspace_id: str, profile_id: str, key_id: str, *, platform: str, mode: AccountMode,
              redirect_uri: str, api_base: str, username: str | None = None) -> Started:
        cls = self.adapter(platform)
        if cls.oauth is None:
            raise InvalidRequest(
                f"{platform} is connected with credentials, not OAuth: send `credentials` "
                f"({', '.join(cls.manual_fields)}).",
                details=[{"field": "credentials", "issue": "required", "fields": list(cls.manual_fields)}],
            )
        app = self.app_for(platform, mode.value)
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64) if cls.oauth.pkce else None
        challenge = code_challenge(verifier) if verifier else None
        now = self.clock.now()
        callback = f"{api_base}/v1/oauth/{platform}/callback"
        pending = PendingConnection(
            state_hash=_hash(state), workspace_id=workspace_id, profile_id=profile_id, platform=platform,
            mode=mode.value, redirect_uri=redirect_uri, callback_url=callback,
            sealed_verifier=self.sealer.seal({"v": verifier}, {"state": _hash(state)}) if verifier else None,
            username=username, created_by=key_id, expires_at=now + STATE_LIFETIME,
        )
        self.states.add(pending)
        if mode is AccountMode.TEST:
            params = {"state": state, "username": username or f"{platform}-tester"}
            if challenge:
                params["code_challenge"] = challenge
            url = f"{api_base}/v1/oauth/{platform}/test-consent?{urlencode(params)}"
        else:
            url = cls.authorization_url(app, callback, state, challenge)
        return Started(authorization_url=url, state=state, expires_at=pending.expires_at)

    def test_consent(self, platform: str, state: str, username: str, challenge: str | None) -> str:
        """Test mode's stand-in for the network's consent page: where it sends the browser back."""
        from herald.platforms.simulators import simulated_code

        pending = self.states.peek(_hash(state))
        if pending is None or pending.mode != AccountMode.TEST.value or pending.platform != platform:
            raise OAuthStateInvalid("No test-mode connection is waiting for this state.")
        return with_query(pending.callback_url, code=simulated_code(username, challenge), state=state)

    def finish(self, platform: str, params: Mapping[str, str]) -> Finished:
        pending = self.states.take(_hash(params.get("state", "")))
        now = self.clock.now()
        if pending is None or pending.platform != platform or pending.expires_at < now:
            raise OAuthStateInvalid(
                "This connection link is unknown, used already or older than 5 minutes: start again with "
                "POST /v1/accounts/connect."
            )
        if params.get("error") or not params.get("code"):
            reason = params.get("error") or "no_code"
            return Finished(with_query(pending.redirect_uri, status="error", platform=platform, error=reason), None)
        verifier = None
        if pending.sealed_verifier:
            verifier = self.sealer.open(pending.sealed_verifier, {"state": pending.state_hash})["v"]
        cls = self.adapter(platform)
        try:
            with self.client_for(platform, pending.mode) as client:
                connections = cls.connect_all_with_code(client, self.app_for(platform, pending.mode), params["code"],
                                                        pending.callback_url, verifier)
        except PlatformError as error:
            log.warning("connect failed", extra={"platform": platform, "code": error.code})
            return Finished(with_query(pending.redirect_uri, status="error", platform=platform, error=error.code), None)
        mode = AccountMode(pending.mode)
        accounts = [self._store(pending.workspace_id, pending.profile_id, platform, mode, c) for c in connections]
        outcome = with_query(pending.redirect_uri, status="connected", platform=platform, account_id=accounts[0].id,
                             account_ids=",".join(a.id for a in accounts))
        return Finished(outcome, accounts[0])

    # --- pasted credentials ------------------------------------------------------------------

    def connect_with_fields(self, workspace_id: str, profile_id: str, *, platform: str, mode: AccountMode,
                            fields: Mapping[str, str]) -> Account:
        cls = self.adapter(platform)
        if not cls.manual_fields:
            raise InvalidRequest(
                f"{platform} is connected through OAuth: send `redirect_uri` instead of `credentials`.",
                details=[{"field": "redirect_uri", "issue": "required"}],
            )
        missing = [name for name in cls.manual_fields if not str(fields.get(name) or "").strip()]
        unknown = sorted(set(fields) - set(cls.manual_fields))
        if missing or unknown:
            raise InvalidRequest(
                f"{platform} needs {', '.join(cls.manual_fields)}.",
                details=[{"field": f"credentials.{n}", "issue": "required"} for n in missing]
                + [{"field": f"credentials.{n}", "issue": "unknown"} for n in unknown],
            )
        try:
            with self.client_for(platform, mode.value) as client:
                connection = cls.connect_with_fields(client, dict(fields))
        except PlatformError as error:
            raise ConnectFailed(f"{platform} refused the credentials: {error.message}",
                                details=[{"platform_code": error.platform_code, "code": error.code}]) from error
        return self._store(workspace_id, profile_id, platform, mode, connection)

    # --- storing -----------------------------------------------------------------------------

    def _store(self, workspace_id: str, profile_id: str, platform: str, mode: AccountMode,
               connection: Connection) -> Account:
        """A new account, or the profile's account that is the same network user, reconnected."""
        identity = connection.identity
        now = self.clock.now()
        who = {
            "username": identity.username, "name": identity.display_name or identity.username,
            "platform_user_id": identity.platform_user_id, "display_name": identity.display_name,
            "avatar_url": identity.avatar_url, "followers": identity.followers,
            "permissions": list(identity.permissions), "limits": dict(identity.limits),
            "notices": list(identity.notices),
        }
        refresh_ahead = self.adapter(platform).refresh_ahead
        same = [a for a in self.accounts.for_profile(workspace_id, profile_id)
                if a.platform == platform and a.mode is mode and a.platform_user_id == identity.platform_user_id]
        if same:
            existing = same[0]
            reconnected = with_credentials(existing.model_copy(update=who), connection.credentials, now, refresh_ahead)
            self.accounts.save(reconnected, expected_version=existing.version)
            return reconnected
        new = Account(id=new_id("acc"), workspace_id=workspace_id, profile_id=profile_id, platform=platform,
                      mode=mode, created_at=now, updated_at=now, version=0, **who)
        account = with_credentials(new, connection.credentials, now, refresh_ahead)
        self.accounts.add(account)
        return account
