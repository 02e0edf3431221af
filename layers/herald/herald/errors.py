"""Domain errors. Each carries a stable code; the API maps classes to HTTP statuses in one place
(herald.api.errors). Nothing branches on message text."""

from __future__ import annotations

from typing import Any


class HeraldError(Exception):
    code = "internal_error"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(HeraldError):
    code = "not_found"


class PostNotFound(NotFound):
    code = "post_not_found"


class AccountNotFound(NotFound):
    code = "account_not_found"


class ProfileNotFound(NotFound):
    code = "profile_not_found"


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"


class InvalidState(HeraldError):
    code = "invalid_state"


class Conflict(HeraldError):
    code = "conflict"


class ProfileTitleTaken(Conflict):
    """Another profile of the workspace has that name (compared case-insensitively)."""

    code = "conflict"


class DuplicateIdempotencyKey(Conflict):
    code = "duplicate_idempotency_key"


class ConcurrentModification(Conflict):
    """The item changed between read and conditional write; the caller may retry."""

    code = "concurrent_modification"


class InvalidRequest(HeraldError):
    code = "invalid_request"


class InvalidTimezone(InvalidRequest):
    """Not an IANA time zone name (e.g. `Europe/Paris`)."""

    code = "invalid_timezone"


class InvalidContent(InvalidRequest):
    code = "invalid_content"


class MediaUnsupported(InvalidRequest):
    code = "media_unsupported"


class UnknownMedia(InvalidRequest):
    """A post names a media id that is not one of the profile's uploads (422: the body is wrong)."""

    code = "media_not_found"


class AccountDisconnected(InvalidRequest):
    code = "account_disconnected"


class TooManyRequests(HeraldError):
    code = "rate_limited"


class Unauthenticated(HeraldError):
    code = "unauthenticated"


class Forbidden(HeraldError):
    code = "forbidden"


class ScheduleUnavailable(HeraldError):
    """EventBridge Scheduler refused or failed; nothing that claims to be scheduled was kept."""

    code = "schedule_unavailable"


class ServiceUnavailable(HeraldError):
    """A dependency failed or is busy; nothing was changed, and the caller may retry (HTTP 503).
    Subclasses name which dependency in their code."""

    code = "service_unavailable"


class StoreUnavailable(ServiceUnavailable):
    code = "store_unavailable"


class PlatformUnavailable(ServiceUnavailable):
    """The network failed or is busy (rate limits, 5xx, timeouts) for a call the API makes on
    the spot (e.g. listing an account's boards)."""

    code = "platform_unavailable"


class PlatformRefused(InvalidRequest):
    """The network refused a call the API makes on the spot; `details` carry its own code."""

    code = "platform_refused"


class NotSupported(InvalidRequest):
    """The account's network has no such thing (e.g. boards outside Pinterest)."""

    code = "not_supported"
