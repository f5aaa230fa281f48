"""Images for editions: formats every reader shows, sizes every reader can hold.

JPEG, PNG and GIF pass through when small enough; WebP, AVIF, TIFF, BMP and
ICO are converted (to PNG when they have transparency, else JPEG); anything
wider or taller than ``max_px`` is scaled down and recompressed (so is a JPEG
saved at needless quality, over one byte per pixel), after turning
it the way its EXIF orientation says; an animated GIF larger than ``max_px``
becomes a still of its first frame. Each distinct content is decoded once. SVG passes only through
:func:`exporter.svg.sanitise`. Undecodable data gives None, so the writer keeps
the alt text instead.

Stable API (EPUB and PDF writers)::

    prepare(resource, max_px=1600) -> PreparedImage | None
    prepare_bytes(data, max_px=1600) -> PreparedImage | None   # e.g. a --cover file
"""
from __future__ import annotations

import hashlib
import io
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

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
    """A version of ``resource`` fit for an edition, or None when it is not a usable image.

    Each distinct content is decoded once (see :class:`_Prepared`): the same picture
    under sixteen URLs (``?v=1`` … ``?v=16``) costs one decode, not sixteen.
    """
    key = (hashlib.sha256(resource.data).digest(), resource.media_type, max_px)
    return _PREPARED.get(key, lambda: _prepare(resource, max_px))


def prepare_bytes(data: bytes, max_px: int = 1600) -> PreparedImage | None:
    """:func:`prepare` for bytes of unknown origin (the type is sniffed from the content)."""
    return prepare(Resource(url="", data=data, media_type=sniff_media_type(data)), max_px)


#: most bytes of prepared images a process keeps for reuse (a pass-through image may be as large as a resource)
CACHE_BYTES = 64_000_000
#: what an entry costs beside its image's bytes (its key, the objects), so that empty answers count too
_ENTRY_BYTES = 1_000


class _Prepared:
    """The last prepared images by content, shared by the writers and articles of a process.

    Bounded by bytes, not by count: a prepared image is at most ``max_px`` square, but one that passes
    through keeps its bytes (a noisy PNG, an SVG: up to ``--max-resource-mb`` each). An image larger than
    the whole bound is handed back without being kept. Thread-safe: two threads preparing the same
    content may both decode it, neither waits.
    """

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.held = 0
        self._items: OrderedDict[tuple, PreparedImage | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], PreparedImage | None]) -> PreparedImage | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        cost = _cost(value)
        with self._lock:
            if cost > self.max_bytes or key in self._items:
                return value
            self._items[key] = value
            self.held += cost
            while self.held > self.max_bytes:
                self.held -= _cost(self._items.popitem(last=False)[1])
        return value


def _cost(value: PreparedImage | None) -> int:
    return _ENTRY_BYTES + (len(value.data) if value is not None else 0)


_PREPARED = _Prepared()


def _prepare(resource: Resource, max_px: int) -> PreparedImage | None:
    if resource.media_type == "image/svg+xml":
        from . import svg

        clean = svg.sanitise(resource.data)
        if clean is None:
            return None
        return PreparedImage(clean, "image/svg+xml", "svg", *svg.size(clean))
    return _raster(resource.data, resource.media_type, max_px)


def _open(data: bytes):
    """Pillow's image of ``data`` (header only), or None when it is over :data:`MAX_PIXELS`.

    Our pixel cap applies to each call whatever Pillow's process-wide
    ``MAX_IMAGE_PIXELS`` says (a program embedding us may have raised or removed
    it); Pillow's own warning for images past its limit is an answer here, not a
    line on stderr.
    """
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            return None
    width, height = image.size
    if width * height > MAX_PIXELS or width <= 0 or height <= 0:
        image.close()
        return None
    return image


def _raster(data: bytes, media_type: str, max_px: int) -> PreparedImage | None:
    """Pass ``data`` through when readers take it as it is, else decode it once and re-encode it.

    An animated GIF within ``max_px`` keeps its animation; one larger (a 7000 px canvas)
    becomes a still of its first frame, scaled like any image: scaling every frame
    would decode the whole animation at full size, and readers would get it at that size.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        probe = _open(data)
        if probe is None:
            return None
        width, height = probe.size
        fmt = (probe.format or "").upper()
        animated = bool(getattr(probe, "is_animated", False))
        upright = probe.getexif().get(0x0112, 1) in (0, 1)
        heavy = fmt == "JPEG" and len(data) > max(HEAVY_JPEG_BYTES, width * height)  # over 1 byte/pixel
        fits = max(width, height) <= max_px
        if (media_type in PASS_THROUGH and media_type not in CONVERTED and fmt in ("JPEG", "PNG", "GIF")
                and fits and upright and not heavy):
            probe.close()
            return PreparedImage(data, media_type, PASS_THROUGH[media_type], width, height, animated)
        probe.seek(0)  # an animation larger than max_px: its first frame, as a still
        if fmt == "JPEG" and not fits:
            probe.draft("RGB", (max_px, max_px))  # decode at a fraction of the size when the codec can
        image = probe if upright else ImageOps.exif_transpose(probe)
        mode = "RGBA" if _has_alpha(image) else "RGB"
        if image.mode != mode:
            image = image.convert(mode)  # one copy, in the mode we write; else the decoded image itself
        else:
            image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
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
