"""The web console's built files (static/, from console/ by `npm run build`), served through the
HTTP API: `GET /` answers index.html, `GET /console/{proxy+}` the file under static/.

Standard library only and no layer, so a cold start is the interpreter's own (docs/decisions.md).

- Only regular files inside static/: the path is URL-decoded once, then every segment must be a
  plain name (no empty, `.`, `..` or dot-prefixed segment, no backslash or NUL), and the file,
  symlinks resolved, must still be inside static/. Anything else is a 404.
- `assets/` holds Vite's content-hashed files: cached for a year as immutable. Everything else
  (index.html first) is `no-cache`: the browser revalidates with its ETag and gets a 304.
- Text files go as text, others base64 (`isBase64Encoded`). A `<file>.gz` beside a file (the
  build writes them, see `precompress`) is sent to a client that accepts gzip.
- Every answer carries a strict Content-Security-Policy (the API and the media uploads' origin
  only), `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`.
- Errors use the API's envelope `{"error": {"code", "message", "details"}}`; a deployment whose
  console was not built answers 503 `console_not_built` (an HTML page for a browser)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

STATIC_DIR = Path(__file__).resolve().with_name("static")
INDEX = "index.html"
FILES_PREFIX = "/console/"
IMMUTABLE_DIR = "assets"

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

# Lambda's synchronous response limit is 6 MB, JSON envelope included.
MAX_RESPONSE_BYTES = 6 * 1024 * 1024 - 64 * 1024

_TEXT_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".xml": "application/xml",
}
_BINARY_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}
# Worth compressing at build time (the others are compressed formats already).
COMPRESSIBLE = frozenset(_TEXT_TYPES) | {".ico", ".ttf", ".otf", ".wasm"}


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in _TEXT_TYPES:
        return _TEXT_TYPES[suffix] + "; charset=utf-8"
    return _BINARY_TYPES.get(suffix, "application/octet-stream")


def upload_origins(environ: Mapping[str, str]) -> list[str]:
    """Where the browser sends presigned media uploads and loads thumbnails from, as
    herald.media.storage presigns them: the S3 endpoint override (the local cloud's moto), else
    the media bucket's virtual-hosted endpoints (regional, and the global one botocore uses in
    us-east-1)."""
    endpoint = environ.get("AWS_ENDPOINT_URL_S3") or environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []
    bucket = environ.get("HERALD_MEDIA_BUCKET")
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if not bucket or not region:
        return []
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return [f"https://{bucket}.s3.{region}.{suffix}", f"https://{bucket}.s3.{suffix}"]


def content_security_policy(origins: list[str]) -> str:
    extra = "".join(f" {origin}" for origin in origins)
    # https: for images and media: link previews and published posts' pictures come from anywhere.
    insecure = "".join(f" {origin}" for origin in origins if origin.startswith("http://"))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"connect-src 'self'{extra}",
            f"img-src 'self' data: blob: https:{insecure}",
            f"media-src 'self' blob: https:{insecure}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@dataclass(frozen=True)
class _File:
    body: bytes
    etag: str
    gzipped: bytes | None


class ConsoleFiles:
    """The files of one static directory; each read once per process (and again when it changes)."""

    def __init__(self, root: Path, csp: str) -> None:
        self.root = root
        self.csp = csp
        self._cache: dict[Path, tuple[tuple[int, int], _File]] = {}
        self._lock = threading.Lock()

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        http = (event.get("requestContext") or {}).get("http") or {}
        method = str(http.get("method") or "GET").upper()
        raw_path = str(event.get("rawPath") or http.get("path") or "/")
        if method not in ("GET", "HEAD"):
            response = self._error(405, "method_not_allowed", f"{method} is not allowed here: use GET.")
            response["headers"]["allow"] = "GET, HEAD"
            return response
        if not (self.root / INDEX).is_file():
            return self._not_built(event)
        if raw_path == "/":
            name = INDEX
        elif raw_path.startswith(FILES_PREFIX):
            name = raw_path[len(FILES_PREFIX):]
        else:
            return self._not_found(raw_path)
        path = self._resolve(name)
        if path is None:
            return self._not_found(raw_path)
        relative = path.relative_to(self.root.resolve()).as_posix()
        return self._file(event, method, path, relative)

    # -- files --------------------------------------------------------------------------------

    def _resolve(self, name: str) -> Path | None:
        try:
            decoded = unquote(name, errors="strict")
        except UnicodeDecodeError:
            return None
        if not decoded or "\\" in decoded or "\x00" in decoded or decoded.endswith(".gz"):
            return None
        parts = decoded.split("/")
        if any(not part or part.startswith(".") for part in parts):
            return None
        root = self.root.resolve()
        try:
            path = root.joinpath(*parts).resolve(strict=True)
            path.relative_to(root)
        except (OSError, ValueError):
            return None
        return path if path.is_file() else None

    def _load(self, path: Path) -> _File:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        body = path.read_bytes()
        gz = path.with_name(path.name + ".gz")
        gzipped = gz.read_bytes() if gz.is_file() else None
        loaded = _File(body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"', gzipped=gzipped)
        with self._lock:
            self._cache[path] = (stamp, loaded)
        return loaded

    def _file(self, event: dict[str, Any], method: str, path: Path, relative: str) -> dict[str, Any]:
        file = self._load(path)
        immutable = relative.startswith(IMMUTABLE_DIR + "/")
        kind = content_type(relative)
        use_gzip = file.gzipped is not None and _accepts_gzip(_header(event, "accept-encoding"))
        etag = file.etag[:-1] + '-gz"' if use_gzip else file.etag
        headers = self._headers(kind)
        headers["cache-control"] = IMMUTABLE if immutable else REVALIDATE
        headers["etag"] = etag
        if file.gzipped is not None:
            headers["vary"] = "accept-encoding"
        if _matches(_header(event, "if-none-match"), etag):
            del headers["content-type"]
            return {"statusCode": 304, "headers": headers, "body": "", "isBase64Encoded": False}
        body = file.gzipped if use_gzip and file.gzipped is not None else file.body
        if use_gzip:
            headers["content-encoding"] = "gzip"
        if len(body) * 4 // 3 > MAX_RESPONSE_BYTES:
            return self._error(500, "file_too_large",
                               f"{relative} is too large to answer through Lambda (6 MB responses): split the bundle.")
        if method == "HEAD":
            return {"statusCode": 200, "headers": headers, "body": "", "isBase64Encoded": False}
        if kind.endswith("charset=utf-8") and not use_gzip:
            try:
                return {"statusCode": 200, "headers": headers, "body": body.decode("utf-8"), "isBase64Encoded": False}
            except UnicodeDecodeError:
                pass
        return {"statusCode": 200, "headers": headers, "body": base64.b64encode(body).decode("ascii"),
                "isBase64Encoded": True}

    # -- answers ------------------------------------------------------------------------------

    def _headers(self, kind: str) -> dict[str, str]:
        return {
            "content-type": kind,
            "content-security-policy": self.csp,
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
        }

    def _error(self, status: int, code: str, message: str) -> dict[str, Any]:
        headers = self._headers("application/json")
        headers["cache-control"] = "no-store"
        body = json.dumps({"error": {"code": code, "message": message, "details": []}})
        return {"statusCode": status, "headers": headers, "body": body, "isBase64Encoded": False}

    def _not_found(self, raw_path: str) -> dict[str, Any]:
        return self._error(404, "not_found", f"No console file at {raw_path}.")

    def _not_built(self, event: dict[str, Any]) -> dict[str, Any]:
        message = ("The console has not been built: run `make build` before deploying "
                   "(`make dev` builds it for the local cloud). The API itself works: /v1.")
        response = self._error(503, "console_not_built", message)
        if "text/html" in _header(event, "accept"):
            response["headers"]["content-type"] = "text/html; charset=utf-8"
            response["body"] = (
                "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Herald console not built</title>"
                f"<h1>The console has not been built</h1><p>{html.escape(message)}</p></html>"
            )
        return response


def _header(event: dict[str, Any], name: str) -> str:
    return str((event.get("headers") or {}).get(name) or "")


def _accepts_gzip(accept_encoding: str) -> bool:
    """gzip named with a quality above 0, else `*` so (RFC 9110 12.5.3)."""
    qualities = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        quality = params.strip().removeprefix("q=").strip()
        try:
            qualities[coding.strip().lower()] = float(quality) if quality else 1.0
        except ValueError:
            qualities[coding.strip().lower()] = 0.0
    return qualities.get("gzip", qualities.get("*", 0.0)) > 0


def _matches(if_none_match: str, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


def precompress(root: Path, min_bytes: int = 1024) -> list[Path]:
    """Write `<file>.gz` beside each compressible file of `root` that gzip makes smaller (the
    Console function's build runs this on its artifact, so no request pays for compression)."""
    written = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in COMPRESSIBLE or path.stat().st_size < min_bytes:
            continue
        body = path.read_bytes()
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        if len(packed) < len(body):
            target = path.with_name(path.name + ".gz")
            target.write_bytes(packed)
            written.append(target)
    return written


# One per policy: the environment is read at each request (a few lookups), so a process that
# runs several local clouds one after another (the tests) never answers another's endpoint.
_sites: dict[str, ConsoleFiles] = {}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    csp = content_security_policy(upload_origins(os.environ))
    site = _sites.get(csp)
    if site is None:
        site = _sites.setdefault(csp, ConsoleFiles(STATIC_DIR, csp))
    return site.handle(event)


if __name__ == "__main__":  # the build: python console_files.py precompress <static dir>
    if len(sys.argv) != 3 or sys.argv[1] != "precompress":
        sys.exit("usage: python console_files.py precompress <static dir>")
    print(f"{len(precompress(Path(sys.argv[2])))} files precompressed in {sys.argv[2]}")
