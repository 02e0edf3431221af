"""Unsplash's API, simulated for test mode (an `httpx.MockTransport` handler, `handle`): the
endpoints `unsplash` on posts uses, answering in Unsplash's documented shapes, offline.

- `GET /photos/{id}`, `GET /photos/random` (`query` narrows the pool), `GET /search/photos`
  (`query`, `page`, `per_page` up to 30; the photos whose tags match the most words of the query
  first) and `GET /photos/{id}/download`, which counts the download (`downloads()`).
- A library of 24 seeded photos (`PHOTOS`) by fictional photographers, whose ids, image URLs and
  credits come out the same in every process; landscape ones are 3:2 and portrait ones 4:5 (a shape
  every network takes, Instagram included).
- Their images are served nowhere: `is_simulated_image(url)` tells them apart, `image_at(url)` says
  what one would be (the size its URL asks for: `w=1080` for `urls.regular`, at most
  `MAX_IMAGE_SIDE` on the long side) and `image_bytes(url)` makes it, a JPEG of the photo's colour
  (with Pillow, on first use; the same bytes every time, kept per URL in this process).
  `herald.media.simulated` has the publish run use these instead of probing and fetching.
- "Random" is deterministic: the pool (all photos, or those matching `query`) is walked in order,
  one photo per call, from where `reset()` left it.
- `Authorization: Client-ID herald-test-client` (the simulators' app) is required; anything else
  answers 401 as Unsplash does. Every answer carries `X-Ratelimit-Limit`/`-Remaining`.
- `inject([...])` queues failures for the next lookups (downloads are never failed), in order:
  `server_error` (503), `rate_limited` (403 "Rate Limit Exceeded" with `X-Ratelimit-Remaining: 0`,
  Unsplash's answer to a spent hourly limit), `unauthorized` (401), `timeout` (httpx.ReadTimeout)
  and `malformed` (a 200 that is not JSON); `ok` lets one call through.

State (the walk, the queue, the download counts) lives in this process, behind one lock."""

from __future__ import annotations

import base64
import functools
import io
import json
import threading
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from herald.platforms.simulators import TEST_CLIENT_ID, stable_digest

API_HOST = "api.unsplash.com"
IMAGE_HOST = "images.unsplash.com"  # where the photos' image URLs point (herald.media.simulated checks it first)
MAX_IMAGE_SIDE = 2048  # the long side of a made image, whatever its URL asks for
JPEG_QUALITY = 85
RATE_LIMIT = 5000
FAILURES = frozenset({"ok", "server_error", "rate_limited", "unauthorized", "timeout", "malformed"})


@dataclass(frozen=True)
class SeedPhoto:
    username: str
    name: str
    description: str
    tags: tuple[str, ...]

    @property
    def id(self) -> str:
        return base64.urlsafe_b64encode(stable_digest("unsplash", self.username, self.description)[:8]).decode()[:11]

    @property
    def image_path(self) -> str:
        digest = stable_digest("unsplash-image", self.id)
        return f"photo-{1500000000000 + int.from_bytes(digest[:5], 'big') % 200000000000}-{digest[5:11].hex()}"


PHOTOS: tuple[SeedPhoto, ...] = (
    SeedPhoto("mara_lindqvist", "Mara Lindqvist", "a cup of coffee on a wooden table", ("coffee", "cup", "cafe", "table", "morning")),
    SeedPhoto("tobias_renn", "Tobias Renn", "latte art in a white ceramic mug", ("coffee", "latte", "mug", "cafe")),
    SeedPhoto("ines_okafor", "Ines Okafor", "snow-capped mountains above a valley", ("mountains", "mountain", "snow", "valley", "landscape", "nature")),
    SeedPhoto("kenji_aramaki", "Kenji Aramaki", "hikers on a mountain ridge at dawn", ("mountains", "mountain", "hiking", "dawn", "people", "nature")),
    SeedPhoto("lea_moreau", "Léa Moreau", "waves rolling onto an empty beach", ("ocean", "sea", "beach", "waves", "summer", "nature")),
    SeedPhoto("sam_whitfield", "Sam Whitfield", "a sailboat on a calm blue sea", ("ocean", "sea", "boat", "sailing", "summer")),
    SeedPhoto("priya_nandakumar", "Priya Nandakumar", "city skyline at night", ("city", "skyline", "night", "lights", "urban", "architecture")),
    SeedPhoto("jonas_berg", "Jonas Berg", "a busy street crossing in the rain", ("city", "street", "rain", "people", "urban")),
    SeedPhoto("amara_diallo", "Amara Diallo", "sunlight through a pine forest", ("forest", "trees", "pine", "sunlight", "nature")),
    SeedPhoto("oskar_lindgren", "Oskar Lindgren", "a path through an autumn forest", ("forest", "autumn", "path", "trees", "nature")),
    SeedPhoto("chloe_martin", "Chloé Martin", "a laptop and notebook on a desk", ("desk", "laptop", "work", "office", "notebook", "technology")),
    SeedPhoto("daniel_osei", "Daniel Osei", "a team meeting around a table", ("team", "meeting", "work", "office", "people", "business")),
    SeedPhoto("hana_sato", "Hana Sato", "a golden retriever in a field", ("dog", "pet", "animal", "field", "summer")),
    SeedPhoto("marco_bellini", "Marco Bellini", "a cat asleep on a windowsill", ("cat", "pet", "animal", "window", "home")),
    SeedPhoto("zoe_campbell", "Zoe Campbell", "a bowl of fresh salad from above", ("food", "salad", "healthy", "bowl", "vegetables")),
    SeedPhoto("rafael_souza", "Rafael Souza", "pizza fresh from a wood-fired oven", ("food", "pizza", "restaurant", "dinner")),
    SeedPhoto("elin_strand", "Elin Strand", "a bunch of tulips in a vase", ("flowers", "tulips", "spring", "home", "vase")),
    SeedPhoto("noah_fischer", "Noah Fischer", "a stack of old books", ("books", "reading", "library", "education")),
    SeedPhoto("aisha_rahman", "Aisha Rahman", "a crowd at an outdoor concert", ("music", "concert", "crowd", "people", "festival")),
    SeedPhoto("lucas_meyer", "Lucas Meyer", "headphones on a vinyl record", ("music", "headphones", "vinyl", "technology")),
    SeedPhoto("sofia_rossi", "Sofia Rossi", "sunset over a quiet lake", ("sunset", "lake", "evening", "landscape", "nature")),
    SeedPhoto("erik_holm", "Erik Holm", "a snowy village street in winter", ("snow", "winter", "village", "street", "christmas")),
    SeedPhoto("grace_kim", "Grace Kim", "a bicycle leaning on a brick wall", ("bicycle", "bike", "city", "street", "urban")),
    SeedPhoto("tomas_novak", "Tomás Novák", "friends laughing around a campfire", ("friends", "campfire", "people", "night", "summer")),
)
_BY_ID = {photo.id: photo for photo in PHOTOS}

_lock = threading.Lock()
_walks: Counter[str] = Counter()  # query ("" for none) -> random photos answered so far
_downloads: Counter[str] = Counter()  # photo id -> downloads triggered
_failures: deque[str] = deque()


def reset() -> None:
    """Forget the random walks, the download counts and the queued failures."""
    with _lock:
        _walks.clear()
        _downloads.clear()
        _failures.clear()


def inject(failures: list[str]) -> None:
    """Queue failures for the next lookups, one call each, in order (see the module's list)."""
    unknown = [name for name in failures if name not in FAILURES]
    if unknown:
        raise ValueError(f"unknown simulated Unsplash failures {unknown}; known: {sorted(FAILURES)}")
    with _lock:
        _failures.extend(failures)


def downloads() -> dict[str, int]:
    """Photo id -> how many downloads were triggered for it."""
    with _lock:
        return dict(_downloads)


def photo_json(photo: SeedPhoto) -> dict[str, Any]:
    """The photo as Unsplash's API documents a photo object."""
    ixid = base64.urlsafe_b64encode(stable_digest("unsplash-ixid", photo.id)[:12]).decode()
    raw = f"https://images.unsplash.com/{photo.image_path}?ixid={ixid}&ixlib=rb-4.0.3"
    digest = stable_digest("unsplash-meta", photo.id)
    width, height = _shape(photo)
    user_id = base64.urlsafe_b64encode(stable_digest("unsplash-user", photo.username)[:8]).decode()[:11]
    return {
        "id": photo.id,
        "slug": f"{photo.description.replace(' ', '-')}-{photo.id}",
        "created_at": f"2024-03-1{digest[1] % 10}T08:{digest[2] % 60:02d}:00Z",
        "width": width,
        "height": height,
        "color": f"#{digest[3]:02x}{digest[4]:02x}{digest[5]:02x}",
        "description": photo.description[0].upper() + photo.description[1:],
        "alt_description": photo.description,
        "likes": 10 + digest[6] * 7,
        "urls": {
            "raw": raw,
            "full": raw + "&crop=entropy&cs=srgb&fm=jpg&q=85",
            "regular": raw + "&crop=entropy&cs=tinysrgb&fit=max&fm=jpg&q=80&w=1080",
            "small": raw + "&crop=entropy&cs=tinysrgb&fit=max&fm=jpg&q=80&w=400",
            "thumb": raw + "&crop=entropy&cs=tinysrgb&fit=max&fm=jpg&q=80&w=200",
        },
        "links": {
            "self": f"https://{API_HOST}/photos/{photo.id}",
            "html": f"https://unsplash.com/photos/{photo.id}",
            "download": f"https://unsplash.com/photos/{photo.id}/download?ixid={ixid}",
            "download_location": f"https://{API_HOST}/photos/{photo.id}/download?ixid={ixid}",
        },
        "user": {
            "id": user_id,
            "username": photo.username,
            "name": photo.name,
            "links": {
                "self": f"https://{API_HOST}/users/{photo.username}",
                "html": f"https://unsplash.com/@{photo.username}",
                "photos": f"https://{API_HOST}/users/{photo.username}/photos",
            },
        },
    }


def is_simulated_image(url: str) -> bool:
    """Whether `url` is the image of one of the simulator's photos (an image that exists nowhere)."""
    return url in _IMAGES


@dataclass(frozen=True)
class SimulatedImage:
    """The image one of the photos' URLs stands for: its size in pixels and its colour."""

    photo: SeedPhoto
    width: int
    height: int
    color: str  # "#rrggbb", the photo's `color`

    @property
    def rgb(self) -> tuple[int, int, int]:
        return int(self.color[1:3], 16), int(self.color[3:5], 16), int(self.color[5:7], 16)


def image_at(url: str) -> SimulatedImage | None:
    """The image at one of the photos' URLs (None for any other URL): as wide as its `w` asks
    (the photo's own width without one), the photo's shape, at most MAX_IMAGE_SIDE on either side."""
    photo = _IMAGES.get(url)
    if photo is None:
        return None
    full_width, full_height = _shape(photo)
    asked = parse_qs(urlsplit(url).query).get("w", [""])[0]
    width = min(int(asked), full_width) if asked.isdigit() and int(asked) > 0 else full_width
    height = width * full_height / full_width
    scale = min(1.0, MAX_IMAGE_SIDE / width, MAX_IMAGE_SIDE / height)
    color = str(photo_json(photo)["color"])
    return SimulatedImage(photo, max(1, round(width * scale)), max(1, round(height * scale)), color)


@functools.cache  # at most 5 URLs for each of the 24 photos
def image_bytes(url: str) -> bytes:
    """The JPEG at one of the photos' URLs (`image_at`): the photo's colour, the same bytes every
    time. ValueError for any other URL."""
    image = image_at(url)
    if image is None:
        raise ValueError(f"{url} is not the image of a simulated Unsplash photo")
    from PIL import Image  # only a test-mode publish run with a simulated photo needs Pillow

    buffer = io.BytesIO()
    Image.new("RGB", (image.width, image.height), image.rgb).save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def matching(query: str) -> list[SeedPhoto]:
    """The photos whose tags or description match the query's words, the most matches first."""
    words = {w for w in query.lower().replace(",", " ").split() if w}
    scored = []
    for n, photo in enumerate(PHOTOS):
        vocabulary = set(photo.tags) | set(photo.description.lower().split())
        score = len(words & vocabulary)
        if score:
            scored.append((-score, n, photo))
    return [photo for _, _, photo in sorted(scored, key=lambda s: (s[0], s[1]))]


def handle(request: httpx.Request) -> httpx.Response:
    if request.url.host != API_HOST or request.method != "GET":
        return _answer(404, {"errors": ["Couldn't find the requested resource"]})
    if request.headers.get("authorization") != f"Client-ID {TEST_CLIENT_ID}":
        return _answer(401, {"errors": ["OAuth error: The access token is invalid"]})
    path = request.url.path.rstrip("/")
    parts = path.split("/")[1:]
    if len(parts) == 3 and parts[0] == "photos" and parts[2] == "download":
        return _download(parts[1])
    failure = _take_failure()
    if failure is not None and failure != "ok":
        return _fail(failure, request)
    params = request.url.params
    if parts == ["photos", "random"]:
        return _random(params.get("query") or "")
    if parts == ["search", "photos"]:
        return _search(params.get("query") or "", params.get("page", "1"), params.get("per_page", "10"))
    if len(parts) == 2 and parts[0] == "photos":
        photo = _BY_ID.get(parts[1])
        return _answer(200, photo_json(photo)) if photo else _answer(404, {"errors": ["Couldn't find Photo"]})
    return _answer(404, {"errors": ["Couldn't find the requested resource"]})


def _random(query: str) -> httpx.Response:
    pool = matching(query) if query else list(PHOTOS)
    if not pool:
        return _answer(404, {"errors": ["No photos found."]})
    with _lock:
        n = _walks[query.lower()]
        _walks[query.lower()] += 1
    return _answer(200, photo_json(pool[n % len(pool)]))


def _search(query: str, page: str, per_page: str) -> httpx.Response:
    if not query.strip():
        return _answer(400, {"errors": ["query is missing"]})
    try:
        page_number, size = max(int(page), 1), min(max(int(per_page), 1), 30)
    except ValueError:
        return _answer(400, {"errors": ["page and per_page are numbers"]})
    found = matching(query)
    shown = found[(page_number - 1) * size : page_number * size]
    total_pages = (len(found) + size - 1) // size
    return _answer(200, {"total": len(found), "total_pages": total_pages, "results": [photo_json(p) for p in shown]})


def _download(photo_id: str) -> httpx.Response:
    photo = _BY_ID.get(photo_id)
    if photo is None:
        return _answer(404, {"errors": ["Couldn't find Photo"]})
    with _lock:
        _downloads[photo_id] += 1
    return _answer(200, {"url": photo_json(photo)["urls"]["full"]})


def _take_failure() -> str | None:
    with _lock:
        return _failures.popleft() if _failures else None


def _fail(failure: str, request: httpx.Request) -> httpx.Response:
    if failure == "timeout":
        raise httpx.ReadTimeout("simulated: Unsplash did not answer", request=request)
    if failure == "rate_limited":
        return _answer(403, None, text="Rate Limit Exceeded", remaining=0)
    if failure == "unauthorized":
        return _answer(401, {"errors": ["OAuth error: The access token is invalid"]})
    if failure == "malformed":
        return _answer(200, None, text="<html><body>upstream connect error</body></html>")
    return _answer(503, {"errors": ["Service Unavailable"]})


def _answer(status: int, body: Any, *, text: str | None = None, remaining: int = RATE_LIMIT - 1) -> httpx.Response:
    headers = {"X-Ratelimit-Limit": str(RATE_LIMIT), "X-Ratelimit-Remaining": str(remaining)}
    if body is not None:
        return httpx.Response(status, headers={**headers, "Content-Type": "application/json"},
                              content=json.dumps(body).encode())
    return httpx.Response(status, headers={**headers, "Content-Type": "text/html"}, content=(text or "").encode())


def _shape(photo: SeedPhoto) -> tuple[int, int]:
    """The photo's full size: 6000x4000 (3:2) for two photos in three, else 4000x5000 (4:5)."""
    return (6000, 4000) if stable_digest("unsplash-meta", photo.id)[0] % 3 else (4000, 5000)


# Every size of every seeded photo's image -> the photo (for is_simulated_image and image_at).
_IMAGES: dict[str, SeedPhoto] = {url: photo for photo in PHOTOS for url in photo_json(photo)["urls"].values()}
