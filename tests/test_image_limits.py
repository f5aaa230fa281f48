"""Images as editions take them: pixel caps that hold per call, animations within the size readers get."""
from __future__ import annotations

import io
import struct
import warnings
import zlib
import zipfile
from pathlib import Path

import pytest
from PIL import Image

import exporter
from exporter import images


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` (a bomb needs no pixels to be refused)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(8000, 8000), (10_000, 10_000), (20_000, 20_000)])
@pytest.mark.parametrize("pillow_limit", ["default", None])
def test_pixel_cap_holds_per_call_whatever_pillow_is_set_to(monkeypatch, size, pillow_limit) -> None:
    """Refused from the header, silently (no DecompressionBombWarning on stderr), even if a program embedding
    us removed Pillow's own limit; Pillow's process-wide setting is left as it was."""
    if pillow_limit is None:
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    before = Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert images.prepare_bytes(_png_claiming(*size)) is None
    assert [w for w in caught if "DecompressionBomb" in w.category.__name__] == []
    assert Image.MAX_IMAGE_PIXELS == before


def _animated_gif(size: tuple[int, int]) -> bytes:
    frames = [Image.new("RGB", size, color).convert("P") for color in ((200, 30, 30), (30, 200, 30), (30, 30, 200))]
    for n, frame in enumerate(frames):  # frames that differ, so none is merged away
        frame.paste(n * 50 + 1, (n * 10, n * 10, n * 10 + 40, n * 10 + 40))
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    return out.getvalue()


def test_animated_gif_larger_than_readers_get_becomes_a_first_frame_still() -> None:
    big = images.prepare_bytes(_animated_gif((2400, 1800)))
    assert big is not None and big.media_type in ("image/jpeg", "image/png") and not big.animated
    assert (big.width, big.height) == (1600, 1200)
    with Image.open(io.BytesIO(big.data)) as still:
        assert still.size == (1600, 1200) and not getattr(still, "is_animated", False)
        assert still.convert("RGB").getpixel((800, 600))[0] > 150, "the first frame (red) is the still"
    small = images.prepare_bytes(_animated_gif((320, 200)))
    assert small is not None and small.media_type == "image/gif" and small.animated, "small ones stay animated"


def test_huge_animated_gif_in_the_epub_is_within_1600_px(tmp_path: Path) -> None:
    (tmp_path / "anim.gif").write_bytes(_animated_gif((3000, 2200)))
    (tmp_path / "a.html").write_text('<title>Animated</title><p>Words.</p><img src="anim.gif" alt="moving">')
    epub = exporter.export([tmp_path / "a.html"], "epub", tmp_path / "out")[0]
    with zipfile.ZipFile(epub) as z:
        pictures = [n for n in z.namelist() if "/images/" in n and "cover" not in n.lower()]
        assert pictures and not any(n.endswith(".gif") for n in pictures)
        for name in pictures:
            with Image.open(io.BytesIO(z.read(name))) as im:
                assert max(im.size) <= 1600
