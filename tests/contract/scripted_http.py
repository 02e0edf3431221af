"""Scripted HTTP exchanges: a MockTransport handler that checks each request an adapter makes
against the network's documented shape and answers with a recorded-style response."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx


@dataclass
class Exchange:
    """One expected request and the answer to it. `raises` answers with a transport error instead."""

    method: str
    url: str  # scheme, host and path; the query is checked through `params`
    status: int = 200
    body: Any = None  # JSON answer; a str is sent as is
    headers: dict[str, str] = field(default_factory=dict)  # answer headers
    params: list[tuple[str, str]] | None = None  # the exact query, in order
    json: Any = None  # the exact JSON body expected
    form: dict[str, str] | None = None  # the exact form body expected
    request_headers: dict[str, str | None] = field(default_factory=dict)  # None: must be absent
    raises: type[httpx.TransportError] | None = None


class Script:
    """A MockTransport handler that checks each request against the next exchange and answers it."""

    def __init__(self, *exchanges: Exchange) -> None:
        self.pending = deque(exchanges)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert self.pending, f"unexpected request: {request.method} {request.url}"
        expected = self.pending.popleft()
        self.requests.append(request)
        assert request.method == expected.method
        assert f"{request.url.scheme}://{request.url.host}{request.url.path}" == expected.url
        if expected.params is not None:
            assert list(request.url.params.multi_items()) == expected.params
        if expected.json is not None:
            assert request.headers["content-type"] == "application/json"
            assert json.loads(request.content) == expected.json
        if expected.form is not None:
            assert request.headers["content-type"] == "application/x-www-form-urlencoded"
            assert dict(parse_qsl(request.content.decode())) == expected.form
        for name, value in expected.request_headers.items():
            assert request.headers.get(name) == value, name
        if expected.raises is not None:
            raise expected.raises("scripted transport failure", request=request)
        if isinstance(expected.body, str):
            return httpx.Response(expected.status, text=expected.body, headers=expected.headers)
        return httpx.Response(expected.status, json=expected.body, headers=expected.headers)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def assert_done(self) -> None:
        assert not self.pending, f"{len(self.pending)} expected request(s) never came"
