"""herald.media.inspect: type sniffing, image facts and thumbnails (Pillow-made files), videos."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from herald.media import inspect
from herald.media.inspect import BytesSource, inspect_media, sniff
from support import media


def thumbnail_of(result: inspect.Inspection) -> Image.Image:
    assert result.thumbnail is not None
    picture = Image.open(io.BytesIO(result.thumbnail))
    assert picture.format == "JPEG"
    assert picture.size == result.thumbnail_size
    return picture


def test_png_facts_and_a_320_px_jpeg_thumbnail() -> None:
    result = inspect_media(BytesSource(media.image("PNG", (1600, 900))))
    assert result.usable and result.notes == []
    facts = result.facts
    assert (facts.kind, facts.mime, facts.format) == ("image", "image/png", "PNG")
    assert (facts.width, facts.height, facts.frames) == (1600, 900, 1)
    assert facts.bytes == len(media.image("PNG", (1600, 900)))
    assert thumbnail_of(result).size == (320, 180)


def test_a_transparent_png_thumbnail_is_flattened_on_white() -> None:
    result = inspect_media(BytesSource(media.image("PNG", (64, 64), mode="RGBA", color=(0, 0, 0, 0))))
    picture = thumbnail_of(result)
    assert picture.size == (64, 64)  # never upscaled
    assert picture.getpixel((10, 10)) >= (250, 250, 250)


def test_jpeg_exif_orientation_is_applied() -> None:
    """A camera's portrait shot stored landscape with orientation 6 is reported as displayed."""
    result = inspect_media(BytesSource(media.jpeg_with_orientation((1200, 800), 6)))
    assert (result.facts.mime, result.facts.width, result.facts.height) == ("image/jpeg", 800, 1200)
    assert thumbnail_of(result).size == (213, 320)


def test_an_animated_gif_is_kind_gif_with_its_frames() -> None:
    result = inspect_media(BytesSource(media.animated_gif((300, 200), 12)))
    facts = result.facts
    assert (facts.kind, facts.mime, facts.frames, facts.width, facts.height) == ("gif", "image/gif", 12, 300, 200)
    assert thumbnail_of(result).size == (300, 200)  # the first frame, never upscaled


def test_a_still_gif_is_an_image() -> None:
    result = inspect_media(BytesSource(media.image("GIF", (50, 40))))
    assert (result.facts.kind, result.facts.frames) == ("image", 1)


def test_webp_is_read() -> None:
    result = inspect_media(BytesSource(media.image("WEBP", (400, 500))))
    assert (result.facts.mime, result.facts.width, result.facts.height) == ("image/webp", 400, 500)


def test_a_big_image_is_read_by_ranges_for_its_header_and_gets_no_thumbnail(monkeypatch: pytest.MonkeyPatch) -> None:
    data = media.image("PNG", (2000, 1000))
    monkeypatch.setattr(inspect, "FULL_READ_MAX_BYTES", 1000)

    class Ranged(BytesSource):
        def read_all(self) -> bytes:
            raise AssertionError("read whole")

    result = inspect_media(Ranged(data))
    assert (result.facts.width, result.facts.height) == (2000, 1000)
    assert result.thumbnail is None and "No thumbnail" in result.notes[0]


def test_too_many_pixels_for_a_thumbnail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inspect, "THUMBNAIL_MAX_PIXELS", 100)
    result = inspect_media(BytesSource(media.image("PNG", (20, 20))))
    assert result.usable and result.thumbnail is None and "No thumbnail" in result.notes[0]


def test_a_decompression_bomb_is_rejected_without_decoding() -> None:
    data = media.image("PNG", (20000, 10000), mode="1", color=0)  # 200 megapixels, a few kB
    result = inspect_media(BytesSource(data))
    assert not result.usable and "too many pixels" in (result.problem or "")


def test_mp4_facts_without_a_thumbnail() -> None:
    data = media.mp4(width=1920, height=1080, seconds=30, matrix=media.ROTATE_90)
    result = inspect_media(BytesSource(data))
    facts = result.facts
    assert (facts.kind, facts.mime, facts.format) == ("video", "video/mp4", "MP4")
    assert (facts.width, facts.height, facts.duration_seconds) == (1080, 1920, 30.0)
    assert (facts.video_codec, facts.audio_codec) == ("avc1", "mp4a")
    assert result.thumbnail is None and any("decoder" in note for note in result.notes)


def test_mov_and_heic() -> None:
    assert inspect_media(BytesSource(media.mp4(brand=b"qt  "))).facts.mime == "video/quicktime"
    heic = inspect_media(BytesSource(media.heif(4032, 3024)))
    assert (heic.facts.kind, heic.facts.mime, heic.facts.width, heic.facts.height) == ("image", "image/heic", 4032,
                                                                                        3024)
    assert heic.usable and heic.thumbnail is None


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n" + bytes(100), "Unsupported file type"),
        (b"\x89PNG\r\n\x1a\n" + bytes(40), "cannot be read"),
        (media.ftyp() + media.box(b"mdat", bytes(10)), "structure cannot be read"),
        (media.ftyp() + media.box(b"moov", media.mvhd(1000, 5000), media.trak(b"soun", b"mp4a")), "no video track"),
    ],
    ids=["empty", "pdf", "broken-png", "mp4-without-moov", "audio-only"],
)
def test_unusable_files_say_why(data: bytes, problem: str) -> None:
    result = inspect_media(BytesSource(data))
    assert not result.usable
    assert problem in (result.problem or "")


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"GIF89a", "image/gif"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
        (media.ftyp(b"avif", b"avif", b"mif1"), "image/avif"),
        (media.ftyp(b"mif1", b"mif1", b"heic"), "image/heic"),
        (media.ftyp(b"mp42", b"mp42", b"isom"), "video/mp4"),
        (media.ftyp(b"qt  ", b"qt  "), "video/quicktime"),
        (media.ftyp(b"M4V ", b"M4V "), "video/x-m4v"),
        (b"\0\0\0\x08wide\0\0\0\x10mdat", "video/quicktime"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm"),
    ],
)
def test_sniffing(head: bytes, mime: str) -> None:
    found = sniff(head.ljust(64, b"\0"))
    assert found is not None and found.mime == mime


def test_sniffing_refuses_other_files() -> None:
    for head in (b"BM\x36\x00", b"II*\x00", b"\x1a\x45\xdf\xa3 matroska", media.ftyp(b"3gp4", b"3gp4"), b"hello"):
        assert sniff(head.ljust(64, b"\0")) is None, head


def test_webm_is_recognised_but_not_measured() -> None:
    data = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + bytes(100)
    result = inspect_media(BytesSource(data))
    assert result.usable and (result.facts.kind, result.facts.width, result.facts.duration_seconds) == ("video", None,
                                                                                                         None)
    assert any("WebM" in note for note in result.notes)
