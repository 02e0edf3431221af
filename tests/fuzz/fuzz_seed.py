"""Objects created through the API before fuzzing, so generated path parameters can name things
that exist (and so exercise the routes past their 404s) as well as random ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

FAR_FUTURE = "2099-01-01T09:00:00Z"


@dataclass
class Seeds:
    """Path parameter name -> ids that exist in the fuzzed workspace."""

    ids: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, value: str) -> None:
        self.ids.setdefault(name, []).append(value)


class SeedClient:
    def __init__(self, api_url: str, api_key: str) -> None:
        self.api_url = api_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key}"

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.session.post(self.api_url + path, json=body, timeout=30)
        assert response.status_code in (200, 201, 202), f"seeding {path}: {response.status_code} {response.text}"
        return response.json()


def seed_workspace(api_url: str, api_key: str, webhook_url: str) -> Seeds:
    client, seeds = SeedClient(api_url, api_key), Seeds()
    for platform in ("x", "pinterest"):  # pinterest: GET /accounts/{id}/boards answers 200 only there
        seeds.add("account_id", client.post("/v1/accounts", {"platform": platform, "name": "Fuzz"})["id"])
    scheduled = {"text": "Fuzz scheduled", "platforms": ["x"], "scheduled_at": FAR_FUTURE}
    seeds.add("post_id", client.post("/v1/posts", scheduled)["id"])
    seeds.add("post_id", client.post("/v1/posts", {"text": "Fuzz draft", "platforms": ["x"], "draft": True})["id"])
    approval = {**scheduled, "text": "Fuzz approval", "requires_approval": True}
    seeds.add("post_id", client.post("/v1/posts", approval)["id"])
    media = client.post("/v1/media", {"filename": "fuzz.png", "content_type": "image/png"})
    seeds.add("media_id", media["media_id"])
    seeds.add("link_id", client.post("/v1/links", {"url": "https://example.com/fuzz"})["id"])
    webhook = client.post("/v1/webhooks", {"url": webhook_url, "events": ["post.published"]})
    seeds.add("webhook_id", webhook["id"])
    seeds.add("delivery_id", client.post(f"/v1/webhooks/{webhook['id']}/test", {})["delivery_id"])
    # Disposable ones: the fuzzer may delete them (never the admin key it authenticates with).
    seeds.add("key_id", client.post("/v1/api-keys", {"name": "fuzz", "role": "viewer"})["api_key"]["id"])
    seeds.add("profile_id", client.post("/v1/profiles", {"name": "Fuzz profile"})["id"])
    return seeds
