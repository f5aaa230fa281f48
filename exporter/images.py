"""Images for editions: formats every reader shows, sizes every reader can hold.

JPEG, PNG and GIF pass through when small enough; WebP, AVIF, TIFF, BMP and
ICO are converted (to PNG when they have transparency, else JPEG); anything
wider or taller than ``max_px`` is scaled down and recompressed. Undecodable
data gives None, so the writer keeps the alt text instead.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from .resources import Resource

PASS_THROUGH = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}
MAX_PIXELS = 60_000_000  # refuse decompression bombs well before Pillow's own limit


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    media_type: str
    extension: str
    width: int
    height: int


def prepare(resource: Resource, max_px: int = 1600) -> PreparedImage | None:
    """A version of ``resource`` fit for an edition, or None when it is not a usable raster image."""
    from PIL import Image, UnidentifiedImageError

    if resource.media_type == "image/svg+xml":
        return None  # SVG needs sanitising first (see exporter.svg when present)
    try:
        with Image.open(io.BytesIO(resource.data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                return None
            fmt = (probe.format or "").upper()
            if resource.media_type in PASS_THROUGH and max(width, height) <= max_px and fmt in ("JPEG", "PNG", "GIF"):
                return PreparedImage(resource.data, resource.media_type, PASS_THROUGH[resource.media_type], width, height)
            image = probe.convert("RGBA") if _has_alpha(probe) else probe.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    if max(image.size) > max_px:
        image.thumbnail((max_px, max_px), Image.LANCZOS)
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, "PNG", optimize=True)
        return PreparedImage(out.getvalue(), "image/png", "png", *image.size)
    image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return PreparedImage(out.getvalue(), "image/jpeg", "jpg", *image.size)


def _has_alpha(image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
