"""Herald's error codes -> Ayrshare's numeric `code`, and HTTP statuses for the /api routes.

Where Ayrshare documents a number for the same situation it is used (156 not linked, 110/107/137
duplicates, 272/161 relink, 138 Instagram media, 479 Meta could not fetch media, 114/383 delete,
146 profile title). Everything else gets a stable Herald number in the 900s, listed in
docs/migrate-from-ayrshare.md; the native code travels along as `heraldCode`."""

from __future__ import annotations

from http import HTTPStatus

from herald import errors

NOT_LINKED = 156
X_DUPLICATE = 110
FACEBOOK_DUPLICATE = 107
DUPLICATE_CONTENT = 137
X_RELINK = 272
FACEBOOK_RELINK = 161
INSTAGRAM_MEDIA = 138
META_MEDIA_FETCH = 479
DELETE_UNKNOWN_ID = 114
ALREADY_DELETED = 383
PROFILE_TITLE_EXISTS = 146

# Herald's own numbers (stable; documented in docs/migrate-from-ayrshare.md).
HERALD_CODES: dict[str, int] = {
    "internal_error": 900,
    "validation_error": 901,
    "invalid_request": 901,
    "invalid_json": 901,
    "account_disconnected": 902,
    "token_expired": 902,
    "invalid_credentials": 902,
    "invalid_content": 903,
    "media_unsupported": 904,
    "media_type_mismatch": 904,
    "media_too_large": 904,
    "media_url_invalid": 905,
    "media_url_forbidden": 905,
    "media_unreachable": 906,
    "media_not_found": 906,
    "media_pending": 906,
    "rate_limited": 907,
    "quota_exceeded": 907,
    "platform_unavailable": 908,
    "timeout": 908,
    "network_error": 908,
    "platform_error": 908,
    "malformed_response": 908,
    "outcome_unknown": 909,
    "not_found": 910,
    "post_not_found": 910,
    "account_not_found": 910,
    "link_not_found": 910,
    "invalid_state": 911,
    "duplicate_idempotency_key": 912,
    "unauthenticated": 913,
    "forbidden": 914,
    "profile_not_found": 915,
    "several_accounts": 916,
    "not_supported": 917,
    "unknown_platform": 918,
    "schedule_unavailable": 919,
    "store_unavailable": 919,
    "concurrent_modification": 920,
    "conflict": 920,
    "account_restricted": 921,
    "app_not_configured": 922,
    "no_analytics": 923,
    "not_published": 924,
    "route_not_found": 925,
    # Wave-2 networks' own codes, grouped with the nearest kind above.
    "authorization_failed": 902,
    "youtube_channel_required": 902,
    "no_locations": 902,
    "content_rejected": 903,
    "comments_disabled": 903,
    "media_processing": 906,
    "media_processing_failed": 904,
    "media_upload_failed": 908,
    "upload_incomplete": 908,
    "upload_interrupted": 908,
    "upload_session_expired": 908,
}
OTHER = 999  # a Herald code not listed above (the native code is in `heraldCode`)

_DUPLICATE_BY_NETWORK = {"x": X_DUPLICATE, "facebook": FACEBOOK_DUPLICATE}
_RELINK_BY_NETWORK = {"x": X_RELINK, "facebook": FACEBOOK_RELINK}
_RELINK = frozenset({"account_disconnected", "token_expired", "invalid_credentials"})


def ayrshare_code(herald_code: str, network: str | None = None) -> int:
    """The number Ayrshare clients see for a Herald code (on `network`, Herald's id, when known)."""
    if herald_code == "duplicate_content":
        return _DUPLICATE_BY_NETWORK.get(network or "", DUPLICATE_CONTENT)
    if herald_code in _RELINK and network in _RELINK_BY_NETWORK:
        return _RELINK_BY_NETWORK[network]  # type: ignore[index]
    if herald_code in ("no_account", "not_linked"):
        return NOT_LINKED
    if herald_code in ("media_unsupported", "media_type_mismatch") and network == "instagram":
        return INSTAGRAM_MEDIA
    if herald_code == "media_unreachable" and network in ("facebook", "instagram", "threads"):
        return META_MEDIA_FETCH
    return HERALD_CODES.get(herald_code, OTHER)


# Most specific first, as in herald.api.errors; Ayrshare answers 400 where Herald says 409 or 422.
_STATUS_BY_ERROR: tuple[tuple[type[errors.HeraldError], HTTPStatus], ...] = (
    (errors.Unauthenticated, HTTPStatus.UNAUTHORIZED),
    (errors.Forbidden, HTTPStatus.FORBIDDEN),
    (errors.NotFound, HTTPStatus.NOT_FOUND),
    (errors.TooManyRequests, HTTPStatus.TOO_MANY_REQUESTS),
    (errors.ScheduleUnavailable, HTTPStatus.SERVICE_UNAVAILABLE),
    (errors.ServiceUnavailable, HTTPStatus.SERVICE_UNAVAILABLE),
)


def http_status(exc: errors.HeraldError) -> int:
    for cls, status in _STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return int(status)
    return int(HTTPStatus.BAD_REQUEST)
