"""A small ISO base media file (MP4, MOV, M4V, HEIF) reader: only what the inspection needs. Pure.

Videos: the top-level boxes are walked by their headers alone (a few bytes each, so `mdat` is
never read), then `moov` is read whole (it is small: the sample tables, not the media) and
gives
- the duration: `mvhd` duration / timescale, else `mvex/mehd` (fragmented files), else the
  longest track's `mdhd`;
- the size: the first video track's `tkhd` width and height (16.16 fixed point, the
  presentation size), swapped when its matrix turns the picture by 90 or 270 degrees (how phones
  record portrait video);
- the codecs: the first sample entry of each track's `stsd` (`avc1`, `hvc1`, `mp4a`, ...).

HEIF/AVIF images: `meta/iprp/ipco/ispe` gives the image's extents (the largest one: the others
are thumbnails or tiles).

`read(offset, length)` is any random access to the file (bytes in memory, ranged S3 GETs); it may
return fewer bytes at the end of the file. Malformed input raises `Mp4Error`, never anything
else."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

Reader = Callable[[int, int], bytes]

MAX_MOOV_BYTES = 64 * 1024 * 1024  # a 3-hour 60 fps video has a moov of a few MB
MAX_TOP_LEVEL_BOXES = 10_000
# Brands of ISO BMFF files that hold still images (HEIF, AVIF), not video.
IMAGE_BRANDS = frozenset({"heic", "heix", "heim", "heis", "mif1", "mif2", "msf1", "avif", "avis"})


class Mp4Error(ValueError):
    """The file is not a readable ISO base media file."""


@dataclass(frozen=True)
class VideoInfo:
    brand: str | None  # ftyp major brand, e.g. "isom", "qt  " (None: no ftyp, old QuickTime)
    duration_seconds: float | None
    width: int | None  # as displayed (rotation applied)
    height: int | None
    rotation: int  # 0, 90, 180 or 270 degrees, from the video track's matrix
    video_codec: str | None  # sample entry type, e.g. "avc1", "hvc1"
    audio_codec: str | None  # e.g. "mp4a"

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None or self.width is not None


@dataclass(frozen=True)
class Box:
    type: bytes
    start: int  # offset of the header
    body: int  # offset of the body
    end: int  # offset after the box


def _header(data: bytes, offset: int, limit: int) -> Box:
    if limit - offset < 8:
        raise Mp4Error(f"truncated box header at {offset}")
    size, kind = struct.unpack_from(">I4s", data, offset)
    body = offset + 8
    if size == 1:
        if limit - offset < 16:
            raise Mp4Error(f"truncated 64-bit box header at {offset}")
        (size,) = struct.unpack_from(">Q", data, offset + 8)
        body = offset + 16
    elif size == 0:  # extends to the end of the enclosing space
        size = limit - offset
    if size < body - offset:
        raise Mp4Error(f"box {kind!r} at {offset} has an impossible size {size}")
    return Box(kind, offset, body, offset + size)


def boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[Box]:
    """The boxes laid end to end in `data[start:end]`; a box running past `end` is an error."""
    end = len(data) if end is None else end
    offset = start
    while offset + 8 <= end:
        box = _header(data, offset, end)
        if box.end > end:
            raise Mp4Error(f"box {box.type!r} at {offset} runs past its container")
        yield box
        offset = box.end


def _find(data: bytes, parent: Box, *path: bytes) -> Box | None:
    box: Box | None = parent
    for kind in path:
        assert box is not None
        body = box.body + (4 if box.type == b"meta" else 0)  # meta is a full box
        box = next((child for child in boxes(data, body, box.end) if child.type == kind), None)
        if box is None:
            return None
    return box


def _children(data: bytes, parent: Box, kind: bytes) -> list[Box]:
    body = parent.body + (4 if parent.type == b"meta" else 0)
    return [child for child in boxes(data, body, parent.end) if child.type == kind]


def top_level(read: Reader, size: int) -> list[Box]:
    """The file's top-level boxes, from their headers only (the last may run past a truncated end)."""
    found = []
    offset = 0
    while offset + 8 <= size:
        if len(found) >= MAX_TOP_LEVEL_BOXES:
            raise Mp4Error("too many top-level boxes")
        head = read(offset, 16)
        if len(head) < 8:
            raise Mp4Error(f"truncated box header at {offset}")
        length, kind = struct.unpack_from(">I4s", head)
        header = 8
        if length == 1:
            if len(head) < 16:
                raise Mp4Error(f"truncated 64-bit box header at {offset}")
            (length,) = struct.unpack_from(">Q", head, 8)
            header = 16
        elif length == 0:  # extends to the end of the file
            length = size - offset
        if length < header:
            raise Mp4Error(f"box {kind!r} at {offset} has an impossible size {length}")
        found.append(Box(kind, offset, offset + header, offset + length))
        offset += length
    return found


def brand(head: bytes) -> str | None:
    """The major brand when `head` starts with an ftyp box."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return head[8:12].decode("latin-1")
    return None


def compatible_brands(head: bytes) -> set[str]:
    if brand(head) is None:
        return set()
    (size,) = struct.unpack_from(">I", head, 0)
    end = min(size, len(head))
    brands = {head[8:12].decode("latin-1")}
    brands.update(head[offset:offset + 4].decode("latin-1") for offset in range(16, end - 3, 4))
    return brands


def _fixed_16_16(value: int) -> float:
    return value / 65536


def _duration(version: int, data: bytes, offset: int) -> tuple[int, int | None]:
    """(timescale, duration) of an mvhd/mdhd body after version and flags; None: unknown."""
    if version == 1:
        timescale, duration = struct.unpack_from(">IQ", data, offset + 16)
        unknown = duration == 0xFFFFFFFFFFFFFFFF
    else:
        timescale, duration = struct.unpack_from(">II", data, offset + 8)
        unknown = duration == 0xFFFFFFFF
    return timescale, None if unknown else duration


def _full_box(data: bytes, box: Box, minimum: int) -> int:
    """The version of a full box whose body must hold `minimum` bytes (for version 0)."""
    if box.end - box.body < minimum:
        raise Mp4Error(f"box {box.type!r} at {box.start} is too short")
    return data[box.body]


def _seconds(data: bytes, box: Box) -> float | None:
    version = _full_box(data, box, 20)
    if version == 1 and box.end - box.body < 32:
        raise Mp4Error(f"box {box.type!r} at {box.start} is too short")
    timescale, duration = _duration(version, data, box.body + 4)
    if not timescale or duration is None:
        return None
    return duration / timescale


def _rotation(a: int, b: int, c: int, d: int) -> int:
    """Degrees of the picture turn the tkhd matrix describes (0 for anything else, e.g. flips)."""
    one, minus_one = 0x00010000, -0x00010000
    turns = {(one, 0, 0, one): 0, (0, one, minus_one, 0): 90, (minus_one, 0, 0, minus_one): 180,
             (0, minus_one, one, 0): 270}
    return turns.get((a, b, c, d), 0)


@dataclass
class _Track:
    handler: bytes | None = None
    codec: str | None = None
    width: float | None = None
    height: float | None = None
    rotation: int = 0
    seconds: float | None = None


def _track(data: bytes, trak: Box) -> _Track:
    track = _Track()
    tkhd = _find(data, trak, b"tkhd")
    if tkhd is not None:
        version = _full_box(data, tkhd, 84)
        fixed = 4 + (32 if version == 1 else 20)  # version/flags, times, id, reserved, duration
        fixed += 8 + 2 + 2 + 2 + 2  # reserved, layer, alternate group, volume, reserved
        if tkhd.end - tkhd.body < fixed + 36 + 8:
            raise Mp4Error("tkhd is too short")
        matrix = struct.unpack_from(">9i", data, tkhd.body + fixed)
        width, height = struct.unpack_from(">II", data, tkhd.body + fixed + 36)
        track.width, track.height = _fixed_16_16(width), _fixed_16_16(height)
        track.rotation = _rotation(matrix[0], matrix[1], matrix[3], matrix[4])
    mdia = _find(data, trak, b"mdia")
    if mdia is not None:
        hdlr = _find(data, mdia, b"hdlr")
        if hdlr is not None and hdlr.end - hdlr.body >= 12:
            track.handler = data[hdlr.body + 8:hdlr.body + 12]
        mdhd = _find(data, mdia, b"mdhd")
        if mdhd is not None:
            track.seconds = _seconds(data, mdhd)
        stsd = _find(data, mdia, b"minf", b"stbl", b"stsd")
        if stsd is not None and stsd.end - stsd.body >= 16:
            (count,) = struct.unpack_from(">I", data, stsd.body + 4)
            if count:
                entry = _header(data, stsd.body + 8, stsd.end)
                track.codec = entry.type.decode("latin-1")
    return track


def parse_moov(data: bytes, file_brand: str | None = None) -> VideoInfo:
    """A `moov` box (header included) -> what the inspection reports."""
    moov = _header(data, 0, len(data))
    if moov.type != b"moov":
        raise Mp4Error("not a moov box")
    moov = Box(moov.type, 0, moov.body, min(moov.end, len(data)))
    seconds = None
    mvhd = _find(data, moov, b"mvhd")
    if mvhd is not None:
        seconds = _seconds(data, mvhd)
    if not seconds:
        mehd = _find(data, moov, b"mvex", b"mehd")
        if mehd is not None:
            version = _full_box(data, mehd, 8)
            timescale = _timescale(data, mvhd)
            if timescale:
                fmt, size = (">Q", 12) if version == 1 else (">I", 8)
                if mehd.end - mehd.body >= size:
                    seconds = struct.unpack_from(fmt, data, mehd.body + 4)[0] / timescale
    tracks = [_track(data, trak) for trak in _children(data, moov, b"trak")]
    if not seconds:
        known = [t.seconds for t in tracks if t.seconds]
        seconds = max(known) if known else None
    video = next((t for t in tracks if t.handler == b"vide"), None)
    audio = next((t for t in tracks if t.handler == b"soun"), None)
    width = height = None
    rotation = 0
    if video is not None and video.width and video.height:
        width, height, rotation = round(video.width), round(video.height), video.rotation
        if rotation in (90, 270):
            width, height = height, width
    return VideoInfo(
        brand=file_brand,
        duration_seconds=round(seconds, 3) if seconds else None,
        width=width,
        height=height,
        rotation=rotation,
        video_codec=video.codec if video else None,
        audio_codec=audio.codec if audio else None,
    )


def _timescale(data: bytes, mvhd: Box | None) -> int | None:
    if mvhd is None:
        return None
    version = _full_box(data, mvhd, 20)
    return _duration(version, data, mvhd.body + 4)[0]


def parse_video(read: Reader, size: int) -> VideoInfo:
    """Duration, displayed size and codecs of an MP4/MOV file of `size` bytes."""
    try:
        return _parse_video(read, size)
    except (struct.error, IndexError, UnicodeDecodeError) as exc:  # a length check missed: still malformed
        raise Mp4Error(f"malformed file: {exc}") from exc


def _parse_video(read: Reader, size: int) -> VideoInfo:
    head = read(0, 64)
    file_brand = brand(head)
    moov = next((box for box in top_level(read, size) if box.type == b"moov"), None)
    if moov is None:
        raise Mp4Error("no moov box (the file is incomplete or not a video)")
    length = moov.end - moov.start
    if length > MAX_MOOV_BYTES:
        raise Mp4Error(f"the moov box is {length} bytes, more than the {MAX_MOOV_BYTES} read")
    data = read(moov.start, length)
    if len(data) < length:
        raise Mp4Error("the moov box is truncated")
    return parse_moov(data, file_brand)


def image_extents(read: Reader, size: int) -> tuple[int, int] | None:
    """Width and height of a HEIF/AVIF image: its largest `ispe` (None when there is none)."""
    try:
        return _image_extents(read, size)
    except (struct.error, IndexError) as exc:
        raise Mp4Error(f"malformed file: {exc}") from exc


def _image_extents(read: Reader, size: int) -> tuple[int, int] | None:
    meta = next((box for box in top_level(read, size) if box.type == b"meta"), None)
    if meta is None or meta.end - meta.start > MAX_MOOV_BYTES:
        return None
    data = read(meta.start, meta.end - meta.start)
    box = _header(data, 0, len(data))
    box = Box(box.type, 0, box.body, min(box.end, len(data)))
    ipco = _find(data, box, b"iprp", b"ipco")
    if ipco is None:
        return None
    extents = []
    for ispe in _children(data, ipco, b"ispe"):
        if ispe.end - ispe.body >= 12:
            extents.append(struct.unpack_from(">II", data, ispe.body + 4))
    if not extents:
        return None
    width, height = max(extents, key=lambda wh: wh[0] * wh[1])
    return int(width), int(height)


def bytes_reader(data: bytes) -> Reader:
    return lambda offset, length: data[offset:offset + length]
