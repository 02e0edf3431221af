"""The resolver: routers, the error envelope for every failure, OpenAPI and Swagger UI."""

from __future__ import annotations

import logging
from http import HTTPStatus

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from herald import __version__
from herald.api import errors
from herald.api.routes import accounts, admin, posts
from herald.errors import HeraldError

log = logging.getLogger(__name__)

TITLE = "Herald API"
DESCRIPTION = (
    "Draft, approve, schedule, pause, publish and cancel posts on many social networks through one API. "
    "Authenticate with `Authorization: Bearer <api key>`; pick a profile with the `Profile-Key` header "
    "or `profile_id`. Every error answers `{\"error\": {\"code\", \"message\", \"details\"}}`."
)


def build_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True, response_validation_error_http_code=500)
    app.configure_openapi(
        title=TITLE,
        version=__version__,
        description=DESCRIPTION,
        security_schemes={"apiKey": HTTPBearer(description="A Herald API key")},
        security=[{"apiKey": []}],
    )
    for module in (posts, accounts, admin):
        app.include_router(module.router, prefix="/v1")

    @app.get("/health", tags=["meta"], summary="Liveness", security=[])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/v1/openapi.json", include_in_schema=False)
    def openapi_json():  # type: ignore[no-untyped-def]  # a Response: kept out of the schema
        return Response(status_code=200, content_type="application/json", body=app.get_openapi_json_schema())

    app.enable_swagger(path="/v1/docs", title=TITLE, version=__version__)

    @app.exception_handler(HeraldError)
    def on_domain_error(exc: HeraldError) -> Response:
        return errors.from_herald_error(exc)

    @app.exception_handler(RequestValidationError)
    def on_invalid_request(exc: RequestValidationError) -> Response:
        return errors.from_validation_error(exc)

    @app.not_found
    def on_no_route(exc: Exception) -> Response:
        return errors.envelope(HTTPStatus.NOT_FOUND, "route_not_found", "No such route.")

    @app.exception_handler(Exception)
    def on_unexpected(exc: Exception) -> Response:
        mapped = errors.from_aws_error(exc)
        if mapped is not None:
            return mapped
        log.exception("unhandled error")
        return errors.envelope(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side.")

    return app


app = build_app()
