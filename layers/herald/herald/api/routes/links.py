"""/v1/links (short links, with click counts) and the public redirect /l/{code}."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from herald.api.context import caller, public_base_url
from herald.api.errors import documented
from herald.api.models import CreateLinkRequest, LinkClicks, LinkResponse
from herald.errors import InvalidRequest
from herald.links.model import ClickCount, ShortLink
from herald.wiring import link_service, post_service
from herald.workspaces.model import Role

router = Router()  # under /v1
public = Router()  # at the root, no key

LinkId = Annotated[str, Path(min_length=1, max_length=64)]


def _response(link: ShortLink, clicks: list[ClickCount], base: str) -> LinkResponse:
    by_day: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    by_referrer: Counter[str] = Counter()
    for count in clicks:
        by_day[count.day] += count.clicks
        by_channel[count.channel] += count.clicks
        by_referrer[count.referrer] += count.clicks
    return LinkResponse(
        id=link.id,
        url=link.url,
        post_id=link.post_id,
        short_urls={channel: f"{base}/l/{code}" for channel, code in sorted(link.codes.items())},
        clicks=LinkClicks(total=sum(by_day.values()), by_day=dict(sorted(by_day.items())),
                          by_channel=dict(by_channel), by_referrer=dict(by_referrer)),
        created_at=link.created_at,
    )


@router.post("/links", status_code=201, tags=["links"], summary="Shorten a URL (reused for the same URL and post)",
             responses=documented(404, ok=201))
def create_link(body: Annotated[CreateLinkRequest, Body()]) -> tuple[LinkResponse, int]:
    from herald.platforms.registry import NETWORKS

    who = caller(router, Role.EDITOR)
    unknown = [c for c in body.channels if c not in NETWORKS]
    if unknown:
        raise InvalidRequest(
            "Unknown network(s) in channels.",
            details=[{"field": "channels", "value": c, "allowed": list(NETWORKS)} for c in unknown],
        )
    if body.post_id:
        post_service().get(who, body.post_id)  # 404 unless the caller's profile owns the post
    link = link_service().shorten(who.workspace_id, who.profile_id, body.url, body.post_id, body.channels)
    return _response(link, [], public_base_url(router)), 201


@router.get("/links/<link_id>", tags=["links"], summary="A short link with its clicks by day, network and referrer",
            responses=documented(404))
def get_link(link_id: LinkId) -> LinkResponse:
    who = caller(router, Role.VIEWER)
    link, clicks = link_service().get(who.workspace_id, who.profile_id, link_id)
    return _response(link, clicks, public_base_url(router))


@public.get("/l/<code>", include_in_schema=False)
def follow(code: str):  # type: ignore[no-untyped-def]  # a redirect, not a model
    target = link_service().follow(code, (public.current_event.headers or {}).get("referer"))
    return Response(status_code=302, headers={"Location": target, "Cache-Control": "no-store"}, body="")
