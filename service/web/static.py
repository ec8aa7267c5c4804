"""Static assets of the web pages: our own files and the npm-installed libraries, versioned by content.

Served by one plain route (not a mounted app: the authorization matrix test allows no mounts).
Only files named in the registry are served, so no path from the URL ever reaches the file system.
A URL carries the first 8 hex digits of the file's SHA-256 (`/static/app.css?v=1a2b3c4d`); a
request with the current digest may be cached for a year, anything else must be revalidated.
Text files (scripts, styles) are gzip-compressed once when first read and sent compressed to every
client that accepts gzip (ECharts: 1.1 MB → about a third), with `Vary: Accept-Encoding`.
"""

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
NODE_MODULES = WEB_DIR / "node_modules"
PREFIX = "/static/"
ROUTE_PATH = "/static/{path:path}"

# Libraries installed by `npm ci --ignore-scripts` in service/web (pinned in package-lock.json).
VENDOR: dict[str, Path] = {
    "vendor/htmx.min.js": NODE_MODULES / "htmx.org" / "dist" / "htmx.min.js",
    "vendor/echarts.min.js": NODE_MODULES / "echarts" / "dist" / "echarts.min.js",
    # Loaded only by the browser tests (tests/web), which inject it to run accessibility checks.
    "vendor/axe.min.js": NODE_MODULES / "axe-core" / "axe.min.js",
}
IMMUTABLE = "public, max-age=31536000, immutable"
# Media types worth compressing; images and fonts are compressed already.
COMPRESSIBLE = ("text/", "application/json", "image/svg+xml")
REVALIDATE = "no-cache"


@dataclass(frozen=True)
class Asset:
    """One servable file: its bytes, media type and short content digest."""

    body: bytes
    media_type: str
    digest: str
    gzipped: bytes | None = None


def _media_type(name: str) -> str:
    if name.endswith(".js"):
        return "text/javascript; charset=utf-8"
    if name.endswith(".css"):
        return "text/css; charset=utf-8"
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


@lru_cache(maxsize=1)
def assets() -> dict[str, Asset]:
    """Every servable file by URL name, read once per process (the files change only on deploy)."""
    files = {p.relative_to(STATIC_DIR).as_posix(): p for p in sorted(STATIC_DIR.rglob("*"))
             if p.is_file()}
    files.update({name: path for name, path in VENDOR.items() if path.is_file()})
    out: dict[str, Asset] = {}
    for name, path in files.items():
        body = path.read_bytes()
        media_type = _media_type(name)
        packed = (gzip.compress(body, compresslevel=9, mtime=0)
                  if media_type.startswith(COMPRESSIBLE) else None)
        out[name] = Asset(body, media_type, hashlib.sha256(body).hexdigest()[:8],
                          packed if packed is not None and len(packed) < len(body) else None)
    return out


def _accepts_gzip(request: Request) -> bool:
    """Whether Accept-Encoding lists gzip without refusing it (`gzip;q=0`)."""
    for part in request.headers.get("accept-encoding", "").lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def static_url(name: str) -> str:
    """The versioned URL of a static file (a missing vendor file still gets a URL, and a 404)."""
    asset = assets().get(name)
    return f"{PREFIX}{name}?v={asset.digest}" if asset else f"{PREFIX}{name}"


async def serve_static(request: Request) -> Response:
    """One registered file; long-cached when the URL names its current digest."""
    name = request.path_params["path"]
    asset = assets().get(name)
    if asset is None:
        return PlainTextResponse("文件不存在", status_code=404)
    packed = asset.gzipped if asset.gzipped is not None and _accepts_gzip(request) else None
    # Each encoding is its own representation, so it has its own entity tag.
    etag = f'"{asset.digest}-gzip"' if packed is not None else f'"{asset.digest}"'
    cache = IMMUTABLE if request.query_params.get("v") == asset.digest else REVALIDATE
    headers = {"cache-control": cache, "etag": etag}
    if asset.gzipped is not None:
        headers["vary"] = "Accept-Encoding"
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if packed is not None:
        headers["content-encoding"] = "gzip"
        return Response(packed, media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


route = Route(ROUTE_PATH, serve_static, methods=["GET", "HEAD"], name="static")
