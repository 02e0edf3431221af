"""One HTTP attempt at a delivery: POST the body to the vetted address (pinned as media probes
are: the name stays in the Host header and the TLS server name, the connection goes to the address
that was checked), no redirects followed, the answer read only as far as a short excerpt."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from herald.webhooks.targets import DeliveryTarget, Resolver, WebhookUrlRefused, system_resolver, vetted_addresses

EXCERPT_BYTES = 512
RETRYABLE_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class AttemptResult:
    status: int | None  # the HTTP status, None when no answer came
    error: str | None = None
    excerpt: str | None = None
    retry_after: int | None = None  # seconds, from a 429/503's Retry-After
    refused: bool = False  # the name resolves to an address Herald may not call: never retried

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """Worth another attempt: no answer, a timeout, 408, 425, 429 or any 5xx. A redirect or
        another 4xx is the receiver's final word."""
        if self.delivered or self.refused:
            return False
        return self.status is None or self.status in RETRYABLE_STATUSES or self.status >= 500


class WebhookSender:
    def __init__(self, *, timeout: float = 10.0, resolver: Resolver = system_resolver, allow_loopback: bool = False,
                 client: httpx.Client | None = None) -> None:
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self._resolver = resolver
        self._allow_loopback = allow_loopback
        self._client = client or httpx.Client(follow_redirects=False, trust_env=False)

    def close(self) -> None:
        self._client.close()

    def send(self, target: DeliveryTarget, body: bytes, headers: dict[str, str]) -> AttemptResult:
        try:
            addresses = vetted_addresses(target, self._resolver, allow_loopback=self._allow_loopback)
        except WebhookUrlRefused as refused:
            return AttemptResult(status=None, error=f"refused: {refused.message}", refused=True)
        except (OSError, UnicodeError, ValueError) as exc:
            return AttemptResult(status=None, error=f"could not resolve {target.host}: {exc}")
        last = "no address"
        for address in addresses:
            host = f"[{address}]" if address.version == 6 else str(address)
            pinned = httpx.URL(target.url).copy_with(host=host.strip("[]"))
            extensions = {"sni_hostname": target.host} if target.address is None and target.scheme == "https" else {}
            request = self._client.build_request(
                "POST", pinned, content=body, timeout=self._timeout, extensions=extensions,
                headers={**headers, "Host": target.authority, "Content-Type": "application/json",
                         "Connection": "close"},
            )
            try:
                response = self._client.send(request, stream=True, follow_redirects=False)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                last = f"could not connect ({type(exc).__name__})"
                continue
            except httpx.TimeoutException:
                return AttemptResult(status=None, error=f"no answer within {self._timeout.read:g} seconds")
            except httpx.HTTPError as exc:
                return AttemptResult(status=None, error=f"{type(exc).__name__}: {exc}")
            try:
                excerpt = _excerpt(response)
            finally:
                response.close()
            return AttemptResult(status=response.status_code, excerpt=excerpt,
                                 error=None if response.is_success else f"answered HTTP {response.status_code}",
                                 retry_after=_retry_after(response))
        return AttemptResult(status=None, error=last)


def _excerpt(response: httpx.Response) -> str | None:
    taken = b""
    try:
        for chunk in response.iter_bytes():
            taken += chunk
            if len(taken) >= EXCERPT_BYTES:
                break
    except httpx.HTTPError:
        pass
    return taken[:EXCERPT_BYTES].decode("utf-8", "replace") or None


def _retry_after(response: httpx.Response) -> int | None:
    value = response.headers.get("retry-after", "")
    return int(value) if value.isdigit() else None
