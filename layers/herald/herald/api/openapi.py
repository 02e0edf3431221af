"""`python -m herald.api.openapi` prints the OpenAPI document (committed as docs/openapi.json)."""

from __future__ import annotations

import json


def document() -> dict[str, object]:
    from herald.api.app import app
    from herald.api.docs import openapi_json

    return json.loads(openapi_json(app))  # type: ignore[no-any-return]


if __name__ == "__main__":
    print(json.dumps(document(), indent=2, sort_keys=True))
