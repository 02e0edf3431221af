"""The media probe against a fake resolver and an httpx.MockTransport: no DNS, no network.

Every test checks what reached the transport: a refused URL must be refused before any request,
and every request must go to the vetted IP with the name in Host and in the TLS server name."""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence

import httpx
import pytest

from herald.errors import InvalidRequest
from herald.media.fetch import MAX_REDIRECTS, MediaProbe, MediaUrlError, new_client, probe

PUBLIC = "93.184.216.34"
PUBLIC_2 = "151.101.1.140"
PUBLIC_V6 = "2606:4700::6810:84e5"


class FakeResolver:
    """Answers from a table (a list per name, or a list of lists to answer differently on each ask)."""

    def __init__(self, answers: dict[str, Sequence[str] | list[list[str]]] | None = None) -> None:
        self.answers = dict(answers or {})
        self.asked: list[str] = []

    def __call__(self, host: str) -> Sequence[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answer = self.answers[host]
        if answer and isinstance(answer[0], list):
            return answer.pop(0) if len(answer) > 1 else answer[0]  # type: ignore[return-value]
        return answer  # type: ignore[return-value]


class Origin:
    """A MockTransport handler that records every request and answers through `answer`."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def image(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": "image/png", "Content-Length": "1234"})


def never(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request may be made, got {request.method} {request.url}")


def refused(url: str, origin: Origin, resolver: FakeResolver | None = None, **kwargs: object) -> MediaUrlError:
    with pytest.raises(MediaUrlError) as caught:
        probe(url, resolver=resolver or FakeResolver(), client=origin.client(), **kwargs)  # type: ignore[arg-type]
    return caught.value


# --- a public address ---------------------------------------------------------------------------


def test_a_public_url_is_probed_pinned_to_the_vetted_address() -> None:
    origin = Origin(image)
    resolver = FakeResolver({"cdn.example.com": [PUBLIC]})

    result = probe("https://CDN.example.com/media/cat.png?w=1", resolver=resolver, client=origin.client())

    assert result == MediaProbe("https://cdn.example.com/media/cat.png?w=1", "image/png", 1234, "image")
    assert resolver.asked == ["cdn.example.com"]
    [request] = origin.requests
    assert request.method == "HEAD"
    assert str(request.url) == f"https://{PUBLIC}/media/cat.png?w=1"  # connects to the vetted IP ...
    assert request.headers["host"] == "cdn.example.com"  # ... asks for the name ...
    assert request.extensions["sni_hostname"] == "cdn.example.com"  # ... and verifies TLS for the name
    assert request.headers["connection"] == "close"
    assert request.extensions["timeout"] == {"connect": 5.0, "read": 10.0, "write": 10.0, "pool": 5.0}


def test_an_ipv6_answer_is_pinned_in_brackets() -> None:
    origin = Origin(image)
    probe("https://cdn.example.com/cat.png", resolver=FakeResolver({"cdn.example.com": [PUBLIC_V6]}), client=origin.client())
    [request] = origin.requests
    assert request.url.host == PUBLIC_V6 and str(request.url).startswith(f"https://[{PUBLIC_V6}]/")
    assert request.headers["host"] == "cdn.example.com"


def test_a_public_ip_host_is_not_resolved_and_gets_no_sni_name() -> None:
    origin = Origin(image)
    resolver = FakeResolver()
    probe(f"https://{PUBLIC}/cat.png", resolver=resolver, client=origin.client())
    assert resolver.asked == []
    [request] = origin.requests
    assert request.url.host == PUBLIC and request.headers["host"] == PUBLIC
    assert "sni_hostname" not in request.extensions


def test_the_callers_client_is_left_open() -> None:
    origin = Origin(image)
    client = origin.client()
    probe("https://cdn.example.com/cat.png", resolver=FakeResolver({"cdn.example.com": [PUBLIC]}), client=client)
    assert not client.is_closed


def test_the_default_client_follows_nothing_and_ignores_proxy_settings() -> None:
    with new_client() as client:
        assert client.follow_redirects is False
        assert client.trust_env is False
        assert client.timeout == httpx.Timeout(connect=5.0, read=10.0, write=10.0, pool=5.0)


# --- refused before any request -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.1/x.png", "leads to 127.0.0.1, a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "leads to 169.254.169.254, the cloud metadata service"),
        ("https://169.254.169.254/latest/meta-data/iam/security-credentials/", "cloud metadata"),
        ("http://2130706433/", "leads to 127.0.0.1"),
        ("https://0x7f.1/x.png", "leads to 127.0.0.1"),
        ("https://[::ffff:127.0.0.1]/x.png", "IPv4-mapped form of 127.0.0.1"),
        ("https://[::1]/x.png", "loopback"),
        ("https://localhost/x.png", "local-only host"),
    ],
)
def test_ssrf_attempts_are_refused_before_any_request(url: str, words: str) -> None:
    origin, resolver = Origin(never), FakeResolver()
    error = refused(url, origin, resolver)
    assert error.problem.code == "media_url_forbidden"
    assert words in error.problem.message and url in error.problem.message
    assert origin.requests == [] and resolver.asked == []


def test_the_error_is_an_invalid_request_carrying_every_problem() -> None:
    error = refused("http://127.0.0.1/x.png", Origin(never), field="media[1]")
    assert isinstance(error, InvalidRequest)
    assert error.code == "media_url_forbidden"
    assert error.message == error.problem.message
    assert [d["issue"] for d in error.details] == ["media_url_forbidden", "media_url_invalid"]
    assert {d["field"] for d in error.details} == {"media[1]"}


@pytest.mark.parametrize(
    "url", ["https://cdn.example.com/my cat.png", "https://cdn.example.com/my%20cat.png", "https://u:p@cdn.example.com/x.png"]
)
def test_invalid_urls_are_refused_before_any_request(url: str) -> None:
    origin = Origin(never)
    assert refused(url, origin).problem.code == "media_url_invalid"
    assert origin.requests == []


@pytest.mark.parametrize(
    ("answers", "address"),
    [
        (["10.0.0.5"], "10.0.0.5"),
        ([PUBLIC, "10.0.0.5"], "10.0.0.5"),  # one bad answer is enough
        (["192.168.1.20", PUBLIC], "192.168.1.20"),
        ([PUBLIC, "169.254.169.254"], "169.254.169.254"),
        (["::1"], "::1"),
        ([PUBLIC_V6, "fd00::5"], "fd00::5"),
        (["100.64.3.3"], "100.64.3.3"),
    ],
)
def test_a_name_resolving_to_any_non_public_address_is_refused(answers: list[str], address: str) -> None:
    origin = Origin(never)
    error = refused("https://media.example.com/x.png", origin, FakeResolver({"media.example.com": answers}))
    assert error.problem.code == "media_url_forbidden"
    assert error.problem.message.startswith(
        f"The media URL https://media.example.com/x.png names media.example.com, which resolves to {address}, "
    )
    assert origin.requests == []


def test_an_ipv4_mapped_answer_is_judged_by_the_address_it_maps() -> None:
    origin = Origin(never)
    error = refused("https://media.example.com/x.png", origin, FakeResolver({"media.example.com": ["::ffff:10.1.2.3"]}))
    assert "IPv4-mapped form of 10.1.2.3, a private network address" in error.problem.message
    assert origin.requests == []


def test_a_flag_contradicting_the_extension_is_refused_before_any_request() -> None:
    origin = Origin(never)
    error = refused("https://cdn.example.com/cat.png", origin, FakeResolver({"cdn.example.com": [PUBLIC]}), is_video=True)
    assert error.problem.code == "media_type_mismatch"
    assert origin.requests == []


# --- redirects ----------------------------------------------------------------------------------


def redirects(chain: dict[str, str]) -> Callable[[httpx.Request], httpx.Response]:
    """Answer 302 to the Host+path in `chain` (to its value), an image otherwise."""

    def answer(request: httpx.Request) -> httpx.Response:
        location = chain.get(f"{request.headers['host']}{request.url.path}")
        return httpx.Response(302, headers={"Location": location}) if location else image(request)

    return answer


@pytest.mark.parametrize(
    ("location", "resolver", "code", "words"),
    [
        ("https://internal.example.com/x.png", {"internal.example.com": ["10.0.0.7"]}, "media_url_forbidden",
         "names internal.example.com, which resolves to 10.0.0.7, a private network address"),
        ("http://169.254.169.254/latest/meta-data/", {}, "media_url_forbidden", "169.254.169.254, the cloud metadata"),
        ("https://[::ffff:127.0.0.1]/x.png", {}, "media_url_forbidden", "IPv4-mapped form of 127.0.0.1"),
        ("http://cdn2.example.com/x.png", {"cdn2.example.com": [PUBLIC_2]}, "media_url_invalid", "uses http"),
        ("https://cdn2.example.com:8080/x.png", {"cdn2.example.com": [PUBLIC_2]}, "media_url_invalid", "port 8080"),
    ],
)
def test_a_redirect_is_checked_like_the_url_itself(
    location: str, resolver: dict[str, list[str]], code: str, words: str
) -> None:
    origin = Origin(redirects({"cdn.example.com/x.png": location}))
    answers = {"cdn.example.com": [PUBLIC], **resolver}
    error = refused("https://cdn.example.com/x.png", origin, FakeResolver(answers))
    assert error.problem.code == code
    assert words in error.problem.message, error.problem.message
    assert "https://cdn.example.com/x.png" in error.problem.message
    assert len(origin.requests) == 1  # only the first hop was asked; nothing reached the target


def test_every_hop_is_resolved_again_so_a_rebinding_name_is_caught() -> None:
    # The name answers a public address first, then (on the hop after a redirect to itself) a private one.
    resolver = FakeResolver({"cdn.example.com": [[PUBLIC], ["127.0.0.1"]]})
    origin = Origin(redirects({"cdn.example.com/x.png": "/y.png"}))
    error = refused("https://cdn.example.com/x.png", origin, resolver)
    assert error.problem.code == "media_url_forbidden"
    assert "redirected to https://cdn.example.com/y.png" in error.problem.message
    assert resolver.asked == ["cdn.example.com", "cdn.example.com"]
    assert [str(r.url) for r in origin.requests] == [f"https://{PUBLIC}/x.png"]


def test_up_to_three_redirects_are_followed_each_pinned() -> None:
    chain = {
        "a.example.com/1.png": "https://b.example.com/2",
        "b.example.com/2": "https://c.example.com/3",
        "c.example.com/3": "/final",  # relative to the current hop
    }
    resolver = FakeResolver({"a.example.com": [PUBLIC], "b.example.com": [PUBLIC_2], "c.example.com": [PUBLIC_V6]})
    origin = Origin(redirects(chain))

    result = probe("https://a.example.com/1.png", resolver=resolver, client=origin.client())

    assert result.final_url == "https://c.example.com/final" and result.kind == "image"
    assert [(r.url.host, r.headers["host"], r.url.path) for r in origin.requests] == [
        (PUBLIC, "a.example.com", "/1.png"),
        (PUBLIC_2, "b.example.com", "/2"),
        (PUBLIC_V6, "c.example.com", "/3"),
        (PUBLIC_V6, "c.example.com", "/final"),
    ]
    assert [r.extensions["sni_hostname"] for r in origin.requests] == [
        "a.example.com", "b.example.com", "c.example.com", "c.example.com"
    ]


def test_a_chain_of_more_than_three_redirects_is_refused() -> None:
    chain = {f"cdn.example.com/{n}": f"/{n + 1}" for n in range(MAX_REDIRECTS + 1)}
    origin = Origin(redirects(chain))
    error = refused("https://cdn.example.com/0", origin, FakeResolver({"cdn.example.com": [PUBLIC]}))
    assert error.problem.code == "media_unreachable"
    assert "redirects more than 3 times" in error.problem.message
    assert len(origin.requests) == MAX_REDIRECTS + 1


def test_a_redirect_without_a_location_is_unreachable() -> None:
    origin = Origin(lambda request: httpx.Response(301))
    error = refused("https://cdn.example.com/x.png", origin, FakeResolver({"cdn.example.com": [PUBLIC]}))
    assert error.problem.code == "media_unreachable" and "without a location" in error.problem.message


# --- HEAD refused -------------------------------------------------------------------------------


@pytest.mark.parametrize("refusal", [405, 403])
def test_a_refused_head_falls_back_to_a_one_byte_ranged_get(refusal: int) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            return httpx.Response(refusal)
        return httpx.Response(
            206, headers={"Content-Type": "video/mp4", "Content-Range": "bytes 0-0/5000000"}, content=b"\x00"
        )

    origin = Origin(answer)
    result = probe("https://cdn.example.com/clip.mp4", resolver=FakeResolver({"cdn.example.com": [PUBLIC]}), client=origin.client())

    assert result == MediaProbe("https://cdn.example.com/clip.mp4", "video/mp4", 5_000_000, "video")
    head, get = origin.requests
    assert (head.method, get.method) == ("HEAD", "GET")
    assert get.headers["range"] == "bytes=0-0"
    assert get.url.host == PUBLIC and get.extensions["sni_hostname"] == "cdn.example.com"


def test_a_ranged_get_answered_in_full_reads_the_length_not_the_body() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            return httpx.Response(405)
        return httpx.Response(200, headers={"Content-Type": "image/jpeg", "Content-Length": "3"}, content=b"abc")

    origin = Origin(answer)
    result = probe("https://cdn.example.com/a.jpg", resolver=FakeResolver({"cdn.example.com": [PUBLIC]}), client=origin.client())
    assert (result.content_length, result.kind) == (3, "image")


def test_a_get_refused_too_is_unreachable() -> None:
    origin = Origin(lambda request: httpx.Response(403))
    error = refused("https://cdn.example.com/a.jpg", origin, FakeResolver({"cdn.example.com": [PUBLIC]}))
    assert error.problem.code == "media_unreachable" and "answered HTTP 403" in error.problem.message
    assert [r.method for r in origin.requests] == ["HEAD", "GET"]


# --- content type -------------------------------------------------------------------------------


def serving(content_type: str | None) -> Origin:
    headers = {"Content-Type": content_type} if content_type else {}
    return Origin(lambda request: httpx.Response(200, headers=headers))


@pytest.mark.parametrize(
    ("url", "is_video", "content_type", "kind"),
    [
        ("https://cdn.example.com/a.png", None, "image/png", "image"),
        ("https://cdn.example.com/a.jpg", None, "image/jpeg; charset=binary", "image"),
        ("https://cdn.example.com/a.gif", None, "image/gif", "gif"),
        ("https://cdn.example.com/a.mp4", None, "video/mp4", "video"),
        ("https://cdn.example.com/a.webm", True, "VIDEO/WEBM", "video"),
        ("https://cdn.example.com/media/123", True, "video/quicktime", "video"),
        ("https://cdn.example.com/media/123", True, "application/octet-stream", "video"),
        ("https://cdn.example.com/media/123", False, "image/webp", "image"),
        ("https://cdn.example.com/media/123", None, "image/gif", "gif"),
        ("https://cdn.example.com/media/123", None, "video/mp4", "video"),
    ],
)
def test_matching_content_types_pass(url: str, is_video: bool | None, content_type: str, kind: str) -> None:
    result = probe(url, is_video=is_video, resolver=FakeResolver({"cdn.example.com": [PUBLIC]}), client=serving(content_type).client())
    assert result.kind == kind
    assert result.content_type == content_type.split(";")[0].lower()


@pytest.mark.parametrize(
    ("url", "is_video", "content_type", "words"),
    [
        ("https://cdn.example.com/a.png", None, "text/html", "should serve an image, but the server sends 'text/html'"),
        ("https://cdn.example.com/a.png", None, "video/mp4", "should serve an image"),
        ("https://cdn.example.com/a.mp4", None, "image/png", "should serve a video"),
        ("https://cdn.example.com/a.gif", None, "image/png", "should serve a GIF"),
        ("https://cdn.example.com/a.mp4", None, "application/octet-stream", "should serve a video"),
        ("https://cdn.example.com/media/123", None, "application/octet-stream", "an image or a video"),
        ("https://cdn.example.com/media/123", False, "application/octet-stream", "should serve an image"),
        ("https://cdn.example.com/media/123", True, "image/png", "should serve a video"),
        ("https://cdn.example.com/a.png", None, None, "sends no content type"),
    ],
)
def test_a_content_type_mismatch_is_refused(url: str, is_video: bool | None, content_type: str | None, words: str) -> None:
    error = refused(url, serving(content_type), FakeResolver({"cdn.example.com": [PUBLIC]}), is_video=is_video)
    assert error.problem.code == "media_type_mismatch"
    assert words in error.problem.message and url in error.problem.message


# --- unreachable --------------------------------------------------------------------------------


def failing(exc: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc("scripted failure", request=request)

    return answer


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (httpx.ConnectError, "could not be connected to (ConnectError"),
        (httpx.ConnectTimeout, "could not be connected to (ConnectTimeout"),
        (httpx.ReadTimeout, "did not answer within 10 seconds"),
        (httpx.RemoteProtocolError, "could not be fetched (RemoteProtocolError"),
    ],
)
def test_transport_failures_are_unreachable(exc: type[httpx.TransportError], words: str) -> None:
    error = refused("https://cdn.example.com/x.png", Origin(failing(exc)), FakeResolver({"cdn.example.com": [PUBLIC]}))
    assert error.problem.code == "media_unreachable"
    assert words in error.problem.message


def test_a_connect_error_tries_the_next_vetted_address() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == PUBLIC:
            raise httpx.ConnectError("refused", request=request)
        return image(request)

    origin = Origin(answer)
    resolver = FakeResolver({"cdn.example.com": [PUBLIC, PUBLIC_2]})
    assert probe("https://cdn.example.com/x.png", resolver=resolver, client=origin.client()).kind == "image"
    assert [r.url.host for r in origin.requests] == [PUBLIC, PUBLIC_2]


def test_every_address_failing_to_connect_is_unreachable() -> None:
    origin = Origin(failing(httpx.ConnectError))
    error = refused("https://cdn.example.com/x.png", origin, FakeResolver({"cdn.example.com": [PUBLIC, PUBLIC_2]}))
    assert error.problem.code == "media_unreachable"
    assert [r.url.host for r in origin.requests] == [PUBLIC, PUBLIC_2]


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_an_error_status_is_unreachable(status: int) -> None:
    error = refused("https://cdn.example.com/x.png", Origin(lambda r: httpx.Response(status)), FakeResolver({"cdn.example.com": [PUBLIC]}))
    assert error.problem.code == "media_unreachable" and f"answered HTTP {status}" in error.problem.message


def test_a_name_that_does_not_resolve_is_unreachable() -> None:
    origin = Origin(never)
    error = refused("https://nowhere.example.com/x.png", origin, FakeResolver())
    assert error.problem.code == "media_unreachable"
    assert "nowhere.example.com" in error.problem.message and "could not be resolved" in error.problem.message
    assert origin.requests == []


def test_a_name_with_no_addresses_is_unreachable() -> None:
    error = refused("https://empty.example.com/x.png", Origin(never), FakeResolver({"empty.example.com": []}))
    assert error.problem.code == "media_unreachable" and "resolves to no address" in error.problem.message
