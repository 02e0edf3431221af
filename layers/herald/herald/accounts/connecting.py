"""A connection in progress: what `POST /v1/accounts/connect` started and the callback finishes."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict

from herald.pydantic_base import Model


class PendingConnection(Model):
    model_config = ConfigDict(frozen=True)

    state_hash: str  # SHA-256 of the state handed to the network (the state itself is not kept)
    workspace_id: str
    profile_id: str
    platform: str
    mode: str  # live | test
    redirect_uri: str  # where the person's browser goes when the connection is done
    callback_url: str  # Herald's own callback, registered with the network's app
    sealed_verifier: bytes | None = None  # the PKCE code verifier, sealed
    username: str | None = None  # test mode: who the simulated consent signs in as
    created_by: str
    expires_at: datetime
