"""/v1/media: upload a file through a presigned S3 POST, then read what the inspection found (type,
size, dimensions, duration, thumbnails, and which networks take it), or delete it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from pydantic import ConfigDict, Field

from herald.api.context import caller
from herald.api.errors import documented
from herald.media.model import Kind, Media, MediaStatus
from herald.media.service import MediaService
from herald.pydantic_base import Model
from herald.wiring import media_service
from herald.workspaces.model import Role

router = Router()  # under /v1

MediaId = Annotated[str, Path(min_length=1, max_length=64)]


class CreateMediaRequest(Model):
    model_config = ConfigDict(extra="forbid")

    filename: Annotated[str, Field(min_length=1, max_length=255, description="The file's name, e.g. photo.png")]
    content_type: Annotated[str, Field(min_length=1, max_length=100, description="e.g. image/png, video/mp4")]
    size: Annotated[int | None, Field(ge=1, description="Bytes; when given, S3 accepts exactly this size")] = None


class UploadForm(Model):
    method: Literal["POST"] = "POST"
    url: str
    fields: dict[str, str] = Field(description="Send every field, then the file as `file` (last), as multipart/form-data")
    max_bytes: int


class CreateMediaResponse(Model):
    media_id: str
    status: MediaStatus
    upload: UploadForm
    expires_at: datetime = Field(description="The upload must start before this")


class ThumbnailResponse(Model):
    url: str
    width: int
    height: int
    content_type: str
    expires_at: datetime


class CompatibilityResponse(Model):
    network: str
    ok: bool
    reasons: list[str]
    suggestions: list[str]


class MediaResponse(Model):
    id: str
    status: MediaStatus
    filename: str
    content_type: str = Field(description="As declared when the upload was requested")
    type: str | None = Field(description="The MIME type read from the file itself")
    kind: Kind | None
    format: str | None
    bytes: int | None
    width: int | None
    height: int | None
    frames: int | None
    duration_seconds: float | None
    video_codec: str | None
    audio_codec: str | None
    thumbnails: list[ThumbnailResponse]
    compatibility: list[CompatibilityResponse]
    notes: list[str]
    problem: str | None = Field(description="Why the file was rejected")
    created_at: datetime
    updated_at: datetime
    inspected_at: datetime | None


class DeletedMediaResponse(Model):
    id: str
    deleted: bool = True


def _response(media: Media, service: MediaService) -> MediaResponse:
    links, expires = service.thumbnail_links(media) if media.thumbnails else ([], None)
    facts = media.facts
    return MediaResponse(
        id=media.id,
        status=media.status,
        filename=media.filename,
        content_type=media.content_type,
        type=facts.mime if facts else None,
        kind=facts.kind if facts else None,
        format=facts.format if facts else None,
        bytes=facts.bytes if facts else None,
        width=facts.width if facts else None,
        height=facts.height if facts else None,
        frames=facts.frames if facts else None,
        duration_seconds=facts.duration_seconds if facts else None,
        video_codec=facts.video_codec if facts else None,
        audio_codec=facts.audio_codec if facts else None,
        thumbnails=[
            ThumbnailResponse(url=url, width=thumb.width, height=thumb.height, content_type=thumb.content_type,
                              expires_at=expires)  # type: ignore[arg-type]  # set whenever there are links
            for thumb, url in links
        ],
        compatibility=[CompatibilityResponse(**entry.model_dump()) for entry in media.compatibility],
        notes=media.notes,
        problem=media.problem,
        created_at=media.created_at,
        updated_at=media.updated_at,
        inspected_at=media.inspected_at,
    )


@router.post("/media", status_code=201, tags=["media"], summary="Start an upload: a presigned S3 POST and a media id",
             responses=documented(ok=201))
def create_media(body: Annotated[CreateMediaRequest, Body()]) -> tuple[CreateMediaResponse, int]:
    who = caller(router, Role.EDITOR)
    media, upload = media_service().create_upload(who.workspace_id, who.profile_id, body.filename, body.content_type,
                                                  body.size)
    form = UploadForm(url=upload.url, fields=upload.fields, max_bytes=upload.max_bytes)
    return CreateMediaResponse(media_id=media.id, status=media.status, upload=form, expires_at=upload.expires_at), 201


@router.get("/media/<media_id>", tags=["media"],
            summary="A media file: what the inspection found, thumbnails and per-network compatibility",
            responses=documented(404))
def get_media(media_id: MediaId) -> MediaResponse:
    who = caller(router, Role.VIEWER)
    service = media_service()
    return _response(service.get(who.workspace_id, who.profile_id, media_id), service)


@router.delete("/media/<media_id>", tags=["media"], summary="Delete a media file, its upload and thumbnails",
               responses=documented(404))
def delete_media(media_id: MediaId) -> DeletedMediaResponse:
    who = caller(router, Role.EDITOR)
    media = media_service().delete(who.workspace_id, who.profile_id, media_id)
    return DeletedMediaResponse(id=media.id)
