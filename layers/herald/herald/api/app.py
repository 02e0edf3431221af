"""The resolver: routers, the error envelope for every failure, OpenAPI and Swagger UI."""

from __future__ import annotations

import logging
from http import HTTPStatus

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from herald import __version__
from herald.api import compat, docs, errors
from herald.api.routes import accounts, admin, analytics, links, media, posts, webhooks
from herald.errors import HeraldError

log = logging.getLogger(__name__)


def build_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True, response_validation_error_http_code=500)
    for module in (posts, accounts, links, admin, analytics, webhooks):
        app.include_router(module.router, prefix="/v1")
    app.include_router(media.router, prefix="/v1")
    app.include_router(links.public)
    app.include_router(accounts.public)
    app.include_router(compat.router, prefix=compat.PREFIX)  # the Ayrshare-compatible API

    @app.get("/health", tags=["meta"], summary="Liveness", security=[])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    docs.register(app)

    @app.exception_handler(HeraldError)
    def on_domain_error(exc: HeraldError) -> Response:
        return errors.from_herald_error(exc)

    @app.exception_handler(RequestValidationError)
    def on_invalid_request(exc: RequestValidationError) -> Response:
        return errors.from_validation_error(exc)

    @app.not_found
    def on_no_route(exc: Exception) -> Response:
        if compat.is_compat_path(app.current_event.path):
            return compat.no_route()
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
