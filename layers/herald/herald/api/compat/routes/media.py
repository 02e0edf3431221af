"""GET /api/media/uploadUrl?fileName=&contentType=: Ayrshare's `{accessUrl, contentType, uploadUrl}`
backed by a Herald media item (PUT the file to `uploadUrl` with that Content-Type; Herald inspects
it as it does native uploads). `accessUrl` goes into `mediaUrls`; fetching it with the API key
redirects to a short-lived link to the file."""

from __future__ import annotations

import mimetypes
from datetime import timedelta

from aws_lambda_powertools.event_handler import Response

from herald.api.compat import uploads
from herald.api.compat.errors import AyrshareError, answer, guarded
from herald.api.compat.inputs import query
from herald.api.compat.router import bases, router, who
from herald.media.service import clean_filename
from herald.wiring import media_service
from herald.workspaces.model import Role

LINK_SECONDS = 3600


@router.get("/media/uploadUrl", include_in_schema=False)
@guarded("media")
def upload_url():  # type: ignore[no-untyped-def]
    params = query(router)
    filename = str(params.get("fileName") or "").strip()
    if not filename or len(filename) > 255:
        raise AyrshareError("Send `fileName`, the file's name with its extension (e.g. photo.png).", action="media")
    content_type = str(params.get("contentType") or "").strip() or (mimetypes.guess_type(filename)[0] or "")
    if not content_type:
        raise AyrshareError("Send `contentType` (e.g. image/png): it cannot be told from the file name.",
                            action="media")
    caller = who(Role.EDITOR)
    service = media_service()
    media, upload = service.create_upload(caller.workspace_id, caller.profile_id, filename, content_type)
    put_url = uploads.presign_put(media.key, media.content_type, timedelta(seconds=service.upload_seconds))
    return answer({
        "accessUrl": uploads.access_url(bases()[0], media.id, clean_filename(filename)),
        "contentType": media.content_type,
        "uploadUrl": put_url,
        "id": media.id,
        "expiresAt": upload.expires_at.isoformat().replace("+00:00", "Z"),
    })


def _redirect(media_id: str) -> Response:
    caller = who(Role.VIEWER)
    media = media_service().get(caller.workspace_id, caller.profile_id, media_id)
    link = uploads.presign_get(media.key, timedelta(seconds=LINK_SECONDS))
    return Response(status_code=302, headers={"Location": link, "Cache-Control": "no-store"}, body="")


@router.get("/media/files/<media_id>", include_in_schema=False)
@guarded("media")
def media_file(media_id: str):  # type: ignore[no-untyped-def]
    return _redirect(media_id)


@router.get("/media/files/<media_id>/<filename>", include_in_schema=False)
@guarded("media")
def media_file_named(media_id: str, filename: str):  # type: ignore[no-untyped-def]
    return _redirect(media_id)
