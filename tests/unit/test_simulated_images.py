"""Test-mode Unsplash photos, whose image URLs exist nowhere: known without a probe
(herald.media.simulated.probed) and read as made-up JPEGs (HttpMediaSource), never fetched; any
other URL as before, without importing the simulator."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from PIL import Image

from herald.media import simulated
from herald.media.compat import report
from herald.media.inspect import BytesSource, inspect_media
from herald.media.source import HttpMediaSource
from herald.media.urls import MediaUrlError
from herald.platforms.base import MediaItem, PlatformError
from herald.platforms.simulators import unsplash as simulator

LAYER = Path(__file__).resolve().parents[2] / "layers" / "herald"
LANDSCAPE = next(p for p in simulator.PHOTOS if simulator.photo_json(p)["width"] > simulator.photo_json(p)["height"])
PORTRAIT = next(p for p in simulator.PHOTOS if simulator.photo_json(p)["width"] < simulator.photo_json(p)["height"])


def urls(photo: simulator.SeedPhoto) -> dict[str, str]:
    return dict(simulator.photo_json(photo)["urls"])


def refusing_client() -> httpx.Client:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"fetched {request.url}")

    return httpx.Client(transport=httpx.MockTransport(refuse))


def test_the_host_checked_first_is_the_simulators() -> None:
    assert simulated.IMAGE_HOST == simulator.IMAGE_HOST
    assert all(httpx.URL(url).host == simulator.IMAGE_HOST for p in simulator.PHOTOS for url in urls(p).values())


def test_a_simulated_photo_is_known_as_the_jpeg_its_url_asks_for() -> None:
    regular = urls(LANDSCAPE)["regular"]
    item = simulated.probed(regular, None)
    assert item == MediaItem(url=regular, kind="image", mime="image/jpeg", size=len(simulator.image_bytes(regular)),
                             width=1080, height=720)
    portrait = simulated.probed(urls(PORTRAIT)["regular"], False)
    assert portrait is not None and (portrait.width, portrait.height) == (1080, 1350)  # 4:5


def test_every_size_keeps_the_photos_shape_within_the_cap() -> None:
    for photo in simulator.PHOTOS:
        full = simulator.photo_json(photo)
        for name, url in urls(photo).items():
            image = simulator.image_at(url)
            assert image is not None and image.photo == photo
            assert max(image.width, image.height) <= simulator.MAX_IMAGE_SIDE
            assert abs(image.width / image.height - full["width"] / full["height"]) < 0.01, (name, image)
            if name != "raw" and name != "full":
                assert str(image.width) == httpx.URL(url).params["w"]


def test_the_bytes_are_a_jpeg_of_that_size_and_the_photos_colour_made_once() -> None:
    regular = urls(PORTRAIT)["regular"]
    data = simulator.image_bytes(regular)
    assert simulator.image_bytes(regular) is data  # kept for the URL
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("JPEG", (1080, 1350))
        colour = image.getpixel((540, 675))
    expected = simulator.image_at(regular).rgb  # type: ignore[union-attr]
    assert all(abs(a - b) <= 3 for a, b in zip(colour, expected, strict=True)), (colour, expected)
    with pytest.raises(ValueError, match="not the image of a simulated"):
        simulator.image_bytes("https://images.unsplash.com/photo-1?w=1080")


def test_every_photos_published_image_is_one_every_network_takes() -> None:
    for photo in simulator.PHOTOS:
        data = simulator.image_bytes(urls(photo)["regular"])
        inspected = inspect_media(BytesSource(data))
        assert inspected.problem is None
        refused = [(c.network, c.reasons) for c in report(inspected.facts) if not c.ok and c.reasons
                   and "does not take images" not in c.reasons[0]]
        assert refused == [], (photo, inspected.facts)


def test_a_post_saying_video_is_refused_as_a_probe_would() -> None:
    with pytest.raises(MediaUrlError) as refused:
        simulated.probed(urls(LANDSCAPE)["regular"], True)
    assert refused.value.code == "media_type_mismatch"
    assert "should serve a video" in refused.value.message


@pytest.mark.parametrize("url", [
    "https://cdn.example.com/logo.png",
    "https://images.unsplash.com/photo-1500000000000-abcdef123456?w=1080",  # Unsplash's host, a real photo
    "not a url",
    "https://[::1",  # urlsplit refuses it
])
def test_any_other_url_is_none(url: str) -> None:
    assert simulated.probed(url, None) is None
    assert simulated.image_bytes(url) is None


def test_the_media_source_serves_the_made_bytes_without_fetching() -> None:
    regular = urls(LANDSCAPE)["regular"]
    item = simulated.probed(regular, None)
    assert item is not None
    source = HttpMediaSource(max_bytes=10_000_000, client=refusing_client())
    assert source.read(item) == simulator.image_bytes(regular)
    pieces = list(source.chunks(item, 4096))
    assert b"".join(pieces) == simulator.image_bytes(regular)
    assert all(len(piece) == 4096 for piece in pieces[:-1]) and 0 < len(pieces[-1]) <= 4096


def test_the_media_source_still_caps_the_made_bytes() -> None:
    item = MediaItem(url=urls(LANDSCAPE)["regular"], kind="image")
    with pytest.raises(PlatformError) as refused:
        HttpMediaSource(max_bytes=1000, client=refusing_client()).read(item)
    assert refused.value.code == "media_unreachable"
    assert "larger than the 1000 bytes" in refused.value.message


def test_the_media_source_still_fetches_any_other_url() -> None:
    fetched: list[str] = []

    def serve(request: httpx.Request) -> httpx.Response:
        fetched.append(request.headers["host"])
        return httpx.Response(200, content=b"png bytes")

    source = HttpMediaSource(max_bytes=1000, client=httpx.Client(transport=httpx.MockTransport(serve)))
    item = MediaItem(url="https://93.184.215.14/logo.png", kind="image")  # an address: no resolving
    assert source.read(item) == b"png bytes"
    assert fetched == ["93.184.215.14"]


def test_other_urls_do_not_import_the_simulator() -> None:
    script = (
        "import sys\n"
        "from herald.media import simulated, source\n"
        "from herald.publishing import runner\n"
        "assert simulated.probed('https://cdn.example.com/a.jpg', None) is None\n"
        "assert simulated.image_bytes('https://cdn.example.com/a.jpg') is None\n"
        "loaded = [m for m in ('herald.platforms.simulators.unsplash', 'PIL') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=LAYER, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
