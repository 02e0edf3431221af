"""The OpenAPI document and Swagger UI, built on first request.

Powertools' OpenAPI models take ~130 ms to import; request validation does not need them, so
the API function imports them only when someone asks for the spec or the docs page."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import Response

from herald import __version__

TITLE = "Herald API"
DESCRIPTION = (
    "Draft, approve, schedule, pause, publish and cancel posts on many social networks through one API. "
    "Authenticate with `Authorization: Bearer <api key>`; pick a profile with the `Profile-Key` header "
    "or `profile_id`. Every error answers `{\"error\": {\"code\", \"message\", \"details\"}}`."
)

_lock = threading.Lock()
_configured: set[int] = set()


def _configure(app: Any) -> None:
    with _lock:
        if id(app) in _configured:
            return
        from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

        app.configure_openapi(
            title=TITLE,
            version=__version__,
            description=DESCRIPTION,
            security_schemes={"apiKey": HTTPBearer(description="A Herald API key")},
            security=[{"apiKey": []}],
        )
        _configured.add(id(app))


def openapi_json(app: Any) -> str:
    _configure(app)
    return json.dumps(_public_without_security(json.loads(app.get_openapi_json_schema())))


def _public_without_security(spec: dict[str, Any]) -> dict[str, Any]:
    """Operations the gate admits without a key say so (`security: []`): powertools drops a
    route's empty `security` list, which left them under the document's bearer requirement."""
    from herald.api.gate import PUBLIC_PATHS, PUBLIC_PREFIXES

    for path, operations in spec.get("paths", {}).items():
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            for operation in operations.values():
                operation["security"] = []
    return spec


def swagger_page(app: Any) -> str:
    import aws_lambda_powertools.event_handler.openapi.swagger_ui as swagger_ui
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = Path(swagger_ui.__file__).parent
    spec = openapi_json(app).replace("</", "<\\/")
    js = (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8")
    css = (assets / "swagger-ui.min.css").read_text(encoding="utf-8")
    return generate_swagger_html(spec, js, css, "", None, False)


def register(app: Any) -> None:
    @app.get("/v1/openapi.json", include_in_schema=False)
    def spec():  # type: ignore[no-untyped-def]  # a Response: kept out of the schema
        return Response(status_code=200, content_type="application/json", body=openapi_json(app))

    @app.get("/v1/docs", include_in_schema=False)
    def docs():  # type: ignore[no-untyped-def]
        return Response(status_code=200, content_type="text/html", body=swagger_page(app))
