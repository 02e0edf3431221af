"""`python -m herald.api.openapi` prints the OpenAPI document (committed as docs/openapi.json)."""

from __future__ import annotations

import json


def document() -> dict[str, object]:
    from herald.api.app import app

    return json.loads(app.get_openapi_json_schema())  # type: ignore[no-any-return]


if __name__ == "__main__":
    print(json.dumps(document(), indent=2, sort_keys=True))
