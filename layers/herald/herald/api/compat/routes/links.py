"""POST /api/links (shorten a URL, with UTM parameters added as Ayrshare does) and
GET /api/links/{id} (its clicks), backed by Herald's short links."""

from __future__ import annotations

from collections import Counter
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import ConfigDict, Field

from herald.api.compat import dates
from herald.api.compat.errors import AyrshareError, answer, guarded
from herald.api.compat.inputs import json_body, model, query
from herald.api.compat.names import ayrshare_name
from herald.api.compat.router import router, who
from herald.api.context import public_base_url
from herald.links.model import DEFAULT_CHANNEL, ShortLink
from herald.pydantic_base import Model
from herald.wiring import link_service
from herald.workspaces.model import Role

UTM = {"utmSource": "utm_source", "utmMedium": "utm_medium", "utmCampaign": "utm_campaign",
       "utmTerm": "utm_term", "utmContent": "utm_content"}
Utm = Annotated[str, Field(min_length=1, max_length=256)] | None


class LinkBody(Model):
    model_config = ConfigDict(extra="allow", strict=True)

    url: Annotated[str, Field(min_length=1, max_length=2048)]
    utmSource: Utm = None
    utmMedium: Utm = None
    utmCampaign: Utm = None
    utmTerm: Utm = None
    utmContent: Utm = None


def with_utm(url: str, body: LinkBody) -> str:
    given = {UTM[name]: getattr(body, name) for name in UTM if getattr(body, name)}
    if not given:
        return url
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in given]
    return urlunsplit(parts._replace(query=urlencode([*kept, *given.items()])))


def _short_url(link: ShortLink) -> str:
    return f"{public_base_url(router)}/l/{link.codes[DEFAULT_CHANNEL]}"


@router.post("/links", include_in_schema=False)
@guarded("links")
def create_link():  # type: ignore[no-untyped-def]
    raw = json_body(router)
    body = model(LinkBody, raw)
    caller = who(Role.EDITOR)
    link = link_service().shorten(caller.workspace_id, caller.profile_id, with_utm(body.url, body), None, [])
    extra = {name: getattr(body, name) for name in UTM if getattr(body, name)}
    return answer({"status": "success", "id": link.id, "shortUrl": _short_url(link), "originalUrl": link.url,
                   "created": dates.iso(link.created_at), **extra})


@router.get("/links/<link_id>", include_in_schema=False)
@guarded("links")
def get_link(link_id: str):  # type: ignore[no-untyped-def]
    params = query(router)
    low = dates.parse(params["fromClickDate"], "fromClickDate").date().isoformat() if params.get("fromClickDate") else None
    high = dates.parse(params["toClickDate"], "toClickDate").date().isoformat() if params.get("toClickDate") else None
    if low and high and low > high:
        raise AyrshareError("`fromClickDate` is after `toClickDate`.", action="links")
    caller = who(Role.VIEWER)
    link, clicks = link_service().get(caller.workspace_id, caller.profile_id, link_id)
    counted = [c for c in clicks if (low is None or c.day >= low) and (high is None or c.day <= high)]
    by_referrer: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    by_day: Counter[str] = Counter()
    for count in counted:
        by_referrer[count.referrer] += count.clicks
        by_day[count.day] += count.clicks
        if count.channel != DEFAULT_CHANNEL:
            by_channel[ayrshare_name(count.channel)] += count.clicks
    return answer({
        "status": "success", "id": link.id, "shortUrl": _short_url(link), "originalUrl": link.url,
        "created": dates.iso(link.created_at),
        "analytics": {"totalClicks": sum(by_day.values()), "browserCounts": {}, "refererCounts": dict(by_referrer),
                      "socialClicks": dict(by_channel), "dailyClicks": dict(sorted(by_day.items())),
                      "shortUrl": _short_url(link)},
    })
