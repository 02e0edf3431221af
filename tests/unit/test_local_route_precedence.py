"""The HTTP API emulator picks a route as API Gateway does: the most specific match wins,
whatever order the routes were declared in."""

from __future__ import annotations

import itertools

import pytest

from local.http_event import Route, match_route

# template.yaml's routes: the console's two, the API's two
TEMPLATE_ROUTES = [Route("ANY", "/{proxy+}"), Route("ANY", "/"), Route("GET", "/"), Route("GET", "/console/{proxy+}")]

# AWS's own example (HTTP API developer guide, "Routing API requests"), plus $default
AWS_EXAMPLE = [
    Route("GET", "/pets/dog/1"),
    Route("GET", "/pets/dog/{id}"),
    Route("GET", "/pets/{proxy+}"),
    Route("ANY", "/{proxy+}"),
    Route.parse("$default"),
]


def picked(routes: list[Route], method: str, path: str) -> str | None:
    found = match_route(routes, method, path)
    return found[0].key if found else None


@pytest.mark.parametrize(
    ("method", "path", "route"),
    [
        ("GET", "/", "GET /"),
        ("HEAD", "/", "ANY /"),
        ("POST", "/", "ANY /"),
        ("GET", "/console/assets/index-abc.js", "GET /console/{proxy+}"),
        ("GET", "/console/favicon.svg", "GET /console/{proxy+}"),
        ("POST", "/console/assets/index-abc.js", "ANY /{proxy+}"),
        ("GET", "/console", "ANY /{proxy+}"),  # a greedy variable needs a segment
        ("GET", "/v1/posts", "ANY /{proxy+}"),
        ("GET", "/consoles/x", "ANY /{proxy+}"),
        ("DELETE", "/v1/posts/p1", "ANY /{proxy+}"),
    ],
)
def test_the_templates_routes_send_the_console_to_its_function(method: str, path: str, route: str) -> None:
    for order in itertools.permutations(TEMPLATE_ROUTES):
        assert picked(list(order), method, path) == route, order


@pytest.mark.parametrize(
    ("method", "path", "route"),
    [
        ("GET", "/pets/dog/1", "GET /pets/dog/1"),
        ("GET", "/pets/dog/2", "GET /pets/dog/{id}"),
        ("GET", "/pets/cat/1", "GET /pets/{proxy+}"),
        ("POST", "/pets/cat/1", "ANY /{proxy+}"),
        ("GET", "/", "$default"),
    ],
)
def test_aws_documented_example(method: str, path: str, route: str) -> None:
    for order in itertools.permutations(AWS_EXAMPLE):
        assert picked(list(order), method, path) == route


@pytest.mark.parametrize(
    ("routes", "method", "path", "route"),
    [
        # the longer literal prefix of two greedy routes
        (["GET /{proxy+}", "GET /a/{proxy+}", "GET /a/b/{proxy+}"], "GET", "/a/b/c", "GET /a/b/{proxy+}"),
        (["GET /{proxy+}", "GET /a/{proxy+}", "GET /a/b/{proxy+}"], "GET", "/a/x/c", "GET /a/{proxy+}"),
        (["ANY /a/{proxy+}", "GET /{proxy+}"], "GET", "/a/b", "ANY /a/{proxy+}"),
        # a full match with variables before any greedy route
        (["GET /a/b/{proxy+}", "ANY /a/{x}/c"], "GET", "/a/b/c", "ANY /a/{x}/c"),
        # fewer variables, then literals first from the left
        (["GET /{x}/{y}", "GET /{x}/b", "GET /a/{y}"], "GET", "/a/b", "GET /a/{y}"),
        (["GET /{x}/{y}", "GET /{x}/b"], "GET", "/z/b", "GET /{x}/b"),
        # the exact method before ANY on the same path
        (["ANY /a/{x}", "GET /a/{x}"], "GET", "/a/1", "GET /a/{x}"),
        (["ANY /a/{x}", "GET /a/{x}"], "PUT", "/a/1", "ANY /a/{x}"),
    ],
)
def test_most_specific_match(routes: list[str], method: str, path: str, route: str) -> None:
    parsed = [Route.parse(key) for key in routes]
    for order in itertools.permutations(parsed):
        assert picked(list(order), method, path) == route, order
