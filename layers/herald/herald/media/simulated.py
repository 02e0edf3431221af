"""Images that exist only in test mode: the photos of the Unsplash simulator
(herald.platforms.simulators.unsplash), which a test-mode post gets for `unsplash` and whose URLs
point nowhere. A publish run knows such a URL without probing it (`probed`), and the media source
serves made-up bytes for it instead of fetching it (`image_bytes`), so such a post publishes
offline as it would with Unsplash's real images.

Only the simulator's own URLs, exactly, are treated so; for any other URL both answer None and the
simulator is not even imported (a URL on another host is turned away before that), so a run
without simulated photos costs nothing more."""

from __future__ import annotations

from types import ModuleType
from urllib.parse import urlsplit

from herald.platforms.base import MediaItem

# The host the simulator's image URLs name (its IMAGE_HOST), checked before importing it.
IMAGE_HOST = "images.unsplash.com"
MIME = "image/jpeg"


def probed(url: str, is_video: bool | None) -> MediaItem | None:
    """What a probe of `url` would find were the simulated photo served: a JPEG image of the size
    its URL asks for (None when `url` is not a simulated photo's). Like the probe, raises
    MediaUrlError (media_type_mismatch) when the post says its media is a video."""
    simulator = _simulator_for(url)
    if simulator is None:
        return None
    if is_video is True:
        from herald.media.urls import MISMATCH, MediaUrlError, UrlProblem, display_url

        message = f"The media URL {display_url(url)} should serve a video, but the server sends '{MIME}'."
        raise MediaUrlError(UrlProblem(MISMATCH, message, "media"))
    image = simulator.image_at(url)
    return MediaItem(url=url, kind="image", mime=MIME, size=len(simulator.image_bytes(url)),
                     width=image.width, height=image.height)


def image_bytes(url: str) -> bytes | None:
    """The JPEG a simulated photo's `url` stands for (None for any other URL)."""
    simulator = _simulator_for(url)
    return simulator.image_bytes(url) if simulator is not None else None


def _simulator_for(url: str) -> ModuleType | None:
    """The Unsplash simulator module when `url` is one of its photos' images, else None."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if host != IMAGE_HOST:
        return None
    from herald.platforms.simulators import unsplash

    return unsplash if unsplash.is_simulated_image(url) else None
