"""Which networks take an inspected file: one rules table, `RULES`, and `report(facts)`.

Numbers come from the per-network reference (shared docs/platforms.md, each network's **Limits**);
a comment says where a number is unverified there or read in a particular way. Conventions:

- "MB" in the reference is read as 10^6 bytes (the stricter reading); 2,000,000 stays exact.
- Dimensions are as displayed (EXIF orientation and video rotation applied).
- A limit the file's measurements cannot be checked against (an unread duration) is skipped; the
  media's notes say what was not read.
- `kinds`: "image" (including a still GIF), "gif" (animated) and "video", as in herald.text.rules,
  whose per-network kinds this table must agree with (a test checks it).

Each entry of the report is {network, ok, reasons, suggestions}: `reasons` say why the network
would refuse the file, `suggestions` how to fix it (and, when `ok`, advice such as a recommended
aspect ratio)."""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

from herald.media.model import Kind, MediaFacts, NetworkCompatibility

MB = 1_000_000
GB = 1_000_000_000
RATIO_TOLERANCE = 0.01  # 1080×1351 is still 4:5


@dataclass(frozen=True)
class Ratio:
    width: float
    height: float

    @property
    def value(self) -> float:
        return self.width / self.height

    @property
    def label(self) -> str:
        return f"{_number(self.width)}:{_number(self.height)}"


@dataclass(frozen=True)
class Limits:
    """What a network takes for one kind of media; None: no limit (or none documented)."""

    types: tuple[str, ...] | None = None  # MIME types, the preferred first; None: any recognised
    max_bytes: int | None = None
    min_ratio: Ratio | None = None  # width / height
    max_ratio: Ratio | None = None
    min_width: int | None = None
    min_height: int | None = None
    max_width: int | None = None
    max_height: int | None = None
    max_box: tuple[int, int] | None = None  # must fit in W×H in either orientation
    min_box: tuple[int, int] | None = None
    max_pixels: int | None = None  # fewer pixels than this + 1
    max_frames: int | None = None
    min_seconds: float | None = None
    max_seconds: float | None = None
    video_codecs: tuple[str, ...] | None = None  # sample entries (avc1 ...)
    audio_codecs: tuple[str, ...] | None = None
    # Advice only (the entry stays ok):
    recommended_ratio: Ratio | None = None
    advised_max_bytes: int | None = None
    advice_over_bytes: str = ""
    advised_max_seconds: float | None = None
    advice_over_seconds: str = ""


@dataclass(frozen=True)
class NetworkMedia:
    network: str
    name: str
    image: Limits | None = None  # None: the network takes no media of that kind
    gif: Limits | None = None
    video: Limits | None = None

    def limits(self, kind: Kind) -> Limits | None:
        return {"image": self.image, "gif": self.gif, "video": self.video}[kind]

    @property
    def kinds(self) -> frozenset[Kind]:
        return frozenset(k for k in ("image", "gif", "video") if self.limits(k) is not None)  # type: ignore[arg-type]


JPEG, PNG, GIF, WEBP = "image/jpeg", "image/png", "image/gif", "image/webp"
MP4, MOV, WEBM = "video/mp4", "video/quicktime", "video/webm"
H264 = ("avc1", "avc3")
HEVC = ("hvc1", "hev1")

RULES: dict[str, NetworkMedia] = {
    rule.network: rule
    for rule in (
        NetworkMedia(
            network="x",
            name="X",
            image=Limits(types=(JPEG, PNG, GIF, WEBP), max_bytes=5 * MB),
            # "≤1280×1080": X takes portrait GIFs and videos too, so the box fits either way round.
            gif=Limits(types=(GIF,), max_bytes=15 * MB, max_box=(1280, 1080), max_frames=350),
            video=Limits(types=(MP4, MOV), max_bytes=512 * MB, min_seconds=0.5, max_seconds=140,
                         min_box=(32, 32), max_box=(1280, 1024), min_ratio=Ratio(1, 3), max_ratio=Ratio(3, 1),
                         video_codecs=H264, audio_codecs=("mp4a",)),
        ),
        NetworkMedia(
            network="linkedin",
            name="LinkedIn",
            image=Limits(types=(JPEG, PNG, GIF), max_pixels=36_152_319),
            gif=Limits(types=(GIF,), max_pixels=36_152_319),
            video=Limits(types=(MP4,), max_bytes=500 * MB, min_seconds=3, max_seconds=30 * 60,
                         min_ratio=Ratio(1, 2.4), max_ratio=Ratio(2.4, 1)),
        ),
        NetworkMedia(
            network="facebook",
            name="Facebook",
            image=Limits(types=(JPEG, PNG), max_bytes=4 * MB),  # "ideally under 4 MB" (error 1366046)
            video=Limits(),  # video caps unverified in the reference
        ),
        NetworkMedia(
            network="instagram",
            name="Instagram",
            image=Limits(types=(JPEG,), max_bytes=8 * MB, min_ratio=Ratio(4, 5), max_ratio=Ratio(1.91, 1),
                         min_width=320, max_width=1440),
            # Reels: 300 MB per older Meta docs (a third-party guide says 1 GB, unverified).
            video=Limits(types=(MP4, MOV), max_bytes=300 * MB, min_seconds=3, max_seconds=15 * 60,
                         video_codecs=H264 + HEVC, audio_codecs=("mp4a",), recommended_ratio=Ratio(9, 16)),
        ),
        NetworkMedia(network="threads", name="Threads", image=Limits(), video=Limits()),  # caps unverified
        NetworkMedia(
            network="bluesky",
            name="Bluesky",
            image=Limits(max_bytes=2_000_000, advised_max_bytes=1_000_000,
                         advice_over_bytes="Older Bluesky servers still refuse images over 1 MB: compress it below "
                                           "1 MB to be safe."),
            video=Limits(types=(MP4,), max_bytes=300_000_000),  # a 3-minute cap is unverified
        ),
        NetworkMedia(
            # The instance decides (GET /api/v2/instance); these are the documented example values.
            network="mastodon",
            name="Mastodon",
            image=Limits(max_bytes=16_777_216),
            gif=Limits(max_bytes=16_777_216),
            video=Limits(max_bytes=103_809_024),
        ),
        NetworkMedia(
            # Uploaded by the bot: photos ≤10 MB, other files ≤50 MB (sent by URL: 5 MB and 20 MB).
            network="telegram",
            name="Telegram",
            image=Limits(max_bytes=10 * MB),
            gif=Limits(max_bytes=50 * MB),
            video=Limits(max_bytes=50 * MB),
        ),
        NetworkMedia(
            network="youtube",
            name="YouTube",
            video=Limits(max_bytes=256 * GB, advised_max_seconds=15 * 60,
                         advice_over_seconds="Unverified YouTube channels are capped at 15-minute videos: verify the "
                                             "channel first."),
        ),
        NetworkMedia(
            network="tiktok",
            name="TikTok",
            image=Limits(types=(JPEG, WEBP), max_bytes=20 * MB),  # third-party figures
            # max_video_post_duration_sec is per creator, "often 600 s"; the 3 s minimum is third-party.
            video=Limits(types=(MP4, WEBM, MOV), max_bytes=4 * GB, min_seconds=3, max_seconds=600),
        ),
        NetworkMedia(network="pinterest", name="Pinterest", image=Limits(), video=Limits()),  # caps unverified
        NetworkMedia(network="reddit", name="Reddit", image=Limits(), gif=Limits(), video=Limits()),
        NetworkMedia(
            network="google_business",
            name="Google Business Profile",
            image=Limits(types=(JPEG, PNG), max_bytes=5 * MB, min_width=400, min_height=300),  # third-party
        ),
    )
}

_TYPE_NAMES = {JPEG: "JPEG", PNG: "PNG", GIF: "GIF", WEBP: "WebP", "image/heic": "HEIC", "image/heif": "HEIF",
               "image/avif": "AVIF", MP4: "MP4", MOV: "MOV", "video/x-m4v": "M4V", WEBM: "WebM"}
_CODEC_NAMES = {"avc1": "H.264", "avc3": "H.264", "hvc1": "HEVC", "hev1": "HEVC", "av01": "AV1", "vp09": "VP9",
                "mp4a": "AAC", "ac-3": "AC-3", "ec-3": "E-AC-3", "Opus": "Opus"}
_PLURAL = {"image": "images", "gif": "animated GIFs", "video": "videos"}
_NOUN = {"image": "image", "gif": "GIF", "video": "video"}
# Ratios people name, for labelling a file's shape (exact small ratios are used as they are).
_NAMED_RATIOS = (Ratio(1.91, 1), Ratio(1, 1.91), Ratio(16, 9), Ratio(9, 16), Ratio(4, 3), Ratio(3, 4), Ratio(3, 2),
                 Ratio(2, 3), Ratio(4, 5), Ratio(5, 4), Ratio(21, 9), Ratio(9, 21), Ratio(2, 1), Ratio(1, 2))


def _number(value: float) -> str:
    return f"{value:g}"


def ratio_label(width: int, height: int) -> str:
    """`9:16`, `4:5`, `1.91:1`; otherwise the nearest named ratio within 1 %, else `1.23:1`."""
    divisor = gcd(width, height)
    w, h = width // divisor, height // divisor
    if max(w, h) <= 32:
        return f"{w}:{h}"
    value = width / height
    for named in _NAMED_RATIOS:
        if abs(value / named.value - 1) <= RATIO_TOLERANCE:
            return named.label
    return f"{value:.2f}:1" if value >= 1 else f"1:{1 / value:.2f}"


def size_text(size: int) -> str:
    for unit, factor in (("GB", GB), ("MB", MB), ("KB", 1000)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def duration_text(seconds: float) -> str:
    """`0.5 s`, `140 s`, `5 min`, `11 min 40 s`."""
    whole = round(seconds)
    if whole >= 60 and whole % 60 == 0 and abs(seconds - whole) < 0.5:
        return f"{whole // 60} min"
    if seconds < 600:
        return f"{seconds:g} s" if seconds < 10 else f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s"


def _type_name(mime: str | None) -> str:
    return _TYPE_NAMES.get(mime or "", mime or "unknown")


def _list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _codec(code: str) -> str:
    name = _CODEC_NAMES.get(code)
    return f"{name} ({code})" if name else code


def _crop(width: int, height: int, target: Ratio) -> tuple[int, int]:
    if width / height < target.value:  # too tall: keep the width
        return width, round(width / target.value)
    return round(height * target.value), height


def _fit(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    long_side, short_side = max(box), min(box)
    limit_w, limit_h = (long_side, short_side) if width >= height else (short_side, long_side)
    scale = min(limit_w / width, limit_h / height, 1.0)
    return max(1, int(width * scale)), max(1, int(height * scale))


def _fits(width: int, height: int, box: tuple[int, int]) -> bool:
    return max(width, height) <= max(box) and min(width, height) <= min(box)


def check(rule: NetworkMedia, facts: MediaFacts) -> NetworkCompatibility:
    """One network's verdict on one inspected file."""
    reasons: list[str] = []
    suggestions: list[str] = []
    kind = facts.kind
    name = rule.name
    if kind is None:
        return NetworkCompatibility(network=rule.network, ok=False, reasons=["The file type is not supported."])
    limits = rule.limits(kind)
    if limits is None:
        reasons.append(f"{name} does not take {_PLURAL[kind]}.")
        if kind == "gif" and rule.video is not None:
            suggestions.append("Convert the GIF to an MP4 video.")
        elif kind == "gif" and rule.image is not None:
            suggestions.append("Use a still image (one frame of the GIF) instead.")
        return NetworkCompatibility(network=rule.network, ok=False, reasons=reasons, suggestions=suggestions)

    plural, noun = _PLURAL[kind], _NOUN[kind]
    if limits.types is not None and facts.mime not in limits.types:
        accepted = list(dict.fromkeys(_type_name(t) for t in limits.types))
        reasons.append(f"{name} takes {plural} as {_list(accepted)}; this one is {_type_name(facts.mime)}.")
        suggestions.append(f"Convert it to {accepted[0]}.")
    if limits.max_bytes is not None and facts.bytes > limits.max_bytes:
        reasons.append(f"{name} takes {plural} up to {size_text(limits.max_bytes)}; "
                       f"this one is {size_text(facts.bytes)}.")
        suggestions.append(f"Compress it below {size_text(limits.max_bytes)}.")
    elif limits.advised_max_bytes is not None and facts.bytes > limits.advised_max_bytes:
        suggestions.append(limits.advice_over_bytes)

    width, height = facts.width, facts.height
    if width and height:
        _check_shape(limits, name, plural, noun, width, height, reasons, suggestions)

    if limits.max_frames is not None and facts.frames is not None and facts.frames > limits.max_frames:
        reasons.append(f"{name} takes {plural} of up to {limits.max_frames} frames; this one has {facts.frames}.")
        suggestions.append(f"Cut it to {limits.max_frames} frames or fewer.")

    seconds = facts.duration_seconds
    if seconds is not None:
        low, high = limits.min_seconds, limits.max_seconds
        if (low is not None and seconds < low) or (high is not None and seconds > high):
            span = (f"of {duration_text(low)} to {duration_text(high)}" if low is not None and high is not None
                    else f"of at least {duration_text(low)}" if low is not None
                    else f"of up to {duration_text(high)}")  # type: ignore[arg-type]
            reasons.append(f"{name} takes {plural} {span}; this one is {duration_text(seconds)}.")
            if high is not None and seconds > high:
                suggestions.append(f"Trim it to {duration_text(high)} or less.")
            else:
                suggestions.append(f"Use a clip of at least {duration_text(low)}.")  # type: ignore[arg-type]
        elif limits.advised_max_seconds is not None and seconds > limits.advised_max_seconds:
            suggestions.append(limits.advice_over_seconds)

    if limits.video_codecs is not None and facts.video_codec and facts.video_codec not in limits.video_codecs:
        accepted = list(dict.fromkeys(_CODEC_NAMES.get(c, c) for c in limits.video_codecs))
        reasons.append(f"{name} takes {_list(accepted)} video; this one is {_codec(facts.video_codec)}.")
        suggestions.append(f"Re-encode it as {accepted[0]}.")
    if limits.audio_codecs is not None and facts.audio_codec and facts.audio_codec not in limits.audio_codecs:
        accepted = list(dict.fromkeys(_CODEC_NAMES.get(c, c) for c in limits.audio_codecs))
        reasons.append(f"{name} takes {_list(accepted)} audio; this one is {_codec(facts.audio_codec)}.")
        suggestions.append(f"Re-encode the audio as {accepted[0]}.")
    return NetworkCompatibility(network=rule.network, ok=not reasons, reasons=reasons, suggestions=suggestions)


def _check_shape(limits: Limits, name: str, plural: str, noun: str, width: int, height: int,
                 reasons: list[str], suggestions: list[str]) -> None:
    value = width / height
    low, high = limits.min_ratio, limits.max_ratio
    too_tall = low is not None and value < low.value * (1 - RATIO_TOLERANCE)
    too_wide = high is not None and value > high.value * (1 + RATIO_TOLERANCE)
    if too_tall or too_wide:
        shape = ratio_label(width, height)
        if low is not None and high is not None:
            reasons.append(f"{name} takes aspect ratios {low.label} to {high.label}; this {noun} is {shape}.")
        else:
            bound = low if low is not None else high
            reasons.append(f"{name} takes aspect ratios {'from' if too_tall else 'up to'} {bound.label}; "  # type: ignore[union-attr]
                           f"this {noun} is {shape}.")
        target = low if too_tall else high
        assert target is not None
        crop_w, crop_h = _crop(width, height, target)
        suggestions.append(f"Crop to {target.label} (e.g. {crop_w}×{crop_h}).")
    elif limits.recommended_ratio is not None and abs(value / limits.recommended_ratio.value - 1) > RATIO_TOLERANCE:
        suggestions.append(f"{name} recommends {limits.recommended_ratio.label} for {plural}; "
                           f"this {noun} is {ratio_label(width, height)}.")

    if limits.min_width is not None and width < limits.min_width:
        reasons.append(f"{name} takes {plural} at least {limits.min_width} px wide; this one is {width} px.")
        suggestions.append(f"Use a larger original, at least {limits.min_width} px wide.")
    if limits.min_height is not None and height < limits.min_height:
        reasons.append(f"{name} takes {plural} at least {limits.min_height} px high; this one is {height} px.")
        suggestions.append(f"Use a larger original, at least {limits.min_height} px high.")
    if limits.max_width is not None and width > limits.max_width:
        new_height = round(height * limits.max_width / width)
        reasons.append(f"{name} takes {plural} up to {limits.max_width} px wide; this one is {width} px.")
        suggestions.append(f"Resize it to {limits.max_width} px wide ({limits.max_width}×{new_height}).")
    if limits.max_height is not None and height > limits.max_height:
        new_width = round(width * limits.max_height / height)
        reasons.append(f"{name} takes {plural} up to {limits.max_height} px high; this one is {height} px.")
        suggestions.append(f"Resize it to {limits.max_height} px high ({new_width}×{limits.max_height}).")
    if limits.max_box is not None and not _fits(width, height, limits.max_box):
        box = f"{limits.max_box[0]}×{limits.max_box[1]}"
        fit_w, fit_h = _fit(width, height, limits.max_box)
        reasons.append(f"{name} takes {plural} up to {box} (either way round); this one is {width}×{height}.")
        suggestions.append(f"Scale it down to fit, e.g. {fit_w}×{fit_h}.")
    if limits.min_box is not None and (min(width, height) < min(limits.min_box)
                                       or max(width, height) < max(limits.min_box)):
        box = f"{limits.min_box[0]}×{limits.min_box[1]}"
        reasons.append(f"{name} takes {plural} of at least {box}; this one is {width}×{height}.")
        suggestions.append(f"Use a larger original, at least {box}.")
    if limits.max_pixels is not None and width * height > limits.max_pixels:
        reasons.append(f"{name} takes {plural} of fewer than {limits.max_pixels + 1:,} pixels; "
                       f"this one has {width * height:,}.")
        suggestions.append(f"Resize it below {(limits.max_pixels + 1) / 1_000_000:.0f} megapixels.")


def report(facts: MediaFacts, networks: list[str] | None = None) -> list[NetworkCompatibility]:
    """Every network's verdict (in the table's order), or only those named."""
    chosen = RULES if networks is None else {n: RULES[n] for n in networks}
    return [check(rule, facts) for rule in chosen.values()]
