"""Where secrets are made, wrapped to record each value as it is made: network credentials (every
adapter's `Credentials`, the simulators' first and refreshed tokens and their token answers,
credentials pasted to connect), app client secrets (`AppCredentials`), API keys (`IssuedKey`),
webhook signing secrets (`WebhookService.create`) and whatever is sealed with KMS."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

from .after_import import AfterImport
from .book import API_KEY, WEBHOOK_SECRET
from .patching import after_init, wrap_once
from .watcher import Watcher

Active = Callable[[], Watcher]


def install(hooks: AfterImport, active: Active) -> None:
    hooks.on_import("herald.platforms.base", functools.partial(_platform_base, active))
    hooks.on_import("herald.platforms.simulators", functools.partial(_simulators, active))
    hooks.on_import("herald.accounts.connect", functools.partial(_connect, active))
    hooks.on_import("herald.workspaces.service", functools.partial(_workspaces, active))
    hooks.on_import("herald.webhooks.service", functools.partial(_webhooks, active))
    hooks.on_import("herald.sealing", functools.partial(_sealing, active))


def _platform_base(active: Active, module: ModuleType) -> None:
    after_init(module.Credentials, lambda c: active().credentials(c.tokens, "herald.platforms.base.Credentials.tokens"))
    after_init(module.AppCredentials, lambda app: active().secret(
        app.client_secret, "app client secret", f"herald.platforms.base.AppCredentials({app.client_id})"))


def _simulators(active: Active, module: ModuleType) -> None:
    active().secret(module.TEST_CLIENT_SECRET, "app client secret", "herald.platforms.simulators.TEST_CLIENT_SECRET")

    def tokens_of(original: Callable[[str], Callable[[str, str], dict[str, str]]]) -> Any:
        @functools.wraps(original)
        def initial_tokens_of(platform: str) -> Callable[[str, str], dict[str, str]]:
            initial_tokens = original(platform)

            @functools.wraps(initial_tokens)
            def recorded(account_id: str, username: str) -> dict[str, str]:
                tokens = initial_tokens(account_id, username)
                active().credentials(tokens, f"the {platform} simulator's initial_tokens")
                return tokens

            return recorded

        return initial_tokens_of

    def registered(original: Callable[..., Any]) -> Any:
        @functools.wraps(original)
        def register(account: Any, initial_tokens: Any) -> Any:
            state = original(account, initial_tokens)
            active().credentials(state.tokens, f"the {account.platform} simulator's tokens")
            return state

        return register

    def rotated(original: Callable[..., None]) -> Any:
        @functools.wraps(original)
        def rotate_tokens(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            active().credentials(self.tokens, f"the {self.platform} simulator's refreshed tokens")

        return rotate_tokens

    def connecting(original: Callable[[str], Callable[[Any], Any]]) -> Any:
        @functools.wraps(original)
        def connect_handler(platform: str) -> Callable[[Any], Any]:
            handler = original(platform)

            @functools.wraps(handler)
            def answered(request: Any) -> Any:
                response = handler(request)
                _record_json(active(), response, f"the {platform} simulator's connect answer")
                return response

            return answered

        return connect_handler

    wrap_once(module, "initial_tokens_of", tokens_of)
    wrap_once(module, "register", registered)
    wrap_once(module.SimulatedAccount, "rotate_tokens", rotated)
    wrap_once(module, "connect_handler", connecting)


def _record_json(watcher: Watcher, response: Any, origin: str) -> None:
    """Record the secret-named values of a JSON answer (a token exchange's access_token, ...)."""
    try:
        content = response.read() if hasattr(response, "read") else b""
        parsed = json.loads(content) if content else None
    except Exception:  # the watcher must never change what the code under test sees
        return
    stack = [parsed]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            watcher.credentials({k: v for k, v in item.items() if isinstance(v, str)}, origin)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _connect(active: Active, module: ModuleType) -> None:
    def pasted(original: Callable[..., Any]) -> Any:
        @functools.wraps(original)
        def connect_with_fields(self: Any, *args: Any, **kwargs: Any) -> Any:
            fields = kwargs.get("fields") or {}
            active().credentials(fields, f"credentials pasted to connect {kwargs.get('platform')}")
            return original(self, *args, **kwargs)

        return connect_with_fields

    wrap_once(module.ConnectService, "connect_with_fields", pasted)


def _workspaces(active: Active, module: ModuleType) -> None:
    after_init(module.IssuedKey, lambda issued: active().secret(
        issued.secret, API_KEY, f"herald.workspaces.service.IssuedKey({issued.key.id})"))


def _webhooks(active: Active, module: ModuleType) -> None:
    def created(original: Callable[..., Any]) -> Any:
        @functools.wraps(original)
        def create(self: Any, *args: Any, **kwargs: Any) -> Any:
            # A caller's own secret is recorded before the call: it may be logged on the way.
            active().secret(kwargs.get("secret"), WEBHOOK_SECRET, "a webhook secret given to WebhookService.create")
            webhook, secret = original(self, *args, **kwargs)
            active().secret(secret, WEBHOOK_SECRET, f"herald.webhooks.service.WebhookService.create({webhook.id})")
            return webhook, secret

        return create

    wrap_once(module.WebhookService, "create", created)


def _sealing(active: Active, module: ModuleType) -> None:
    def sealed(original: Callable[..., bytes]) -> Any:
        @functools.wraps(original)
        def seal(self: Any, secret: Any, context: Any) -> bytes:
            watcher = active()
            for key, value in dict(secret).items():
                if key == "v":  # herald.accounts.connect seals the PKCE verifier under "v"
                    watcher.secret(value, "OAuth PKCE verifier", "KMS plaintext (herald.sealing.KmsSealer.seal)")
            # herald.store.webhooks seals a webhook's signing secret under "secret", with its id in the context.
            kind = WEBHOOK_SECRET if "webhook_id" in dict(context) else None
            watcher.credentials(secret, "KMS plaintext (herald.sealing.KmsSealer.seal)", kind)
            return original(self, secret, context)

        return seal

    wrap_once(module.KmsSealer, "seal", sealed)
