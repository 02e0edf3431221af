"""What an uploaded file is: its type from its first bytes, then its size, dimensions, frames and
duration, reading no more of it than needed; plus a 320 px JPEG thumbnail for images.

- Type: from the content's magic bytes (`sniff`), never from the name or the declared type.
- Images (PNG, JPEG, GIF, WebP, AVIF) through Pillow, restricted to those decoders. Opening reads
  the header only; counting a GIF's or WebP's frames walks the frames; the thumbnail decodes the
  picture (JPEGs at a reduced scale). Files above `FULL_READ_MAX_BYTES` are read through ranged
  requests for the header alone and get no thumbnail; pictures above `THUMBNAIL_MAX_PIXELS`
  get none either. EXIF orientation is applied to the reported size and the thumbnail.
- HEIF/HEIC: the size from the file's `ispe` box (herald.media.mp4); Pillow has no HEIF decoder,
  so no thumbnail.
- MP4/MOV/M4V: herald.media.mp4 reads the `moov` box only. No thumbnail: that needs a video
  decoder (ffmpeg), which cannot ship in the Lambda layer here.
- WebM: recognised; its size and duration are not read (no Matroska reader).
- Anything else is unsupported.

Pure apart from Pillow: the file comes in as a `Source`."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from herald.media import mp4
from herald.media.model import Kind, MediaFacts

log = logging.getLogger(__name__)

SNIFF_BYTES = 64
FULL_READ_MAX_BYTES = 64 * 1024 * 1024  # images up to this are read whole (and get a thumbnail)
THUMBNAIL_PX = 320  # the longest side
THUMBNAIL_MAX_PIXELS = 120_000_000  # above this, decoding would need too much memory
THUMBNAIL_QUALITY = 82
RANGE_CHUNK = 256 * 1024

# Pillow decoders allowed to open an upload (no exotic formats, whatever the file claims).
PILLOW_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "AVIF")


class Source(Protocol):
    """Random access to the uploaded file."""

    @property
    def size(self) -> int: ...

    def read(self, offset: int, length: int) -> bytes: ...

    def read_all(self) -> bytes: ...


@dataclass(frozen=True)
class BytesSource:
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    def read(self, offset: int, length: int) -> bytes:
        return self.data[offset:offset + length]

    def read_all(self) -> bytes:
        return self.data


@dataclass(frozen=True)
class Sniffed:
    mime: str
    format: str
    kind: Kind  # "image" or "video" here; "gif" is decided once the frames are counted


def sniff(head: bytes) -> Sniffed | None:
    """The type of a file from its first bytes (at least `SNIFF_BYTES` of them); None: unsupported."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", "PNG", "image")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", "JPEG", "image")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("image/gif", "GIF", "image")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image/webp", "WEBP", "image")
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: Matroska or WebM
        return Sniffed("video/webm", "WEBM", "video") if b"webm" in head[:64] else None
    major = mp4.brand(head)
    if major is not None:
        brands = mp4.compatible_brands(head)
        if major in ("avif", "avis"):
            return Sniffed("image/avif", "AVIF", "image")
        if major in mp4.IMAGE_BRANDS or (brands & mp4.IMAGE_BRANDS and not brands & {"isom", "mp41", "mp42", "qt  "}):
            return Sniffed("image/heic" if brands & {"heic", "heix", "heim", "heis"} else "image/heif", "HEIF", "image")
        if major == "qt  ":
            return Sniffed("video/quicktime", "MOV", "video")
        if major in ("M4V ", "M4VH", "M4VP"):
            return Sniffed("video/x-m4v", "M4V", "video")
        if major.startswith("3g"):
            return None  # 3GPP: no network wants it
        return Sniffed("video/mp4", "MP4", "video")
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):  # QuickTime without ftyp
        return Sniffed("video/quicktime", "MOV", "video")
    return None


@dataclass
class Inspection:
    facts: MediaFacts
    thumbnail: bytes | None = None  # JPEG
    thumbnail_size: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)
    problem: str | None = None  # set: the file cannot be used (unsupported, unreadable)

    @property
    def usable(self) -> bool:
        return self.problem is None


class RangeFile(io.RawIOBase):
    """A seekable, read-only file over `Source.read` (ranged GETs), for reading image headers."""

    def __init__(self, source: Source) -> None:
        self._source = source
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._source.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._position >= self._source.size:
            return 0
        data = self._source.read(self._position, min(len(view), self._source.size - self._position))
        view[:len(data)] = data
        self._position += len(data)
        return len(data)


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.0f} megapixels"


def inspect_image(stream: Any, size: int, sniffed: Sniffed, *, thumbnail: bool = True) -> Inspection:
    """Size, frames and (when asked and affordable) a thumbnail of an image file."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    notes: list[str] = []
    try:
        with Image.open(stream, formats=PILLOW_FORMATS) as image:
            width, height = image.size
            frames = int(getattr(image, "n_frames", 1) or 1)
            animated = bool(getattr(image, "is_animated", False)) and frames > 1
            orientation = image.getexif().get(0x0112, 1)
            if orientation in (5, 6, 7, 8):  # turned a quarter: displayed the other way round
                width, height = height, width
            kind: Kind = "gif" if animated and sniffed.format == "GIF" else "image"
            facts = MediaFacts(kind=kind, mime=sniffed.mime, format=image.format or sniffed.format, bytes=size,
                               width=width, height=height, frames=frames)
            jpeg = None
            shape = None
            if not thumbnail:
                notes.append(f"No thumbnail: the file is larger than {FULL_READ_MAX_BYTES // 1024 // 1024} MB.")
            elif width * height > THUMBNAIL_MAX_PIXELS:
                notes.append(f"No thumbnail: the image has more than {_megapixels(THUMBNAIL_MAX_PIXELS)}.")
            else:
                image.seek(0)
                image.draft("RGB", (THUMBNAIL_PX, THUMBNAIL_PX))  # JPEG: decode at a reduced scale
                small = image.copy()
                small.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
                small = ImageOps.exif_transpose(small) or small
                jpeg, shape = _jpeg(small)
    except Image.DecompressionBombError:
        return Inspection(
            MediaFacts(kind="image", mime=sniffed.mime, format=sniffed.format, bytes=size),
            problem=f"The image has too many pixels to inspect (more than {_megapixels(2 * _max_pixels())}).",
        )
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        log.info("unreadable %s: %s", sniffed.format, exc)
        return Inspection(
            MediaFacts(mime=sniffed.mime, format=sniffed.format, bytes=size),
            problem=f"The file looks like {sniffed.format} but cannot be read as one.",
        )
    return Inspection(facts, jpeg, shape, notes)


def _max_pixels() -> int:
    from PIL import Image

    return int(Image.MAX_IMAGE_PIXELS or 0)


def _jpeg(image: Any) -> tuple[bytes, tuple[int, int]]:
    from PIL import Image

    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True, progressive=True)
    return out.getvalue(), image.size


def inspect_video(source: Source, sniffed: Sniffed) -> Inspection:
    no_thumbnail = "No thumbnail: video frames need a decoder (ffmpeg), which Herald does not ship."
    if sniffed.format == "WEBM":
        return Inspection(
            MediaFacts(kind="video", mime=sniffed.mime, format=sniffed.format, bytes=source.size),
            notes=["WebM duration and dimensions are not read, so the networks' video limits on them were "
                   "not checked.", no_thumbnail],
        )
    try:
        info = mp4.parse_video(source.read, source.size)
    except mp4.Mp4Error as exc:
        log.info("unreadable %s: %s", sniffed.format, exc)
        return Inspection(
            MediaFacts(mime=sniffed.mime, format=sniffed.format, bytes=source.size),
            problem=f"The file looks like {sniffed.format} but its structure cannot be read ({exc}).",
        )
    if not info.has_video:
        return Inspection(
            MediaFacts(mime=sniffed.mime, format=sniffed.format, bytes=source.size,
                       duration_seconds=info.duration_seconds, audio_codec=info.audio_codec),
            problem="The file has no video track.",
        )
    notes = [no_thumbnail]
    if info.duration_seconds is None:
        notes.append("The duration could not be read, so the networks' duration limits were not checked.")
    facts = MediaFacts(kind="video", mime=sniffed.mime, format=sniffed.format, bytes=source.size, width=info.width,
                       height=info.height, duration_seconds=info.duration_seconds, video_codec=info.video_codec,
                       audio_codec=info.audio_codec)
    return Inspection(facts, notes=notes)


def inspect_heif(source: Source, sniffed: Sniffed) -> Inspection:
    notes = ["No thumbnail: HEIF/HEIC images cannot be decoded here."]
    try:
        extents = mp4.image_extents(source.read, source.size)
    except mp4.Mp4Error as exc:
        return Inspection(MediaFacts(mime=sniffed.mime, format=sniffed.format, bytes=source.size),
                          problem=f"The file looks like HEIF but its structure cannot be read ({exc}).")
    if extents is None:
        notes.append("The image size could not be read.")
    width, height = extents or (None, None)
    return Inspection(MediaFacts(kind="image", mime=sniffed.mime, format=sniffed.format, bytes=source.size,
                                 width=width, height=height, frames=1), notes=notes)


def inspect_media(source: Source) -> Inspection:
    """Everything the report needs from one file."""
    if source.size == 0:
        return Inspection(MediaFacts(bytes=0), problem="The file is empty.")
    sniffed = sniff(source.read(0, SNIFF_BYTES))
    if sniffed is None:
        return Inspection(
            MediaFacts(bytes=source.size),
            problem="Unsupported file type: send a JPEG, PNG, GIF, WebP, HEIC or AVIF image, or an MP4, MOV or "
                    "WebM video.",
        )
    if sniffed.kind == "video":
        return inspect_video(source, sniffed)
    if sniffed.format == "HEIF":
        return inspect_heif(source, sniffed)
    if source.size <= FULL_READ_MAX_BYTES:
        return inspect_image(io.BytesIO(source.read_all()), source.size, sniffed)
    stream = io.BufferedReader(RangeFile(source), buffer_size=RANGE_CHUNK)
    return inspect_image(stream, source.size, sniffed, thumbnail=False)
