"""Small media files made in the tests: ISO BMFF (MP4/MOV/HEIF) built box by box, images with Pillow."""

from __future__ import annotations

import io
import struct
from typing import Any

ONE = 0x00010000  # 1.0 in 16.16 fixed point
IDENTITY = (ONE, 0, 0, 0, ONE, 0, 0, 0, 0x40000000)
ROTATE_90 = (0, ONE, 0, -ONE, 0, 0, 0, 0, 0x40000000)


def box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I4s", 8 + len(body), kind) + body


def large_box(kind: bytes, *payload: bytes) -> bytes:
    """A box with a 64-bit size (size field 1)."""
    body = b"".join(payload)
    return struct.pack(">I4sQ", 1, kind, 16 + len(body)) + body


def full_box(kind: bytes, version: int, payload: bytes) -> bytes:
    return box(kind, bytes([version, 0, 0, 0]), payload)


def ftyp(major: bytes = b"isom", *compatible: bytes) -> bytes:
    return box(b"ftyp", major, struct.pack(">I", 512), *(compatible or (b"isom", b"mp41")))


def mvhd(timescale: int, duration: int, version: int = 0) -> bytes:
    if version == 1:
        times = struct.pack(">QQIQ", 0, 0, timescale, duration)
    else:
        times = struct.pack(">IIII", 0, 0, timescale, duration)
    rest = struct.pack(">iH", ONE, 0x0100) + bytes(10) + struct.pack(">9i", *IDENTITY) + bytes(24) + struct.pack(">I", 3)
    return full_box(b"mvhd", version, times + rest)


def tkhd(width: float, height: float, matrix: tuple[int, ...] = IDENTITY, version: int = 0) -> bytes:
    if version == 1:
        head = struct.pack(">QQIIQ", 0, 0, 1, 0, 0)
    else:
        head = struct.pack(">IIIII", 0, 0, 1, 0, 0)
    rest = bytes(8) + struct.pack(">hhhH", 0, 0, 0, 0) + struct.pack(">9i", *matrix)
    rest += struct.pack(">II", int(width * 65536), int(height * 65536))
    return full_box(b"tkhd", version, head + rest)


def mdhd(timescale: int, duration: int) -> bytes:
    return full_box(b"mdhd", 0, struct.pack(">IIIIHH", 0, 0, timescale, duration, 0x55C4, 0))


def hdlr(handler: bytes) -> bytes:
    return full_box(b"hdlr", 0, struct.pack(">I4s", 0, handler) + bytes(12) + b"\0")


def stsd(codec: bytes) -> bytes:
    entry = box(codec, bytes(6), struct.pack(">H", 1), bytes(70))
    return full_box(b"stsd", 0, struct.pack(">I", 1) + entry)


def trak(handler: bytes, codec: bytes, *, width: float = 0, height: float = 0, matrix: tuple[int, ...] = IDENTITY,
         timescale: int = 1000, duration: int = 0) -> bytes:
    stbl = box(b"stbl", stsd(codec))
    minf = box(b"minf", stbl)
    mdia = box(b"mdia", mdhd(timescale, duration), hdlr(handler), minf)
    return box(b"trak", tkhd(width, height, matrix), mdia)


def mp4(*, width: int = 1280, height: int = 720, seconds: float = 12.5, codec: bytes = b"avc1",
        audio: bytes | None = b"mp4a", matrix: tuple[int, ...] = IDENTITY, brand: bytes = b"isom",
        moov_first: bool = False, mdat_bytes: int = 4096, mvhd_version: int = 0) -> bytes:
    """A minimal MP4 (or MOV with brand `qt  `): ftyp, mdat and moov with a video and an audio track."""
    timescale = 600
    tracks = [trak(b"vide", codec, width=width, height=height, matrix=matrix, timescale=timescale,
                   duration=int(seconds * timescale))]
    if audio is not None:
        tracks.append(trak(b"soun", audio, timescale=44100, duration=int(seconds * 44100)))
    moov = box(b"moov", mvhd(timescale, int(seconds * timescale), mvhd_version), *tracks)
    mdat = box(b"mdat", bytes(mdat_bytes))
    head = ftyp(brand, brand, b"isom") if brand != b"qt  " else ftyp(b"qt  ", b"qt  ")
    return head + (moov + mdat if moov_first else mdat + moov)


def heif(width: int, height: int) -> bytes:
    """A minimal HEIC: ftyp, then meta/iprp/ipco with a thumbnail's and the image's ispe."""
    ispe = [full_box(b"ispe", 0, struct.pack(">II", 160, 120)), full_box(b"ispe", 0, struct.pack(">II", width, height))]
    meta = full_box(b"meta", 0, hdlr(b"pict") + box(b"iprp", box(b"ipco", *ispe)))
    return ftyp(b"heic", b"mif1", b"heic") + meta + box(b"mdat", bytes(64))


def image(fmt: str, size: tuple[int, int], *, mode: str = "RGB", color: Any = (200, 30, 30), **save: Any) -> bytes:
    from PIL import Image

    picture = Image.new(mode, size, color)
    out = io.BytesIO()
    picture.save(out, fmt, **save)
    return out.getvalue()


def animated_gif(size: tuple[int, int], frames: int) -> bytes:
    from PIL import Image

    pictures = [Image.new("RGB", size, ((i * 40) % 256, (i * 90) % 256, (i * 15) % 256)) for i in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, "GIF", save_all=True, append_images=pictures[1:], duration=80, loop=0)
    return out.getvalue()


def jpeg_with_orientation(size: tuple[int, int], orientation: int) -> bytes:
    from PIL import Image

    picture = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()
