"""herald.media.mp4: duration, displayed size and codecs from minimal MP4/MOV files built here."""

from __future__ import annotations

import struct

import pytest

from herald.media import mp4
from support import media


def parse(data: bytes) -> mp4.VideoInfo:
    return mp4.parse_video(mp4.bytes_reader(data), len(data))


def test_duration_size_and_codecs_of_a_minimal_mp4() -> None:
    info = parse(media.mp4(width=1280, height=720, seconds=12.5))
    assert info.brand == "isom"
    assert info.duration_seconds == 12.5
    assert (info.width, info.height, info.rotation) == (1280, 720, 0)
    assert (info.video_codec, info.audio_codec) == ("avc1", "mp4a")
    assert info.has_video


def test_moov_before_mdat_and_version_1_headers() -> None:
    info = parse(media.mp4(seconds=3600.25, moov_first=True, mvhd_version=1))
    assert info.duration_seconds == 3600.25


def test_a_portrait_phone_video_is_reported_as_displayed() -> None:
    """Phones store portrait video landscape with a 90-degree matrix in tkhd."""
    info = parse(media.mp4(width=1920, height=1080, matrix=media.ROTATE_90))
    assert (info.width, info.height, info.rotation) == (1080, 1920, 90)


def test_quicktime_hevc_without_audio() -> None:
    info = parse(media.mp4(brand=b"qt  ", codec=b"hvc1", audio=None))
    assert info.brand == "qt  "
    assert (info.video_codec, info.audio_codec) == ("hvc1", None)


def test_mdat_is_never_read() -> None:
    """Only box headers are read until moov: a huge mdat costs one 16-byte read."""
    data = media.mp4(mdat_bytes=5_000_000)
    reads: list[tuple[int, int]] = []

    def read(offset: int, length: int) -> bytes:
        reads.append((offset, length))
        return data[offset:offset + length]

    assert mp4.parse_video(read, len(data)).duration_seconds == 12.5
    assert sum(length for _, length in reads) < 10_000


def test_a_64_bit_box_size_is_followed() -> None:
    data = media.ftyp() + media.large_box(b"mdat", bytes(100)) + media.box(b"moov", media.mvhd(1000, 2000),
                                                                            media.trak(b"vide", b"avc1", width=64,
                                                                                       height=48))
    info = parse(data)
    assert (info.duration_seconds, info.width, info.height) == (2.0, 64, 48)


def test_fragmented_file_duration_from_mehd() -> None:
    mehd = media.full_box(b"mehd", 0, struct.pack(">I", 9000))
    moov = media.box(b"moov", media.mvhd(1000, 0), media.trak(b"vide", b"avc1", width=640, height=360),
                     media.box(b"mvex", mehd))
    assert parse(media.ftyp() + moov).duration_seconds == 9.0


def test_duration_from_the_longest_track_when_mvhd_has_none() -> None:
    moov = media.box(b"moov", media.mvhd(1000, 0),
                     media.trak(b"vide", b"avc1", width=640, height=360, timescale=30, duration=300))
    assert parse(media.ftyp() + moov).duration_seconds == 10.0


@pytest.mark.parametrize(
    "data",
    [
        media.ftyp() + media.box(b"mdat", bytes(10)),  # no moov
        media.ftyp() + struct.pack(">I4s", 4, b"moov"),  # impossible size
        media.ftyp() + media.box(b"moov", media.box(b"mvhd", b"\0\0")),  # truncated mvhd
        media.ftyp() + media.mp4()[40:80],  # garbage after ftyp
        b"\0\0\0\x20ftypisom",  # truncated file
    ],
)
def test_malformed_files_raise_mp4_error_only(data: bytes) -> None:
    with pytest.raises(mp4.Mp4Error):
        parse(data)


def test_a_truncated_moov_is_an_error() -> None:
    data = media.mp4()
    with pytest.raises(mp4.Mp4Error):
        parse(data[:-20])


def test_heif_image_extents_take_the_largest_ispe() -> None:
    data = media.heif(4032, 3024)
    assert mp4.brand(data[:64]) == "heic"
    assert mp4.image_extents(mp4.bytes_reader(data), len(data)) == (4032, 3024)


def test_any_corruption_is_an_mp4_error_or_a_result() -> None:
    """Every single-byte corruption of a small file parses or raises Mp4Error, nothing else."""
    data = media.mp4(mdat_bytes=16)
    for index in range(len(data)):
        for value in (0x00, 0xFF, 0x7F):
            corrupted = data[:index] + bytes([value]) + data[index + 1:]
            try:
                parse(corrupted)
            except mp4.Mp4Error:
                pass
