"""Images for editions: formats every reader shows, sizes every reader can hold.

JPEG, PNG and GIF pass through when small enough; WebP, AVIF, TIFF, BMP and
ICO are converted (to PNG when they have transparency, else JPEG); anything
wider or taller than ``max_px`` is scaled down and recompressed (so is a JPEG
saved at needless quality, over one byte per pixel), after turning
it the way its EXIF orientation says. SVG passes only through
:func:`exporter.svg.sanitise`. Undecodable data gives None, so the writer keeps
the alt text instead.

Stable API (EPUB and PDF writers)::

    prepare(resource, max_px=1600) -> PreparedImage | None
    prepare_bytes(data, max_px=1600) -> PreparedImage | None   # e.g. a --cover file
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from .resources import Resource, sniff_media_type

PASS_THROUGH = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}
#: Formats that are always re-encoded, whatever their size (readers show them badly or not at all).
CONVERTED = frozenset({"image/webp", "image/avif", "image/tiff", "image/bmp", "image/x-icon"})
#: A JPEG bigger than this and than one byte per pixel was saved at needless quality: it is recompressed.
HEAVY_JPEG_BYTES = 400_000
MAX_PIXELS = 60_000_000  # refuse decompression bombs well before Pillow's own limit


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    media_type: str
    extension: str
    width: int
    height: int
    #: True for an animated GIF (it may flash: accessibility metadata must not say otherwise)
    animated: bool = False


def prepare(resource: Resource, max_px: int = 1600) -> PreparedImage | None:
    """A version of ``resource`` fit for an edition, or None when it is not a usable image."""
    if resource.media_type == "image/svg+xml":
        from . import svg

        clean = svg.sanitise(resource.data)
        if clean is None:
            return None
        return PreparedImage(clean, "image/svg+xml", "svg", *svg.size(clean))
    return _raster(resource.data, resource.media_type, max_px)


def prepare_bytes(data: bytes, max_px: int = 1600) -> PreparedImage | None:
    """:func:`prepare` for bytes of unknown origin (the type is sniffed from the content)."""
    return prepare(Resource(url="", data=data, media_type=sniff_media_type(data)), max_px)


def _raster(data: bytes, media_type: str, max_px: int) -> PreparedImage | None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                return None
            fmt = (probe.format or "").upper()
            animated = bool(getattr(probe, "is_animated", False))
            upright = probe.getexif().get(0x0112, 1) in (0, 1)
            heavy = fmt == "JPEG" and len(data) > max(HEAVY_JPEG_BYTES, width * height)  # over 1 byte/pixel
            if (media_type in PASS_THROUGH and media_type not in CONVERTED and fmt in ("JPEG", "PNG", "GIF")
                    and (max(width, height) <= max_px or animated) and upright and not heavy):
                return PreparedImage(data, media_type, PASS_THROUGH[media_type], width, height, animated)
            probe.seek(0)
            image = ImageOps.exif_transpose(probe)
            image = image.convert("RGBA") if _has_alpha(image) else image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
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
