"""The resolvers: the native API's routers, the error envelope for every failure, OpenAPI and
Swagger UI; and the Ayrshare-compatible API's resolver, built on its first request."""

from __future__ import annotations

import logging
from functools import cache
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from herald import __version__
from herald.api import compat, docs, errors
from herald.api.routes import accounts, admin, analytics, links, me, media, posts, webhooks
from herald.errors import HeraldError

log = logging.getLogger(__name__)


def _resolver() -> APIGatewayHttpResolver:
    return APIGatewayHttpResolver(enable_validation=True, response_validation_error_http_code=500)


def build_app() -> APIGatewayHttpResolver:
    app = _resolver()
    for module in (posts, accounts, links, admin, analytics, webhooks, me):
        app.include_router(module.router, prefix="/v1")
    app.include_router(media.router, prefix="/v1")
    app.include_router(links.public)
    app.include_router(accounts.public)

    @app.get("/health", tags=["meta"], summary="Liveness", security=[])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    docs.register(app)

    @app.not_found
    def on_no_route(exc: Exception) -> Response:
        return errors.envelope(HTTPStatus.NOT_FOUND, "route_not_found", "No such route.")

    _handle_errors(app)
    return app


def build_compat_app() -> APIGatewayHttpResolver:
    from herald.api.compat import app as compat_routes

    app = _resolver()
    app.include_router(compat_routes.router, prefix=compat.PREFIX)

    @app.not_found
    def on_no_route(exc: Exception) -> Response:
        return compat_routes.no_route()

    _handle_errors(app)
    return app


def _handle_errors(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(HeraldError)
    def on_domain_error(exc: HeraldError) -> Response:
        return errors.from_herald_error(exc)

    @app.exception_handler(RequestValidationError)
    def on_invalid_request(exc: RequestValidationError) -> Response:
        return errors.from_validation_error(exc)

    @app.exception_handler(Exception)
    def on_unexpected(exc: Exception) -> Response:
        mapped = errors.from_aws_error(exc)
        if mapped is not None:
            return mapped
        log.exception("unhandled error")
        return errors.envelope(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side.")


app = build_app()


@cache
def compat_app() -> APIGatewayHttpResolver:
    return build_compat_app()


def resolve(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The answer of whichever API the path belongs to."""
    path = event.get("rawPath") or event.get("requestContext", {}).get("http", {}).get("path", "")
    resolver = compat_app() if compat.is_compat_path(path) else app
    return resolver.resolve(event, context)  # type: ignore[no-any-return]
