"""herald.media.service with in-memory store and storage: keys, and the inspection's edge cases
(deleted meanwhile, replaced meanwhile, an inspection that crashes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from herald.media import service as media_service
from herald.media.inspect import BytesSource
from herald.media.model import Media, MediaStatus
from herald.media.service import MediaNotFound, MediaService, clean_filename, parse_upload_key, upload_key
from support import media
from support.clock import FakeClock


class Store:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Media] = {}
        self.vanish_on_save = False

    def add(self, item: Media, expires_at: datetime) -> None:
        self.items[(item.workspace_id, item.id)] = item

    def get(self, workspace_id: str, media_id: str) -> Media | None:
        return self.items.get((workspace_id, media_id))

    def save(self, item: Media) -> None:
        if self.vanish_on_save or (item.workspace_id, item.id) not in self.items:
            raise MediaNotFound(item.id)
        self.items[(item.workspace_id, item.id)] = item

    def delete(self, workspace_id: str, media_id: str) -> None:
        self.items.pop((workspace_id, media_id), None)


@dataclass
class Head:
    size: int
    etag: str


class Storage:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.fail_reads_with: Exception | None = None

    def presign_post(self, key: str, content_type: str, min_bytes: int, max_bytes: int,
                     expires: timedelta) -> tuple[str, dict[str, str]]:
        return "https://bucket.example/", {"key": key, "range": f"{min_bytes}-{max_bytes}"}

    def presign_get(self, key: str, expires: timedelta) -> str:
        return f"https://bucket.example/{key}"

    def head(self, key: str) -> Head | None:
        data = self.objects.get(key)
        return None if data is None else Head(len(data), str(hash(data)))

    def source(self, key: str, size: int, etag: str | None = None) -> Any:
        if self.fail_reads_with is not None:
            raise self.fail_reads_with
        return BytesSource(self.objects[key])

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = data

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            self.objects.pop(key, None)


@pytest.fixture
def parts() -> tuple[MediaService, Store, Storage]:
    store, storage = Store(), Storage()
    return MediaService(store=store, storage=storage, clock=FakeClock(), max_bytes=10_000_000), store, storage


def uploaded(parts: tuple[MediaService, Store, Storage], data: bytes) -> Media:
    service, _, storage = parts
    item, form = service.create_upload("ws_1", "pr_1", "photo.png", "image/png")
    assert form.fields["range"] == f"1-{service.max_bytes}" and form.max_bytes == service.max_bytes
    storage.objects[item.key] = data
    return item


@pytest.mark.parametrize(
    ("given", "clean"),
    [("photo.png", "photo.png"), ("Holiday photo (1).JPG", "Holiday-photo-1.jpg"), ("../../etc/passwd", "passwd"),
     ("C:\\Users\\me\\cat.gif", "cat.gif"), ("Café ☕.webp", "Cafe.webp"), ("....", "upload"),
     ("a" * 300 + ".mp4", "a" * 88 + ".mp4"), ("x.toolongextension", "x")],
)
def test_clean_filename(given: str, clean: str) -> None:
    assert clean_filename(given) == clean


def test_upload_keys_round_trip() -> None:
    key = upload_key("ws_1", "med_2", "a.png")
    assert key == "uploads/ws_1/med_2/a.png"
    assert parse_upload_key(key) == ("ws_1", "med_2")
    for other in ("thumbnails/ws_1/med_2/320.jpg", "uploads/ws_1/a.png", "uploads/ws_1/med_2/a/b.png", "uploads//m/a"):
        assert parse_upload_key(other) is None


def test_ready_then_unchanged(parts: tuple[MediaService, Store, Storage]) -> None:
    service, store, storage = parts
    item = uploaded(parts, media.image("PNG", (640, 480)))
    assert service.process_upload(item.key).result == "ready"
    settled = store.items[("ws_1", item.id)]
    assert settled.status is MediaStatus.READY and settled.thumbnails[0].key in storage.objects
    assert service.process_upload(item.key).result == "unchanged"


def test_deleted_while_being_inspected_leaves_no_objects(parts: tuple[MediaService, Store, Storage]) -> None:
    service, store, storage = parts
    item = uploaded(parts, media.image("PNG", (640, 480)))
    store.vanish_on_save = True
    outcome = service.process_upload(item.key)
    assert outcome.result == "orphan_removed"
    assert storage.objects == {}


def test_replaced_while_being_read_is_left_to_the_newer_event(parts: tuple[MediaService, Store, Storage]) -> None:
    service, store, storage = parts
    item = uploaded(parts, media.image("PNG", (64, 64)))
    error = Exception("precondition")
    error.response = {"Error": {"Code": "PreconditionFailed"}}  # type: ignore[attr-defined]
    storage.fail_reads_with = error
    assert service.process_upload(item.key).result == "superseded"
    assert store.items[("ws_1", item.id)].status is MediaStatus.PENDING_UPLOAD


def test_s3_unavailable_fails_the_invocation_for_a_retry(parts: tuple[MediaService, Store, Storage]) -> None:
    service, _, storage = parts
    item = uploaded(parts, media.image("PNG", (64, 64)))
    error = Exception("slow down")
    error.response = {"Error": {"Code": "SlowDown"}}  # type: ignore[attr-defined]
    storage.fail_reads_with = error
    with pytest.raises(Exception, match="slow down"):
        service.process_upload(item.key)


def test_an_inspection_that_crashes_rejects_the_file(parts: tuple[MediaService, Store, Storage],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    service, store, storage = parts
    item = uploaded(parts, media.image("PNG", (64, 64)))

    def crash(source: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("herald.media.inspect.inspect_media", crash)
    assert service.process_upload(item.key).result == "rejected"
    assert store.items[("ws_1", item.id)].problem == "The file could not be inspected."
    assert item.key not in storage.objects


def test_a_file_over_the_limit_is_rejected(parts: tuple[MediaService, Store, Storage]) -> None:
    service, store, _ = parts
    service.max_bytes = 100
    item = uploaded(parts, media.image("PNG", (64, 64)))
    assert service.process_upload(item.key).result == "rejected"
    assert "limited to 100 bytes" in (store.items[("ws_1", item.id)].problem or "")


def test_a_declared_type_that_differs_from_the_content_is_noted(parts: tuple[MediaService, Store, Storage]) -> None:
    service, store, _ = parts
    item = uploaded(parts, media.image("JPEG", (64, 64)))
    service.process_upload(item.key)
    assert store.items[("ws_1", item.id)].notes[0] == "Declared as image/png, but the file is JPEG (image/jpeg)."


def test_another_profiles_media_is_not_found(parts: tuple[MediaService, Store, Storage]) -> None:
    service, _, _ = parts
    item = uploaded(parts, b"x")
    assert service.get("ws_1", "pr_1", item.id) == item
    with pytest.raises(MediaNotFound):
        service.get("ws_1", "pr_2", item.id)
    with pytest.raises(MediaNotFound):
        service.delete("ws_1", "pr_2", item.id)


def test_module_constants() -> None:
    assert media_service.UPLOADS == "uploads" and media_service.THUMBNAILS == "thumbnails"
