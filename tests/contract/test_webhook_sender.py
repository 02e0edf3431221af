"""The webhook sender's HTTP request: what goes on the wire, pinned to the vetted address."""

from __future__ import annotations

import httpx

from herald.webhooks.sender import WebhookSender
from herald.webhooks.targets import parse_target


def sender_answering(answer: httpx.Response | Exception, seen: list[httpx.Request],
                     resolved: tuple[str, ...] = ("93.184.216.34",)) -> WebhookSender:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return WebhookSender(resolver=lambda host, port: list(resolved),
                         client=httpx.Client(transport=httpx.MockTransport(handle)))


def test_the_post_goes_to_the_vetted_address_with_the_name_kept() -> None:
    seen: list[httpx.Request] = []
    sender = sender_answering(httpx.Response(200, text="thanks"), seen)
    result = sender.send(parse_target("https://hooks.example.com:8443/in?src=herald"), b'{"id":"evt_1"}',
                         {"Herald-Signature": "t=1,v1=ab"})
    assert result.delivered and result.excerpt == "thanks"
    (request,) = seen
    assert request.method == "POST" and request.url.host == "93.184.216.34" and request.url.port == 8443
    assert request.url.path == "/in" and request.url.query == b"src=herald"
    assert request.headers["host"] == "hooks.example.com:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.com"
    assert request.headers["content-type"] == "application/json" and request.content == b'{"id":"evt_1"}'
    assert request.headers["herald-signature"] == "t=1,v1=ab"


def test_a_name_resolving_inside_is_never_called() -> None:
    seen: list[httpx.Request] = []
    result = sender_answering(httpx.Response(200), seen, ("10.0.0.7",)).send(
        parse_target("https://hooks.example.com/in"), b"{}", {})
    assert not result.delivered and not result.retryable and result.refused and seen == []
    assert result.error is not None and "10.0.0.7" in result.error


def test_answers_and_failures_become_attempt_results() -> None:
    target = parse_target("https://hooks.example.com/in")
    redirect = sender_answering(httpx.Response(302, headers={"location": "https://10.0.0.1/"}), [])
    assert redirect.send(target, b"{}", {}).status == 302  # not followed
    limited = sender_answering(httpx.Response(429, headers={"retry-after": "120"}), [])
    assert limited.send(target, b"{}", {}).retry_after == 120
    timeout = sender_answering(httpx.ReadTimeout("slow"), []).send(target, b"{}", {})
    assert timeout.status is None and timeout.retryable and "no answer" in (timeout.error or "")
    refused = sender_answering(httpx.ConnectError("refused"), []).send(target, b"{}", {})
    assert refused.status is None and refused.retryable
