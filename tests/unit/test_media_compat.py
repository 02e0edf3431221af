"""herald.media.compat: the per-network media rules and the report's reasons and suggestions."""

from __future__ import annotations

import pytest

from herald.media import compat
from herald.media.model import MediaFacts
from herald.text.rules import RULES as TEXT_RULES


def image(width: int, height: int, *, mime: str = "image/jpeg", size: int = 500_000, frames: int = 1) -> MediaFacts:
    return MediaFacts(kind="image", mime=mime, format=mime.split("/")[1].upper(), bytes=size, width=width,
                      height=height, frames=frames)


def video(width: int = 1280, height: int = 720, seconds: float = 30, *, size: int = 20 * compat.MB,
          codec: str = "avc1", audio: str | None = "mp4a", mime: str = "video/mp4") -> MediaFacts:
    return MediaFacts(kind="video", mime=mime, format="MP4", bytes=size, width=width, height=height,
                      duration_seconds=seconds, video_codec=codec, audio_codec=audio)


def entry(facts: MediaFacts, network: str) -> compat.NetworkCompatibility:
    (found,) = compat.report(facts, [network])
    return found


def test_the_table_covers_the_thirteen_networks_with_the_kinds_of_the_content_rules() -> None:
    assert list(compat.RULES) == list(TEXT_RULES)
    for network, rule in compat.RULES.items():
        assert rule.kinds == TEXT_RULES[network].media.kinds, network
        assert rule.name == TEXT_RULES[network].name


def test_instagram_nine_by_sixteen_image_is_told_to_crop_to_four_by_five() -> None:
    found = entry(image(1080, 1920), "instagram")
    assert not found.ok
    assert found.reasons == ["Instagram takes aspect ratios 4:5 to 1.91:1; this image is 9:16."]
    assert found.suggestions == ["Crop to 4:5 (e.g. 1080×1350)."]


def test_instagram_too_wide_crops_to_one_point_nine_one() -> None:
    found = entry(image(1440, 500), "instagram")
    assert found.reasons == ["Instagram takes aspect ratios 4:5 to 1.91:1; this image is 2.88:1."]
    assert found.suggestions == ["Crop to 1.91:1 (e.g. 955×500)."]


def test_instagram_accepts_its_edges_within_rounding() -> None:
    assert entry(image(1080, 1350), "instagram").ok
    assert entry(image(1080, 1351), "instagram").ok
    assert entry(image(1080, 566), "instagram").ok  # 1.908:1


def test_instagram_wants_jpeg_and_320_to_1440_px_wide() -> None:
    found = entry(image(4032, 3024, mime="image/png"), "instagram")
    assert found.reasons == [
        "Instagram takes images as JPEG; this one is PNG.",
        "Instagram takes images up to 1440 px wide; this one is 4032 px.",
    ]
    assert found.suggestions == ["Convert it to JPEG.", "Resize it to 1440 px wide (1440×1080)."]
    small = entry(image(300, 300), "instagram")
    assert small.reasons == ["Instagram takes images at least 320 px wide; this one is 300 px."]


def test_x_image_over_five_mb() -> None:
    found = entry(image(2000, 1000, size=7_200_000), "x")
    assert not found.ok
    assert found.reasons == ["X takes images up to 5 MB; this one is 7.2 MB."]
    assert found.suggestions == ["Compress it below 5 MB."]
    assert entry(image(2000, 1000, size=5_000_000), "x").ok


def test_x_video_limits() -> None:
    assert entry(video(1280, 720, 30), "x").ok
    assert entry(video(720, 1280, 30), "x").ok  # portrait fits 1280×1024 turned round
    found = entry(video(1920, 1080, 300, codec="hvc1", audio="ac-3", size=600 * compat.MB), "x")
    assert found.reasons == [
        "X takes videos up to 512 MB; this one is 600 MB.",
        "X takes videos up to 1280×1024 (either way round); this one is 1920×1080.",
        "X takes videos of 0.5 s to 140 s; this one is 5 min.",
        "X takes H.264 video; this one is HEVC (hvc1).",
        "X takes AAC audio; this one is AC-3 (ac-3).",
    ]
    assert found.suggestions == [
        "Compress it below 512 MB.",
        "Scale it down to fit, e.g. 1280×720.",
        "Trim it to 140 s or less.",
        "Re-encode it as H.264.",
        "Re-encode the audio as AAC.",
    ]
    tall = entry(video(300, 1200), "x")
    assert tall.reasons == ["X takes aspect ratios 1:3 to 3:1; this video is 1:4."]
    assert tall.suggestions == ["Crop to 1:3 (e.g. 300×900)."]


def test_x_animated_gif_frames_and_size() -> None:
    gif = MediaFacts(kind="gif", mime="image/gif", format="GIF", bytes=16 * compat.MB, width=500, height=500,
                     frames=400)
    found = entry(gif, "x")
    assert found.reasons == [
        "X takes animated GIFs up to 15 MB; this one is 16 MB.",
        "X takes animated GIFs of up to 350 frames; this one has 400.",
    ]


def test_animated_gifs_where_only_video_or_images_go() -> None:
    gif = MediaFacts(kind="gif", mime="image/gif", format="GIF", bytes=100_000, width=200, height=200, frames=10)
    bluesky = entry(gif, "bluesky")
    assert bluesky.reasons == ["Bluesky does not take animated GIFs."]
    assert bluesky.suggestions == ["Convert the GIF to an MP4 video."]
    google = entry(gif, "google_business")
    assert google.suggestions == ["Use a still image (one frame of the GIF) instead."]
    assert entry(gif, "mastodon").ok and entry(gif, "telegram").ok


def test_video_only_and_image_only_networks() -> None:
    assert entry(image(1000, 1000), "youtube").reasons == ["YouTube does not take images."]
    assert entry(video(), "google_business").reasons == ["Google Business Profile does not take videos."]
    assert entry(video(), "youtube").ok


def test_advice_keeps_the_entry_ok() -> None:
    bluesky = entry(image(1000, 1000, size=1_500_000), "bluesky")
    assert bluesky.ok and "1 MB" in bluesky.suggestions[0]
    assert not entry(image(1000, 1000, size=2_000_001), "bluesky").ok
    reel = entry(video(1920, 1080, 60), "instagram")
    assert reel.ok and reel.suggestions == ["Instagram recommends 9:16 for videos; this video is 16:9."]
    long = entry(video(seconds=20 * 60), "youtube")
    assert long.ok and "15-minute" in long.suggestions[0]


def test_durations_too_short_and_too_long() -> None:
    assert entry(video(seconds=2), "linkedin").reasons == ["LinkedIn takes videos of 3 s to 30 min; this one is 2 s."]
    assert entry(video(seconds=2), "linkedin").suggestions == ["Use a clip of at least 3 s."]
    tiktok = entry(video(seconds=700), "tiktok")
    assert tiktok.reasons == ["TikTok takes videos of 3 s to 10 min; this one is 11 min 40 s."]


def test_linkedin_pixel_cap_and_google_minimum_size() -> None:
    big = entry(image(8000, 5000), "linkedin")
    assert big.reasons == ["LinkedIn takes images of fewer than 36,152,320 pixels; this one has 40,000,000."]
    small = entry(image(300, 200, mime="image/png"), "google_business")
    assert small.reasons == [
        "Google Business Profile takes images at least 400 px wide; this one is 300 px.",
        "Google Business Profile takes images at least 300 px high; this one is 200 px.",
    ]


def test_unmeasured_values_are_not_checked() -> None:
    webm = MediaFacts(kind="video", mime="video/webm", format="WEBM", bytes=1_000_000)
    assert entry(webm, "tiktok").ok
    assert entry(webm, "x").reasons == ["X takes videos as MP4 or MOV; this one is WebM."]


def test_every_network_answers_for_a_plain_jpeg() -> None:
    found = compat.report(image(1080, 1080))
    assert [e.network for e in found] == list(compat.RULES)
    assert {e.network for e in found if not e.ok} == {"youtube"}


@pytest.mark.parametrize(
    ("width", "height", "label"),
    [(1080, 1920, "9:16"), (1080, 1350, "4:5"), (1200, 628, "1.91:1"), (1920, 1080, "16:9"), (1000, 1000, "1:1"),
     (4032, 3024, "4:3"), (1234, 1000, "1.23:1"), (1000, 1234, "1:1.23"), (300, 1200, "1:4")],
)
def test_ratio_labels(width: int, height: int, label: str) -> None:
    assert compat.ratio_label(width, height) == label


def test_size_and_duration_texts() -> None:
    assert compat.size_text(7_200_000) == "7.2 MB"
    assert compat.size_text(5_000_000) == "5 MB"
    assert compat.size_text(2_500) == "2.5 KB"
    assert compat.duration_text(0.5) == "0.5 s"
    assert compat.duration_text(140) == "140 s"
    assert compat.duration_text(1800) == "30 min"
    assert compat.duration_text(700) == "11 min 40 s"
